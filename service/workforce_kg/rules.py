"""Derived triples: shortcuts that keep simple questions simple in SPARQL.

The curated graph states responsibilities as qualified nodes and organisational changes as events;
these rules add the plain properties they imply, the superclass types of every typed node (RDFS
subclass entailment over our ontology), and the Citation type of citation nodes.
"""

from __future__ import annotations

import pyoxigraph as ox

from .config import DEFAULT_BASE_IRI

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


def apply(store: ox.Store, target: ox.NamedNode, base: str = DEFAULT_BASE_IRI, bulk: bool = False) -> int:
    """Run every rule over the union of the store's graphs; add the results to ``target``.

    ``bulk`` adds them with ``bulk_extend`` (no transaction: for a store being built that nothing else
    uses): on disk a transaction of hundreds of thousands of quads gets slower per quad as it grows.

    Returns:
        The number of derived triples added.
    """
    values = " ".join(f"(<{base}/def/role/{slug}> wkg:{prop})" for slug, prop in ROLE_SHORTCUTS.items())
    added = 0
    for name in ("citation type", "role shortcuts", "successor", "superclass types"):
        query = PREFIXES.format(base=base) + RULES[name].format(values=values)
        triples = {t for t in store.query(query, use_default_graph_as_union=True)}
        triples = [t for t in triples if next(store.quads_for_pattern(t.subject, t.predicate, t.object, None), None) is None]
        quads = [ox.Quad(t.subject, t.predicate, t.object, target) for t in triples]
        store.bulk_extend(quads) if bulk else store.extend(quads)
        added += len(triples)
    return added
