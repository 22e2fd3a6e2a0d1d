"""The ratings scorecard: rated commitments × rating dimensions, each cell the values given, with citations.

Everything comes from the graph, for any evaluation: the columns are the dimensions the ratings use,
ordered by a ``skos:OrderedCollection`` that lists them (then notation, then label); the scale is the
scheme of the ratings' values, ordered by ``wkg:rank`` (each value gets a colour step,
:mod:`workforce_kg.rdf.scale`). A row is one commitment as rated in one evaluation. A cell holds every
rating of its commitment and dimension, grouped by value; when the ratings disagree (two places in a
source giving different values, each a rating with its own citation) the cell is a ``conflict`` and
shows every value. Every rating of the graph is in exactly one cell.

Filters: ``theme`` (a concept of the theme scheme the commitment is tagged with) and ``body`` (a body
holding the accountable or lead role for the commitment, directly or for a programme serving it — the
rule of the commitment list's ``body``/``role`` filters, and the gaps' notion of an owner). ``sort``:
``label`` (default), ``mean`` (mean rank of the row, worst first) or a dimension's id (its rank, worst
first). Unknown values raise :class:`InvalidFilter`. SPARQL: ``queries/rating_*.rq``.
"""

from __future__ import annotations

from collections import defaultdict
from statistics import mean
from typing import Any

import pyoxigraph as ox

from workforce_kg.analysis import sparql_files as sq
from workforce_kg.analysis.accountability import ACCOUNTABLE_ROLES
from workforce_kg.analysis.entities import Context, InvalidFilter, natural_key, slug_of
from workforce_kg.rdf.scale import css_class, step
from workforce_kg.store.kg import KnowledgeGraph, to_python

#: the roles whose holders the ``body`` filter offers (as the gaps count an owner: accountable or lead)
OWNER_ROLES = ACCOUNTABLE_ROLES
SORTS = ("label", "mean")


def _int(term: Any) -> int | None:
    value = to_python(term)
    return value if isinstance(value, int) else None


def _text(term: Any) -> str | None:
    return None if term is None else str(term.value)


def _scale(ctx: Context) -> dict[str, dict]:
    """The values of the ratings' scale(s), worst first, each with rank, notation, step and CSS class."""
    rows = sq.select(ctx.kg, "rating_scale")
    ctx.load(v.value for v, _, _ in rows)
    ranks = [r for _, rank, _ in rows if (r := _int(rank)) is not None]
    values = []
    for v, rank, notation in rows:
        r = _int(rank)
        s = step(r, ranks)
        values.append({**ctx.ref_of(v.value), "rank": r, "notation": _text(notation), "step": s, "css": css_class(s)})
    values.sort(key=lambda v: (v["rank"] is None, v["rank"] or 0, natural_key(v["label"])))
    return {v["iri"]: v for v in values}


def _dimensions(ctx: Context) -> list[dict]:
    """The dimensions the ratings use, in the order of their ordered collection, then notation, then label."""
    rows = sq.select(ctx.kg, "rating_dimensions")
    ctx.load(d.value for d, _, _ in rows)
    dims = [{**ctx.ref_of(d.value), "position": _int(pos), "notation": _text(nt)} for d, pos, nt in rows]
    dims.sort(
        key=lambda d: (
            d["position"] is None,
            d["position"] or 0,
            natural_key(d["notation"] or ""),
            natural_key(d["label"]),
            d["iri"],
        )
    )
    return [{k: d[k] for k in ("id", "iri", "label", "type")} for d in dims]


def _facets(ctx: Context) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """{theme IRI: commitments} and {accountable body IRI: commitments}, over the rated commitments."""
    roles = [ox.NamedNode(f"{ctx.base}/def/role/{r}") for r in OWNER_ROLES]
    themes: dict[str, set[str]] = defaultdict(set)
    bodies: dict[str, set[str]] = defaultdict(set)
    for commitment, facet in sq.select(ctx.kg, "rating_themes"):
        themes[facet.value].add(commitment.value)
    for commitment, facet in sq.select(ctx.kg, "rating_owners", role=roles):
        bodies[facet.value].add(commitment.value)
    return themes, bodies


def _pick(field: str, value: str | None, options: dict[str, set[str]]) -> str | None:
    """The option ``value`` names (its id or IRI), or InvalidFilter listing the ids there are."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    for iri in options:
        if value in (iri, slug_of(iri)):
            return iri
    known = ", ".join(sorted(slug_of(i) for i in options)) or "none"
    raise InvalidFilter(field, f"unknown {field} {value!r} among the rated commitments; one of: {known}")


def scorecard(kg: KnowledgeGraph, *, theme: str | None = None, body: str | None = None, sort: str = "label") -> dict:
    """The scorecard grid (see the module docstring): ``scale``, ``dimensions``, filter ``options``, the
    ``filters`` applied, ``rows`` (one per commitment and evaluation, a cell per dimension) and counts."""
    ctx = Context(kg)
    themes, bodies = _facets(ctx)
    theme_iri, body_iri = _pick("theme", theme, themes), _pick("body", body, bodies)
    dimensions = _dimensions(ctx)
    sort = (sort or "label").strip()
    if sort not in SORTS and sort not in {d["id"] for d in dimensions}:
        options = ", ".join([*SORTS, *(d["id"] for d in dimensions)])
        raise InvalidFilter("sort", f"unknown sort {sort!r}; one of: {options}")
    scale = _scale(ctx)

    keep: set[str] | None = None
    for chosen, facet in ((theme_iri, themes), (body_iri, bodies)):
        if chosen is not None:
            keep = facet[chosen] if keep is None else keep & facet[chosen]

    grid: dict[tuple[str, str | None], dict[str, dict[str, list[str]]]] = defaultdict(lambda: defaultdict(dict))
    for rating, commitment, evaluation, dimension, value, rank, notation in sq.select(kg, "rating_grid"):
        if keep is not None and commitment.value not in keep:
            continue
        if value.value not in scale:  # a value outside any scheme: a scale of its own, unranked
            scale[value.value] = {
                **ctx.ref_of(value.value),
                "rank": _int(rank),
                "notation": _text(notation),
                "step": None,
                "css": css_class(None),
            }
        cell = grid[(commitment.value, _text(evaluation))][dimension.value]
        cell.setdefault(value.value, []).append(rating.value)

    rating_iris = [r for cells in grid.values() for cell in cells.values() for rs in cell.values() for r in rs]
    ctx.load([*rating_iris, *(c for c, _ in grid), *(e for _, e in grid if e)])
    sources = ctx.sources(rating_iris)
    rows, n_ratings, n_conflicts = [], 0, 0
    for (commitment, evaluation), cells in grid.items():
        row_cells = []
        for d in dimensions:
            by_value = cells.get(d["iri"], {})
            values = sorted((scale[v] for v in by_value), key=lambda v: (v["rank"] is None, v["rank"] or 0, v["label"]))
            entries = [
                {
                    "value": v,
                    "ratings": sorted(
                        ({**ctx.ref_of(r), "sources": sources[r]} for r in by_value[v["iri"]]),
                        key=lambda r: (natural_key(r["label"]), r["iri"]),
                    ),
                }
                for v in values
            ]
            conflict = len(entries) > 1
            n_conflicts += conflict
            n_ratings += sum(len(e["ratings"]) for e in entries)
            row_cells.append({"dimension": d["id"], "conflict": conflict, "values": entries})
        ranks = [e["value"]["rank"] for c in row_cells for e in c["values"] if e["value"]["rank"] is not None]
        rows.append(
            {
                "commitment": ctx.ref_of(commitment),
                "evaluation": ctx.ref(evaluation),
                "mean_rank": round(mean(ranks), 2) if ranks else None,
                "cells": row_cells,
            }
        )

    def label_key(row: dict) -> tuple:
        evaluation = row["evaluation"]["label"] if row["evaluation"] else ""
        return (natural_key(row["commitment"]["label"]), row["commitment"]["iri"], natural_key(evaluation))

    rows.sort(key=label_key)
    if sort == "mean":
        rows.sort(key=lambda r: (r["mean_rank"] is None, r["mean_rank"] or 0))
    elif sort != "label":
        column = [d["id"] for d in dimensions].index(sort)

        def worst(row: dict) -> tuple:
            ranks = [e["value"]["rank"] for e in row["cells"][column]["values"] if e["value"]["rank"] is not None]
            return (not ranks, min(ranks) if ranks else 0)

        rows.sort(key=worst)

    return {
        "scale": [
            {k: v[k] for k in ("id", "iri", "label", "type", "rank", "notation", "step", "css")} for v in scale.values()
        ],
        "dimensions": dimensions,
        "options": {"theme": ctx.refs(themes), "body": ctx.refs(bodies)},
        "filters": {
            "theme": slug_of(theme_iri) if theme_iri else None,
            "body": slug_of(body_iri) if body_iri else None,
            "sort": sort,
        },
        "rows": rows,
        "ratings": n_ratings,
        "conflicts": n_conflicts,
    }
