"""SPARQL kept in named ``.rq`` files beside the code, run with values bound as RDF terms.

A query file declares each value it takes as an empty ``VALUES ?name {}`` block (so the file parses
as it is: with no values it matches nothing). :func:`select` and :func:`ask` fill such a block with
terms serialised by pyoxigraph — an ``ox.NamedNode`` cannot end its ``<…>`` early, an ``ox.Literal``
escapes its own text — and nothing else ever enters the query text. This works the same against the
embedded store and a remote SPARQL server (pyoxigraph's ``substitutions=`` does not).

A file may also hold ``#PATTERN`` slots filled with a pattern written in the code (the per-type filters
of :mod:`workforce_kg.analysis.entities`): patterns are SPARQL text without values, their values travel
through ``VALUES`` blocks like any other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from workforce_kg.store.kg import KnowledgeGraph

QUERY_DIR = Path(__file__).parent / "queries"
Term = ox.NamedNode | ox.Literal
Values = Term | Iterable[Term]

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@cache
def text(name: str) -> str:
    """The text of ``queries/<name>.rq``."""
    return (QUERY_DIR / f"{name}.rq").read_text(encoding="utf-8")


def values_block(var: str, values: Values) -> str:
    """``VALUES ?var { t1 t2 … }`` from RDF terms (TypeError for anything that is not a term)."""
    if not _NAME.match(var):
        raise ValueError(f"not a variable name: {var!r}")
    terms = [values] if isinstance(values, Term) else list(values)
    for t in terms:
        if not isinstance(t, Term):
            raise TypeError(f"?{var} takes RDF terms, not {type(t).__name__}")
    return f"VALUES ?{var} {{ {' '.join(str(t) for t in terms)} }}"


def bind(sparql: str, patterns: Mapping[str, str] | None = None, /, **values: Values) -> str:
    """``sparql`` with its ``#PATTERN`` slots filled and its empty ``VALUES ?var {}`` blocks bound."""
    for slot, pattern in (patterns or {}).items():
        marker = f"#{slot}"
        if marker not in sparql:
            raise KeyError(f"no slot {marker} in the query")
        sparql = sparql.replace(marker, pattern)
    for var, vals in values.items():
        empty = f"VALUES ?{var} {{}}"
        if empty not in sparql:
            raise KeyError(f"no empty VALUES ?{var} {{}} block in the query")
        sparql = sparql.replace(empty, values_block(var, vals))
    return sparql


def run(kg: KnowledgeGraph, sparql: str) -> list[tuple]:
    """Rows of a SELECT query as tuples of terms (None where unbound)."""
    result = kg.query(sparql)
    names = [v.value for v in result.variables]
    return [tuple(sol[n] for n in names) for sol in result]


def select(
    kg: KnowledgeGraph, name: str, patterns: Mapping[str, str] | None = None, /, **values: Values
) -> list[tuple]:
    """Rows of the SELECT query ``queries/<name>.rq`` with ``values`` bound."""
    return run(kg, bind(text(name), patterns, **values))


def ask(kg: KnowledgeGraph, name: str, **values: Values) -> bool:
    """The answer of the ASK query ``queries/<name>.rq`` with ``values`` bound."""
    return kg.ask(bind(text(name), None, **values))
