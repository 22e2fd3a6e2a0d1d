"""Validate uploaded RDF as if it were added to a store, in confined worker processes.

The body is parsed by :func:`workforce_kg.rdf.uploads.parse` (the parser of the Graph Store writes too)
and validated by :func:`validate_upload`; :func:`validation_main` is the loop of a validation worker
(run by :class:`workforce_kg.sparql.executor.QueryExecutor`, like query workers).
"""

from __future__ import annotations

import json
import threading

import pyoxigraph as ox
from rdflib import RDF, SH, Graph, Literal

from workforce_kg.rdf import uploads
from workforce_kg.sparql.executor import backstop, die_with_parent, start_confined
from workforce_kg.sparql.protocol import Outcome, error_outcome
from workforce_kg.store import local as stores
from workforce_kg.store.kg import KnowledgeGraph
from workforce_kg.validation import report as validation


class Overlay:
    """A read-only view of a store with more quads (the upload, in a small in-memory store) added: what
    :func:`workforce_kg.validation.report.validate_change` reads, without copying or changing the store."""

    def __init__(self, store: ox.Store, extra: ox.Store):
        self.store, self.extra = store, extra

    def quads_for_pattern(self, subject, predicate, obj, graph_name=None):
        yield from self.store.quads_for_pattern(subject, predicate, obj, graph_name)
        yield from self.extra.quads_for_pattern(subject, predicate, obj, graph_name)

    def __iter__(self):
        yield from self.store
        yield from self.extra


def validate_upload(store: ox.Store, triples: list[ox.Triple], base: str, shapes: Graph) -> validation.Report:
    """Validate ``triples`` as if added to ``store``: the results about the nodes they mention.

    :func:`workforce_kg.validation.report.validate_change` gives exactly what validating the whole resulting graph
    gives on the nodes the addition can affect, reading only around them (fast on a large store); the
    results are then narrowed to the nodes the upload mentions.
    """
    extra = ox.Store()
    extra.extend([ox.Quad(t.subject, t.predicate, t.object) for t in triples])
    report = validation.validate_change(Overlay(store, extra), triples, (), shapes, base)
    mentioned = {
        str(validation.to_rdflib(t))
        for triple in triples
        for t in (triple.subject, triple.object)
        if isinstance(t, (ox.NamedNode, ox.BlankNode))
    }
    mine = [r for r in report.results if r.focus in mentioned]
    conforms = not any(r.severity == "Violation" for r in mine)
    graph = report.graph
    for result in list(graph.objects(None, SH.result)):
        if str(graph.value(result, SH.focusNode)) not in mentioned:
            validation.remove_result(graph, result)
    for node in graph.subjects(RDF.type, SH.ValidationReport):
        graph.set((node, SH.conforms, Literal(conforms)))
    return validation.Report(conforms, mine, graph)


def answer(store: ox.Store, base: str, shapes: Graph, body: bytes, content_type: str, report_type: str) -> Outcome:
    """Parse ``body`` (sent as ``content_type``), validate it with ``store``, and render the report as
    ``report_type`` (JSON, or the SHACL report in Turtle); a 4xx outcome for a body that cannot be taken."""
    try:
        triples = uploads.parse(body, content_type, f"{base}/")
    except uploads.UploadError as exc:
        return error_outcome(exc.status, exc.message)
    report = validate_upload(store, triples, base, shapes)
    if report_type == "text/turtle":
        return Outcome(200, "text/turtle", report.graph.serialize(format="turtle").encode("utf-8"))
    return Outcome(200, "application/json", json.dumps(report.as_json()).encode("utf-8"))


class InProcessValidator:
    """Validation in the calling process, for a service without an on-disk store: against the in-memory
    store, or, for a remote store, the bundled graph loaded into memory. The shapes (and that memory
    store) are read on first use and kept; one validation runs at a time. Made once per application."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.shapes: Graph | None = None
        self.bundled: ox.Store | None = None

    def answer(self, kg: KnowledgeGraph, body: bytes, content_type: str, report_type: str) -> Outcome:
        """:func:`answer` for ``body`` with the graph ``kg`` serves (or the bundled one for a remote store)."""
        with self.lock:
            if self.shapes is None:
                self.shapes = validation.shapes_graph()
            store = kg.store
            if not isinstance(store, ox.Store):
                if self.bundled is None:
                    self.bundled = stores.memory_store(base=kg.base)
                store = self.bundled
            return answer(store, kg.base, self.shapes, body, content_type, report_type)


def validation_main(
    conn, store_path: str, max_rows: int, memory: int | None = None, sandbox: str | None = None
) -> None:
    """Validation worker loop: open the store read-only and parse the shapes once, confine the process
    (as query workers are: no network, no files but the store's and Python's; memory capped), then answer
    ``((body, content type), report type)`` requests until the pipe closes."""
    die_with_parent()
    kg = KnowledgeGraph.load(store_path)
    shapes = validation.shapes_graph()
    if not start_confined(conn, memory and backstop(memory), sandbox, read=[store_path]):
        return
    while True:
        try:
            (body, content_type), report_type = conn.recv()
        except (EOFError, OSError):
            return
        try:
            kg.refresh()  # a write may have published a new version of the store
            assert isinstance(kg.store, ox.Store)  # an on-disk store
            outcome = answer(kg.store, kg.base, shapes, body, content_type, report_type)
        except Exception as exc:  # our bug: report it as a 500 rather than losing the worker
            outcome = error_outcome(500, f"internal error: {exc.__class__.__name__}")
        conn.send(outcome)
