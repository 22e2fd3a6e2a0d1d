"""POST /validate: check a curator's RDF against the shapes, together with the graph the service serves.

The body is parsed by :func:`workforce_kg.uploads.parse` (the parser of the Graph Store writes too) and
validated in a pool of killable worker processes (:class:`workforce_kg.executor.QueryExecutor` running
:func:`validation_main`), admitted and timed like queries: at most ``max_concurrent`` at once (503 and
``Retry-After`` beyond), stopped at the query time limit (503; the worker is killed and replaced). The web
process only reads the (size-limited) body and passes it on, so its memory does not grow with uploads and
its event loop is never busy with them. Each worker opens the on-disk store read-only (the version a
write last published) and validates the upload as if it were added to the store, reading only around
the nodes it touches (:func:`validate_upload`). A service without an on-disk store (an in-memory graph
in tests, a remote store) validates in a thread of the web process instead.
"""

from __future__ import annotations

import json
import threading

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from rdflib import RDF, SH, Graph, Literal

from . import store as stores
from . import uploads, validation
from .negotiation import best_match
from .openapi import errors, media, merge
from .protocol import Outcome, error_outcome

router = APIRouter()

FORMATS = uploads.UPLOAD_FORMATS
REPORT_TYPES = ["application/json", "text/turtle"]

VALIDATE_BODY = {"requestBody": {"required": True, "content": {
    t: {"schema": {"type": ["object", "array"]} if t == "application/ld+json" else {"type": "string"}} for t in FORMATS}}}


class Overlay:
    """A read-only view of a store with more quads (the upload, in a small in-memory store) added: what
    :func:`workforce_kg.validation.validate_change` reads, without copying or changing the store."""

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

    :func:`workforce_kg.validation.validate_change` gives exactly what validating the whole resulting graph
    gives on the nodes the addition can affect, reading only around them (fast on a large store); the
    results are then narrowed to the nodes the upload mentions.
    """
    extra = ox.Store()
    extra.extend([ox.Quad(t.subject, t.predicate, t.object) for t in triples])
    report = validation.validate_change(Overlay(store, extra), triples, (), shapes, base)
    mentioned = {str(validation._to_rdflib(t)) for triple in triples for t in (triple.subject, triple.object)
                 if isinstance(t, (ox.NamedNode, ox.BlankNode))}
    mine = [r for r in report.results if r.focus in mentioned]
    conforms = not any(r.severity == "Violation" for r in mine)
    graph = report.graph
    for result in list(graph.objects(None, SH.result)):
        if str(graph.value(result, SH.focusNode)) not in mentioned:
            validation._remove_result(graph, result)
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


def validation_main(conn, store_path: str, max_rows: int, memory: int | None = None,
                     sandbox: str | None = None) -> None:
    """Validation worker loop: open the store read-only and parse the shapes once, confine the process
    (as query workers are: no network, no files but the store's and Python's; memory capped), then answer
    ``((body, content type), report type)`` requests until the pipe closes."""
    from .executor import backstop, die_with_parent, start_confined
    from .kg import KnowledgeGraph

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
            outcome = answer(kg.store, kg.base, shapes, body, content_type, report_type)
        except Exception as exc:  # our bug: report it as a 500 rather than losing the worker
            outcome = error_outcome(500, f"internal error: {exc.__class__.__name__}")
        conn.send(outcome)


_lock = threading.Lock()


def _answer_here(request: Request, body: bytes, content_type: str, report_type: str) -> Outcome:
    """Validate in the web process (a service without an on-disk store): with the in-memory store, or,
    for a remote store, with the bundled graph loaded into memory once."""
    state, kg = request.app.state, request.app.state.kg
    with _lock:
        if getattr(state, "validation_shapes", None) is None:
            state.validation_shapes = validation.shapes_graph()
        store = kg.store
        if not isinstance(store, ox.Store):
            if getattr(state, "validation_store", None) is None:
                state.validation_store = stores.memory_store(base=kg.base)
            store = state.validation_store
    return answer(store, kg.base, state.validation_shapes, body, content_type, report_type)


@router.post("/validate", summary="Validate RDF against the shapes", openapi_extra=VALIDATE_BODY,
             responses=merge(
                 media("text/turtle", description="The report: JSON by default, the SHACL report in Turtle by Accept"),
                 errors(400, 406, 413, 415, 503, e400="Malformed or refused RDF (the parser's message, or why)")))
async def validate_rdf(request: Request) -> Response:
    """Validate posted RDF (Turtle, N-Triples, RDF/XML or JSON-LD), together with the graph the service
    serves, against the shapes.

    The report lists the results about nodes the posted data mentions; JSON by default, Turtle
    (the SHACL validation report) with ``Accept: text/turtle``. Validation is admitted and timed like
    a query (503 with ``Retry-After`` when too many run, 503 past the time limit).
    """
    from starlette.concurrency import run_in_threadpool

    content_type = uploads.media_type(request.headers.get("content-type"))
    if content_type not in FORMATS:
        return JSONResponse(
            {"error": f"Content-Type must be one of {', '.join(sorted(FORMATS))} (got {content_type or 'none'})"},
            status_code=415,
        )
    report_type = best_match(request.headers.get("accept"), REPORT_TYPES)
    if report_type is None:
        return JSONResponse({"error": f"available: {', '.join(REPORT_TYPES)}"}, status_code=406)
    body = await request.body()  # its size is bounded by app.BodyLimit
    pool = getattr(request.app.state, "validators", None)
    if pool is not None:
        outcome = await run_in_threadpool(pool.run, (body, content_type), report_type)
    else:
        outcome = await run_in_threadpool(_answer_here, request, body, content_type, report_type)
    return Response(outcome.body, status_code=outcome.status, media_type=outcome.media_type, headers=outcome.headers)
