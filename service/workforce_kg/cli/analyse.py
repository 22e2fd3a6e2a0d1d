"""The ``analyse`` commands: centrality, components and shortest paths of the accountability network."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer

from workforce_kg.cli.common import (
    ListOpt,
    StoreOpt,
    bad_filter,
    fail,
    open_kg,
    print_table,
)

analyse_app = typer.Typer(
    help="Analyse the accountability network: centrality, components, shortest paths.", no_args_is_help=True
)


class TableFormat(StrEnum):
    """A table for people, or the JSON the API answers."""

    table = "table"
    json = "json"


FormatOpt = Annotated[TableFormat, typer.Option("--format", "-f", help="Output format.")]


@analyse_app.command("centrality")
def analyse_centrality(
    types: Annotated[ListOpt, typer.Option("--types", help="Node types to rank (default body).")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Rows to show.")] = 20,
    fmt: FormatOpt = TableFormat.table,
    store: StoreOpt = None,
) -> None:
    """Degree and betweenness centrality of bodies (or other node types), most central first."""
    from workforce_kg.analysis import network
    from workforce_kg.analysis.accountability import InvalidFilter

    try:
        result = network.centrality(open_kg(store), types, limit)
    except InvalidFilter as exc:
        raise bad_filter(exc) from None
    if fmt is TableFormat.json:
        typer.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    rows = [[r["id"], r["type"], str(r["degree"]), f"{r['betweenness']:.4f}", r["label"]] for r in result["items"]]
    print_table(["id", "type", "degree", "betweenness", "label"], rows, numeric={"degree", "betweenness"})


@analyse_app.command("components")
def analyse_components(
    members: Annotated[int, typer.Option("--members", min=0, help="Members listed per component (json).")] = 10,
    fmt: FormatOpt = TableFormat.table,
    store: StoreOpt = None,
) -> None:
    """Connected components of the network, largest first."""
    from workforce_kg.analysis import network

    result = network.components(open_kg(store), members)
    if fmt is TableFormat.json:
        typer.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    rows = [
        [str(c["component"]), str(c["size"]), ", ".join(f"{t} {n}" for t, n in c["types"].items())]
        for c in result["components"]
    ]
    print_table(["component", "size", "types"], rows, numeric={"component", "size"})
    typer.echo(f"({result['count']} components, {result['nodes']} nodes)")


@analyse_app.command("path")
def analyse_path(
    source: Annotated[str, typer.Argument(help="From: IRI, body:hee, body/hee or a unique slug.")],
    target: Annotated[str, typer.Argument(help="To: IRI, cmt:nurses-50k, … or a unique slug.")],
    fmt: FormatOpt = TableFormat.table,
    store: StoreOpt = None,
) -> None:
    """The shortest path between two entities, ignoring edge direction."""
    from workforce_kg.analysis import network
    from workforce_kg.analysis.accountability import InvalidFilter, NotFound

    try:
        result = network.shortest_path(open_kg(store), source, target)
    except NotFound as exc:
        fail(str(exc))
    except InvalidFilter as exc:
        raise typer.BadParameter(exc.message, param_hint=exc.field.upper()) from None
    if fmt is TableFormat.json:
        typer.echo(json.dumps(result, indent=2, ensure_ascii=False))
    if not result["found"]:
        fail(f"no path between {result['from']['id']} and {result['to']['id']}")
    if fmt is TableFormat.table:
        line = result["nodes"][0]["id"]
        for edge, node in zip(result["edges"], result["nodes"][1:], strict=True):
            arrow = f" -[{edge['relation']}]-> " if edge["direction"] == "forward" else f" <-[{edge['relation']}]- "
            line += arrow + node["id"]
        typer.echo(line)
        typer.echo(f"({result['length']} hop{'s' if result['length'] != 1 else ''})")
