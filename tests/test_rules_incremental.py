"""rules.update: the derived triples after a change, recomputed for the nodes it affects only, are those
that clearing the derived graph and running rules.apply on the whole store gives."""

from __future__ import annotations

import random

import pyoxigraph as ox
import pytest

from workforce_kg.config import DEFAULT_BASE_IRI as BASE
from workforce_kg.store import local as store
from workforce_kg.store import rules
from workforce_kg.writes import change as writes

DERIVED = store.graph_iri(BASE, "derived")
NEW_GRAPH = ox.NamedNode(f"{BASE}/graph/graph/999-new")
ONTOLOGY = f"{BASE}/graph/ontology/"
WKG, ORG, ROLE, BODY = f"{BASE}/def/", "http://www.w3.org/ns/org#", f"{BASE}/def/role/", f"{BASE}/id/organisation/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SUBCLASS_OF = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")

#: A small new document: a commitment with a citation, a programme serving it, two responsibilities
#: (one of an existing body), a new body and a change event from it to an existing one.
NEW_DOCUMENT = f"""
@prefix wkg:  <{WKG}> .
@prefix org:  <{ORG}> .
@prefix role: <{ROLE}> .
@prefix body: <{BODY}> .
@prefix cmt:  <{BASE}/id/commitment/> .
@prefix prog: <{BASE}/id/programme/> .
@prefix resp: <{BASE}/id/responsibility/> .
@prefix chg:  <{BASE}/id/change/> .
@prefix doc:  <{BASE}/id/document/> .

cmt:new-one a wkg:Intention ;
    wkg:madeBy body:dhsc ;
    wkg:citation [ wkg:document doc:new-report ; wkg:locator "3" ; wkg:quote "A new commitment." ] .
prog:new-one a wkg:Programme ;
    wkg:serves cmt:new-one ;
    wkg:citation [ wkg:document doc:new-report ; wkg:locator "4" ; wkg:quote "A new programme." ] .
resp:new-one-dhsc a wkg:Responsibility ;
    wkg:body body:dhsc ; wkg:role role:accountable ; wkg:subject cmt:new-one .
resp:new-one-new a wkg:Responsibility ;
    wkg:body body:new-body ; wkg:role role:lead ; wkg:subject prog:new-one .
body:new-body a org:Organization .
chg:new-body-into-dhsc a org:ChangeEvent ;
    org:originalOrganization body:new-body ; org:resultingOrganization body:dhsc .
"""


def iri(curie: str) -> ox.NamedNode:
    prefix, local = curie.split(":", 1)
    return ox.NamedNode({"wkg": WKG, "org": ORG, "role": ROLE, "body": BODY}[prefix] + local)


@pytest.fixture(scope="module")
def bundled() -> ox.Store:
    return store.memory_store()


def copy(st: ox.Store) -> ox.Store:
    new = ox.Store()
    new.extend(list(st))
    return new


def curated(st: ox.Store) -> set[ox.Quad]:
    return {q for q in st if q.graph_name != DERIVED}


def derived(st: ox.Store) -> set[ox.Triple]:
    return {q.triple for q in st.quads_for_pattern(None, None, None, DERIVED)}


def full(st: ox.Store) -> set[ox.Triple]:
    """The derived triples of a full recompute on a copy of ``st``."""
    st = copy(st)
    st.clear_graph(DERIVED)
    rules.apply(st, DERIVED, BASE)
    return derived(st)


def change(st: ox.Store, added=(), removed=()):
    """Apply a change to ``st`` as a write does (removing each removed triple from every graph), update the
    derived triples incrementally, check them against a full recompute; what rules.update returned."""
    before = curated(st)
    for q in removed:
        for found in list(st.quads_for_pattern(q.subject, q.predicate, q.object, None)):
            if found.graph_name != DERIVED:
                st.remove(found)
    st.extend(list(added))
    after = curated(st)
    nodes = rules.update(st, DERIVED, after - before, before - after, BASE)
    assert derived(st) == full(st)
    return nodes


def check(bundled, added=(), removed=(), incremental=True) -> tuple[set, set]:
    """A change to a copy of the bundled store: the derived triples it added and removed."""
    st = copy(bundled)
    nodes = change(st, added, removed)
    assert (nodes is not None) == incremental
    return derived(st) - derived(bundled), derived(bundled) - derived(st)


def turtle(text: str) -> list[ox.Quad]:
    return [ox.Quad(t.subject, t.predicate, t.object, NEW_GRAPH) for t in ox.parse(text, format=ox.RdfFormat.TURTLE)]


def responsibility(bundled, role="lead") -> ox.NamedNode:
    """The first (by IRI) responsibility with ``role`` whose subject has no other of that role."""
    rows = bundled.query(
        f"""
        PREFIX wkg: <{WKG}>
        SELECT ?r WHERE {{
          ?r a wkg:Responsibility ; wkg:role <{ROLE}{role}> ; wkg:subject ?s .
          FILTER NOT EXISTS {{ ?r2 wkg:role <{ROLE}{role}> ; wkg:subject ?s . FILTER(?r2 != ?r) }}
        }} ORDER BY ?r LIMIT 1""",
        use_default_graph_as_union=True,
    )
    return next(iter(rows))["r"]


def one(bundled, s=None, p=None, o=None) -> ox.Quad:
    return next(q for q in bundled.quads_for_pattern(s, p, o, None) if q.graph_name != DERIVED)


def test_the_bundled_store_is_up_to_date(bundled):
    """What the incremental updates below start from."""
    assert derived(bundled) == full(bundled)


def test_adding_a_new_document(bundled):
    added, removed = check(bundled, added=turtle(NEW_DOCUMENT))
    dhsc, new_body = iri("body:dhsc"), iri("body:new-body")
    assert {(t.predicate, t.object) for t in added if t.subject.value.endswith("commitment/new-one")} >= {
        (iri("wkg:accountableBody"), dhsc),
        (iri("wkg:responsibleBody"), dhsc),
        (RDF_TYPE, iri("wkg:Commitment")),
    }
    assert ox.Triple(new_body, iri("wkg:successor"), dhsc) in added
    assert sum(t.object == iri("wkg:Citation") for t in added) == 2
    assert not removed


def test_removing_the_new_document_again(bundled):
    st = copy(bundled)
    quads = turtle(NEW_DOCUMENT)
    change(st, added=quads)
    change(st, removed=quads)
    assert derived(st) == derived(bundled)


def test_moving_a_responsibility_to_another_body(bundled):
    r = responsibility(bundled)
    old = one(bundled, r, iri("wkg:body"))
    subject = one(bundled, r, iri("wkg:subject")).object
    other = next(b for b in (iri("body:dhsc"), iri("body:nhse")) if b != old.object)
    added, removed = check(bundled, added=[ox.Quad(r, old.predicate, other, old.graph_name)], removed=[old])
    assert ox.Triple(subject, iri("wkg:leadBody"), other) in added
    assert ox.Triple(subject, iri("wkg:leadBody"), old.object) in removed


def test_changing_a_role(bundled):
    r = responsibility(bundled)
    old = one(bundled, r, iri("wkg:role"))
    subject = one(bundled, r, iri("wkg:subject")).object
    body = one(bundled, r, iri("wkg:body")).object
    added, removed = check(
        bundled, added=[ox.Quad(r, old.predicate, iri("role:funder"), old.graph_name)], removed=[old]
    )
    assert ox.Triple(subject, iri("wkg:funderBody"), body) in added
    assert ox.Triple(subject, iri("wkg:leadBody"), body) in removed


def test_moving_a_responsibility_to_another_subject(bundled):
    r = responsibility(bundled)
    old = one(bundled, r, iri("wkg:subject"))
    other = one(bundled, None, RDF_TYPE, iri("wkg:Intention")).subject
    added, removed = check(bundled, added=[ox.Quad(r, old.predicate, other, old.graph_name)], removed=[old])
    body = one(bundled, r, iri("wkg:body")).object
    assert ox.Triple(other, iri("wkg:leadBody"), body) in added
    assert ox.Triple(old.object, iri("wkg:leadBody"), body) in removed


def test_removing_a_responsibility(bundled):
    r = responsibility(bundled)
    gone = [q for q in bundled if q.graph_name != DERIVED and r in (q.subject, q.object)]
    added, removed = check(bundled, removed=gone)
    assert not added and any(t.predicate == iri("wkg:leadBody") for t in removed)


def test_removing_only_a_responsibilitys_type(bundled):
    r = responsibility(bundled)
    added, removed = check(bundled, removed=[one(bundled, r, RDF_TYPE, iri("wkg:Responsibility"))])
    assert any(t.predicate == iri("wkg:leadBody") for t in removed)


def test_changing_a_type(bundled):
    old = one(bundled, None, RDF_TYPE, iri("wkg:Intention"))
    added, removed = check(
        bundled, added=[ox.Quad(old.subject, RDF_TYPE, iri("wkg:Programme"), old.graph_name)], removed=[old]
    )
    assert ox.Triple(old.subject, RDF_TYPE, iri("wkg:Commitment")) in removed


def test_removing_a_type(bundled):
    dhsc = iri("body:dhsc")
    _, removed = check(
        bundled, removed=[q for q in bundled.quads_for_pattern(dhsc, RDF_TYPE, None, None) if q.graph_name != DERIVED]
    )
    assert ox.Triple(dhsc, RDF_TYPE, iri("org:Organization")) in removed


def test_a_subclass_axiom_recomputes_everything(bundled):
    axiom = ox.Quad(iri("wkg:Intention"), SUBCLASS_OF, iri("wkg:Responsibility"), NEW_GRAPH)
    added, _ = check(bundled, added=[axiom], incremental=False)
    assert any(t.object == iri("wkg:Responsibility") for t in added)


def test_a_type_by_a_subclass_after_a_subclass_axiom(bundled):
    """Once intentions are responsibilities by a subclass axiom (a full recompute), an intention with a
    subject, body and role still gets no role shortcut: apply runs that rule before the superclass types."""
    st = copy(bundled)
    assert change(st, added=[ox.Quad(iri("wkg:Intention"), SUBCLASS_OF, iri("wkg:Responsibility"), NEW_GRAPH)]) is None
    cmt = one(bundled, None, RDF_TYPE, iri("wkg:Intention")).subject
    quads = [
        ox.Quad(cmt, iri("wkg:subject"), cmt, NEW_GRAPH),
        ox.Quad(cmt, iri("wkg:body"), iri("body:dhsc"), NEW_GRAPH),
        ox.Quad(cmt, iri("wkg:role"), iri("role:lead"), NEW_GRAPH),
    ]
    assert change(st, added=quads) is not None
    assert ox.Triple(cmt, iri("wkg:leadBody"), iri("body:dhsc")) not in derived(st)


def test_an_ontology_change_recomputes_everything(bundled):
    axiom = one(bundled, None, SUBCLASS_OF)
    assert axiom.graph_name.value.startswith(ONTOLOGY)
    check(bundled, removed=[axiom], incremental=False)


def test_removing_a_citation(bundled):
    fact = one(bundled, None, iri("wkg:citation"))
    gone = [fact, *(q for q in bundled.quads_for_pattern(fact.object, None, None, None) if q.graph_name != DERIVED)]
    _, removed = check(bundled, removed=gone)
    assert ox.Triple(fact.object, RDF_TYPE, iri("wkg:Citation")) in removed


def test_changing_a_change_events_result(bundled):
    """To an organisation of its own (no successor from it to itself), then to a third one."""
    event = one(bundled, None, RDF_TYPE, iri("org:ChangeEvent")).subject
    old = one(bundled, event, iri("org:resultingOrganization"))
    original = [q.object for q in bundled.quads_for_pattern(event, iri("org:originalOrganization"), None, None)]
    assert old.object in original and len(original) == 2
    own = next(o for o in original if o != old.object)
    added, removed = check(bundled, added=[ox.Quad(event, old.predicate, own, old.graph_name)], removed=[old])
    assert ox.Triple(own, iri("wkg:successor"), old.object) in removed
    assert ox.Triple(old.object, iri("wkg:successor"), own) in added
    third = iri("body:dhsc")
    added, removed = check(bundled, added=[ox.Quad(event, old.predicate, third, old.graph_name)], removed=[old])
    assert {ox.Triple(o, iri("wkg:successor"), third) for o in original} <= added


def test_removing_a_change_events_type(bundled):
    event = one(bundled, None, RDF_TYPE, iri("org:ChangeEvent"))
    _, removed = check(bundled, removed=[event])
    assert any(t.predicate == iri("wkg:successor") for t in removed)


def test_a_derived_triple_stated_in_a_curated_graph_and_unstated(bundled):
    """rules.apply skips what a curated graph states: stating a derived triple takes it out of the derived
    graph, and removing the statement brings it back."""
    shortcut = next(q for q in bundled.quads_for_pattern(None, iri("wkg:leadBody"), None, DERIVED))
    stated = ox.Quad(shortcut.subject, shortcut.predicate, shortcut.object, NEW_GRAPH)
    st = copy(bundled)
    change(st, added=[stated])
    assert shortcut.triple not in derived(st)
    change(st, removed=[stated])
    assert derived(st) == derived(bundled)


@pytest.mark.parametrize("seed", range(12))
def test_random_removals_and_additions(bundled, seed):
    """Random triples removed, and triples made of existing ones (a subject and predicate, the object of
    another triple with that predicate) added, in three changes one after the other."""
    rng = random.Random(seed)
    quads = sorted(
        (q for q in bundled if q.graph_name != DERIVED and not q.graph_name.value.startswith(ONTOLOGY)), key=str
    )
    by_predicate: dict = {}
    for q in quads:
        by_predicate.setdefault(q.predicate, []).append(q)
    st = copy(bundled)
    for _ in range(3):
        removed = rng.sample(quads, 40)
        added = []
        for q in rng.sample(quads, 40):
            other = rng.choice(by_predicate[q.predicate])
            added.append(ox.Quad(q.subject, q.predicate, other.object, rng.choice([q.graph_name, NEW_GRAPH])))
        assert change(st, added=added, removed=removed) is not None


def test_a_write_updates_the_derived_triples(bundled):
    """writes.change (a SPARQL Update moving a responsibility) leaves what a full recompute gives."""
    r = responsibility(bundled)
    other = next(b for b in (iri("body:dhsc"), iri("body:nhse")) if b != one(bundled, r, iri("wkg:body")).object)
    st = copy(bundled)
    req = writes.WriteRequest(
        "update",
        "test",
        update=f"""
        DELETE {{ GRAPH ?g {{ <{r.value}> wkg:body ?old }} }}
        INSERT {{ GRAPH ?g {{ <{r.value}> wkg:body <{other.value}> }} }}
        WHERE {{ GRAPH ?g {{ <{r.value}> wkg:body ?old }} }}""",
    )
    added, removed, _ = writes.change(st, req, BASE)
    assert (len(added), len(removed)) == (1, 1)
    assert derived(st) == full(st)
    assert derived(st) != derived(bundled)


def test_a_write_derives_from_its_audit_record(bundled):
    """With a superclass for PROV activities, the audit record of a write gets its derived type at once:
    the derived graph of the result is what rules.apply gives on all of it, audit included."""
    st = copy(bundled)
    activity, super_ = ox.NamedNode("http://www.w3.org/ns/prov#Activity"), ox.NamedNode(f"{WKG}AuditedActivity")
    assert change(st, added=[ox.Quad(activity, SUBCLASS_OF, super_, NEW_GRAPH)]) is None
    req = writes.WriteRequest(
        "update",
        "test",
        update=f"INSERT DATA {{ GRAPH <{NEW_GRAPH.value}> {{ <{BODY}dhsc> wkg:successor <{BODY}nhse> }} }}",
    )
    _, _, answer = writes.change(st, req, BASE)
    assert ox.Triple(ox.NamedNode(answer["activity"]), RDF_TYPE, super_) in derived(st)
    assert derived(st) == full(st)
