"""A remote SPARQL 1.1 store (Virtuoso, Fuseki, GraphDB …) behind the part of pyoxigraph's ``Store`` API
that the service uses, so the knowledge graph can live on a server of its own.

A target is written ``remote:<query endpoint>``, optionally ``|<update endpoint>`` when updates go
elsewhere; credentials go in the URL (``http://user:password@host/...``, HTTP Basic or Digest).
Queries are sent as form POSTs (https://www.w3.org/TR/sparql11-protocol/#query-via-post-urlencoded;
Virtuoso hangs on ``application/sparql-query`` bodies). Results come back as real pyoxigraph objects:
SELECT and ASK through ``parse_query_results``, CONSTRUCT and DESCRIBE as the ``QueryTriples`` of a
small in-memory store holding the returned triples.

Only the graphs named ``{base}/graph/...`` are ours: the union default graph is their union, sent
as ``default-graph-uri``/``named-graph-uri`` on every query, so other data on the server (Virtuoso's
system graphs, say) stays out of the answers.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator
from typing import TypeGuard

import pyoxigraph as ox

from workforce_kg.vocab import XSD

PREFIX = "remote:"
CHUNK = 800  # quads per INSERT (Virtuoso refuses updates that compile to over 10,000 lines of SQL)
GRAPHS_TTL = 10.0  # seconds the list of our graphs is reused before it is asked for again

_TOKENS = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*'
)
_FORM = re.compile(r"(?<![\w?$:])(SELECT|ASK|CONSTRUCT|DESCRIBE)(?![\w:])", re.IGNORECASE)
XSD_DECIMAL = XSD + "decimal"
_BNODE_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


class RemoteError(OSError):
    """The remote store cannot be reached or refused a request (the message is one line)."""


def is_remote(target: object) -> TypeGuard[str]:
    """Whether ``target`` names a remote SPARQL store (``remote:...``)."""
    return isinstance(target, str) and target.startswith(PREFIX)


def parse_target(target: str) -> tuple[str, str]:
    """The query and update endpoint URLs of ``remote:<query>[|<update>]``."""
    urls = target[len(PREFIX) :].split("|", 1)
    for url in urls:
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise ValueError(f"{target!r}: expected remote:http(s)://host[:port]/path[|update URL]")
    return urls[0], urls[-1]


def display(target: str) -> str:
    """``target`` with any password replaced by ``***`` (safe to print and log)."""
    return re.sub(r"(//[^/:@|]+:)[^@/|]*@", r"\1***@", target)


def query_form(sparql: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first form keyword outside strings, IRIs and comments."""
    m = _FORM.search(_TOKENS.sub(" ", sparql))
    return m.group(1).upper() if m else "SELECT"


def _one_line(text: str, limit: int = 300) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return (lines[0] if lines else "no message")[:limit]


class Endpoint:
    """One HTTP endpoint: form POSTs with a timeout, credentials from the URL, one-line errors."""

    def __init__(self, url: str, timeout: float):
        parts = urllib.parse.urlsplit(url)
        self.url = urllib.parse.urlunsplit(
            parts._replace(netloc=parts.netloc.rsplit("@", 1)[-1])
        )  # without credentials
        self.timeout = timeout
        handlers = []
        if parts.username:
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            passwords.add_password(
                None, self.url, urllib.parse.unquote(parts.username), urllib.parse.unquote(parts.password or "")
            )
            handlers = [urllib.request.HTTPDigestAuthHandler(passwords), urllib.request.HTTPBasicAuthHandler(passwords)]
        self.opener = urllib.request.build_opener(*handlers)

    def post(self, fields: list[tuple[str, str]], accept: str) -> tuple[bytes, str]:
        """POST ``fields`` as a form; the body and media type of a successful answer.

        Raises:
            SyntaxError: the remote rejected the request as malformed (HTTP 400).
            RemoteError: the remote is unreachable, too slow, refused the request or stopped the query early.
        """
        data = urllib.parse.urlencode(fields).encode("utf-8")
        request = urllib.request.Request(
            self.url, data=data, headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": accept}
        )
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                body = response.read()
                state = response.headers.get("X-SQL-State")  # Virtuoso's "anytime" partial answers
                if state:
                    raise RemoteError(
                        f"the remote SPARQL store {self.url} returned a partial answer ({state}: "
                        f"{response.headers.get('X-SQL-Message', 'time or size limit reached')})"
                    )
                return body, response.headers.get_content_type()
        except urllib.error.HTTPError as exc:
            message = _one_line(exc.read().decode("utf-8", "replace"))
            if exc.code == 400:
                raise SyntaxError(message) from None
            raise RemoteError(f"the remote SPARQL store {self.url} answered HTTP {exc.code}: {message}") from None
        except TimeoutError:
            raise RemoteError(f"the remote SPARQL store {self.url} did not answer within {self.timeout:g} s") from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise RemoteError(
                    f"the remote SPARQL store {self.url} did not answer within {self.timeout:g} s"
                ) from None
            reason = (
                exc.reason
                if isinstance(exc.reason, str)
                else (getattr(exc.reason, "strerror", None) or str(exc.reason))
            )
            raise RemoteError(f"the remote SPARQL store {self.url} is unreachable: {reason}") from None
        except OSError as exc:
            if isinstance(exc, RemoteError):
                raise
            raise RemoteError(f"the remote SPARQL store {self.url} is unreachable: {exc.strerror or exc}") from None


class RemoteStore:
    """A remote SPARQL 1.1 endpoint that answers like a pyoxigraph ``Store`` (read side, plus updates).

    Args:
        endpoint: the query endpoint URL (credentials may be in it).
        update_endpoint: where updates go (default: the query endpoint).
        timeout: seconds to wait for each answer.
        graph_prefix: only graphs whose IRI starts with this are part of the dataset (None: all graphs).
    """

    def __init__(
        self, endpoint: str, update_endpoint: str | None = None, timeout: float = 30.0, graph_prefix: str | None = None
    ):
        self.endpoint = Endpoint(endpoint, timeout)
        self.update_endpoint = Endpoint(update_endpoint or endpoint, timeout)
        self.graph_prefix = graph_prefix
        self.base: str | None = None
        self.virtuoso_bnodes = False  # Virtuoso names blank nodes nodeID://…, and accepts <nodeID://…> back
        self._graphs: tuple[float, list[ox.NamedNode]] | None = None

    @classmethod
    def open(cls, target: str, timeout: float = 30.0, base: str | None = None) -> RemoteStore:
        """Connect to ``remote:...`` and find the dataset's graphs (``{base}/graph/...``).

        Raises:
            RemoteError: unreachable, or no workforce-kg graphs there (or several bases and none given).
        """
        query_url, update_url = parse_target(target)
        store = cls(query_url, update_url, timeout)
        if base is None:
            bases = sorted(
                {g.value[: -len("/graph/derived")] for g in store.named_graphs() if g.value.endswith("/graph/derived")}
            )
            if not bases:
                raise RemoteError(
                    f"the remote SPARQL store {store.endpoint.url} holds no workforce-kg graphs "
                    f"(load them with `workforce-kg build --store {display(target)}`)"
                )
            if len(bases) > 1:
                raise RemoteError(
                    f"the remote SPARQL store {store.endpoint.url} holds graphs of several bases "
                    f"({', '.join(bases)}); keep one dataset per base"
                )
            base = bases[0]
        store.base = base
        store.graph_prefix = f"{base}/graph/"
        store._graphs = None
        return store

    # -- terms and results ---------------------------------------------------------------------------

    def _bnode(self, label: str) -> ox.BlankNode:
        if label.startswith("nodeID://"):
            self.virtuoso_bnodes = True
            label = label[len("nodeID://") :]
        return ox.BlankNode(label if _BNODE_ID.fullmatch(label) and not label.endswith(".") else None)

    def term_text(self, term) -> str:
        """A term in SPARQL syntax; a blank node as the server's own reference to it."""
        if isinstance(term, ox.BlankNode):
            return f"<nodeID://{term.value}>" if self.virtuoso_bnodes else f"<_:{term.value}>"  # Jena: <_:label>
        return str(term)

    def _solutions(self, body: bytes):
        """SPARQL JSON results as pyoxigraph's own objects, after mending what other servers write differently."""
        doc = json.loads(body)
        for row in doc.get("results", {}).get("bindings", []):
            for term in row.values():
                if term.get("type") == "typed-literal":  # SPARQL 1.0 JSON (Virtuoso)
                    term["type"] = "literal"
                elif term.get("type") == "bnode":
                    term["value"] = self._bnode(term["value"]).value
                if not isinstance(term.get("value"), str):
                    term["value"] = json.dumps(term["value"])
        doc.get("head", {}).pop("link", None)
        return ox.parse_query_results(json.dumps(doc), format=ox.QueryResultsFormat.JSON)

    @staticmethod
    def _triples(body: bytes):
        """N-Triples as a real ``QueryTriples`` (the iterator type callers check for)."""
        holder = ox.Store()
        holder.extend(
            ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
            for t in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)
        )
        return holder.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")

    # -- the Store API -------------------------------------------------------------------------------

    def query(
        self,
        query: str,
        *,
        prefixes: dict[str, str] | None = None,
        use_default_graph_as_union: bool = False,
        default_graph=None,
        named_graphs=None,
        base_iri: str | None = None,
    ):
        """Run a SPARQL query on the remote, with the keyword arguments of ``pyoxigraph.Store.query``.

        Raises:
            SyntaxError: the remote found the query malformed.
            RemoteError: see :meth:`Endpoint.post`.
        """
        prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in (prefixes or {}).items())
        if base_iri:
            prologue = f"BASE <{base_iri}>\n" + prologue
        fields = [("query", prologue + query)]
        if use_default_graph_as_union:
            defaults = [g.value for g in self.named_graphs()]
        elif default_graph is not None:
            graphs = default_graph if isinstance(default_graph, (list, tuple)) else [default_graph]
            defaults = [g.value for g in graphs if isinstance(g, ox.NamedNode)]
        else:
            defaults = []  # with named graphs only, the protocol's default graph is empty, as in our stores
        named = [g.value for g in (self.named_graphs() if named_graphs is None else named_graphs)]
        fields += [("default-graph-uri", g) for g in defaults] + [("named-graph-uri", g) for g in named]
        form = query_form(query)
        if form in ("CONSTRUCT", "DESCRIBE"):
            body, _ = self.endpoint.post(fields, "application/n-triples")
            return self._triples(body)
        body, _ = self.endpoint.post(fields, "application/sparql-results+json")
        return self._solutions(body)

    def named_graphs(self) -> Iterator[ox.NamedNode]:
        """The dataset's named graphs (those under ``graph_prefix``), cached for a few seconds."""
        if self._graphs is None or time.monotonic() - self._graphs[0] > GRAPHS_TTL:
            body, _ = self.endpoint.post(
                [("query", "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")], "application/sparql-results+json"
            )
            graphs = sorted(
                {
                    s["g"]
                    for s in self._solutions(body)
                    if isinstance(s["g"], ox.NamedNode)
                    and (self.graph_prefix is None or s["g"].value.startswith(self.graph_prefix))
                },
                key=lambda g: g.value,
            )
            self._graphs = (time.monotonic(), graphs)
        return iter(self._graphs[1])

    def contains_named_graph(self, graph: ox.NamedNode) -> bool:
        """Whether ``graph`` is one of the dataset's named graphs."""
        return graph in set(self.named_graphs())

    def quads_for_pattern(self, subject=None, predicate=None, object=None, graph_name=None) -> Iterator[ox.Quad]:
        """The quads of the dataset's named graphs matching a pattern (None matches anything)."""
        terms = [
            self.term_text(t) if t is not None else f"?{v}"
            for t, v in zip((subject, predicate, object), "spo", strict=True)
        ]
        graph = "?g" if graph_name is None or isinstance(graph_name, ox.DefaultGraph) else self.term_text(graph_name)
        if isinstance(graph_name, ox.DefaultGraph):
            return iter([])
        result = self.query(
            f"SELECT ?s ?p ?o ?g WHERE {{ GRAPH {graph} {{ {' '.join(terms)} }} }}",
            named_graphs=None if graph_name is None else [graph_name],
        )
        fixed = (subject, predicate, object, graph_name)
        return iter(
            [ox.Quad(*(t if t is not None else sol[v] for t, v in zip(fixed, "spog", strict=True))) for sol in result]
        )

    def __iter__(self) -> Iterator[ox.Quad]:
        return self.quads_for_pattern()

    def __len__(self) -> int:
        result = self.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(next(iter(result))["n"].value)

    def dump(self, output=None, format=None, *, from_graph=None, prefixes=None, base_iri=None):
        """Write every quad of the dataset (or the triples of ``from_graph``), as ``Store.dump`` does."""
        if from_graph is not None:
            data: Iterable = [
                ox.Triple(q.subject, q.predicate, q.object) for q in self.quads_for_pattern(graph_name=from_graph)
            ]
        else:
            data = self.quads()
        return ox.serialize(data, output, format=format, prefixes=prefixes, base_iri=base_iri)

    def quads(self) -> list[ox.Quad]:
        """Every quad of the dataset, fetched graph by graph (smaller answers), each checked complete.

        Raises:
            RemoteError: the remote cut an answer short (its result row limit).
        """
        data = []
        for g in self.named_graphs():
            quads = list(self.quads_for_pattern(graph_name=g))
            expected = int(
                next(
                    iter(self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {g} {{ ?s ?p ?o }} }}", named_graphs=[g]))
                )["n"].value
            )
            if len(quads) != expected:
                raise RemoteError(
                    f"the remote SPARQL store returned {len(quads)} of the {expected} triples of {g}: "
                    "raise its result row limit (Virtuoso: [SPARQL] ResultSetMaxRows)"
                )
            data += quads
        return data

    def forget_graphs(self) -> None:
        """Ask for the list of graphs again next time (after a write that may have added or dropped one)."""
        self._graphs = None

    # -- writes --------------------------------------------------------------------------------------

    def update(self, update: str) -> None:
        """Run a SPARQL 1.1 Update on the update endpoint."""
        self.update_endpoint.post([("update", update)], "*/*")
        self._graphs = None

    def replace_graphs(self, quads: list[ox.Quad], drop: Iterable[ox.NamedNode] = ()) -> None:
        """Drop the graphs ``drop`` and those ``quads`` go to, then insert ``quads`` in chunks.

        Quads that share a blank node go in the same request: a blank node label means the same node
        only within one update, and derived triples point at the citation nodes of the source graphs.
        """
        targets = {q.graph_name for q in quads} | set(drop)
        for g in sorted(targets, key=str):
            self.update(f"DROP SILENT GRAPH {g}")
        for chunk in chunks(quads, CHUNK):
            by_graph: dict = {}
            for q in chunk:
                by_graph.setdefault(q.graph_name, []).append(f"{q.subject} {q.predicate} {data_term(q.object)} .")
            blocks = "\n".join(f"GRAPH {g} {{\n" + "\n".join(lines) + "\n}" for g, lines in by_graph.items())
            self.update(f"INSERT {{\n{blocks}\n}} WHERE {{}}")  # INSERT DATA may not hold blank nodes in Virtuoso 7


def data_term(term) -> str:
    """A term to write in an update. An integral xsd:decimal gets its ".0" (the same value): Virtuoso
    turns ``"80"^^xsd:decimal`` in a SPARQL update into an xsd:integer."""
    if isinstance(term, ox.Literal) and term.datatype.value == XSD_DECIMAL and re.fullmatch(r"[+-]?\d+", term.value):
        return str(ox.Literal(term.value + ".0", datatype=term.datatype))
    return str(term)


def chunks(quads: list[ox.Quad], size: int) -> Iterator[list[ox.Quad]]:
    """``quads`` in lists of about ``size``, never splitting the quads connected through blank nodes."""
    parent: dict = {}

    def root(node):
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for q in quads:
        nodes = [t for t in (q.subject, q.object) if isinstance(t, ox.BlankNode)]
        for other in nodes[1:]:
            parent[root(other)] = root(nodes[0])
    groups: dict = {}
    for i, q in enumerate(quads):
        key = (
            root(q.subject)
            if isinstance(q.subject, ox.BlankNode)
            else root(q.object)
            if isinstance(q.object, ox.BlankNode)
            else i
        )
        groups.setdefault(key, []).append(q)
    chunk: list[ox.Quad] = []
    for group in groups.values():
        if chunk and len(chunk) + len(group) > size:
            yield chunk
            chunk = []
        chunk += group
    if chunk:
        yield chunk


def build(target: str, store: ox.Store, base: str, timeout: float = 300.0) -> int:
    """Load every quad of ``store`` (a populated in-memory store) into the remote, replacing our graphs there.

    Returns:
        The number of quads in the remote's ``{base}/graph/...`` graphs afterwards.
    """
    query_url, update_url = parse_target(target)
    remote = RemoteStore(query_url, update_url, timeout, graph_prefix=f"{base}/graph/")
    remote.replace_graphs(list(store), drop=list(remote.named_graphs()))
    return len(remote)
