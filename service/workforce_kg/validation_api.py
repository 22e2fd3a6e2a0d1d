"""POST /validate: check a curator's RDF against the shapes, together with the graph the service serves.

The body is parsed by :func:`workforce_kg.uploads.parse` (the parser of the Graph Store writes too) and
validated in a pool of killable worker processes (:class:`workforce_kg.executor.QueryExecutor` running
:func:`_validation_main`), admitted and timed like queries: at most ``max_concurrent`` at once (503 and
``Retry-After`` beyond), stopped at the query time limit (503; the worker is killed and replaced). The web
process only reads the (size-limited) body and passes it on, so its memory does not grow with uploads and
its event loop is never busy with them. Each worker opens the on-disk store read-only and validates the
upload together with the store's data graphs (the ontology for type inference; the derived and audit
graphs left out), rebuilt when a write publishes a new version. A service without an on-disk store (an
in-memory graph in tests, a remote store) validates in a thread of the web process instead.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from rdflib import BNode, Graph, URIRef

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


@dataclass
class Context:
    """What an upload is validated with: the store's ontology and data graphs (rdflib) and the shapes."""

    base: str
    ontology: Graph
    data: Graph
    shapes: Graph

    @classmethod
    def of_store(cls, store: ox.Store, base: str, shapes: Graph | None = None) -> Context:
        """From the graphs of an Oxigraph store: ``{base}/graph/ontology/…`` is the ontology; the derived
        and audit graphs are left out (validation entails the types it needs itself); the rest is data."""
        ontology_prefix = stores.graph_iri(base, "ontology/").value
        left_out = {stores.graph_iri(base, name) for name in ("derived", "audit")}
        onto, data = [], []
        for q in store:
            if q.graph_name in left_out:
                continue
            is_onto = isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value.startswith(ontology_prefix)
            (onto if is_onto else data).append(q)
        return cls(base, validation.rdflib_graph_of(onto, base), validation.rdflib_graph_of(data, base),
                   validation.shapes_graph() if shapes is None else shapes)

    @classmethod
    def bundled(cls, base: str) -> Context:
        """From the bundled Turtle files (for a service over a remote store)."""
        files = stores.bundled_files()
        return cls(base, stores.rdflib_graph([f for f in files if f.graph_name.startswith("ontology/")]),
                   stores.rdflib_graph([f for f in files if not f.graph_name.startswith("ontology/")]),
                   validation.shapes_graph())

    def validate(self, upload: Graph) -> validation.Report:
        """Validate ``upload`` with the data; the results about the nodes it mentions."""
        merged = Graph()
        for prefix, ns in self.data.namespaces():
            merged.bind(prefix, ns, override=True)
        merged += self.data
        merged += upload
        report = validation.validate_graph(merged, self.ontology, self.shapes)
        mentioned = {str(t) for triple in upload for t in triple if isinstance(t, (URIRef, BNode))}
        mine = [r for r in report.results if r.focus in mentioned]
        conforms = not any(r.severity == "Violation" for r in mine)
        return validation.Report(conforms, mine, report.graph)

    def answer(self, body: bytes, content_type: str, report_type: str) -> Outcome:
        """Parse ``body`` (sent as ``content_type``), validate it, and render the report as ``report_type``
        (JSON, or the SHACL report in Turtle); a 4xx outcome for a body that cannot be taken."""
        try:
            triples = uploads.parse(body, content_type, f"{self.base}/")
        except uploads.UploadError as exc:
            return error_outcome(exc.status, exc.message)
        report = self.validate(validation.rdflib_graph_of(triples, self.base))
        if report_type == "text/turtle":
            return Outcome(200, "text/turtle", report.graph.serialize(format="turtle").encode("utf-8"))
        return Outcome(200, "application/json", json.dumps(report.as_json()).encode("utf-8"))


def _validation_main(conn, store_path: str, max_rows: int) -> None:
    """Validation worker loop: open the store read-only, parse the shapes and the store's graphs once
    (again when a write has published a new version), then answer ``((body, content type), report
    type)`` requests until the pipe closes."""
    from .executor import die_with_parent
    from .kg import KnowledgeGraph

    die_with_parent()
    # -- the single place where the worker is confined (sandbox.confine(...) is added here at merge) --
    kg = KnowledgeGraph.load(store_path)
    shapes = validation.shapes_graph()
    context = Context.of_store(kg.store, kg.base, shapes)
    conn.send("ready")
    while True:
        try:
            (body, content_type), report_type = conn.recv()
        except (EOFError, OSError):
            return
        try:
            if kg.refresh():
                context = Context.of_store(kg.store, kg.base, shapes)
            outcome = context.answer(body, content_type, report_type)
        except Exception as exc:  # our bug: report it as a 500 rather than losing the worker
            outcome = error_outcome(500, f"internal error: {exc.__class__.__name__}")
        conn.send(outcome)


_lock = threading.Lock()


def _local_context(request: Request) -> Context:
    """The context of a service without validation workers, built once per version of its graph."""
    kg = request.app.state.kg
    with _lock:
        cached = getattr(request.app.state, "validation_context", None)
        if cached is None or cached[0] != (id(kg.store), kg.generation):
            context = Context.of_store(kg.store, kg.base) if isinstance(kg.store, ox.Store) else Context.bundled(kg.base)
            cached = request.app.state.validation_context = ((id(kg.store), kg.generation), context)
    return cached[1]


def _answer_here(request: Request, body: bytes, content_type: str, report_type: str) -> Outcome:
    return _local_context(request).answer(body, content_type, report_type)


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
