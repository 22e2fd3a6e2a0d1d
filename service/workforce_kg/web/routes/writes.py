"""Writes over HTTP: the SPARQL 1.1 Graph Store Protocol at /graph-store and SPARQL Update on /sparql.

Reading a graph (GET, HEAD) is open; writing needs ``Authorization: Bearer <token>`` with a token
from ``WORKFORCE_KG_UPDATE_TOKEN`` (no header: 401, a wrong token: 403; no token configured: every
write is 403). The writes themselves are in :mod:`workforce_kg.writes.change`.
"""

from __future__ import annotations

import hmac
from typing import Any

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from workforce_kg.config import Settings
from workforce_kg.sparql.negotiation import best_match
from workforce_kg.sparql.protocol import GRAPH_TYPES
from workforce_kg.store.kg import KnowledgeGraph
from workforce_kg.web.deps import KGDep, SettingsDep, WriterDep
from workforce_kg.web.openapi import errors, media, merge
from workforce_kg.writes.change import WriteError, WriteRequest
from workforce_kg.writes.worker import Writer

router = APIRouter()

WRITE_RESPONSES = {
    400: {"description": "Malformed data or update, or no graph named"},
    401: {"description": "No bearer token"},
    403: {"description": "Wrong token, writes disabled, or a graph the service keeps"},
    404: {"description": "No such graph"},
    413: {"description": "Body too large"},
    415: {"description": "Unsupported Content-Type"},
    422: {"description": "The write would break the shapes; the SHACL report lists the violations"},
    503: {"description": "The write took too long and was stopped, or the writer is busy"},
}


def authorise(request: Request, settings: Settings) -> str:
    """The name of the token the request carries; WriteError 401/403 otherwise."""
    if not settings.writes_enabled:
        raise WriteError(403, "writes are disabled on this service (set WORKFORCE_KG_UPDATE_TOKEN to enable them)")
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise WriteError(401, "this write needs an 'Authorization: Bearer <token>' header")
    return token_name(settings, given)


def token_name(settings: Settings, given: str) -> str:
    """The name of the write token ``given`` (compared with every token, in constant time each);
    WriteError 403 when it is none of them."""
    found = None
    for name, token in settings.update_tokens.items():
        if hmac.compare_digest(given.strip().encode(), token.encode()):
            found = name
    if found is None:
        raise WriteError(403, "the bearer token is not valid for writes")
    return found


def error_response(exc: WriteError) -> JSONResponse:
    headers = {"WWW-Authenticate": 'Bearer realm="workforce-kg"'} if exc.status == 401 else None
    return JSONResponse(exc.as_json(), status_code=exc.status, headers=headers)


async def write(
    request: Request, kg: KnowledgeGraph, settings: Settings, writer: Writer | None, req_fields: dict
) -> Response:
    """Authorise, then hand the write to the writer process; JSON of what changed, or the error. The
    store is refreshed after the write, so the next read sees it."""
    try:
        agent = authorise(request, settings)
        if writer is None:
            raise WriteError(403, "writes need an on-disk or remote store (this service runs on an in-memory one)")
        result = await run_in_threadpool(writer.run, WriteRequest(agent=agent, **req_fields))
    except WriteError as exc:
        return error_response(exc)
    kg.written()  # the next read sees the write (on a remote store too, its search index included)
    return JSONResponse(result, status_code=201 if result.get("created") else 200)


def _graph_param(graph: str | None, default: bool) -> str | None:
    if (graph is None) == (not default):
        raise WriteError(400, "name the graph with ?graph=<IRI> or ?default (one of them)")
    if graph is not None and not ox_iri(graph):
        raise WriteError(400, f"?graph must be an absolute IRI (got {graph!r})")
    return graph


def ox_iri(value: str) -> bool:
    try:
        ox.NamedNode(value)
    except ValueError:
        return False
    return ":" in value


GraphParam = Query(None, description="The graph's IRI")
DefaultParam = Query(None, description="Present (no value) to address the store's default graph")


READ: dict[str, Any] = {
    "summary": "Graph Store Protocol: read a graph",
    "responses": merge(
        media(*GRAPH_TYPES, description="The graph, in the media type asked for"),
        errors(400, 404, 406, e400=WRITE_RESPONSES[400]["description"], e404="No such graph"),
    ),
}
WRITE: dict[str, Any] = {
    "summary": "Graph Store Protocol: write a graph",
    "responses": {
        200: {"description": "Written: what changed"},
        201: {"description": "Graph created"},
        **WRITE_RESPONSES,
    },
}


# one route per method, each with its own operation id (a route of several methods gets one id)
@router.get("/graph-store", operation_id="graph_store_get", **READ)
@router.head("/graph-store", operation_id="graph_store_head", **READ)
def read_graph(
    request: Request, kg: KGDep, graph: str | None = GraphParam, default: str | None = DefaultParam
) -> Response:
    """One graph as Turtle, N-Triples, RDF/XML or JSON-LD (by Accept). ``?default`` is the store's
    default graph, where updates without GRAPH write (queries see it as part of the union)."""
    try:
        name = _graph_param(graph, default is not None)
    except WriteError as exc:
        return error_response(exc)
    target: ox.DefaultGraph | ox.NamedNode = ox.DefaultGraph()
    if name is not None:
        target = ox.NamedNode(name)
        if not kg.store.contains_named_graph(target):
            return error_response(WriteError(404, f"no graph <{name}> in this store"))
    media = best_match(request.headers.get("accept"), list(GRAPH_TYPES))
    if media is None:
        return JSONResponse({"error": f"available: {', '.join(GRAPH_TYPES)}"}, status_code=406)
    triples = [q.triple for q in kg.store.quads_for_pattern(None, None, None, target)]
    body = ox.serialize(triples, format=GRAPH_TYPES[media], prefixes=kg.prefixes if media == "text/turtle" else None)
    return Response(body, media_type=media)


@router.put("/graph-store", operation_id="graph_store_put", **WRITE)
@router.post("/graph-store", operation_id="graph_store_post", **WRITE)
@router.delete("/graph-store", operation_id="graph_store_delete", **WRITE)
async def write_graph(
    request: Request,
    kg: KGDep,
    settings: SettingsDep,
    writer: WriterDep,
    graph: str | None = GraphParam,
    default: str | None = DefaultParam,
) -> Response:
    """PUT replaces the graph with the body, POST adds the body to it, DELETE drops it. Needs a bearer token."""
    try:
        name = _graph_param(graph, default is not None)
    except WriteError as exc:
        return error_response(exc)
    body = b"" if request.method == "DELETE" else await request.body()  # its size is bounded by app.BodyLimit
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    fields = {"operation": request.method.lower(), "graph": name, "data": body, "media": media}
    return await write(request, kg, settings, writer, fields)


async def sparql_update(
    request: Request, kg: KnowledgeGraph, settings: Settings, writer: Writer | None, update: str
) -> Response:
    """SPARQL Update sent to /sparql (``application/sparql-update`` or the ``update`` form field)."""
    if not update.strip():
        return error_response(WriteError(400, "empty update"))
    return await write(request, kg, settings, writer, {"operation": "update", "update": update})
