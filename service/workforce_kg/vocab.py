"""Vocabulary in one place: the base IRI, namespace IRIs and the query prefixes built on them.

Every IRI the code writes or reads starts from here; the base IRI of our own terms and things defaults to
``DEFAULT_BASE_IRI`` and is configurable (``Settings.base_iri``), so functions take a ``base`` argument
rather than reading a constant.
"""

from __future__ import annotations

DEFAULT_BASE_IRI = "https://w3id.org/workforce-kg"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
SCHEMA = "http://schema.org/"
SOSA = "http://www.w3.org/ns/sosa/"
BIBO = "http://purl.org/ontology/bibo/"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
FOAF = "http://xmlns.com/foaf/0.1/"

RDF_TYPE = RDF + "type"
RDFS_LABEL = RDFS + "label"

WKG = DEFAULT_BASE_IRI + "/def/"  # the ontology's namespace under the default base IRI

STANDARD_PREFIXES = {
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "org": ORG,
    "prov": PROV,
    "dcterms": DCTERMS,
    "schema": SCHEMA,
    "sosa": SOSA,
    "bibo": BIBO,
}


def ontology_namespace(base: str = DEFAULT_BASE_IRI) -> str:
    """The namespace of the ontology's terms under ``base``."""
    return f"{base}/def/"


def prefixes(base: str = DEFAULT_BASE_IRI) -> dict[str, str]:
    """Prefixes known to every query: standard vocabularies plus ours under ``base``."""
    ours = {
        "wkg": ontology_namespace(base),
        "role": f"{base}/def/role/",
        "dim": f"{base}/def/rating-dimension/",
        "rating": f"{base}/def/rating/",
        "theme": f"{base}/def/theme/",
        "jur": f"{base}/def/jurisdiction/",
        "otype": f"{base}/def/organisation-type/",
        "unit": f"{base}/def/unit/",
        "recur": f"{base}/def/recurrence/",
        "pkind": f"{base}/def/programme-kind/",
        "status": f"{base}/def/commitment-status/",
        "body": f"{base}/id/organisation/",
        "cmt": f"{base}/id/commitment/",
        "prog": f"{base}/id/programme/",
        "fund": f"{base}/id/funding/",
        "fig": f"{base}/id/figure/",
        "resp": f"{base}/id/responsibility/",
        "rtg": f"{base}/id/rating/",
        "eval": f"{base}/id/evaluation/",
        "chg": f"{base}/id/change/",
        "doc": f"{base}/id/document/",
        "post": f"{base}/id/post/",
        "wkgfn": f"{base}/def/fn/",  # SPARQL extension functions (full-text search: docs/search.md)
    }
    return {**STANDARD_PREFIXES, **ours}


#: What each predeclared prefix is for (shown at ``/prefixes`` and in docs/querying.md).
PREFIX_NOTES = {
    "rdf": "RDF: rdf:type, lists",
    "rdfs": "RDF Schema: labels, comments, subclasses",
    "owl": "OWL: the ontology's axioms",
    "xsd": "XML Schema datatypes: xsd:decimal, xsd:date …",
    "skos": "SKOS: labels (skos:prefLabel) and concept schemes",
    "org": "W3C Organization Ontology: organisations, posts, memberships",
    "prov": "PROV-O: provenance of facts and changes",
    "dcterms": "Dublin Core terms: titles, dates, sources",
    "schema": "schema.org",
    "sosa": "SOSA: observations (figures)",
    "bibo": "Bibliographic Ontology: documents",
    "wkg": "this graph's ontology: classes and properties",
    "role": "roles a body holds for a commitment or programme",
    "dim": "rating dimensions",
    "rating": "rating values (the rating scale)",
    "theme": "themes of commitments",
    "jur": "jurisdictions",
    "otype": "organisation types",
    "unit": "units of figures and amounts",
    "recur": "how often funding recurs",
    "pkind": "kinds of programme",
    "status": "commitment statuses",
    "body": "organisations (bodies)",
    "cmt": "commitments",
    "prog": "programmes",
    "fund": "funding",
    "fig": "figures (statistics)",
    "resp": "responsibilities (a body's role for a commitment or programme)",
    "rtg": "ratings",
    "eval": "evaluations",
    "chg": "organisational changes",
    "doc": "source documents",
    "post": "posts (office holders)",
    "wkgfn": "SPARQL functions of this service: full-text search, wkgfn:score and wkgfn:snippet (docs/search.md)",
}


def prefix_table(base: str = DEFAULT_BASE_IRI) -> list[tuple[str, str, str]]:
    """Every predeclared prefix as ``(prefix, namespace, what it is)``, in the order of :func:`prefixes`."""
    return [(p, ns, PREFIX_NOTES.get(p, "")) for p, ns in prefixes(base).items()]
