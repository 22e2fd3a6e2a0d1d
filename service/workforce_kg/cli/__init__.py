"""The ``workforce-kg`` command line.

Exit codes: 0 success; 1 a problem with the input or the data (unreadable file, bad SPARQL,
violations, inconsistency), reported in one line; 2 wrong arguments (usage message).

The commands live in one module per group (:mod:`.data`, :mod:`.query`, :mod:`.serve`, :mod:`.analyse`)
and are registered here, in the order ``--help`` lists them.
"""

from __future__ import annotations

from typing import Annotated

import typer

from workforce_kg import __version__
from workforce_kg.cli import analyse, data, ingest, query, serve

app = typer.Typer(
    name="workforce-kg",
    help="Knowledge graph of UK health and social care workforce commitments: build, query, check, serve.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"workforce-kg {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Knowledge graph of UK health and social care workforce commitments."""


app.command()(data.build)
app.command()(query.query)
app.command()(data.reason)
app.command()(data.stats)
app.command("provenance")(data.provenance_cmd)
app.command()(data.segments)
app.command()(ingest.ingest)
app.command()(ingest.review)
app.command()(query.cq)
app.command("dump")(data.dump_cmd)
app.command()(data.restore)
app.command()(data.validate)
app.command("lint")(data.lint_cmd)
app.command()(serve.serve)
app.command("export")(query.export_cmd)
app.add_typer(analyse.analyse_app, name="analyse")
