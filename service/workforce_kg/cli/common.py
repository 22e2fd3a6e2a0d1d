"""What the commands share: options, one-line failures, settings, opening the store, tables."""

from __future__ import annotations

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


def render_table(names: list[str], rows: list[list[str]]) -> str:
    """Rows as a plain-text table under a header of ``names``."""
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]
    line = "  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(out)


def term_text(term) -> str:
    """A result term as table text (blank nodes as ``_:id``, unbound as empty)."""
    if term is None:
        return ""
    return term.value if not isinstance(term, ox.BlankNode) else f"_:{term.value}"


def bad_filter(exc) -> typer.BadParameter:
    """A usage error naming the option of an invalid filter."""
    return typer.BadParameter(exc.message, param_hint=f"--{exc.field}")
