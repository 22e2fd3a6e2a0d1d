"""SHACL validation of the bundled graph, and that broken data is caught."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from workforce_kg.provenance.citations import WKG
from workforce_kg.validation import report as validation

SCHEMA = "http://schema.org/"


def test_bundled_graph_conforms():
    report = validation.validate_files()
    assert report.conforms, report.as_text()[:3000]
    print(f"\nbundled graph: 0 violations, {report.warnings} warning(s)")


def _split():
    from workforce_kg.store import local as store

    files = store.bundled_files()
    onto = store.rdflib_graph([f for f in files if f.graph_name.startswith("ontology/")])
    data = store.rdflib_graph([f for f in files if not f.graph_name.startswith("ontology/")])
    return onto, data


def test_mutations_are_caught():
    onto, data = _split()
    shapes = validation.shapes_graph()
    fund = next(data.subjects(RDF.type, WKG.Funding))
    rating = next(data.subjects(RDF.type, WKG.Rating))
    resp = next(data.subjects(RDF.type, WKG.Responsibility))
    cited = next(data.subjects(RDF.type, WKG.Programme))

    def mutated(remove=(), add=()):
        g = Graph()
        g += data
        for t in remove:
            g.remove(t)
        for t in add:
            g.add(t)
        return g

    amount = data.value(fund, URIRef(SCHEMA + "value"))
    citation = data.value(cited, WKG.citation)
    cases = {
        "drop a quote": mutated(remove=[(citation, WKG.quote, None)]),
        "amount as a string": mutated(
            remove=[(fund, URIRef(SCHEMA + "value"), None)],
            add=[(fund, URIRef(SCHEMA + "value"), Literal(str(amount)))],
        ),
        "unknown rating value": mutated(
            remove=[(rating, WKG.ratingValue, None)],
            add=[(rating, WKG.ratingValue, URIRef("https://w3id.org/workforce-kg/def/rating/superb"))],
        ),
        "responsibility without role": mutated(remove=[(resp, WKG.role, None)]),
        "dangling IRI": mutated(
            add=[(cited, WKG.serves, URIRef("https://w3id.org/workforce-kg/id/commitment/no-such-thing"))]
        ),
        "period ends before start": mutated(
            add=[
                (fund, WKG.startDate, Literal("2024-04-01", datatype=XSD.date)),
                (fund, WKG.endDate, Literal("2023-03-31", datatype=XSD.date)),
            ]
        ),
    }
    for name, g in cases.items():
        report = validation.validate_graph(g, onto, shapes)
        assert not report.conforms, f"not caught: {name}"


def test_validation_does_not_modify_data():
    onto, data = _split()
    before = len(data)
    validation.validate_graph(data, onto)
    assert len(data) == before
