"""A small Python API for notebooks and scripts: load the graph, run SPARQL, get rows as dicts.

>>> from workforce_kg import KnowledgeGraph
>>> kg = KnowledgeGraph.load()
>>> kg.rows("SELECT ?c WHERE { ?c a wkg:Commitment } LIMIT 1")
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox

from workforce_kg.store import local as stores
from workforce_kg.store import remote
from workforce_kg.vocab import DEFAULT_BASE_IRI, XSD, prefixes


def to_python(term):
    """A result term as a plain Python value: IRIs and blank nodes as strings, typed literals converted."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    dt = term.datatype.value
    try:
        if dt == XSD + "integer" or dt.endswith(("#int", "#long", "#nonNegativeInteger")):
            return int(term.value)
        if dt == XSD + "decimal":
            value = Decimal(term.value)
            return int(value) if value == value.to_integral_value() else float(value)
        if dt in (XSD + "double", XSD + "float"):
            return float(term.value)
        if dt == XSD + "boolean":
            return term.value in ("true", "1")
    except ValueError:
        pass
    return term.value


class KnowledgeGraph:
    """The knowledge graph in an Oxigraph store (or a remote SPARQL store), with SPARQL helpers."""

    def __init__(self, store: ox.Store | remote.RemoteStore, base: str = DEFAULT_BASE_IRI, path: Path | None = None):
        self.store = store
        self.base = base
        self.prefixes = prefixes(base)
        self.path = path  # the on-disk store, if any
        self.generation = stores.generation(path) if path is not None else None

    @classmethod
    def load(cls, store_path: str | Path | None = None, timeout: float = 30.0) -> KnowledgeGraph:
        """Open a built store at ``store_path`` (or ``remote:<SPARQL endpoint URL>``, each answer awaited at
        most ``timeout`` seconds), or load the bundled graph into memory."""
        if store_path is None:
            return cls(stores.memory_store())
        if remote.is_remote(store_path):
            store = remote.RemoteStore.open(store_path, timeout)
            assert store.base is not None  # open() finds it
            return cls(store, store.base)
        path = Path(store_path)
        return cls(stores.open_store(path), stores.store_base(path), path)

    def refresh(self) -> bool:
        """Reopen an on-disk store when a write has published a new version of it; whether it did.

        A read-only handle sees the data as it was when opened, so readers call this before each request.
        """
        generation = stores.generation(self.path) if self.path is not None else None
        if generation == self.generation:
            return False
        assert self.path is not None  # only an on-disk store has a generation
        self.store = stores.open_store(self.path)
        self.generation = generation
        return True

    def localise(self, sparql: str) -> str:
        """A query written against the canonical base, rewritten for this store's base.

        The competency questions and examples name ``https://w3id.org/workforce-kg/...`` IRIs; a store
        built with another base (``--base-iri``) holds the same graph under that base.
        """
        if self.base == DEFAULT_BASE_IRI:
            return sparql
        return sparql.replace(DEFAULT_BASE_IRI + "/", self.base + "/")

    def query(self, sparql: str):
        """Run a SPARQL query over the union of all graphs; our prefixes are predeclared.

        Raises:
            SyntaxError: the query does not parse (the message gives the position).
        """
        return self.store.query(self.localise(sparql), use_default_graph_as_union=True, prefixes=self.prefixes)

    def rows(self, sparql: str) -> list[dict]:
        """Rows of a SELECT query as dicts of plain Python values (unbound variables are None)."""
        result = self.query(sparql)
        if not isinstance(result, ox.QuerySolutions):
            raise ValueError("rows() needs a SELECT query")
        names = [v.value for v in result.variables]
        return [{n: to_python(sol[n]) for n in names} for sol in result]

    def ask(self, sparql: str) -> bool:
        result = self.query(sparql)
        if not isinstance(result, ox.QueryBoolean):
            raise ValueError("ask() needs an ASK query")
        return bool(result)

    def dataframe(self, sparql: str):
        """Rows of a SELECT query as a pandas DataFrame (needs pandas installed)."""
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("dataframe() needs pandas: pip install pandas") from exc
        result = self.query(sparql)
        names = [v.value for v in result.variables]
        return pd.DataFrame([[to_python(sol[n]) for n in names] for sol in result], columns=names)

    def __len__(self) -> int:
        return len(self.store)
