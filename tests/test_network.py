"""The networkx projection (workforce_kg.analysis.network) and the analyses on it."""

from __future__ import annotations

import re
from collections import Counter

import networkx as nx
import pytest

from workforce_kg.analysis import network
from workforce_kg.analysis.accountability import InvalidFilter, NotFound, slug_of


@pytest.fixture(scope="module")
def net(kg):
    return network.network(kg)


def test_projection_shape(kg, net):
    g = net.graph
    assert isinstance(g, nx.MultiDiGraph)
    expected = kg.rows("""SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {
        VALUES ?c { org:Organization wkg:Commitment wkg:Programme wkg:Funding wkg:ProgressFigure wkg:Rating
                    wkg:Evaluation org:ChangeEvent } ?s a ?c }""")[0]["n"]
    assert g.number_of_nodes() == expected
    types = Counter(d["type"] for _, d in g.nodes(data=True))
    assert types["commitment"] == 132 and types["body"] == 74 and types["rating"] == 70
    iris = [d["iri"] for _, d in g.nodes(data=True)]
    assert len(set(iris)) == len(iris) and all(i.startswith(f"{kg.base}/id/") for i in iris)


def test_node_ids_are_format_safe(net):
    for n, d in net.graph.nodes(data=True):
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", n), n
        assert d["label"] and d["type"] in network.NODE_TYPES


def test_edges_are_keyed_by_predicate(kg, net):
    for _u, _v, k, d in net.graph.edges(keys=True, data=True):
        assert k == d["predicate"] and k.startswith("http") and d["relation"] and d["label"]
    serves = kg.rows("SELECT DISTINCT ?p ?c WHERE { ?p wkg:serves ?c }")
    got = {
        (net.graph.nodes[u]["iri"], net.graph.nodes[v]["iri"])
        for u, v, k in net.graph.edges(keys=True)
        if k == f"{kg.base}/def/serves"
    }
    assert got == {(r["p"], r["c"]) for r in serves}


def test_responsibilities_become_role_edges(kg, net):
    held = kg.rows(
        "SELECT DISTINCT ?s ?b ?role WHERE { ?r a wkg:Responsibility ; wkg:subject ?s ; wkg:body ?b ; wkg:role ?role }"
    )
    edges = {
        (net.graph.nodes[u]["iri"], net.graph.nodes[v]["iri"], d["role"])
        for u, v, d in net.graph.edges(data=True)
        if "role" in d
    }
    assert edges == {(r["s"], r["b"], slug_of(r["role"])) for r in held}
    lead = net.graph.get_edge_data(
        net.by_iri[f"{kg.base}/id/programme/long-term-workforce-plan"], net.by_iri[f"{kg.base}/id/organisation/nhse"]
    )
    assert lead[f"{kg.base}/def/leadBody"]["role"] == "lead"
    assert lead[f"{kg.base}/def/leadBody"]["responsibility"].endswith("/d001-nhse-lead-ltwp")
    framework = net.graph.get_edge_data("programme_framework_15", "body_hee")[f"{kg.base}/def/leadBody"]
    # one responsibility since issue 14 merged the two documents' records (it keeps both citations)
    assert framework["responsibility"] == f"{kg.base}/id/responsibility/d002-hee-lead-framework-15"
    assert framework["start_date"] == "2021-07-01"


def test_literals_are_scalar_attributes_of_one_type_per_key(net):
    kinds: dict[str, set] = {}
    for _, d in net.graph.nodes(data=True):
        for k, v in d.items():
            assert isinstance(v, (str, float)), (k, v)
            kinds.setdefault(k, set()).add(type(v))
    assert all(len(t) == 1 for t in kinds.values()), kinds
    assert kinds["amount"] == {float} and kinds["label"] == {str}
    hee = net.graph.nodes["body_hee"]
    assert hee["aliases"] == "HEE" and hee["jurisdiction"] == "england" and hee["iri"].endswith("/organisation/hee")


def test_projection_is_cached(kg):
    assert network.network(kg) is network.network(kg)


def test_centrality_of_bodies(kg, net):
    result = network.centrality(kg, limit=100)
    items = result["items"]
    assert result["total"] == len(items) == 74 and all(i["type"] == "body" for i in items)
    between = [i["betweenness"] for i in items]
    assert between == sorted(between, reverse=True) and all(0 <= b <= 1 for b in between)
    for i in items[:5]:
        assert i["degree"] == len(set(nx.all_neighbors(net.graph, i["node"])))
    assert "dhsc" in {i["id"] for i in items[:5]}
    programmes = network.centrality(kg, ["programme"], limit=3)["items"]
    assert len(programmes) == 3 and all(i["type"] == "programme" for i in programmes)


def test_centrality_rejects_unknown_types(kg):
    with pytest.raises(InvalidFilter) as info:
        network.centrality(kg, ["spaceship"])
    assert info.value.field == "types"


def test_components_cover_every_node(kg, net):
    result = network.components(kg, members=0)
    sizes = [c["size"] for c in result["components"]]
    assert sum(sizes) == net.graph.number_of_nodes() and sizes == sorted(sizes, reverse=True)
    assert result["count"] == nx.number_weakly_connected_components(net.graph)
    assert sum(result["components"][0]["types"].values()) == sizes[0]


def test_shortest_path_hee_to_50k_nurses(kg):
    result = network.shortest_path(kg, "body:hee", "cmt:nurses-50k")
    assert result["found"] and result["length"] == 2
    assert [n["id"] for n in result["nodes"]] == ["hee", "dhsc", "nurses-50k"]
    assert [(e["relation"], e["direction"]) for e in result["edges"]] == [
        ("sponsoredBy", "forward"),
        ("accountableBody", "backward"),
    ]


def test_no_path_between_separate_components(kg, net):
    comps = sorted(nx.connected_components(net.undirected), key=len, reverse=True)
    a, b = next(iter(comps[0])), next(iter(comps[1]))
    result = network.shortest_path(kg, a, b)
    assert result["found"] is False and result["nodes"] == []


@pytest.mark.parametrize(
    "ref",
    [
        "body_nhse",
        "https://w3id.org/workforce-kg/id/organisation/nhse",
        "body:nhse",
        "body/nhse",
        "organisation/nhse",
        "nhse",
    ],
)
def test_resolve_accepts_many_forms(kg, net, ref):
    assert net.resolve(kg, ref) == "body_nhse"


def test_resolve_ambiguous_and_unknown(kg, net):
    shared = Counter(slug_of(d["iri"]) for _, d in net.graph.nodes(data=True))
    slug = next(s for s, n in shared.items() if n > 1)
    with pytest.raises(InvalidFilter):
        net.resolve(kg, slug, "from")
    with pytest.raises(NotFound):
        network.shortest_path(kg, "body:nobody", "cmt:nurses-50k")
