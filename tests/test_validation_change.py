"""validate_change: validating a change and what it touches gives what whole-graph validation gives there."""

from __future__ import annotations

import random

import pyoxigraph as ox
import pytest

from workforce_kg.config import DEFAULT_BASE_IRI as BASE
from workforce_kg.store import local as store
from workforce_kg.store import rules
from workforce_kg.validation import report as validation

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
NEW_DOCUMENT = (
    PREFIXES
    + """
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
    wkg:citation [ wkg:document doc:new-report ; wkg:locator "3" ;
                   wkg:quote "We will improve the retention of nurses." ] .

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
)


def turtle(text: str) -> list[ox.Quad]:
    return [
        ox.Quad(t.subject, t.predicate, t.object, NEW_GRAPH)
        for t in ox.parse(text, format=ox.RdfFormat.TURTLE, base_iri=f"{BASE}/")
    ]


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
    return {
        (r.focus, r.node_shape, r.shape, r.path, r.value, r.component, r.severity, r.message, r.label, r.document)
        for r in results
    }


def apply(bundled: ox.Store, added=(), removed=()) -> ox.Store:
    st = ox.Store()
    st.extend(list(bundled))
    for q in removed:
        for found in list(st.quads_for_pattern(q.subject, q.predicate, q.object, None)):
            st.remove(found)
    st.extend(list(added))
    return st


def check(bundled, before, added=(), removed=()) -> validation.Report:
    """validate_change equals whole-graph validation restricted to the touched nodes, and every result the
    change brings or takes away is about a touched node."""
    st = apply(bundled, added, removed)
    change = validation.validate_change(st, added, removed)
    focus = validation.touched(st, added, removed)
    after = whole_graph(st)
    assert keys(change.results) == keys(r for r in after.results if focus.covers(r))
    assert change.conforms == (not any(r.severity == "Violation" for r in change.results))
    # soundness: every result the change brings or takes away is about a node of the focus (compared
    # without label and document, which a changed label or file name alters on the nodes citing it)
    appeared, vanished = (
        set(map(result_key, a.results)) - set(map(result_key, b.results)) for a, b in ((after, before), (before, after))
    )
    assert {r for r in appeared | vanished if r[0] not in focus.names} == set(), (
        "a result of the change outside the focus"
    )
    return change


def result_key(r: validation.Result) -> tuple:
    return r.focus, r.node_shape, r.shape, r.path, r.value, r.component, r.severity, r.message


def violations(report: validation.Report) -> set:
    return {
        (r.node_shape, r.component, r.focus.rsplit("/", 1)[-1]) for r in report.results if r.severity == "Violation"
    }


def test_whole_store_validation_is_validate_files(before):
    """The reference used below: the store's content validates as the Turtle files do."""
    assert keys(before.results) == keys(validation.validate_files().results)


def test_a_valid_new_document_conforms(bundled, before):
    report = check(bundled, before, added=turtle(NEW_DOCUMENT))
    assert report.conforms, report.as_text()
    assert report.violations == 0


def test_missing_quote(bundled, before):
    added = [
        q
        for q in turtle(NEW_DOCUMENT)
        if not (q.predicate.value.endswith("/quote") and "retention of nurses" in q.object.value)
    ]
    report = check(bundled, before, added=added)
    assert ("shp:CitationShape", "MinCountConstraintComponent") in {v[:2] for v in violations(report)}


def test_bad_rating_value(bundled, before):
    added = turtle(
        PREFIXES
        + """
        rtg:new-rating a wkg:Rating ;
            skos:prefLabel "A rating with a role as its value"@en ;
            wkg:evaluation eval:expert-panel-2022 ; wkg:ratedCommitment cmt:nurses-50k ;
            wkg:dimension dim:overall ; wkg:ratingValue role:lead ;
            wkg:citation [ wkg:document doc:new-report ; wkg:locator "1" ; wkg:quote "Rated." ] .
        doc:new-report a wkg:SourceDocument ; skos:prefLabel "A new workforce report"@en ;
            dcterms:title "A new workforce report"@en ; wkg:fileName "999_new.txt" ;
            wkg:locatorScheme loc:numbered-paragraph ."""
    )
    report = check(bundled, before, added=added)
    found = violations(report)
    assert ("shp:RatingShape", "NodeConstraintComponent", "new-rating") in found
    assert ("shp:RatingValueRankShape", "MinCountConstraintComponent", "lead") in found


def test_dangling_iri_in_our_namespace(bundled, before):
    added = [
        q if q.object != term("body:nhse") else ox.Quad(q.subject, q.predicate, term("body:nhs-englnd"), q.graph_name)
        for q in turtle(NEW_DOCUMENT)
    ]
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
    holders = {
        q.subject.value.rsplit("/", 1)[-1] for q in bundled.quads_for_pattern(None, term("wkg:body"), body, None)
    }
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
    assert ("shp:AccountabilityGapShape", "nurses-50k") not in {
        (r.node_shape, r.focus.rsplit("/", 1)[-1]) for r in before.results
    }
    report = check(bundled, before, added=added, removed=removed)
    warnings = {(r.node_shape, r.focus.rsplit("/", 1)[-1]) for r in report.results if r.severity == "Warning"}
    assert ("shp:AccountabilityGapShape", "nurses-50k") in warnings
    assert report.conforms


def test_removing_a_role(bundled, before):
    resp = next(q.subject for q in bundled.quads_for_pattern(None, term("wkg:subject"), term("cmt:nurses-50k"), None))
    removed = list(bundled.quads_for_pattern(resp, term("wkg:role"), None, None))
    found = violations(check(bundled, before, removed=removed))
    assert found == {("shp:ResponsibilityShape", "MinCountConstraintComponent", resp.value.rsplit("/", 1)[-1])}


def test_the_shapes_read_no_derived_shortcut():
    """Writes pass validate_change the change to the curated graphs, not to the derived triples: sound
    because the shapes read none of the derived properties (the derived types, validation entails itself)."""
    reach = validation.ShapeReach.of(validation.shapes_graph())
    read = (
        reach.forward
        | reach.inverse
        | reach.on_values
        | reach.objects_of
        | {p for s in reach.shapes for p in s.reads | s.inverse | s.subjects_of}
    )
    derived = {f"{BASE}/def/{name}" for name in (*rules.ROLE_SHORTCUTS.values(), "responsibleBody", "successor")}
    assert read and not read & derived


def test_every_sparql_shape_is_known():
    """validate_change must be told what a SPARQL-based shape reads; a new one fails loudly here."""
    validation.ShapeReach.of(validation.shapes_graph())


def test_a_citation_change_reaches_its_fact_and_the_facts_twins(bundled, before):
    """Only a citation (a blank node) changes: its rating enters the focus as the citation's owner, and
    the rating's twin through RatingUniqueShape."""
    a, b = term("rtg:ep-7-overall-section"), term("rtg:ep-7-overall-table")
    locator = term("wkg:locator")
    citation = next(bundled.quads_for_pattern(a, term("wkg:citation"), None, None)).object
    other = next(
        bundled.quads_for_pattern(
            next(bundled.quads_for_pattern(b, term("wkg:citation"), None, None)).object, locator, None, None
        )
    ).object
    removed = list(bundled.quads_for_pattern(citation, locator, None, None))
    added = [ox.Quad(citation, locator, other, q.graph_name) for q in removed]
    found = violations(check(bundled, before, added=added, removed=removed))
    assert {
        ("shp:RatingUniqueShape", "SPARQLConstraintComponent", n)
        for n in ("ep-7-overall-section", "ep-7-overall-table")
    } <= found


def test_undoing_a_duplicate_clears_its_twin(bundled):
    """From a store with a duplicate rating, removing the dimension of one of the pair clears the other:
    the twin is found through the removed statement."""
    a, b = term("rtg:ep-7-overall-section"), term("rtg:ep-7-overall-table")
    citation, locator = term("wkg:citation"), term("wkg:locator")
    b_citation = next(bundled.quads_for_pattern(b, citation, None, None)).object
    a_locator = next(
        bundled.quads_for_pattern(next(bundled.quads_for_pattern(a, citation, None, None)).object, locator, None, None)
    ).object
    wrong = list(bundled.quads_for_pattern(b_citation, locator, None, None))
    duplicated = apply(
        bundled, added=[ox.Quad(b_citation, locator, a_locator, q.graph_name) for q in wrong], removed=wrong
    )
    start = whole_graph(duplicated)
    assert ("shp:RatingUniqueShape", "SPARQLConstraintComponent", "ep-7-overall-section") in violations(start)
    removed = list(duplicated.quads_for_pattern(b, term("wkg:dimension"), None, None))
    report = check(duplicated, start, removed=removed)
    assert a.value in validation.touched(apply(duplicated, removed=removed), removed=removed).names
    assert ("shp:RatingUniqueShape", "SPARQLConstraintComponent", "ep-7-overall-section") not in violations(report)


def test_a_changed_type_reaches_the_nodes_that_point_to_it(bundled, before):
    """A commitment becomes an evaluation: the programmes, ratings and responsibilities pointing to it
    (sh:class wkg:Commitment) enter the focus."""
    cmt = term("cmt:nurses-50k")
    removed = list(bundled.quads_for_pattern(cmt, term("rdf:type"), None, None))
    added = [ox.Quad(cmt, term("rdf:type"), term("wkg:Evaluation"), NEW_GRAPH)]
    report = check(bundled, before, added=added, removed=removed)
    pointing = {
        q.subject.value.rsplit("/", 1)[-1] for q in bundled.quads_for_pattern(None, term("wkg:serves"), cmt, None)
    }
    assert pointing
    assert pointing <= {v[2] for v in violations(report) if v[:2] == ("shp:ProgrammeShape", "ClassConstraintComponent")}


def test_removing_a_source_document(bundled, before):
    """Every citation of the document (blank nodes, not in the change) fails sh:class wkg:SourceDocument."""
    doc = term("doc:hee-strategic-framework-page")
    removed = list(bundled.quads_for_pattern(doc, None, None, None))
    report = check(bundled, before, removed=removed)
    citations = {q.subject.value for q in bundled.quads_for_pattern(None, term("wkg:document"), doc, None)}
    classed = {
        r.focus
        for r in report.results
        if (r.node_shape, r.component) == ("shp:CitationShape", "ClassConstraintComponent")
    }
    assert citations and citations <= classed


def test_a_concept_leaving_its_scheme(bundled, before):
    """role:lead leaves the role scheme: every responsibility with that role fails its sh:node check."""
    removed = list(bundled.quads_for_pattern(term("role:lead"), term("skos:inScheme"), None, None))
    report = check(bundled, before, removed=removed)
    holders = {q.subject.value for q in bundled.quads_for_pattern(None, term("wkg:role"), term("role:lead"), None)}
    found = {
        r.focus
        for r in report.results
        if (r.node_shape, r.component) == ("shp:ResponsibilityShape", "NodeConstraintComponent")
    }
    assert holders and holders <= found


def test_a_rating_value_losing_its_rank(bundled, before):
    value = next(bundled.quads_for_pattern(None, term("wkg:ratingValue"), None, None)).object
    removed = list(bundled.quads_for_pattern(value, term("wkg:rank"), None, None))
    found = violations(check(bundled, before, removed=removed))
    assert ("shp:RatingValueRankShape", "MinCountConstraintComponent", value.value.rsplit("/", 1)[-1]) in found


def test_sparql_constraints_on_dates(bundled, before):
    """A deadline before the commitment was made, a period that ends before it starts, a second role."""
    cmt = term("cmt:social-care-workforce-planning-capacity")
    resp = term("resp:d001-b-nhse-lead-ics-hwb")
    added = [
        ox.Quad(cmt, term("wkg:deadline"), ox.Literal("2018", datatype=term("xsd:gYear")), NEW_GRAPH),
        ox.Quad(resp, term("wkg:endDate"), ox.Literal("2019-12-31", datatype=term("xsd:date")), NEW_GRAPH),
        ox.Quad(resp, term("wkg:role"), term("role:partner"), NEW_GRAPH),
    ]
    found = violations(check(bundled, before, added=added))
    assert (
        "shp:DeadlineAfterMadeShape",
        "MaxCountConstraintComponent",
        "social-care-workforce-planning-capacity",
    ) in found
    assert ("shp:PeriodOrderShape", "MaxCountConstraintComponent", "d001-b-nhse-lead-ics-hwb") in found
    assert ("shp:ResponsibilityShape", "MaxCountConstraintComponent", "d001-b-nhse-lead-ics-hwb") in found


def test_removing_a_responsibility_opens_an_accountability_gap(bundled, before):
    cmt = term("cmt:nurses-50k")
    resps = [q.subject for q in bundled.quads_for_pattern(None, term("wkg:subject"), cmt, None)]
    removed = [q for r in resps for q in bundled.quads_for_pattern(r, None, None, None)]
    report = check(bundled, before, removed=removed)
    assert ("shp:AccountabilityGapShape", "nurses-50k") in {
        (r.node_shape, r.focus.rsplit("/", 1)[-1]) for r in report.results
    }


@pytest.mark.parametrize("seed", range(4))
def test_random_changes(bundled, before, seed):
    """Seeded random changes: remove a few statements of the data graphs, and point a few others elsewhere."""
    rng = random.Random(seed)
    data = sorted(
        (
            q
            for q in bundled
            if not q.graph_name.value.startswith(ONTOLOGY)
            and "derived" not in q.graph_name.value
            and q.predicate != term("rdfs:subClassOf")
        ),
        key=str,
    )
    removed = rng.sample(data, 4)
    objects = sorted({q.object for q in data if not isinstance(q.object, ox.Literal)}, key=str)
    moved = [q for q in rng.sample(data, 8) if not isinstance(q.object, ox.Literal)][:3]
    added = [ox.Quad(q.subject, q.predicate, rng.choice(objects), q.graph_name) for q in moved]
    check(bundled, before, added=added, removed=removed + moved)


def test_a_change_to_the_class_hierarchy_validates_the_whole_graph(bundled):
    added = turtle(
        PREFIXES
        + """
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        wkg:Pledge rdfs:subClassOf wkg:Commitment .
        cmt:new-pledge a wkg:Pledge ; skos:prefLabel "A pledge"@en ."""
    )
    st = apply(bundled, added)
    assert keys(validation.validate_change(st, added).results) == keys(whole_graph(st).results)


def test_problems_elsewhere_are_not_reported(bundled):
    """A store with a violation on one node; a change elsewhere does not report it."""
    cmt = term("cmt:social-care-workforce-planning-capacity")
    broken = apply(bundled, removed=list(bundled.quads_for_pattern(cmt, term("skos:prefLabel"), None, None)))
    added = turtle(NEW_DOCUMENT)
    report = validation.validate_change(apply(broken, added), added)
    assert report.conforms and cmt.value not in {r.focus for r in report.results}
