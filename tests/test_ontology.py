"""The ontology: parses, header metadata, every term labelled and defined, hygiene."""

from __future__ import annotations

import re

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

import workforce_kg
from workforce_kg.paths import GRAPH_DIR, ONTOLOGY_DIR, SHAPES_DIR, turtle_files

WKG = "https://w3id.org/workforce-kg/def/"
VANN = "http://purl.org/vocab/vann/"
ONTOLOGY = URIRef("https://w3id.org/workforce-kg/def")


@pytest.fixture(scope="module")
def onto() -> Graph:
    g = Graph()
    for f in turtle_files(ONTOLOGY_DIR):
        g.parse(f, format="turtle")
    return g


def our_terms(g: Graph) -> set[URIRef]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    return {s for k in kinds for s in g.subjects(RDF.type, k) if str(s).startswith(WKG)}


def test_header_metadata(onto):
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in onto
    for prop in (
        OWL.versionIRI,
        OWL.versionInfo,
        DCTERMS.title,
        DCTERMS.description,
        DCTERMS.license,
        DCTERMS.creator,
        DCTERMS.created,
        DCTERMS.modified,
        URIRef(VANN + "preferredNamespacePrefix"),
        URIRef(VANN + "preferredNamespaceUri"),
    ):
        assert onto.value(ONTOLOGY, prop) is not None, f"header lacks {prop}"
    assert isinstance(onto.value(ONTOLOGY, DCTERMS.license), URIRef), "licence must be an IRI"
    assert onto.value(ONTOLOGY, DCTERMS.created).datatype == XSD.date


def test_version_in_step(onto):
    info = str(onto.value(ONTOLOGY, OWL.versionInfo))
    assert str(onto.value(ONTOLOGY, OWL.versionIRI)).endswith("/" + info)
    assert info == workforce_kg.__version__


def test_there_are_classes_and_properties(onto):
    terms = our_terms(onto)
    classes = {t for t in terms if (t, RDF.type, OWL.Class) in onto}
    assert len(classes) >= 12
    assert len(terms - classes) >= 40


def test_every_term_labelled_and_defined(onto):
    missing = []
    terms = our_terms(onto) | {s for s in onto.subjects(RDFS.isDefinedBy, None)}
    for term in terms:
        labels = [x for x in onto.objects(term, RDFS.label) if isinstance(x, Literal) and x.language == "en"]
        defs = list(onto.objects(term, RDFS.comment)) + list(onto.objects(term, SKOS.definition))
        if len(labels) != 1 or not defs:
            missing.append(str(term))
    assert not missing, f"terms without one English label and a definition: {missing}"


def test_naming_conventions(onto):
    for term in our_terms(onto):
        local = str(term)[len(WKG) :]
        assert "_" not in local
        if (term, RDF.type, OWL.Class) in onto:
            assert local[0].isupper(), local
        else:
            assert local[0].islower(), local


def test_main_classes_disjoint(onto):
    members = set()
    for axiom in onto.subjects(RDF.type, OWL.AllDisjointClasses):
        members |= set(onto.items(onto.value(axiom, OWL.members)))
    for name in ("Commitment", "Programme", "Funding", "ProgressFigure", "Responsibility", "Rating"):
        assert URIRef(WKG + name) in members


def _all_graphs() -> Graph:
    g = Graph()
    for folder in (ONTOLOGY_DIR, GRAPH_DIR, SHAPES_DIR):
        for f in turtle_files(folder):
            g.parse(f, format="turtle")
    return g


def test_every_used_term_of_our_namespace_is_declared(onto):
    """Catches misspelt properties and classes anywhere in graph/ and shapes/ (ORG's org:subOrganzationOf)."""
    declared = our_terms(onto)
    g = _all_graphs()
    used = set()
    for _s, p, o in g:
        if str(p).startswith(WKG) and not re.match(WKG + r"(shapes/|scheme/)", str(p)):
            used.add(p)
        if p == RDF.type and str(o).startswith(WKG) and "/" not in str(o)[len(WKG) :]:
            used.add(o)
    undeclared = sorted(str(t) for t in used - declared)
    assert not undeclared, f"used but not declared in the ontology: {undeclared}"


def test_typed_literals_are_well_formed():
    bad = []
    for s, p, o in _all_graphs():
        if isinstance(o, Literal) and o.datatype and o.ill_typed:
            bad.append((str(s), str(p), str(o), str(o.datatype)))
    assert not bad, f"ill-typed literals: {bad[:10]}"
