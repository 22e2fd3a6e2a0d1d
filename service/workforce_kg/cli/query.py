"""Commands that ask the graph: query, cq (the competency questions), export."""

from __future__ import annotations

import csv
import io
import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import pyoxigraph as ox
import typer

from workforce_kg.analysis.export_formats import ExportFormat
from workforce_kg.cli.common import (
    ListOpt,
    StoreOpt,
    bad_filter,
    fail,
    one_line,
    open_kg,
    print_table,
    read_query,
    term_text,
)
from workforce_kg.sparql import errors


class QueryFormat(StrEnum):
    """How ``query`` prints an answer (a CONSTRUCT or DESCRIBE answer is always Turtle)."""

    table = "table"
    json = "json"
    csv = "csv"
    turtle = "turtle"


def query(
    sparql: Annotated[str, typer.Argument(help="A SPARQL query, or the path of a .rq file.")],
    fmt: Annotated[
        QueryFormat, typer.Option("--format", "-f", help="Output format (CONSTRUCT and DESCRIBE: always Turtle).")
    ] = QueryFormat.table,
    store: StoreOpt = None,
) -> None:
    """Run a SPARQL query against the store (or the bundled graph when no store is built)."""
    text = read_query(sparql)
    kg = open_kg(store)
    try:
        result = kg.query(text)
    except SyntaxError as exc:
        fail(f"bad SPARQL: {errors.from_oxigraph(kg.localise(text), 'query', exc, kg.prefixes)}")
    except OSError as exc:
        fail(f"query failed: {one_line(exc)}")
    if isinstance(result, ox.QueryBoolean):
        typer.echo(json.dumps({"boolean": bool(result)}) if fmt is QueryFormat.json else str(bool(result)).lower())
        return
    if isinstance(result, ox.QueryTriples):
        turtle = ox.serialize(result, format=ox.RdfFormat.TURTLE, prefixes=kg.prefixes)
        assert turtle is not None  # serialised to bytes, not to a file
        typer.echo(turtle.decode("utf-8"))
        return
    if fmt is QueryFormat.json:
        typer.echo(result.serialize(format=ox.QueryResultsFormat.JSON).decode("utf-8"))
        return
    names = [v.value for v in result.variables]
    rows = [[term_text(sol[n]) for n in names] for sol in result]
    if fmt is QueryFormat.csv:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(names)
        writer.writerows(rows)
        typer.echo(buf.getvalue(), nl=False)
    else:
        print_table(names, rows)
        typer.echo(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")


def cq(
    update: Annotated[
        bool, typer.Option("--update", help="Record current answers as expected (review the diff!).")
    ] = False,
    store: StoreOpt = None,
) -> None:
    """Run the competency questions and compare each answer with the expected one beside it."""
    from workforce_kg import cq as queries

    kg = open_kg(store)
    failed = []
    for q in queries.load():
        try:
            if update:
                queries.write_expected(kg, q)
                ok = True
            else:
                ok = q.expected_path.exists() and queries.matches(kg, q)
        except (SyntaxError, ValueError) as exc:
            fail(f"{q.name}: {one_line(exc)}")
        typer.echo(f"{'ok  ' if ok else 'FAIL'} {q.name}: {q.question}")
        if not ok:
            failed.append(q.name)
    if failed:
        fail(f"{len(failed)} competency question(s) do not match: {', '.join(failed)}")


def export_cmd(
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="Export format.")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: standard output).")
    ] = None,
    focus: Annotated[
        str | None, typer.Option("--focus", help="Centre entity: IRI, body:nhse, body/nhse or a unique slug.")
    ] = None,
    depth: Annotated[
        int, typer.Option("--depth", help="Hops from the focus, 0 up to the export limit (the API's too).")
    ] = 1,
    types: Annotated[ListOpt, typer.Option("--types", help="Node types to keep (repeat or comma-separate).")] = None,
    jurisdiction: Annotated[
        str | None, typer.Option("--jurisdiction", help="Jurisdiction slug, e.g. scotland.")
    ] = None,
    roles: Annotated[
        ListOpt, typer.Option("--roles", help="Responsibility roles to keep (repeat or comma-separate).")
    ] = None,
    store: StoreOpt = None,
) -> None:
    """Export the accountability network (or a focused subgraph) for Gephi, yEd, Cytoscape, Graphviz, R or
    spreadsheets."""
    from workforce_kg.analysis import export as exports
    from workforce_kg.analysis.accountability import InvalidFilter

    if not 0 <= depth <= exports.MAX_DEPTH:  # the limit lives in the export module (not imported at start-up)
        raise typer.BadParameter(f"depth must be between 0 and {exports.MAX_DEPTH}", param_hint="--depth")
    kg = open_kg(store)
    try:
        out = exports.export(kg, fmt, focus=focus, depth=depth, types=types, jurisdiction=jurisdiction, roles=roles)
    except InvalidFilter as exc:
        raise bad_filter(exc) from None
    if output is None:
        typer.echo(out.content, nl=False)
        return
    try:
        output.write_bytes(out.content)
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")
    typer.echo(f"wrote {output} ({fmt.value}, {len(out.content)} bytes)", err=True)
