"""Derived triples: shortcuts that keep simple questions simple in SPARQL.

The curated graph states responsibilities as qualified nodes and organisational changes as events;
these rules add the plain properties they imply, the superclass types of every typed node (RDFS
subclass entailment over our ontology), and the Citation type of citation nodes.

Every triple a rule derives is about a *key* node, its subject, and follows from the triples of the key,
those of the nodes that link to it (:data:`LINKS`), those citing it, and the class hierarchy:
:func:`update` recomputes, after a change, the derived triples of the keys the change can affect only,
with the result :func:`apply` gives on the whole store.
"""

from __future__ import annotations

import itertools

import pyoxigraph as ox

from workforce_kg.vocab import DEFAULT_BASE_IRI

PREFIXES = """
PREFIX wkg: <{base}/def/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""

#: role concept slug -> shortcut property local name
ROLE_SHORTCUTS = {
    "accountable": "accountableBody",
    "lead": "leadBody",
    "partner": "partnerBody",
    "funder": "funderBody",
    "commissioner": "commissionerBody",
    "evaluator": "evaluatorBody",
    "regulator": "regulatorBody",
    "employer": "employerBody",
}

RULES = {
    "role shortcuts": """
        CONSTRUCT {{ ?subject ?shortcut ?body . ?subject wkg:responsibleBody ?body . }}
        WHERE {{
            ?r a wkg:Responsibility ; wkg:subject ?subject ; wkg:body ?body ; wkg:role ?role .
            VALUES (?role ?shortcut) {{ {values} }}
        }}""",
    "successor": """
        CONSTRUCT {{ ?old wkg:successor ?new . }}
        WHERE {{
            ?e a org:ChangeEvent ; org:originalOrganization ?old ; org:resultingOrganization ?new .
            FILTER(?old != ?new)
            FILTER NOT EXISTS {{ ?e org:resultingOrganization ?old }}
        }}""",
    "citation type": """
        CONSTRUCT {{ ?c a wkg:Citation . }} WHERE {{ ?x wkg:citation ?c . }}""",
    "superclass types": """
        CONSTRUCT {{ ?x a ?super . }}
        WHERE {{ ?x a ?class . ?class rdfs:subClassOf+ ?super . FILTER(isIRI(?super)) }}""",
}

#: the rules in the order they run (superclass types last: it entails the types of citations too)
ORDER = ("citation type", "role shortcuts", "successor", "superclass types")

#: the properties by which the triples of a node take part in deriving triples about another, the key:
#: a responsibility's in its subject's role shortcuts, a change event's in its original organisation's
#: successors
LINKS = ("{base}/def/subject", "http://www.w3.org/ns/org#originalOrganization")

#: the triples citing a key (``?fact wkg:citation ?key``) give it its Citation type (the fact's others take no part)
CITATION = "{base}/def/citation"

SUBCLASS_OF = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")


def _links(base: str) -> list[ox.NamedNode]:
    return [ox.NamedNode(p.format(base=base)) for p in LINKS]


CHUNK = 100_000  # derived triples held in memory at once


def _add(store: ox.Store, triples, target: ox.NamedNode, bulk: bool = False) -> int:
    """Add to ``target`` those of ``triples`` that no graph of the store holds yet; how many.

    ``triples`` are taken ``CHUNK`` at a time, so memory stays bounded however many a rule derives
    (a query answers from a snapshot of the store: adding to it meanwhile is safe, and a triple a rule
    yields twice is found in ``target`` the second time).
    """
    triples, added = iter(triples), 0
    while chunk := set(itertools.islice(triples, CHUNK)):
        quads = [
            ox.Quad(t.subject, t.predicate, t.object, target)
            for t in chunk
            if next(store.quads_for_pattern(t.subject, t.predicate, t.object, None), None) is None
        ]
        store.bulk_extend(quads) if bulk else store.extend(quads)
        added += len(quads)
    return added


def apply(store: ox.Store, target: ox.NamedNode, base: str = DEFAULT_BASE_IRI, bulk: bool = False) -> int:
    """Run every rule over the union of the store's graphs; add the results to ``target``.

    ``bulk`` adds them with ``bulk_extend`` (no transaction: for a store being built that nothing else
    uses): on disk a transaction of hundreds of thousands of quads gets slower per quad as it grows.

    Returns:
        The number of derived triples added.
    """
    values = " ".join(f"(<{base}/def/role/{slug}> wkg:{prop})" for slug, prop in ROLE_SHORTCUTS.items())
    added = 0
    for name in ORDER:
        query = PREFIXES.format(base=base) + RULES[name].format(values=values)
        added += _add(store, store.query(query, use_default_graph_as_union=True), target, bulk)
    return added


def keys(store: ox.Store, added, removed, base: str = DEFAULT_BASE_IRI) -> set | None:
    """The keys whose derived triples a change can alter: the subjects and objects of the changed
    triples (the quads ``added`` to and ``removed`` from ``store``, which holds the change), and the
    nodes they link to in the store (those they linked to before the change are objects of removed
    triples). None for a change of the class hierarchy, which can alter anyone's: ``rdfs:subClassOf``
    in any graph, or anything in an ontology graph.
    """
    ontology = f"{base}/graph/ontology/"
    nodes: set[ox.NamedNode | ox.BlankNode] = set()
    for q in (*added, *removed):
        if q.predicate == SUBCLASS_OF or (
            isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value.startswith(ontology)
        ):
            return None
        nodes.update(t for t in (q.subject, q.object) if isinstance(t, (ox.NamedNode, ox.BlankNode)))
    return nodes | {q.object for n in nodes for p in _links(base) for q in store.quads_for_pattern(n, p, None, None)}


def update(store: ox.Store, target: ox.NamedNode, added, removed, base: str = DEFAULT_BASE_IRI) -> set | None:
    """Bring the derived triples in ``target`` up to date after a change to ``store`` (the quads ``added``
    and ``removed``, already applied; ``target`` up to date before it), as clearing ``target`` and
    running :func:`apply` would.

    Removes the derived triples about the keys the change can affect (:func:`keys`), and runs the rules
    (:func:`apply`) on a small store holding the triples they read about these keys: those of each key,
    of the nodes that link to it and citing it, and the class hierarchy. Of what they derive there, adds
    the triples about the keys that no graph of ``store`` holds. Recomputes everything for a change of
    the class hierarchy.

    Returns:
        The keys whose derived triples were recomputed; None when all were.
    """
    nodes = keys(store, added, removed, base)
    if nodes is None:
        store.clear_graph(target)
        apply(store, target, base)
        return None
    for q in [q for n in nodes for q in store.quads_for_pattern(n, None, None, target)]:
        store.remove(q)
    subjects = nodes | {
        q.subject for n in nodes for p in _links(base) for q in store.quads_for_pattern(None, p, n, None)
    }
    citation = ox.NamedNode(CITATION.format(base=base))
    read = ox.Store()
    read.extend([q for s in subjects for q in store.quads_for_pattern(s, None, None, None) if q.graph_name != target])
    read.extend([q for n in nodes for q in store.quads_for_pattern(None, citation, n, None)])
    read.extend([q for q in store.quads_for_pattern(None, SUBCLASS_OF, None, None) if q.graph_name != target])
    apply(read, target, base)
    _add(store, (q.triple for q in read.quads_for_pattern(None, None, None, target) if q.subject in nodes), target)
    return nodes
