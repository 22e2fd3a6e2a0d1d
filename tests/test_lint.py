"""`workforce-kg lint`: clean on the bundled graph; each kind of seeded error is found; acknowledged
findings are reported as such and do not fail; exit codes and JSON structure."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from workforce_kg.analysis import lint
from workforce_kg.cli import app
from workforce_kg.paths import GRAPH_DIR
from workforce_kg.vocab import prefixes

runner = CliRunner()
P = prefixes()

PREFIXES = (
    "\n".join(f"@prefix {k}: <{v}> ." for k, v in P.items())
    + """
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix schema: <http://schema.org/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
)

# One seeded error of each kind. Quotes are invented for the test (the lint does not check them
# against the sources); the document is a real one, whose author body is DHSC and which has no
# dcterms:created (so a date drawn from "this year" cannot be resolved).
CITE = 'wkg:citation [ wkg:document doc:hscc-expert-panel-govt-response-2023 ; wkg:locator "1" ; wkg:quote "{q}" ]'
SEEDS = {
    "duplicate-funding": ("fund:seed-a", "fund:seed-b"),
    "similar-label": ("prog:seed-retention-scheme", "prog:seed-retention-scheme-2"),
    "duplicate-responsibility": ("resp:seed-lead-1", "resp:seed-lead-2"),
    "percentage-point": ("fig:seed-points",),
    "relative-time": ("fig:seed-this-year",),
    "description-number": ("prog:seed-described",),
    "attribution": ("cmt:seed-we",),
    "fte-headcount": ("fig:seed-fte",),
    "undated-event": ("fund:seed-undated",),
    "duplicate-citation": ("prog:seed-cited-twice",),
    "post-outside-body": ("resp:seed-post-elsewhere",),
}
SEED_TTL = f"""
fund:seed-a a wkg:Funding ; skos:prefLabel "Seed fund A"@en ;
    schema:value 987654321.0 ; schema:currency "GBP" ;
    {CITE.format(q="we are providing £987,654,321")} .
fund:seed-b a wkg:Funding ; skos:prefLabel "Seed money for the same thing"@en ;
    schema:value 987654321.0 ; schema:currency "GBP" ;
    {CITE.format(q="£987,654,321 will be made available")} .
prog:seed-retention-scheme a wkg:Programme ; skos:prefLabel "Zebra Workforce Retention Scheme"@en ;
    {CITE.format(q="the scheme")} .
prog:seed-retention-scheme-2 a wkg:Programme ; skos:prefLabel "the zebra workforce retention scheme"@en ;
    {CITE.format(q="the scheme")} .
resp:seed-lead-1 a wkg:Responsibility ;
    wkg:body body:nhse ; wkg:role role:lead ; wkg:subject prog:seed-retention-scheme ;
    {CITE.format(q="NHS England leads it")} .
resp:seed-lead-2 a wkg:Responsibility ;
    wkg:body body:nhse ; wkg:role role:lead ; wkg:subject prog:seed-retention-scheme ;
    {CITE.format(q="led by NHS England")} .
fig:seed-points a wkg:ProgressFigure ; wkg:value 3.25 ; wkg:unit unit:percent ;
    {CITE.format(q="a fall of 3.25 percentage points")} .
fig:seed-this-year a wkg:ProgressFigure ; wkg:value 771.0 ; wkg:unit unit:count ; wkg:asOf "2023"^^xsd:gYear ;
    {CITE.format(q="771 more this year")} .
prog:seed-described a wkg:Programme ; skos:prefLabel "Seeded described programme"@en ;
    dcterms:description "Worth £64 million over 9 years."@en ; {CITE.format(q="a programme")} .
cmt:seed-we a wkg:Intention ; skos:prefLabel "Seeded intention"@en ; wkg:madeBy body:uk-government ;
    {CITE.format(q="we will publish the seeded plan")} .
fig:seed-fte a wkg:ProgressFigure ; wkg:value 5551.0 ; wkg:unit unit:fte ;
    {CITE.format(q="5,551 more people working in the service")} .
fund:seed-undated a wkg:Funding ; skos:prefLabel "Seeded undated money"@en ;
    schema:value 123456789.0 ; schema:currency "GBP" ;
    {CITE.format(q="On 3 March the scheme was given £123,456,789")} .
prog:seed-cited-twice a wkg:Programme ; skos:prefLabel "Seeded twice-cited programme"@en ;
    {CITE.format(q="the twice cited   programme")} , [ wkg:document doc:hscc-expert-panel-govt-response-2023 ;
    wkg:locator "1" ; wkg:quote "the twice cited programme" ] .
resp:seed-post-elsewhere a wkg:Responsibility ;
    wkg:body body:nhse ; wkg:post post:secretary-of-state-hsc ; wkg:role role:lead ; wkg:subject prog:seed-described ;
    {CITE.format(q="the Secretary of State leads it")} .
"""


def run(*args):
    return runner.invoke(app, ["lint", *args])


def iri(name: str) -> str:
    prefix, local = name.split(":", 1)
    return P[prefix] + local


@pytest.fixture
def graph_copy(tmp_path) -> Path:
    folder = tmp_path / "graph"
    shutil.copytree(GRAPH_DIR, folder)
    return folder


@pytest.fixture
def seeded(graph_copy) -> Path:
    (graph_copy / "zz-seeded.ttl").write_text(PREFIXES + SEED_TTL, encoding="utf-8")
    return graph_copy


def test_bundled_graph_is_clean():
    result = run()
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1].startswith("0 finding(s)")


def test_bundled_graph_acknowledgements_all_have_reasons():
    report = lint.lint()
    assert not report.failing
    assert all(f.acknowledged and f.acknowledged.strip() for f in report.findings)


def test_each_seeded_finding_is_reported(seeded):
    result = run("--graph-dir", str(seeded), "--format", "json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    found = {(f["kind"], tuple(sorted(f["nodes"]))) for f in data["findings"] if not f["acknowledged"]}
    for kind, nodes in SEEDS.items():
        assert (kind, tuple(sorted(iri(n) for n in nodes))) in found, kind
    assert data["ok"] is False


def test_seeded_findings_are_the_only_new_ones(seeded):
    """Seeding adds exactly the expected findings: the checks do not fire on the rest of the graph."""
    failing = lint.lint(seeded).failing
    seeded_nodes = {iri(n) for nodes in SEEDS.values() for n in nodes}
    assert all(set(f.nodes) <= seeded_nodes for f in failing), [f for f in failing if not set(f.nodes) <= seeded_nodes]


def test_relative_time_resolved_against_writing_date(graph_copy):
    """With dcterms:created on the document, "this year" must give that year; "next year" the one after."""
    ttl = (
        PREFIXES
        + """
doc:seed-doc a wkg:SourceDocument ; dcterms:created "2022-10"^^xsd:gYearMonth .
fig:seed-right a wkg:ProgressFigure ; wkg:asOf "2022"^^xsd:gYear ;
    wkg:citation [ wkg:document doc:seed-doc ; wkg:locator "1" ; wkg:quote "the number rose this year" ] .
fig:seed-wrong a wkg:ProgressFigure ; wkg:asOf "2023"^^xsd:gYear ;
    wkg:citation [ wkg:document doc:seed-doc ; wkg:locator "1" ; wkg:quote "the number rose this year" ] .
cmt:seed-next a wkg:Intention ; wkg:deadline "2023"^^xsd:gYear ;
    wkg:citation [ wkg:document doc:seed-doc ; wkg:locator "2" ; wkg:quote "we will publish it next year" ] .
fig:seed-undated a wkg:ProgressFigure ;
    wkg:citation [ wkg:document doc:seed-doc ; wkg:locator "1" ; wkg:quote "the number rose this year" ] .
"""
    )
    (graph_copy / "zz-seeded.ttl").write_text(ttl, encoding="utf-8")
    findings = {f.nodes[0]: f for f in lint.lint(graph_copy).failing if f.kind == "relative-time"}
    assert set(findings) == {iri("fig:seed-wrong")}
    assert findings[iri("fig:seed-wrong")].details["written"] == "2022-10"


def test_undated_event_only_without_any_date(graph_copy):
    """A calendar date in the quote is a finding only when the node records no date at all."""
    ttl = (
        PREFIXES
        + f"""
prog:seed-dated a wkg:Programme ; wkg:established "2022-05"^^xsd:gYearMonth ;
    {CITE.format(q="launched in May 2022")} .
prog:seed-day-month a wkg:Programme ; {CITE.format(q="announced on 22nd September")} .
prog:seed-month-year a wkg:Programme ; {CITE.format(q="published in May 2022")} .
prog:seed-no-date a wkg:Programme ; {CITE.format(q="published in May")} .
cmt:seed-commitment a wkg:Intention ; {CITE.format(q="met in May 2022")} .
"""
    )
    (graph_copy / "zz-seeded.ttl").write_text(ttl, encoding="utf-8")
    findings = {f.nodes[0]: f for f in lint.lint(graph_copy).failing if f.kind == "undated-event"}
    assert set(findings) == {iri("prog:seed-day-month"), iri("prog:seed-month-year")}
    assert findings[iri("prog:seed-day-month")].details["dates"] == ["22nd September"]


def test_different_from_acknowledges_a_pair(seeded):
    reviewed = PREFIXES + "fund:seed-a owl:differentFrom fund:seed-b .\n"
    (seeded / "zz-reviewed.ttl").write_text(reviewed, encoding="utf-8")
    data = json.loads(run("--graph-dir", str(seeded), "--format", "json").output)
    pair = sorted([iri("fund:seed-a"), iri("fund:seed-b")])
    hits = [f for f in data["findings"] if f["kind"] == "duplicate-funding" and sorted(f["nodes"]) == pair]
    assert len(hits) == 1 and hits[0]["acknowledged"] is True
    assert "differentFrom" in hits[0]["reason"]


def test_ignore_file_acknowledges_with_its_reason(graph_copy):
    (graph_copy / "zz-seeded.ttl").write_text(PREFIXES + SEED_TTL, encoding="utf-8")
    ignore = graph_copy / lint.IGNORE_FILE
    existing = ignore.read_text(encoding="utf-8") if ignore.exists() else ""
    entries = "".join(
        f'\n[[ignore]]\nkind = "{kind}"\nnodes = {json.dumps(list(nodes))}\nreason = "seeded on purpose: {kind}"\n'
        for kind, nodes in SEEDS.items()
    )
    ignore.write_text(existing + entries, encoding="utf-8")
    result = run("--graph-dir", str(graph_copy), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    picked = {iri("fund:seed-a"), iri("cmt:seed-we")}
    reasons = {f["kind"]: f["reason"] for f in data["findings"] if set(f["nodes"]) & picked}
    assert reasons == {
        "duplicate-funding": "seeded on purpose: duplicate-funding",
        "attribution": "seeded on purpose: attribution",
    }


def test_json_structure(seeded):
    data = json.loads(run("--graph-dir", str(seeded), "--format", "json").output)
    assert set(data) == {"ok", "findings", "counts", "acknowledged"}
    assert data["counts"]["duplicate-responsibility"] == 1
    for f in data["findings"]:
        assert set(f) >= {"kind", "nodes", "message", "details", "acknowledged"}
        assert f["kind"] in lint.KINDS
        assert all(n.startswith("https://") for n in f["nodes"])
        assert ("reason" in f) == f["acknowledged"]


def test_text_output_names_kind_and_nodes(seeded):
    result = run("--graph-dir", str(seeded))
    assert result.exit_code == 1
    assert "duplicate-responsibility: resp:seed-lead-1, resp:seed-lead-2" in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('[[ignore]]\nkind = "duplicate-funding"\nnodes = ["fund:x", "fund:y"]\n', "reason"),
        ('[[ignore]]\nkind = "no-such-kind"\nnodes = ["fund:x"]\nreason = "r"\n', "unknown kind"),
        ("[[ignore]\n", "lint-ignore.toml"),
    ],
)
def test_bad_ignore_file_is_one_line_exit_1(graph_copy, content, message):
    (graph_copy / lint.IGNORE_FILE).write_text(content, encoding="utf-8")
    result = run("--graph-dir", str(graph_copy))
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_usage_errors_exit_2(tmp_path):
    assert run("--format", "yaml").exit_code == 2
    assert run("--graph-dir", str(tmp_path / "missing")).exit_code == 2


def test_broken_turtle_is_one_line_exit_1(graph_copy):
    (graph_copy / "zz-broken.ttl").write_text("this is not turtle", encoding="utf-8")
    result = run("--graph-dir", str(graph_copy))
    assert result.exit_code == 1
    assert "zz-broken.ttl" in result.output and "Traceback" not in result.output
