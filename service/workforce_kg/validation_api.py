"""POST /validate: check a curator's RDF against the shapes, together with the bundled graph."""

from __future__ import annotations

import json
import threading

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from rdflib import BNode, Graph, URIRef

from . import store as stores
from . import validation
from .negotiation import best_match
from .openapi import errors, media, merge

router = APIRouter()

FORMATS = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "nt",
    "text/plain": "nt",
    "application/ld+json": "json-ld",
}

_lock = threading.Lock()

VALIDATE_BODY = {"requestBody": {"required": True, "content": {
    t: {"schema": {"type": ["object", "array"]} if t == "application/ld+json" else {"type": "string"}} for t in FORMATS}}}


def _bundled(request: Request) -> tuple[Graph, Graph, Graph]:
    """Ontology, data and shapes of the bundled graph, parsed once per app."""
    with _lock:
        cached = getattr(request.app.state, "validation_context", None)
        if cached is None:
            files = stores.bundled_files()
            onto = stores.rdflib_graph([f for f in files if f.graph_name.startswith("ontology/")])
            data = stores.rdflib_graph([f for f in files if not f.graph_name.startswith("ontology/")])
            cached = (onto, data, validation.shapes_graph())
            request.app.state.validation_context = cached
    return cached


def bad_request(message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=400)


def _remote_contexts(node) -> list[str]:
    """String (remote) @context references anywhere in a JSON-LD document."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "@context":
                values = value if isinstance(value, list) else [value]
                found += [v for v in values if isinstance(v, str)]
            found += _remote_contexts(value)
    elif isinstance(node, list):
        for item in node:
            found += _remote_contexts(item)
    return found


def parse_upload(body: bytes, fmt: str) -> Graph:
    """Parse posted RDF; raises ValueError with the parser's message (and line, where it gives one)."""
    text = body.decode("utf-8")
    if fmt == "json-ld":
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"malformed JSON-LD: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
        remote = _remote_contexts(doc)
        if remote:
            raise ValueError(f"remote JSON-LD contexts are not fetched ({remote[0]}); inline the context")
    g = Graph()
    try:
        g.parse(data=text, format=fmt)
    except Exception as exc:  # rdflib's parsers raise several exception types
        message = " ".join(str(exc).split())
        raise ValueError(f"malformed {fmt}: {message[:500]}") from None
    return g


@router.post("/validate", summary="Validate RDF against the shapes", openapi_extra=VALIDATE_BODY,
             responses=merge(
                 media("text/turtle", description="The report: JSON by default, the SHACL report in Turtle by Accept"),
                 errors(400, 406, 413, 415, e400="Malformed RDF (the parser's message)")))
async def validate_rdf(request: Request) -> Response:
    """Validate posted Turtle, JSON-LD or N-Triples (with the bundled graph) against the shapes.

    The report lists the results about nodes the posted data mentions; JSON by default, Turtle
    (the SHACL validation report) with ``Accept: text/turtle``.
    """
    from starlette.concurrency import run_in_threadpool

    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype not in FORMATS:
        return JSONResponse(
            {"error": f"Content-Type must be one of {', '.join(sorted(set(FORMATS)))} (got {ctype or 'none'})"},
            status_code=415,
        )
    body = await request.body()  # its size is bounded by app.BodyLimit
    media = best_match(request.headers.get("accept"), ["application/json", "text/turtle"])
    if media is None:
        return JSONResponse({"error": "available: application/json, text/turtle"}, status_code=406)
    try:
        upload = parse_upload(body, FORMATS[ctype])
    except (ValueError, UnicodeDecodeError) as exc:
        return bad_request(str(exc))
    report = await run_in_threadpool(_validate, request, upload)
    if media == "text/turtle":
        return Response(report.graph.serialize(format="turtle"), media_type="text/turtle")
    return JSONResponse(report.as_json())


def _validate(request: Request, upload: Graph) -> validation.Report:
    onto, data, shapes = _bundled(request)
    merged = Graph()
    merged += data
    merged += upload
    report = validation.validate_graph(merged, onto, shapes)
    mentioned = {str(t) for triple in upload for t in triple if isinstance(t, (URIRef, BNode))}
    mine = [r for r in report.results if r.focus in mentioned]
    conforms = not any(r.severity == "Violation" for r in mine)
    return validation.Report(conforms, mine, report.graph)
