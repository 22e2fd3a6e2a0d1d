"""Colour steps for the values of an ordered scale (a SKOS scheme whose concepts carry ``wkg:rank``).

Every page colours a rating value by one palette of :data:`STEPS` steps, defined once in
``web/static/ratings.css`` as the classes ``rating rating-rank-1`` (worst) … ``rating rating-rank-4``
(best) and ``rating rating-rank-none`` (no rank known). A scale of four values maps rank to step one to
one; a scale of another length is spread over the same steps by the value's position in it, so any
evaluation's scale gets the palette's ends for its worst and best values.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from workforce_kg.store.kg import KnowledgeGraph
from workforce_kg.vocab import SKOS

#: the number of colour steps of the palette
STEPS = 4


def step(rank: int | None, ranks: Iterable[int]) -> int | None:
    """The colour step (1 … :data:`STEPS`) of ``rank`` on a scale whose values have ``ranks``; None when
    the rank is unknown or not on the scale."""
    scale = sorted(set(ranks))
    if rank is None or rank not in scale:
        return None
    if len(scale) == 1:
        return STEPS
    position = scale.index(rank)
    return 1 + round(position * (STEPS - 1) / (len(scale) - 1))


def css_class(step_: int | None) -> str:
    """The CSS classes of a value with colour step ``step_`` (see the module docstring)."""
    return f"rating rating-rank-{step_ if step_ else 'none'}"


def _integer(term) -> int | None:
    if isinstance(term, ox.Literal):
        try:
            return int(term.value)
        except ValueError:
            return None
    return None


def concept_class(kg: KnowledgeGraph, iri: str) -> str | None:
    """The CSS classes of a concept of an ordered scale (None for anything without ``wkg:rank``): its step
    among the ranks of the concepts of its scheme(s)."""
    rank_p = ox.NamedNode(kg.prefixes["wkg"] + "rank")
    node = ox.NamedNode(iri)
    rank = next((_integer(q.object) for q in kg.store.quads_for_pattern(node, rank_p, None, None)), None)
    if rank is None:
        return None
    in_scheme = ox.NamedNode(SKOS + "inScheme")
    ranks = {rank}
    for q in kg.store.quads_for_pattern(node, in_scheme, None, None):
        for member in kg.store.quads_for_pattern(None, in_scheme, q.object, None):
            for r in kg.store.quads_for_pattern(member.subject, rank_p, None, None):
                value = _integer(r.object)
                if value is not None:
                    ranks.add(value)
    return css_class(step(rank, ranks))


def ranked_classes(kg: KnowledgeGraph) -> dict[str, str]:
    """The CSS classes of every concept of an ordered scale, by IRI (for pages that colour values their
    scripts show, e.g. the query page's results)."""
    rank_p = ox.NamedNode(kg.prefixes["wkg"] + "rank")
    concepts = {
        q.subject.value
        for q in kg.store.quads_for_pattern(None, rank_p, None, None)
        if isinstance(q.subject, ox.NamedNode)
    }
    return {iri: css for iri in sorted(concepts) if (css := concept_class(kg, iri))}
