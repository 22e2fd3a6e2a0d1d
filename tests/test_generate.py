"""The synthetic scale data generator (bench/generate.py): reproducible, same shape, valid, answerable."""

from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from workforce_kg import cq as queries
from workforce_kg.config import DEFAULT_BASE_IRI as BASE
from workforce_kg.store import local as store
from workforce_kg.store import rules
from workforce_kg.store.kg import KnowledgeGraph
from workforce_kg.validation import report as validation

BENCH = Path(__file__).resolve().parents[1] / "bench"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
WKG = f"{BASE}/def/"
ORG = "http://www.w3.org/ns/org#"


def load_module():
    spec = importlib.util.spec_from_file_location("bench_generate", BENCH / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen = load_module()


def ontology_files():
    return [f for f in store.bundled_files() if f.graph_name.startswith("ontology/")]


def build(text: str) -> ox.Store:
    """An in-memory store as scale.py builds it: ontology, the generated N-Quads, derived triples."""
    st = ox.Store()
    store.load_files(st, ontology_files())
    st.bulk_load(text.encode(), format=ox.RdfFormat.N_QUADS)
    rules.apply(st, store.graph_iri(BASE, "derived"))
    return st


@pytest.fixture(scope="module")
def two() -> str:
    return "".join(gen.generate(2, seed=1))


@pytest.fixture(scope="module")
def store2(two) -> ox.Store:
    return build(two)


@pytest.fixture(scope="module")
def store1() -> ox.Store:
    return build("".join(gen.generate(1, seed=1)))


def class_counts(st: ox.Store) -> Counter:
    return Counter(q.object.value for q in st.quads_for_pattern(None, RDF_TYPE, None, None))


def test_same_seed_same_output(two):
    gen.template.cache_clear()  # rebuilt from the Turtle: blank node names must not depend on the parse
    assert "".join(gen.generate(2, seed=1)) == two


def test_different_seed_different_output(two):
    other = "".join(gen.generate(2, seed=2))
    assert other != two
    assert other.count("\n") == two.count("\n")  # the seed changes what is linked, not how much there is


def test_one_times_is_the_bundled_data_graph(store1):
    assert len(store1) == len(store.memory_store())


def test_size_is_about_n_times_the_bundled_graph(store2):
    bundled = len(store.memory_store())
    assert abs(len(store2) - 2 * bundled) <= 0.1 * 2 * bundled


def test_no_triple_in_two_graphs(store2):
    """Oxigraph's union graph would answer it twice."""
    assert len({(q.subject, q.predicate, q.object) for q in store2}) == len(store2)


def test_replicas_have_the_shape_of_the_bundled_graph(store1, store2):
    one, two = class_counts(store1), class_counts(store2)
    for cls in (
        "Commitment",
        "Programme",
        "Responsibility",
        "Funding",
        "ProgressFigure",
        "Rating",
        "Evaluation",
        "Citation",
        "SourceDocument",
    ):
        assert two[WKG + cls] == 2 * one[WKG + cls], cls
    assert two[ORG + "ChangeEvent"] == 2 * one[ORG + "ChangeEvent"]
    assert (
        one[ORG + "Organization"] < two[ORG + "Organization"] < 2 * one[ORG + "Organization"]
    )  # reference bodies reused
    graphs = {q.graph_name.value for q in store2}
    assert f"{BASE}/graph/synthetic/001" in graphs


def test_synthetic_facts_link_to_reference_bodies(store2):
    nhse = ox.NamedNode(f"{BASE}/id/organisation/nhse")
    holders = [q.subject.value for q in store2.quads_for_pattern(None, ox.NamedNode(WKG + "body"), nhse, None)]
    assert any("/id/responsibility/s001-" in s for s in holders)
    assert any("/id/responsibility/s001-" not in s for s in holders)


def test_conforms_to_the_shapes(two):
    triples = (ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(two, format=ox.RdfFormat.N_QUADS))
    data = rdflib.Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    report = validation.validate_graph(data, store.rdflib_graph(ontology_files()))
    assert report.conforms, report.as_text()[:3000]


def rows(st: ox.Store, name: str) -> int:
    cq = next(q for q in queries.load() if q.name == name)
    return len(KnowledgeGraph(st).rows(cq.sparql))


@pytest.mark.parametrize(
    "name",
    [
        "cq08_evaluated_commitment_owners",
        "cq09_nhse_holdings_by_role",
        "cq12_commitments_with_several_bodies",
        "cq19_funding_per_commitment",
        "cq23_figures_evidencing_commitments",
        "cq45_citations_per_document",
    ],
)
def test_competency_answers_grow_with_the_synthetic_data(store1, store2, name):
    assert 0 < rows(store1, name) < rows(store2, name)


def test_rewired_ratings_disagree(store1, store2):
    """The bundled graph has no disagreeing ratings (cq06 is empty); a replica's changed values make some."""
    assert rows(store1, "cq06_rating_disagreements") == 0
    assert rows(store2, "cq06_rating_disagreements") > 0


def test_every_competency_question_answers(store2):
    kg = KnowledgeGraph(store2)
    for cq in queries.load():
        result = kg.query(cq.sparql)
        answered = bool(result) if isinstance(result, ox.QueryBoolean) else bool(list(result))
        assert answered, cq.name


def test_scale_must_be_positive():
    with pytest.raises(ValueError):
        list(gen.generate(0))
