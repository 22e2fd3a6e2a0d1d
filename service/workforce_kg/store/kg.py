"""A small Python API for notebooks and scripts: load the graph, run SPARQL, get rows as dicts.

>>> from workforce_kg import KnowledgeGraph
>>> kg = KnowledgeGraph.load()
>>> kg.rows("SELECT ?c WHERE { ?c a wkg:Commitment } LIMIT 1")
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox

from workforce_kg.store import local as stores
from workforce_kg.store import remote, search
from workforce_kg.vocab import DEFAULT_BASE_IRI, XSD, prefixes

#: Seconds an index of a remote store's texts is used before it is made again (a write through this
#: service drops it at once: :meth:`KnowledgeGraph.forget_search`).
REMOTE_SEARCH_TTL = 300.0


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
        self._search: search.SearchIndex | None = None
        self._search_made = 0.0
        self._hits: OrderedDict[str, dict[str, search.Hit]] = OrderedDict()
        self._hits_lock = threading.Lock()  # the web process searches from several threads

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
        self.forget_search()
        return True

    def written(self) -> None:
        """See a write made through this service: reopen an on-disk store at the published version; for a
        remote store, forget its cached graph names and search index (made again on the next search)."""
        self.refresh()
        if isinstance(self.store, remote.RemoteStore):
            self.store.forget_graphs()  # the write may have added or dropped a graph
            self.forget_search()

    # -- full-text search ------------------------------------------------------------------------------

    def search_index(self) -> search.SearchIndex:
        """The full-text index of this version of the store (:mod:`workforce_kg.store.search`): the file a
        build or write made beside it, opened read-only; made in memory for an in-memory store, a remote
        store (again after :data:`REMOTE_SEARCH_TTL` seconds) or a store built before search existed."""
        index = self._search
        stale = isinstance(self.store, remote.RemoteStore) and time.monotonic() - self._search_made > REMOTE_SEARCH_TTL
        if index is None or stale:
            file = search.index_path(self.path, self.generation) if self.path and self.generation else None
            if file is not None and file.exists():
                index = search.open_index(file)
            else:
                index = search.memory_index(self.store, self.base)
            self._search, self._search_made, self._hits = index, time.monotonic(), OrderedDict()
        return index

    def forget_search(self) -> None:
        """Drop the search index (and cached answers): the next search opens or makes it again."""
        self._search, self._hits = None, OrderedDict()

    def search_hits(self, text: str) -> dict[str, search.Hit]:
        """The things matching ``text`` (plain words), by IRI; the last few answers are kept, as the SPARQL
        functions ask once per solution."""
        index = self.search_index()
        with self._hits_lock:
            hits = self._hits.get(text)
        if hits is None:
            hits = index.scores(text)
            with self._hits_lock:
                self._hits[text] = hits
                while len(self._hits) > 32:
                    self._hits.popitem(last=False)
        return hits

    def functions(self) -> dict:
        """The SPARQL extension functions (``wkgfn:``, see docs/search.md) for ``custom_functions`` of
        ``pyoxigraph.Store.query``: ``wkgfn:score(?thing, "words")`` (the BM25 score of ``?thing`` as
        ``/api/search`` gives it, unbound when it does not match) and ``wkgfn:snippet(?thing, "words")``
        (its best-matching text, matched words in «»)."""
        ns = self.prefixes["wkgfn"]

        def hit(node, text) -> search.Hit | None:
            if not isinstance(node, ox.NamedNode) or not isinstance(text, ox.Literal):
                return None
            return self.search_hits(text.value).get(node.value)

        def score(node, text):
            found = hit(node, text)
            return None if found is None else ox.Literal(repr(found.score), datatype=ox.NamedNode(XSD + "double"))

        def snippet(node, text):
            found = hit(node, text)
            return None if found is None else ox.Literal(found.best.snippet.marked())

        return {ox.NamedNode(ns + "score"): score, ox.NamedNode(ns + "snippet"): snippet}

    def query_options(self) -> dict:
        """Keyword arguments every query on this store gets: the prefixes, and the search functions where
        this process evaluates the query (not on a remote store, which evaluates its own queries)."""
        options: dict = {"prefixes": self.prefixes}
        if isinstance(self.store, ox.Store):
            options["custom_functions"] = self.functions()
        return options

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
        return self.store.query(self.localise(sparql), use_default_graph_as_union=True, **self.query_options())

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
