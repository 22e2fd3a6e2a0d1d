"""HermiT over the ontology and graph: consistent; an inconsistent fixture is caught."""

from __future__ import annotations

import pytest
from rdflib import Graph
from typer.testing import CliRunner

from workforce_kg import reasoning
from workforce_kg.cli import app

pytestmark = pytest.mark.java  # skipped without Java, a failure when CI is set (conftest.py)

INCONSISTENT = """
@prefix wkg: <https://w3id.org/workforce-kg/def/> .
@prefix body: <https://w3id.org/workforce-kg/id/organisation/> .
# A body cannot also be a commitment (the main classes are disjoint).
body:dhsc a wkg:Commitment .
"""


def test_bundled_graph_is_consistent(graph):
    report = reasoning.reason(graph)
    assert report.consistent
    assert report.dropped_literals > 0  # dates are checked by SHACL, not sent to HermiT


def test_inconsistent_fixture_is_caught(graph):
    extra = Graph().parse(data=INCONSISTENT, format="turtle")
    assert not reasoning.reason(graph + extra).consistent


def test_reason_cli_exit_codes(tmp_path):
    runner = CliRunner()
    ok = runner.invoke(app, ["reason"])
    assert ok.exit_code == 0, ok.output
    assert "consistent" in ok.output
    bad = tmp_path / "bad.ttl"
    bad.write_text(INCONSISTENT)
    result = runner.invoke(app, ["reason", str(bad)])
    assert result.exit_code == 1
    assert "inconsistent" in result.output


def test_inferred_types_are_reported(tmp_path):
    extra = tmp_path / "untyped.ttl"
    extra.write_text("""
@prefix wkg: <https://w3id.org/workforce-kg/def/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
<https://w3id.org/workforce-kg/id/commitment/untyped> a owl:NamedIndividual ;
    wkg:madeBy <https://w3id.org/workforce-kg/id/organisation/dhsc> .
""")
    result = CliRunner().invoke(app, ["reason", str(extra)])
    assert result.exit_code == 0
    assert "commitment/untyped  a  https://w3id.org/workforce-kg/def/Commitment" in result.output
