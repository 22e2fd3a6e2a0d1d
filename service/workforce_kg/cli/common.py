"""What the commands share: options, one-line failures, settings, opening the store, tables."""

from __future__ import annotations

import sys
from collections.abc import Collection
from pathlib import Path
from typing import Annotated, NoReturn

import pyoxigraph as ox
import typer

from workforce_kg.config import Settings
from workforce_kg.store import local as stores
from workforce_kg.store import remote
from workforce_kg.store.kg import KnowledgeGraph

StoreOpt = Annotated[
    str | None,
    typer.Option("--store", help="Store folder, or remote:<SPARQL endpoint URL> (default: WORKFORCE_KG_STORE)."),
]


ListOpt = list[str] | None


def fail(message: str) -> NoReturn:
    """Report a user-facing error as one line on stderr and exit with code 1."""
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(1)


def one_line(exc: BaseException) -> str:
    """The first line of an exception's message (its class name when it has none)."""
    text = str(exc).strip().splitlines()
    return text[0] if text else exc.__class__.__name__


def settings(**overrides) -> Settings:
    """The settings from the environment with the command's options over them; a bad value fails in one line."""
    try:
        return Settings.from_env(**overrides)
    except ValueError as exc:
        fail(str(exc))


def read_query(text: str) -> str:
    """The query text: ``text`` itself, or the contents of the ``.rq`` file it names."""
    if text.endswith(".rq") or (
        len(text) < 4096
        and "\n" not in text
        and Path(text).suffix
        and not text.lstrip().upper().startswith(("SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "PREFIX", "BASE"))
    ):
        path = Path(text)
        try:
            return path.read_text(encoding="utf-8")
        except OSError as exc:
            fail(f"cannot read query file {path}: {exc.strerror or exc}")
    return text


def open_kg(store: Path | str | None) -> KnowledgeGraph:
    """The store at ``store`` (or the configured one) if built, else the bundled graph in memory."""
    cfg = settings(store=store)
    if remote.is_remote(cfg.store):
        try:
            return KnowledgeGraph.load(cfg.store, cfg.query_timeout)
        except (remote.RemoteError, ValueError) as exc:
            fail(one_line(exc))
    if stores.is_store(cfg.store):
        return KnowledgeGraph.load(cfg.store)
    if store is not None:
        fail(f"{store} is not a built store (run `workforce-kg build --store {store}`)")
    return KnowledgeGraph.load()


def print_table(names: list[str], rows: list[list[str]], *, numeric: Collection[str] = ()) -> None:
    """Print ``rows`` as a table under a header of ``names`` (rich; the ``numeric`` columns right-aligned).

    Cells are shown as they are (no rich markup or emoji codes). On a terminal long cells wrap to its
    width; into a pipe or file no cell is cut or wrapped.
    """
    from rich import box  # here: rich.console costs start-up time to commands that print no table
    from rich.console import Console
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for name in names:
        table.add_column(name, justify="right" if name in numeric else "left", overflow="fold")
    for row in rows:
        table.add_row(*row)
    terminal = sys.stdout.isatty()
    Console(markup=False, emoji=False, highlight=False, width=None if terminal else 1 << 16).print(table)


def term_text(term) -> str:
    """A result term as table text (blank nodes as ``_:id``, unbound as empty)."""
    if term is None:
        return ""
    return term.value if not isinstance(term, ox.BlankNode) else f"_:{term.value}"


def bad_filter(exc) -> typer.BadParameter:
    """A usage error naming the option of an invalid filter."""
    return typer.BadParameter(exc.message, param_hint=f"--{exc.field}")
