"""Exception handlers: errors become the service's ``{"error": ...}`` JSON, or, for a browser asking for
a page that does not exist, the site's "Not found" page.

Registered on the application in :func:`workforce_kg.web.app.create_app` (no per-route decorators).
"""

from __future__ import annotations

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from workforce_kg.analysis import accountability as acc
from workforce_kg.sparql.negotiation import best_match
from workforce_kg.store.remote import RemoteError
from workforce_kg.web.deps import get_shell
from workforce_kg.web.openapi import http_error


class NotInGraph(Exception):
    """A path names nothing in the knowledge graph (linked data): 404, a page for browsers, JSON otherwise."""

    def __init__(self, what: str):
        super().__init__(f"{what} is not in this knowledge graph")
        self.message = str(self)


def wants_html(request: Request) -> bool:
    """Whether the client prefers HTML to JSON (browsers do; ``*/*`` does not)."""
    return best_match(request.headers.get("accept"), ["application/json", "text/html"]) == "text/html"


async def http_exception(request: Request, exc: Exception) -> Response:
    """Framework errors (unknown path, wrong method, a missing static file …): JSON, except a 404 asked for
    by a browser, which gets the "Not found" page in the site shell."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404 and wants_html(request):
        message = "There is no page at this address." if exc.detail == "Not Found" else str(exc.detail)
        return (await get_shell(request)).message(request, "Not found", message, status_code=404, home=True)
    return await http_error(request, exc)


async def not_in_graph(request: Request, exc: Exception) -> Response:
    """404 for a resource the graph does not have: the "Not found" page, or ``{"error": ...}``."""
    assert isinstance(exc, NotInGraph)
    if wants_html(request):
        return (await get_shell(request)).message(request, "Not found", exc.message + ".", status_code=404, home=True)
    return JSONResponse({"error": exc.message}, status_code=404)


#: Parameters that are path segments (their 422 says ``"loc": ["path", ...]``).
PATH_PARAMETERS = {"format", "id"}


async def unknown_id(request: Request, exc: Exception) -> JSONResponse:
    """The core found no entity with that id: 404 ``{"error": ...}``."""
    assert isinstance(exc, acc.NotFound)
    return JSONResponse({"error": str(exc)}, status_code=404)


async def invalid_filter(request: Request, exc: Exception) -> JSONResponse:
    """A filter names nothing known: 422 ``{"error", "field", "detail"}``, shaped like FastAPI's own
    validation errors."""
    assert isinstance(exc, acc.InvalidFilter)
    where = "path" if exc.field in PATH_PARAMETERS else "query"
    detail = [{"loc": [where, exc.field], "msg": exc.message, "type": "value_error"}]
    return JSONResponse({"error": exc.message, "field": exc.field, "detail": detail}, status_code=422)


def validation_message(errors: list) -> str:
    """FastAPI's validation errors in one line: ``limit (query): Input should be a valid integer, got 'abc'``."""
    parts = []
    for e in errors:
        loc = [str(x) for x in e.get("loc", ())]
        where = f"{loc[-1]} ({loc[0]})" if len(loc) > 1 else (loc[0] if loc else "request")
        got = e.get("input")
        shown = f", got {got!r}" if isinstance(got, str | int | float) and len(repr(got)) <= 60 else ""
        parts.append(f"{where}: {e.get('msg', 'invalid')}{shown}")
    return "; ".join(parts) or "invalid request"


async def invalid_request(request: Request, exc: Exception) -> Response:
    """A parameter FastAPI could not read (``limit=abc``): 422 with the service's ``{"error": ...}`` line
    beside FastAPI's own ``detail`` list (kept, so clients of either shape work); a page for browsers."""
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    message = validation_message(errors)
    if wants_html(request):
        return (await get_shell(request)).message(request, "Bad request", message, status_code=422, home=True)
    return JSONResponse({"error": message, "detail": jsonable_encoder(errors)}, status_code=422)


async def remote_unavailable(request: Request, exc: Exception) -> JSONResponse:
    """The remote SPARQL store is down or too slow: say so, as a 503."""
    assert isinstance(exc, RemoteError)
    return JSONResponse({"error": str(exc)}, status_code=503)


HANDLERS = {
    HTTPException: http_exception,
    RequestValidationError: invalid_request,
    NotInGraph: not_in_graph,
    acc.NotFound: unknown_id,
    acc.InvalidFilter: invalid_filter,
    RemoteError: remote_unavailable,
}
