"""The command line: exit codes 0/1/2, one-line errors, outputs."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from typer.testing import CliRunner

from workforce_kg import __version__
from workforce_kg.cli import app

runner = CliRunner()

COUNT_RATINGS = "SELECT (COUNT(?r) AS ?n) WHERE { ?r a wkg:Rating }"


def run(*args, **kw):
    return runner.invoke(app, list(args), **kw)


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert result.output.strip() == f"workforce-kg {__version__}"


@pytest.mark.parametrize(
    "args", [["no-such-command"], ["query"], ["query", "SELECT * {}", "--format", "yaml"], ["serve", "--port", "x"]]
)
def test_wrong_arguments_exit_2_with_usage(args):
    result = run(*args)
    assert result.exit_code == 2
    assert "Usage" in result.output


def test_bad_sparql_is_one_line_exit_1():
    result = run("query", "SELECT ?x WHERE { ?x")
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "bad SPARQL" in lines[0]


def test_unreadable_query_file_exit_1(tmp_path):
    result = run("query", str(tmp_path / "missing.rq"))
    assert result.exit_code == 1
    assert "cannot read query file" in result.output


def test_query_table_json_csv(tmp_path):
    table = run("query", COUNT_RATINGS)
    assert table.exit_code == 0 and "(1 row)" in table.output
    as_json = json.loads(run("query", COUNT_RATINGS, "--format", "json").output)
    n = int(as_json["results"]["bindings"][0]["n"]["value"])
    assert n >= 70
    rows = list(csv.DictReader(io.StringIO(run("query", COUNT_RATINGS, "--format", "csv").output)))
    assert rows == [{"n": str(n)}]
    rq = tmp_path / "count.rq"
    rq.write_text("# CQ: how many ratings?\n" + COUNT_RATINGS)
    assert run("query", str(rq), "-f", "csv").output == f"n\n{n}\n"


def test_query_ask_and_construct():
    assert run("query", "ASK { ?r a wkg:Rating }").output.strip() == "true"
    out = run("query", "CONSTRUCT { ?e a wkg:Evaluation } WHERE { ?e a wkg:Evaluation }").output
    assert "wkg:Evaluation" in out


def test_query_against_a_built_store(built_store):
    result = run("query", COUNT_RATINGS, "--store", str(built_store), "-f", "csv")
    assert result.exit_code == 0
    assert int(result.output.splitlines()[1]) >= 70


def test_query_against_missing_store_exit_1(tmp_path):
    result = run("query", COUNT_RATINGS, "--store", str(tmp_path / "nothing"))
    assert result.exit_code == 1 and "not a built store" in result.output


def test_stats_counts_classes_and_provenance(sources_dir):
    result = run("stats", "--sources", str(sources_dir))
    assert result.exit_code == 0, result.output
    assert "wkg:Commitment" in result.output and "wkg:Rating" in result.output
    assert "(100.0%)" in result.output


def listing(folder):
    """Every file under ``folder`` with its bytes: to show a command left a folder as it was."""
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def assert_one_line_error(result, *words):
    """Exit 1 through the CLI's own error path (no exception escaped), with one line naming the problem."""
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: ") and "Traceback" not in result.output
    for word in words:
        assert word in lines[0]


def test_build_refuses_non_store_directory(tmp_path):
    target = tmp_path / "mine"
    target.mkdir()
    (target / "precious.txt").write_text("keep me")
    (target / "sub").mkdir()
    (target / "sub" / "notes.md").write_text("# notes")
    before, around = listing(target), sorted(p.name for p in tmp_path.iterdir())
    result = run("build", "--store", str(target))
    assert_one_line_error(result, str(target), "not a workforce-kg store")
    assert listing(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == around  # no temporary build folder left beside it


def test_build_refuses_a_file_and_an_unwritable_place(tmp_path):
    plain = tmp_path / "plain.txt"
    plain.write_text("keep me")
    assert_one_line_error(run("build", "--store", str(plain)), "not a workforce-kg store")
    assert plain.read_text() == "keep me"
    assert_one_line_error(run("build", "--store", str(plain / "store")))  # its parent is a file
    assert plain.read_text() == "keep me"


def test_restore_into_a_non_store_folder_or_under_a_file(built_store, tmp_path):
    dump = tmp_path / "kg.nq"
    assert run("dump", "--store", str(built_store), "-o", str(dump)).exit_code == 0
    target = tmp_path / "mine"
    target.mkdir()
    (target / "precious.txt").write_text("keep me")
    before = listing(target)
    assert_one_line_error(run("restore", str(dump), "--store", str(target)), "not empty")
    assert listing(target) == before
    plain = tmp_path / "plain.txt"
    plain.write_text("keep me")
    assert_one_line_error(run("restore", str(dump), "--store", str(plain / "store")))
    assert plain.read_text() == "keep me"


def test_build_then_rebuild(tmp_path):
    target = tmp_path / "st"
    first = run("build", "--store", str(target))
    assert first.exit_code == 0, first.output
    assert (target / "ontology.html").exists()
    again = run("build", "--store", str(target))
    assert again.exit_code == 0, again.output


def test_env_configuration_errors_are_one_line(monkeypatch):
    monkeypatch.setenv("WORKFORCE_KG_PORT", "eighty")
    result = run("query", COUNT_RATINGS)
    assert result.exit_code == 1
    assert "WORKFORCE_KG_PORT" in result.output


def test_segments_lists_locators(sources_dir):
    result = run("segments", "001", "--sources", str(sources_dir))
    assert result.exit_code == 0
    assert "[19] 19. The integration of HEE with NHSE" in result.output
    assert run("segments", "999", "--sources", str(sources_dir)).exit_code == 1


def test_provenance_command(sources_dir):
    result = run("provenance", "--sources", str(sources_dir))
    assert result.exit_code == 0, result.output[-2000:]
    assert ", 0 problem(s)" in result.output


BROKEN = """@prefix wkg: <https://w3id.org/workforce-kg/def/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/workforce-kg/id/programme/uncited> a wkg:Programme ; skos:prefLabel "Uncited"@en .
"""


def test_validate_bundled_graph_exit_0():
    result = run("validate")
    assert result.exit_code == 0, result.output[-1500:]
    assert result.output.startswith("Conforms: 0 violation(s)")


def test_validate_extra_file_with_violations_exit_1(tmp_path):
    bad = tmp_path / "new-document.ttl"
    bad.write_text(BROKEN)
    text = run("validate", str(bad))
    assert text.exit_code == 1
    assert "Uncited  <https://w3id.org/workforce-kg/id/programme/uncited>" in text.output
    assert "Violation: wkg:citation" in text.output
    as_json = json.loads(run("validate", str(bad), "--format", "json").output)
    assert as_json["conforms"] is False and as_json["violations"] >= 1
    assert any(
        r["focus"].endswith("/programme/uncited") and r["node_shape"] == "shp:FactShape" for r in as_json["results"]
    )
    assert "sh:ValidationReport" in run("validate", str(bad), "--format", "turtle").output
    assert run("validate", "--format", "yaml").exit_code == 2
    assert run("validate", str(tmp_path / "missing.ttl")).exit_code == 1


def test_validate_and_build_from_an_edited_copy(tmp_path):
    import shutil

    from workforce_kg.paths import GRAPH_DIR

    copy = tmp_path / "graph"
    shutil.copytree(GRAPH_DIR, copy)
    (copy / "999-new.ttl").write_text(BROKEN)
    assert run("validate", "--graph-dir", str(copy)).exit_code == 1
    target = tmp_path / "store"
    result = run("build", "--graph-dir", str(copy), "--store", str(target))
    assert result.exit_code == 1 and "violation" in result.output
    assert not target.exists()


@pytest.mark.parametrize(
    "args, choices",
    [
        (["query", "ASK {}", "--format", "yaml"], ["table", "json", "csv", "turtle"]),
        (["analyse", "centrality", "-f", "yaml"], ["table", "json"]),
        (["export", "-f", "pdf"], ["graphml", "gexf", "cytoscape", "dot", "csv", "jsonld", "matrix-csv"]),
        (["dump", "-o", "never-written.nq", "-f", "turtle"], ["nquads", "trig"]),
        (["restore", "never-read.nq", "-f", "turtle"], ["nquads", "trig"]),
        (["validate", "-f", "yaml"], ["text", "json", "turtle"]),
        (["lint", "-f", "yaml"], ["text", "json"]),
    ],
)
def test_an_unknown_format_exits_2_naming_the_choices(args, choices, tmp_path):
    result = run(*args)
    assert result.exit_code == 2
    message = " ".join(result.output.split())  # the error box may wrap
    assert "Invalid value for '--format'" in message
    assert ", ".join(f"'{c}'" for c in choices) in message
    assert not (tmp_path / "never-written.nq").exists()


def test_format_choices_are_the_lists_the_code_uses():
    """The CLI's export and dump choices are the exporter's and the store's own lists."""
    from workforce_kg.analysis import export as exports
    from workforce_kg.analysis.export_formats import ExportFormat
    from workforce_kg.store import local as stores

    assert list(exports.FORMATS) == list(ExportFormat)
    assert list(stores.DUMP_FORMATS) == list(stores.DumpFormat)


def table_rows(output: str) -> list[list[str]]:
    """The header and rows of a printed table (cells split on runs of two or more spaces), up to the first
    line that is not a row of as many cells."""
    lines = output.splitlines()
    rule = next(i for i, line in enumerate(lines) if set(line.strip()) == {"─"})
    header = re.split(r"\s{2,}", lines[rule - 1].strip())
    rows = [header]
    for line in lines[rule + 1 :]:
        cells = re.split(r"\s{2,}", line.strip())
        if len(cells) != len(header):
            break
        rows.append(cells)
    return rows


def test_query_table_has_the_cells_of_the_csv():
    sparql = "SELECT ?r ?v WHERE { ?r a wkg:Rating ; wkg:ratingValue ?v } ORDER BY ?r LIMIT 5"
    table = run("query", sparql)
    as_csv = list(csv.reader(io.StringIO(run("query", sparql, "-f", "csv").output)))
    assert table.exit_code == 0 and len(as_csv) == 6
    assert table_rows(table.output) == as_csv
    assert table.output.rstrip().endswith("(5 rows)")


def test_table_cells_are_printed_as_they_are():
    """A value that looks like rich markup or an emoji code, or is long, is printed whole and verbatim."""
    long = "x" * 300
    result = run("query", f'SELECT ("[bold]red[/bold] :smile:" AS ?a) ("{long}" AS ?b) {{}}')
    assert result.exit_code == 0
    assert "[bold]red[/bold] :smile:" in result.output and long in result.output
    assert "\x1b[" not in result.output  # no colour codes into a pipe


def test_stats_table_counts_instances(kg):
    rows = table_rows(run("stats", "--sources", "/nonexistent").output)
    counts = dict(rows[1:])
    assert rows[0] == ["class", "instances"]
    n = kg.rows("SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { ?r a wkg:Rating }")[0]["n"]
    assert counts["wkg:Rating"] == str(n)
