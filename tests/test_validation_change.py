"""validate_change: validating a change and what it touches gives what whole-graph validation gives there."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from workforce_kg import store, validation
from workforce_kg.config import DEFAULT_BASE_IRI as BASE

ONTOLOGY = f"{BASE}/graph/ontology/"
NEW_GRAPH = ox.NamedNode(f"{BASE}/graph/graph/999-new")
PREFIXES = """
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix wkg:     <https://w3id.org/workforce-kg/def/> .
@prefix role:    <https://w3id.org/workforce-kg/def/role/> .
@prefix dim:     <https://w3id.org/workforce-kg/def/rating-dimension/> .
@prefix rating:  <https://w3id.org/workforce-kg/def/rating/> .
@prefix theme:   <https://w3id.org/workforce-kg/def/theme/> .
@prefix jur:     <https://w3id.org/workforce-kg/def/jurisdiction/> .
@prefix loc:     <https://w3id.org/workforce-kg/def/locator-scheme/> .
@prefix pkind:   <https://w3id.org/workforce-kg/def/programme-kind/> .
@prefix body:    <https://w3id.org/workforce-kg/id/organisation/> .
@prefix cmt:     <https://w3id.org/workforce-kg/id/commitment/> .
@prefix prog:    <https://w3id.org/workforce-kg/id/programme/> .
@prefix resp:    <https://w3id.org/workforce-kg/id/responsibility/> .
@prefix rtg:     <https://w3id.org/workforce-kg/id/rating/> .
@prefix eval:    <https://w3id.org/workforce-kg/id/evaluation/> .
@prefix doc:     <https://w3id.org/workforce-kg/id/document/> .
"""

#: A small new document: its description, a commitment, a programme serving an existing commitment,
#: two responsibilities (one held by an existing body), each fact with a citation.
NEW_DOCUMENT = PREFIXES + """
doc:new-report a wkg:SourceDocument ;
    skos:prefLabel "A new workforce report"@en ;
    dcterms:title "A new workforce report"@en ;
    wkg:fileName "999_new.txt" ;
    wkg:locatorScheme loc:numbered-paragraph .

cmt:new-retention a wkg:Intention ;
    skos:prefLabel "Improve retention of nurses"@en ;
    wkg:statement "We will improve the retention of nurses." ;
    wkg:madeBy body:dhsc ;
    wkg:theme theme:retention ;
    wkg:jurisdiction jur:england ;
    wkg:citation [ wkg:document doc:new-report ; wkg:locator "3" ; wkg:quote "We will improve the retention of nurses." ] .

prog:new-retention-programme a wkg:Programme ;
    skos:prefLabel "Nurse retention programme"@en ;
    wkg:programmeKind pkind:programme ;
    wkg:serves cmt:new-retention, cmt:nurses-50k ;
    wkg:citation [ wkg:document doc:new-report ; wkg:locator "4" ; wkg:quote "A nurse retention programme will run." ] .

resp:new-retention-dhsc a wkg:Responsibility ;
    wkg:body body:dhsc ; wkg:role role:accountable ; wkg:subject cmt:new-retention ;
    wkg:citation [ wkg:document doc:new-report ; wkg:locator "3" ; wkg:quote "The department is accountable." ] .

resp:new-retention-nhse a wkg:Responsibility ;
    wkg:body body:nhse ; wkg:role role:lead ; wkg:subject prog:new-retention-programme ;
    wkg:citation [ wkg:document doc:new-report ; wkg:locator "4" ; wkg:quote "NHS England will lead it." ] .
"""


def turtle(text: str) -> list[ox.Quad]:
    return [ox.Quad(t.subject, t.predicate, t.object, NEW_GRAPH)
            for t in ox.parse(text, format=ox.RdfFormat.TURTLE, base_iri=f"{BASE}/")]


def term(curie: str) -> ox.NamedNode:
    prefix, local = curie.split(":", 1)
    return ox.NamedNode(validation.rdflib_graph_of([]).namespace_manager.expand_curie(curie) if prefix else local)


@pytest.fixture(scope="module")
def bundled() -> ox.Store:
    return store.memory_store()


def whole_graph(st: ox.Store) -> validation.Report:
    """validate_graph on everything in the store: data (with derived triples) and ontology apart."""
    quads = list(st)
    onto = [q for q in quads if q.graph_name.value.startswith(ONTOLOGY)]
    data = [q for q in quads if not q.graph_name.value.startswith(ONTOLOGY)]
    return validation.validate_graph(validation.rdflib_graph_of(data), validation.rdflib_graph_of(onto))


@pytest.fixture(scope="module")
def before(bundled) -> validation.Report:
    return whole_graph(bundled)


def keys(results) -> set:
    return {(r.focus, r.node_shape, r.shape, r.path, r.value, r.component, r.severity, r.message, r.label, r.document)
            for r in results}


def apply(bundled: ox.Store, added=(), removed=()) -> ox.Store:
    st = ox.Store()
    st.extend(list(bundled))
    for q in removed:
        for found in list(st.quads_for_pattern(q.subject, q.predicate, q.object, None)):
            st.remove(found)
    st.extend(list(added))
    return st


def check(bundled, before, added=(), removed=()) -> validation.Report:
    """validate_change equals whole-graph validation restricted to the touched nodes, and finds every
    result the change brings."""
    st = apply(bundled, added, removed)
    change = validation.validate_change(st, added, removed)
    focus = validation.touched(st, added, removed)
    after = whole_graph(st)
    assert keys(change.results) == keys(r for r in after.results if focus.covers(r))
    assert change.conforms == (not any(r.severity == "Violation" for r in change.results))
    new = [r for r in after.results if keys([r]) - keys(before.results)]
    assert [r for r in new if not focus.covers(r)] == [], "a result of the change outside the focus"
    return change


def violations(report: validation.Report) -> set:
    return {(r.node_shape, r.component, r.focus.rsplit("/", 1)[-1]) for r in report.results if r.severity == "Violation"}


def test_whole_store_validation_is_validate_files(before):
    """The reference used below: the store's content validates as the Turtle files do."""
    assert keys(before.results) == keys(validation.validate_files().results)


def test_a_valid_new_document_conforms(bundled, before):
    report = check(bundled, before, added=turtle(NEW_DOCUMENT))
    assert report.conforms, report.as_text()
    assert report.violations == 0


def test_missing_quote(bundled, before):
    added = [q for q in turtle(NEW_DOCUMENT) if not (q.predicate.value.endswith("/quote")
                                                     and "retention of nurses" in q.object.value)]
    report = check(bundled, before, added=added)
    assert ("shp:CitationShape", "MinCountConstraintComponent") in {v[:2] for v in violations(report)}


def test_bad_rating_value(bundled, before):
    added = turtle(PREFIXES + """
        rtg:new-rating a wkg:Rating ;
            skos:prefLabel "A rating with a role as its value"@en ;
            wkg:evaluation eval:expert-panel-2022 ; wkg:ratedCommitment cmt:nurses-50k ;
            wkg:dimension dim:overall ; wkg:ratingValue role:lead ;
            wkg:citation [ wkg:document doc:new-report ; wkg:locator "1" ; wkg:quote "Rated." ] .
        doc:new-report a wkg:SourceDocument ; skos:prefLabel "A new workforce report"@en ;
            dcterms:title "A new workforce report"@en ; wkg:fileName "999_new.txt" ;
            wkg:locatorScheme loc:numbered-paragraph .""")
    report = check(bundled, before, added=added)
    found = violations(report)
    assert ("shp:RatingShape", "NodeConstraintComponent", "new-rating") in found
    assert ("shp:RatingValueRankShape", "MinCountConstraintComponent", "lead") in found


def test_dangling_iri_in_our_namespace(bundled, before):
    added = [q if q.object != term("body:nhse") else ox.Quad(q.subject, q.predicate, term("body:nhs-englnd"), q.graph_name)
             for q in turtle(NEW_DOCUMENT)]
    found = violations(check(bundled, before, added=added))
    assert ("shp:NoDanglingIriShape", "OrConstraintComponent", "nhs-englnd") in found
    assert ("shp:ResponsibilityShape", "ClassConstraintComponent", "new-retention-nhse") in found


def test_a_duplicate_rating_makes_its_twin_invalid(bundled, before):
    """The twin is not in the change: it enters the focus through RatingUniqueShape."""
    rating = next(q.subject for q in bundled.quads_for_pattern(None, term("wkg:ratedCommitment"), None, None))
    twin = ox.NamedNode(rating.value + "-again")
    added = []
    for q in bundled.quads_for_pattern(rating, None, None, None):
        added.append(ox.Quad(twin, q.predicate, q.object, NEW_GRAPH))
    report = check(bundled, before, added=added)
    found = violations(report)
    assert ("shp:RatingUniqueShape", "SPARQLConstraintComponent", rating.value.rsplit("/", 1)[-1]) in found
    assert ("shp:RatingUniqueShape", "SPARQLConstraintComponent", twin.value.rsplit("/", 1)[-1]) in found


def test_removing_a_commitments_label(bundled, before):
    cmt = term("cmt:nurses-50k")
    removed = list(bundled.quads_for_pattern(cmt, term("skos:prefLabel"), None, None))
    found = violations(check(bundled, before, removed=removed))
    assert ("shp:LabelledShape", "MinCountConstraintComponent", "nurses-50k") in found
    assert ("shp:NoDanglingIriShape", "OrConstraintComponent", "nurses-50k") in found


def test_removing_a_body_that_responsibilities_point_to(bundled, before):
    """The responsibilities are not in the change: they enter the focus because what their sh:class
    check reads about the body (its type) was removed."""
    body = term("body:skills-for-care")
    removed = list(bundled.quads_for_pattern(body, None, None, None))
    assert removed
    report = check(bundled, before, removed=removed)
    holders = {q.subject.value.rsplit("/", 1)[-1] for q in bundled.quads_for_pattern(None, term("wkg:body"), body, None)}
    assert holders
    classed = {v[2] for v in violations(report) if v[:2] == ("shp:ResponsibilityShape", "ClassConstraintComponent")}
    assert holders <= classed


def test_changing_roles_reaches_the_commitment(bundled, before):
    """A commitment's accountability-gap warning reads its responsibilities' roles (an inverse path):
    the commitment is not in the change but enters the focus through it."""
    cmt = term("cmt:nurses-50k")
    resps = [q.subject for q in bundled.quads_for_pattern(None, term("wkg:subject"), cmt, None)]
    removed = [q for r in resps for q in bundled.quads_for_pattern(r, term("wkg:role"), None, None)]
    added = [ox.Quad(q.subject, q.predicate, term("role:partner"), q.graph_name) for q in removed]
    assert ("shp:AccountabilityGapShape", "nurses-50k") not in {(r.node_shape, r.focus.rsplit("/", 1)[-1]) for r in before.results}
    report = check(bundled, before, added=added, removed=removed)
    warnings = {(r.node_shape, r.focus.rsplit("/", 1)[-1]) for r in report.results if r.severity == "Warning"}
    assert ("shp:AccountabilityGapShape", "nurses-50k") in warnings
    assert report.conforms


def test_removing_a_role(bundled, before):
    resp = next(q.subject for q in bundled.quads_for_pattern(None, term("wkg:subject"), term("cmt:nurses-50k"), None))
    removed = list(bundled.quads_for_pattern(resp, term("wkg:role"), None, None))
    found = violations(check(bundled, before, removed=removed))
    assert found == {("shp:ResponsibilityShape", "MinCountConstraintComponent", resp.value.rsplit("/", 1)[-1])}


def test_every_sparql_shape_is_known():
    """validate_change must be told what a SPARQL-based shape reads; a new one fails loudly here."""
    validation.ShapeReach.of(validation.shapes_graph())
