"""Exports (workforce_kg.analysis.export) read back with the tools their users have: networkx, pydot, csv,
an RDF parser."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
import zipfile

import networkx as nx
import pydot
import pyoxigraph as ox
import pytest

from workforce_kg.analysis import export
from workforce_kg.analysis.accountability import InvalidFilter
from workforce_kg.analysis.network import network

GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"
GEXF = "{http://www.gexf.net/1.2draft}"


@pytest.fixture(scope="module")
def g(kg):
    return network(kg).graph


def counts(graph) -> tuple[int, int]:
    return graph.number_of_nodes(), graph.number_of_edges()


def test_graphml_reads_back_with_typed_attributes(kg, g):
    data = export.export(kg, "graphml").content
    back = nx.read_graphml(io.BytesIO(data))
    assert counts(back) == counts(g)
    assert back.nodes["body_hee"]["label"] == "Health Education England"
    assert back.nodes["body_hee"]["iri"] == g.nodes["body_hee"]["iri"]
    root = ET.fromstring(data)
    keys = root.findall(f"{GRAPHML}key")
    assert keys and all(k.get("attr.type") in ("string", "double") for k in keys)
    declared = {k.get("id") for k in keys}
    assert {d.get("key") for d in root.iter(f"{GRAPHML}data")} <= declared
    amount = next(k for k in keys if k.get("attr.name") == "amount")
    assert amount.get("attr.type") == "double"


def test_gexf_reads_back_with_declared_attributes(kg, g):
    data = export.export(kg, "gexf").content
    back = nx.read_gexf(io.BytesIO(data))
    assert counts(back) == counts(g)
    assert back.nodes["body_nhse"]["label"] == "NHS England"
    root = ET.fromstring(data)
    attributes = root.findall(f".//{GEXF}attributes/{GEXF}attribute")
    assert attributes and all(a.get("type") in ("string", "double") for a in attributes)
    declared = {a.get("id") for a in attributes}
    assert {v.get("for") for v in root.iter(f"{GEXF}attvalue")} <= declared


def test_cytoscape_json_reads_back(kg, g):
    data = json.loads(export.export(kg, "cytoscape").content)
    assert {"nodes", "edges"} <= set(data["elements"])
    back = nx.cytoscape_graph(data)
    assert counts(back) == counts(g)
    node = next(n["data"] for n in data["elements"]["nodes"] if n["data"]["id"] == "body_hee")
    assert node["label"] == "Health Education England" and node["type"] == "body"


def test_dot_reads_back_with_pydot(kg):
    sub = export.subgraph(kg, focus="cmt:nurses-50k", depth=2)
    text = export.to_dot(sub).decode("utf-8")
    [dot] = pydot.graph_from_dot_data(text)
    assert len(dot.get_nodes()) == sub.number_of_nodes()
    assert len(dot.get_edges()) == sub.number_of_edges()
    hee = dot.get_node('"body_hee"') or dot.get_node("body_hee")
    assert hee and hee[0].get("iri").strip('"') == sub.nodes["body_hee"]["iri"]


def test_dot_quotes_awkward_values():
    g = nx.MultiDiGraph()
    g.add_node("a", label='Say "hi"\\ here\nnow', iri="https://x/y:z")
    g.add_node("b", label="b")
    g.add_edge("a", "b", key="https://x/p", label="p")
    [dot] = pydot.graph_from_dot_data(export.to_dot(g).decode())
    assert len(dot.get_nodes()) == 2 and len(dot.get_edges()) == 1
    assert dot.get_node('"a"')[0].get("iri") == '"https://x/y:z"'


def test_csv_zip_has_nodes_and_edges(kg, g):
    with zipfile.ZipFile(io.BytesIO(export.export(kg, "csv").content)) as z:
        assert sorted(z.namelist()) == ["edges.csv", "nodes.csv"]
        nodes = list(csv.DictReader(io.StringIO(z.read("nodes.csv").decode())))
        edges = list(csv.DictReader(io.StringIO(z.read("edges.csv").decode())))
    assert (len(nodes), len(edges)) == counts(g)
    assert {"id", "iri", "label", "type", "jurisdiction"} <= set(nodes[0])
    ids = {n["id"] for n in nodes}
    assert all(e["source"] in ids and e["target"] in ids and e["predicate"] for e in edges)
    assert {e["role"] for e in edges} >= {"lead", "accountable", "partner"}


def test_jsonld_holds_the_rdf_behind_the_subgraph(kg):
    sub = export.subgraph(kg, focus="body:hee", depth=1)
    data = export.to_jsonld(kg, sub)
    triples = list(ox.parse(data, format=ox.RdfFormat.JSON_LD))
    subjects = {t.subject.value for t in triples if isinstance(t.subject, ox.NamedNode)}
    assert {d["iri"] for _, d in sub.nodes(data=True)} <= subjects
    quotes = [t for t in triples if t.predicate.value == f"{kg.base}/def/quote"]
    assert quotes, "citations travel with the facts"
    assert any(s.endswith("/responsibility/d002-hee-lead-framework-15") for s in subjects)


def test_matrix_csv_export(kg):
    out = export.export(kg, "matrix-csv")
    assert out.media_type == "text/csv" and out.filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(out.content.decode())))
    assert rows[0][:2] == ["body", "body_label"] and len(rows) == 2 + 74


# -- focused subgraphs -------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [0, 1, 2])
def test_focus_keeps_nodes_within_depth(kg, g, depth):
    sub = export.subgraph(kg, focus="cmt:nurses-50k", depth=depth)
    center = "commitment_nurses_50k"
    assert center in sub
    lengths = nx.single_source_shortest_path_length(g.to_undirected(as_view=True), center, cutoff=depth)
    assert set(sub) == set(lengths)
    if depth == 0:
        assert counts(sub) == (1, 0)


def test_types_filter(kg):
    sub = export.subgraph(kg, focus="cmt:nurses-50k", depth=2, types=["body,programme"])
    types = {d["type"] for n, d in sub.nodes(data=True) if n != "commitment_nurses_50k"}
    assert types == {"body", "programme"}


def test_jurisdiction_filter(kg):
    sub = export.subgraph(kg, jurisdiction="scotland")
    assert sub.number_of_nodes() > 0
    for n, d in sub.nodes(data=True):
        if "jurisdiction" in d:
            assert "scotland" in d["jurisdiction"].split("; ")
        else:
            assert any("scotland" in str(sub.nodes[m].get("jurisdiction", "")) for m in nx.all_neighbors(sub, n))


def test_roles_filter(kg, g):
    sub = export.subgraph(kg, roles=["lead", "accountable"])
    roles = {d["role"] for *_, d in sub.edges(data=True) if "role" in d}
    assert roles == {"lead", "accountable"}
    assert sub.number_of_edges() < g.number_of_edges()
    assert g.number_of_edges() == network(kg).graph.number_of_edges(), "the cached projection is untouched"


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"focus": "no-such-entity"}, "focus"),
        ({"focus": "body:nhse", "depth": 99}, "depth"),
        ({"types": ["spaceship"]}, "types"),
        ({"jurisdiction": "atlantis"}, "jurisdiction"),
        ({"roles": ["owner"]}, "roles"),
    ],
)
def test_bad_filters(kg, kwargs, field):
    with pytest.raises(InvalidFilter) as info:
        export.export(kg, "graphml", **kwargs)
    assert info.value.field == field


def test_unknown_format(kg):
    with pytest.raises(InvalidFilter) as info:
        export.export(kg, "pdf")
    assert info.value.field == "format"
