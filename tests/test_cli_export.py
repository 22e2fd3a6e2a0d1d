"""``workforce-kg export`` and ``workforce-kg analyse``: outputs, exit codes 0/1/2."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import networkx as nx
import pytest
from typer.testing import CliRunner

from workforce_kg.analysis.network import network
from workforce_kg.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def bundled_graph(monkeypatch, tmp_path):
    """No built store configured: the commands use the bundled graph in memory."""
    monkeypatch.setenv("WORKFORCE_KG_STORE", str(tmp_path / "no-store"))


def run(*args):
    return runner.invoke(app, list(args))


def test_export_graphml_to_file(tmp_path, kg):
    out = tmp_path / "kg.graphml"
    result = run("export", "--format", "graphml", "--output", str(out))
    assert result.exit_code == 0, result.output
    back = nx.read_graphml(out)
    g = network(kg).graph
    assert (back.number_of_nodes(), back.number_of_edges()) == (g.number_of_nodes(), g.number_of_edges())


def test_export_focus_to_stdout(kg):
    result = run("export", "-f", "cytoscape", "--focus", "cmt:nurses-50k", "--depth", "1", "--types", "body,programme")
    assert result.exit_code == 0, result.output
    back = nx.cytoscape_graph(json.loads(result.stdout))
    types = {d["type"] for n, d in back.nodes(data=True) if n != "commitment_nurses_50k"}
    assert "commitment_nurses_50k" in back and types == {"body", "programme"}


def test_export_csv_zip_with_roles(tmp_path):
    out = tmp_path / "kg.zip"
    assert run("export", "--format", "csv", "-o", str(out), "--roles", "lead", "--roles", "accountable").exit_code == 0
    with zipfile.ZipFile(out) as z:
        edges = list(csv.DictReader(io.StringIO(z.read("edges.csv").decode())))
    assert {e["role"] for e in edges} == {"", "lead", "accountable"}


def test_export_matrix_csv():
    result = run("export", "--format", "matrix-csv")
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0][:2] == ["body", "body_label"] and "nurses-50k" in rows[0]


@pytest.mark.parametrize(
    "args",
    [
        ["export", "--format", "pdf"],
        ["export"],
        ["export", "-f", "dot", "--depth", "x"],
        ["export", "-f", "dot", "--types", "spaceship"],
        ["export", "-f", "dot", "--jurisdiction", "atlantis"],
        ["export", "-f", "dot", "--focus", "nothing-at-all"],
        ["analyse"],
        ["analyse", "centrality", "--types", "spaceship"],
        ["analyse", "path", "body:hee"],
        ["analyse", "components", "--format", "yaml"],
    ],
)
def test_wrong_arguments_exit_2_with_usage(args):
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert "Usage" in result.output


def test_unwritable_output_is_one_line_exit_1(tmp_path):
    result = run("export", "--format", "gexf", "--output", str(tmp_path / "missing" / "dir" / "kg.gexf"))
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: cannot write")


def test_analyse_centrality(kg):
    table = run("analyse", "centrality", "--limit", "3")
    assert table.exit_code == 0
    assert len(table.stdout.strip().splitlines()) == 2 + 3 and "betweenness" in table.stdout
    as_json = json.loads(run("analyse", "centrality", "--limit", "3", "--format", "json").stdout)
    assert [i["type"] for i in as_json["items"]] == ["body"] * 3
    assert as_json["items"][0]["id"] in table.stdout.splitlines()[2]


def test_analyse_components(kg):
    result = json.loads(run("analyse", "components", "--format", "json", "--members", "0").stdout)
    assert sum(c["size"] for c in result["components"]) == network(kg).graph.number_of_nodes()


def test_analyse_path():
    result = run("analyse", "path", "body:hee", "cmt:nurses-50k")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "hee -[sponsoredBy]-> dhsc <-[accountableBody]- nurses-50k"
    missing = run("analyse", "path", "body:nobody", "cmt:nurses-50k")
    assert missing.exit_code == 1 and missing.output.startswith("Error: ")


@pytest.mark.parametrize("limit", [2, 8])
def test_depth_limit_is_the_export_modules(monkeypatch, limit):
    """`export --depth` is bounded by analysis.export.MAX_DEPTH (one constant for the CLI, the API and the page)."""
    from workforce_kg.analysis import export as exports

    monkeypatch.setattr(exports, "MAX_DEPTH", limit)
    focus = ["export", "-f", "csv", "--focus", "cmt:nurses-50k"]
    assert run(*focus, "--depth", str(limit)).exit_code == 0
    for depth in (limit + 1, -1):
        refused = run(*focus, "--depth", str(depth))
        assert refused.exit_code == 2, refused.output
        assert f"depth must be between 0 and {limit}" in refused.output
    without_focus = run("export", "-f", "csv", "--depth", str(limit + 1))  # refused even when no focus is given
    assert without_focus.exit_code == 2
