"""Curation writes (SPARQL Update, Graph Store Protocol): validated, all or nothing, durable, audited.

Writes run one at a time in the writer process (:class:`workforce_kg.writes.worker.Writer`; a lock file also keeps other
processes out). Each write:

1. decides from the update's parse (:mod:`workforce_kg.sparql.safety`) which graphs it may write, refusing
   a graph the service keeps (:func:`workforce_kg.store.local.is_kept`), ``ALL``/``NAMED``, ``LOAD`` and
   ``SERVICE``; copies the store's data folder as a RocksDB checkpoint (hard links: instant at any size);
2. applies the change to the copy and compares the graphs it can change (every graph for ``GRAPH ?g``)
   with the original: the triples added and removed; refused (403) if a kept graph changed;
3. recomputes the derived triples the change can affect (:func:`workforce_kg.store.rules.update`);
4. validates what the change touches with the shapes (incrementally:
   :func:`workforce_kg.validation.report.validate_change`), and checks the quotes of the citations it adds
   against the source texts (when the sources folder is there); refuses the write (422, with the
   results) on a violation or a quote that is not in its source;
5. records the write as PROV in the audit graph, flushes the copy to disk, writes the copy's full-text
   index beside it (:mod:`workforce_kg.store.search`) and publishes both
   (:func:`workforce_kg.store.local.publish`: one rename of the ``CURRENT`` file).

Readers keep using the published folder until step 5, so a refused, failed, stopped or killed write
changes nothing, and a write is acknowledged only once it is on disk and published.
"""

from __future__ import annotations

import fcntl
import gc
import shutil
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox

from workforce_kg import vocab
from workforce_kg.rdf import uploads
from workforce_kg.sparql import errors, safety
from workforce_kg.store import local as stores
from workforce_kg.store import rules, search
from workforce_kg.vocab import PROV, XSD, prefixes

LOCK = ".write.lock"
RDF_TYPE = ox.NamedNode(vocab.RDF_TYPE)
RDFS_LABEL = ox.NamedNode(vocab.RDFS_LABEL)

UPLOAD_FORMATS = uploads.UPLOAD_FORMATS  # media types a graph may be sent in (Graph Store Protocol bodies)


class WriteError(Exception):
    """A write refused or failed: an HTTP status, a message and, for invalid data, the SHACL report."""

    def __init__(self, status: int, message: str, report: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.report = status, message, report

    def as_json(self) -> dict:
        return {"error": self.message, **({"report": self.report} if self.report else {})}


@dataclass
class WriteRequest:
    """One write: ``operation`` is ``update`` (SPARQL Update) or the Graph Store Protocol's ``put``,
    ``post`` or ``delete`` of ``graph`` (None: the store's default graph)."""

    operation: str
    agent: str  # the name of the token that authorised it
    graph: str | None = None
    update: str | None = None
    data: bytes = b""
    media: str = "text/turtle"


def derived_graph(base: str) -> ox.NamedNode:
    return stores.graph_iri(base, "derived")


def audit_graph(base: str) -> ox.NamedNode:
    return stores.graph_iri(base, "audit")


def kept_by_service(graph: str, base: str) -> bool:
    """Graphs no write may change: the ontology, the derived triples and the audit (:func:`store.is_kept`)."""
    return stores.is_kept(graph, base)


# -- parsing and checking ----------------------------------------------------------------------------


def parse_graph(data: bytes, media: str, base_iri: str) -> list[ox.Triple]:
    """Parse a graph sent in a write (:func:`workforce_kg.rdf.uploads.parse`); WriteError 415 or 400."""
    try:
        return uploads.parse(data, media, base_iri)
    except uploads.UploadError as exc:
        raise WriteError(exc.status, exc.message) from None


def check_update(text: str, base: str) -> safety.UpdatePlan:
    """Decide on an update from its parse (:func:`workforce_kg.sparql.safety.check_update`): the graphs it may
    write; WriteError 400 for LOAD, SERVICE or a malformed text, 403 for a graph the service keeps."""
    try:
        return safety.check_update(text, base, prefixes(base), lambda g: kept_by_service(g, base))
    except safety.Refused as exc:
        raise WriteError(exc.status, exc.message) from None


# -- the write ---------------------------------------------------------------------------------------


@contextmanager
def _locked(path: Path):
    with open(path / LOCK, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _target(req: WriteRequest) -> ox.NamedNode | ox.DefaultGraph:
    return ox.DefaultGraph() if req.graph is None else ox.NamedNode(req.graph)


def _snapshot(st: ox.Store, scope: list | None) -> set[ox.Quad]:
    """The quads of the graphs in ``scope`` (None: of every graph)."""
    if scope is None:
        return set(st)
    return {q for g in scope for q in st.quads_for_pattern(None, None, None, g)}


def _kept_state(st: ox.Store, base: str) -> dict:
    """The number of quads of each graph the service keeps that ``st`` has (counted by the engine)."""
    state = {}
    for g in st.named_graphs():
        if isinstance(g, ox.NamedNode) and kept_by_service(g.value, base):
            rows = st.query(
                "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
                substitutions={ox.Variable("g"): g},
            )
            assert isinstance(rows, ox.QuerySolutions)
            row = next(iter(rows), None)  # none for an empty graph
            state[g.value] = int(row["n"].value) if row else 0
    return state


def _scope(st: ox.Store, req: WriteRequest, base: str) -> list | None:
    """The graphs a write can change, decided before it runs; None when only evaluating it tells
    (an update writing ``GRAPH ?g``). WriteError 403 when it names a graph the service keeps."""
    if req.operation != "update":
        if req.graph is not None and kept_by_service(req.graph, base):
            raise WriteError(403, f"<{req.graph}> is kept by the service and cannot be written")
        return [_target(req)]
    plan = check_update(req.update or "", base)
    for iri in sorted(plan.using):
        if not st.contains_named_graph(ox.NamedNode(iri)):
            raise WriteError(400, f"USING <{iri}>: only graphs in this store can be read; the store has no such graph")
    if plan.any_graph:
        return None
    return [ox.DefaultGraph() if g == safety.DEFAULT else ox.NamedNode(g) for g in sorted(plan.graphs)]


def _apply(st: ox.Store, req: WriteRequest, base: str) -> bool:
    """Apply the change to ``st`` (an update already checked by :func:`_scope`); whether it created the
    graph it names."""
    if req.operation == "update":
        try:
            st.update(req.update or "", base_iri=f"{base}/", prefixes=prefixes(base))
        except SyntaxError as exc:
            raise WriteError(400, errors.from_oxigraph(req.update or "", "update", exc, prefixes(base))) from None
        except (OSError, ValueError, RuntimeError) as exc:
            raise WriteError(400, f"the update failed: {exc}") from None
        return False
    graph = _target(req)
    existed = isinstance(graph, ox.DefaultGraph) or st.contains_named_graph(graph)
    if req.operation == "delete":
        if not existed:
            raise WriteError(404, f"no graph <{req.graph}> in this store")
        st.remove_graph(graph) if isinstance(graph, ox.NamedNode) else st.clear_graph(graph)
        return False
    triples = parse_graph(req.data, req.media, req.graph or f"{base}/")
    if req.operation == "put" and existed:
        st.clear_graph(graph)
    if isinstance(graph, ox.NamedNode):
        st.add_graph(graph)
    st.extend([ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples])
    return not existed


CITATIONS = """
SELECT ?fact ?citation ?doc ?file ?scheme ?locator ?quote WHERE {
  ?fact wkg:citation ?citation .
  OPTIONAL { ?citation wkg:document ?doc .
             OPTIONAL { ?doc wkg:fileName ?file } OPTIONAL { ?doc wkg:locatorScheme ?scheme } }
  OPTIONAL { ?citation wkg:locator ?locator }
  OPTIONAL { ?citation wkg:quote ?quote }
}"""


def check_quotes(st: ox.Store, added: set[ox.Quad], folder: Path, base: str) -> tuple[int, list[dict]]:
    """Check the quotes of the citations a write adds or changes against the source texts in ``folder``
    (as ``workforce-kg provenance`` does for the whole graph): each must lie in its locator's segment.

    Returns:
        The number of citations checked and the problems (fact, locator, quote, what is wrong).
    """
    from workforce_kg.provenance.citations import Document, load_segments
    from workforce_kg.provenance.sources import check_quote

    touched = {t for q in added for t in (q.subject, q.object) if not isinstance(t, ox.Literal)}
    wkg = f"{base}/def/"
    segments: dict[str, dict | str] = {}
    checked, problems = 0, []
    citations = st.query(CITATIONS, use_default_graph_as_union=True, prefixes={"wkg": wkg})
    assert isinstance(citations, ox.QuerySolutions)
    for row in citations:
        if row["fact"] not in touched and row["citation"] not in touched:
            continue
        checked += 1
        locator, quote = (row[k].value if row[k] else "" for k in ("locator", "quote"))
        doc, file = row["doc"], row["file"]
        if doc is None or file is None:
            issue: str | None = "the citation names no source document with a file name"
        else:
            if doc.value not in segments:
                scheme = row["scheme"].value.rsplit("/", 1)[-1] if row["scheme"] else ""
                headings = frozenset(
                    q.object.value
                    for q in st.quads_for_pattern(doc, ox.NamedNode(wkg + "sectionHeading"), None)
                    if not isinstance(q.object, ox.Triple)
                )
                try:
                    segments[doc.value] = load_segments(Document(doc.value, file.value, scheme, headings), folder)
                except OSError:
                    segments[doc.value] = f"the source text {file.value} is not in {folder}"
            seg = segments[doc.value]
            issue = seg if isinstance(seg, str) else check_quote(seg, locator, quote)
        if issue:
            problems.append(
                {
                    "focus": row["fact"].value if isinstance(row["fact"], ox.NamedNode) else str(row["fact"]),
                    "locator": locator,
                    "quote": quote,
                    "message": issue,
                }
            )
    return checked, problems


def _literal(value, datatype: str) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD + datatype))


def _graph_changes(added: set, removed: set, created: set, dropped: set) -> dict:
    """Per graph a change touched (the default graph included): [triples added, triples removed]."""
    changes: dict = {g: [0, 0] for g in created | dropped}
    for i, quads in enumerate((added, removed)):
        for q in quads:
            changes.setdefault(q.graph_name, [0, 0])[i] += 1
    return changes


def _audit(
    st: ox.Store, req: WriteRequest, base: str, added: set, removed: set, started: datetime, changes: dict
) -> list[ox.Quad]:
    """Record the write in the audit graph: what it changed in total and in each graph (``changes``,
    from :func:`_graph_changes`); the quads recorded, the activity's first."""
    wkg = f"{base}/def/"
    stamp = started.strftime("%Y%m%dT%H%M%S%fZ")
    activity = ox.NamedNode(f"{base}/id/write/{stamp}-{uuid.uuid4().hex[:8]}")
    agent = ox.NamedNode(f"{base}/id/agent/{quote(req.agent, safe='')}")
    operation = {"update": "SPARQL Update", "put": "PUT", "post": "POST", "delete": "DELETE"}[req.operation]
    ended = datetime.now(UTC)
    g = audit_graph(base)
    triples: list[tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode, ox.NamedNode | ox.BlankNode | ox.Literal]] = [
        (activity, RDF_TYPE, ox.NamedNode(PROV + "Activity")),
        (activity, RDFS_LABEL, ox.Literal(f"{operation} by {req.agent} at {started.isoformat()}")),
        (activity, ox.NamedNode(PROV + "startedAtTime"), _literal(started.isoformat(), "dateTime")),
        (activity, ox.NamedNode(PROV + "endedAtTime"), _literal(ended.isoformat(), "dateTime")),
        (activity, ox.NamedNode(PROV + "wasAssociatedWith"), agent),
        (activity, ox.NamedNode(wkg + "operation"), ox.Literal(operation)),
        (activity, ox.NamedNode(wkg + "triplesAdded"), _literal(len(added), "nonNegativeInteger")),
        (activity, ox.NamedNode(wkg + "triplesRemoved"), _literal(len(removed), "nonNegativeInteger")),
        (agent, RDF_TYPE, ox.NamedNode(PROV + "Agent")),
        (agent, RDFS_LABEL, ox.Literal(req.agent)),
    ]
    if req.graph is not None:
        changes.setdefault(ox.NamedNode(req.graph), [0, 0])
    for i, (graph, (n_added, n_removed)) in enumerate(sorted(changes.items(), key=lambda kv: str(kv[0]))):
        node = ox.NamedNode(f"{activity.value}/graph/{i + 1}")
        triples += [
            (activity, ox.NamedNode(wkg + "graphChange"), node),
            (node, RDF_TYPE, ox.NamedNode(wkg + "GraphChange")),
            (node, ox.NamedNode(wkg + "triplesAdded"), _literal(n_added, "nonNegativeInteger")),
            (node, ox.NamedNode(wkg + "triplesRemoved"), _literal(n_removed, "nonNegativeInteger")),
        ]
        if isinstance(graph, ox.NamedNode):
            triples += [
                (activity, ox.NamedNode(wkg + "changedGraph"), graph),
                (node, ox.NamedNode(wkg + "graph"), graph),
            ]
        else:
            triples.append((node, RDFS_LABEL, ox.Literal("the default graph")))
    if req.update is not None:
        triples.append((activity, ox.NamedNode(wkg + "updateText"), ox.Literal(req.update)))
    quads = [ox.Quad(s, p, o, g) for s, p, o in triples]
    st.extend(quads)
    return quads


def change(
    st: ox.Store,
    req: WriteRequest,
    base: str,
    shapes=None,
    sources: Path | None = None,
    started: datetime | None = None,
) -> tuple[set[ox.Quad], set[ox.Quad], dict]:
    """Steps 2-5 of a write on ``st`` (a copy of the store, on disk or in memory): apply the change,
    update the derived triples, validate what the change touches, check its quotes, record the audit.

    Returns:
        The quads the change added and removed (derived and audit triples aside), and the answer to the
        client: ``added``, ``removed`` (counts), ``created``, ``activity``, ``warnings``, ``quotes_checked``.
    Raises:
        WriteError: the write is refused; the caller drops the copy.
    """
    from workforce_kg.validation import report as validation  # pySHACL: loaded by the writer process only

    derived = derived_graph(base)
    started = started or datetime.now(UTC)
    scope = _scope(st, req, base)  # static: from the update's parse, or the graph a request names
    # checked again on the difference: an update whose graphs only evaluation tells (GRAPH ?g) is
    # compared in full (every graph); any other on the graphs it names, and, as the parse decided which
    # those are, the graphs the service keeps on their sizes, counted by the engine (about 0.3 s for a
    # 400,000-quad derived graph, against some 7 s to snapshot it in Python). A Graph Store request
    # names its graph in the URL, not in parsed text: its graph alone is compared.
    tripwire = req.operation == "update" and scope is not None
    kept_before = _kept_state(st, base) if tripwire else None
    names_before = set(st.named_graphs())
    before = _snapshot(st, scope)
    created = _apply(st, req, base)
    after = _snapshot(st, scope)
    names_after = set(st.named_graphs())
    kept = {
        g.value
        for g in {q.graph_name for q in before ^ after} | (names_before ^ names_after)
        if isinstance(g, ox.NamedNode) and kept_by_service(g.value, base)
    }
    if kept_before is not None:
        kept_after = _kept_state(st, base)
        kept |= {g for g in kept_before.keys() | kept_after.keys() if kept_before.get(g) != kept_after.get(g)}
    if kept:
        raise WriteError(403, f"<{min(kept)}> is kept by the service and cannot be written; nothing was changed")
    added, removed = after - before, before - after
    changes = _graph_changes(added, removed, names_after - names_before, names_before - names_after)
    rules.update(st, derived, added, removed, base)
    # what whole-graph validation gives on the nodes the change can affect, in time that grows with the
    # change, not the store: problems elsewhere, which the change neither made nor mended, do not block it.
    # The derived triples are not part of the change: the shapes read none of them but the types, which
    # validation entails itself from the types the change adds or removes.
    report = validation.validate_change(st, added, removed, shapes, base)
    if not report.conforms:
        violations = [r.as_dict() for r in report.results if r.severity == "Violation"]
        raise WriteError(
            422,
            f"the write would break {len(violations)} constraint(s) of the shapes; nothing was changed",
            {"conforms": False, "violations": len(violations), "results": violations},
        )
    quotes = None
    if sources is not None and sources.is_dir():
        quotes, problems = check_quotes(st, added, sources, base)
        if problems:
            raise WriteError(
                422,
                f"{len(problems)} quote(s) are not in the source text where their locator points; nothing was changed",
                {"quotes": problems},
            )
    recorded = _audit(st, req, base, added, removed, started, changes)
    subject = recorded[0].subject
    assert isinstance(subject, ox.NamedNode)  # the activity
    activity = subject.value
    # the audit's derived triples too (superclass types of its PROV classes, if the ontology gives any):
    # the derived graph stays what rules.apply gives on the whole store, which the next update relies on
    rules.update(st, derived, set(recorded), (), base)
    return (
        added,
        removed,
        {
            "added": len(added),
            "removed": len(removed),
            "created": created,
            "activity": activity,
            "warnings": report.warnings,
            "quotes_checked": quotes,
        },
    )


def perform(path: Path, req: WriteRequest, shapes=None, sources: Path | None = None) -> dict:
    """Carry out one write on the on-disk store at ``path`` (see the module docstring for the steps).

    Returns:
        What changed: ``added``, ``removed``, ``created``, ``activity`` (the audit record), ``generation``.
    Raises:
        WriteError: the write was refused; the store is unchanged.
    """
    path = Path(path)
    base = stores.store_base(path)
    if req.graph is not None and kept_by_service(req.graph, base):
        raise WriteError(403, f"<{req.graph}> is kept by the service and cannot be written")
    if req.operation == "update":
        check_update(req.update or "", base)  # refused before any copy is made (the decision is cached)
    started = datetime.now(UTC)
    with _locked(path):
        stores.prune(path, grace=600)
        name, tmp = stores.next_generation(path)
        st = None
        try:
            stores.open_store(path).backup(str(tmp))
            st = ox.Store(str(tmp))
            _, _, answer = change(st, req, base, shapes, sources, started)
            st.flush()
            search.build(st, base, search.index_path(path, name))  # the new version's index, before it is published
            del st
            st = None
            stores.publish(path, name, tmp)
        except BaseException as exc:
            del st
            # the traceback holds the frames of change(), which hold the copy: drop them, then close
            # the copy now (RocksDB keeps its folder locked while open, and the next write reuses it)
            exc.__traceback__ = None
            gc.collect()
            shutil.rmtree(tmp, ignore_errors=True)
            raise exc from None
    return {**answer, "generation": name}
