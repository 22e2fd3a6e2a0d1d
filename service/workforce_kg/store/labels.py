"""A label for a qualified relation that has none of its own.

Responsibilities (and any node stating ``wkg:body``, ``wkg:role`` and ``wkg:subject``) are often written
without a label — ingest drafts them that way. Rather than show their slug, every page, API answer and
search hit names them the same way: ``Body — role — Subject`` from the labels of the three nodes
(:func:`compose`). :func:`relation_label` reads them from a pyoxigraph store; SPARQL callers fetch the
three labels themselves and call :func:`compose`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyoxigraph as ox

from workforce_kg.vocab import RDFS, SKOS, ontology_namespace

if TYPE_CHECKING:
    from workforce_kg.store.remote import RemoteStore

    Quads = ox.Store | RemoteStore  # what is read here: the quads of a local or a remote store


#: the properties whose values name a node, in order of preference
OWN_LABELS = (SKOS + "prefLabel", RDFS + "label")


def compose(body: str | None, role: str | None, subject: str | None) -> str | None:
    """``Body — role — Subject`` (the role in lower case); None unless all three are known."""
    if not (body and role and subject):
        return None
    return f"{body} — {role.lower()} — {subject}"


def own_label(store: Quads, node: ox.NamedNode) -> str | None:
    """The node's preferred label, else its ``rdfs:label`` (English or untagged first)."""
    for prop in OWN_LABELS:
        found = [
            q.object
            for q in store.quads_for_pattern(node, ox.NamedNode(prop), None, None)
            if isinstance(q.object, ox.Literal)
        ]
        if found:
            found.sort(key=lambda lit: (lit.language not in ("en", None), lit.value))
            return found[0].value
    return None


def relation_label(store: Quads, node: ox.NamedNode, base: str) -> str | None:
    """The composed label of a node with a body, a role and a subject (:func:`compose`); None otherwise."""
    wkg = ontology_namespace(base)
    parts = []
    for prop in ("body", "role", "subject"):
        target = next(store.quads_for_pattern(node, ox.NamedNode(wkg + prop), None, None), None)
        if target is None or not isinstance(target.object, ox.NamedNode):
            return None
        parts.append(own_label(store, target.object))
    return compose(*parts)
