"""The web service: app factory, store lifecycle, and the routes that need no protocol module."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
import uuid
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated

import pyoxigraph as ox
from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import __version__
from . import docs as ontology_docs
from . import store as stores
from .config import Settings
from .executor import QueryExecutor
from .headers import SecurityHeaders
from .kg import KnowledgeGraph
from .negotiation import best_match
from .openapi import errors, http_error, media, merge
from .remote import RemoteError, RemoteStore, is_remote
from .sources import sources_dir
from .writes import Writer


log = logging.getLogger("workforce_kg.access")


def get_kg(request: Request) -> KnowledgeGraph:
    return request.app.state.kg


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


KGDep = Annotated[KnowledgeGraph, Depends(get_kg)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def create_app(settings: Settings | None = None, kg: KnowledgeGraph | None = None) -> FastAPI:
    """Build the application. Without ``kg`` the store at ``settings.store`` is opened at start-up."""
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.settings = settings
        app.state.executor = None
        app.state.writer = None
        app.state.validators = None
        if kg is not None:
            app.state.kg = kg
        else:
            app.state.kg = KnowledgeGraph.load(settings.store, settings.query_timeout)
            on_disk = not is_remote(settings.store)  # a remote runs its own queries
            if settings.query_workers > 0 and on_disk:
                app.state.executor = QueryExecutor(
                    settings.store, settings.query_workers, settings.query_timeout, settings.max_rows,
                    max_concurrent=settings.max_concurrent, memory=settings.query_memory, sandbox=settings.sandbox,
                )
            if settings.validation_workers > 0 and on_disk:
                from .validation_api import validation_main

                app.state.validators = QueryExecutor(
                    settings.store, settings.validation_workers, settings.query_timeout, settings.max_rows,
                    max_concurrent=settings.max_concurrent, long_after=float("inf"), main=validation_main,
                    noun=("validation", "validations"), memory=settings.query_memory, sandbox=settings.sandbox,
                )
            if settings.writes_enabled:
                app.state.writer = Writer(settings.store, settings.update_timeout, sources_dir(settings.sources),
                                          memory=2 * settings.query_memory, sandbox=settings.sandbox)
        yield
        for part in (app.state.executor, app.state.validators, app.state.writer):
            if part is not None:
                part.close()

    app = FastAPI(
        title="workforce-kg",
        version=__version__,
        description="Who in UK health and social care owns which workforce commitment, what it is funded with, "
        "how it was rated, and where each fact is written.",
        lifespan=lifespan,
        docs_url=None,  # /docs is served by pages.py from npm (no CDN), under the one CSP
        redoc_url=None,
    )

    from fastapi.middleware.cors import CORSMiddleware

    from .pages import router as pages_router
    from .api import router as api_router
    from .sparql import router as sparql_router
    from .validation_api import router as validation_router
    from .write_api import router as write_router

    app.add_exception_handler(StarletteHTTPException, http_error)

    @app.exception_handler(RemoteError)
    async def remote_unavailable(request: Request, exc: RemoteError):
        """The remote SPARQL store is down or too slow: say so, as a 503."""
        return JSONResponse({"error": str(exc)}, status_code=503)

    app.add_middleware(BodyLimit, max_body=settings.max_body)  # inside the request log, so 413s are logged

    app.add_middleware(RequestLog)

    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.cors_origins),
        allow_methods=["GET", "POST", "HEAD", "OPTIONS"],
        allow_headers=["Accept", "Content-Type"],
    )

    # outermost, around Starlette's own error middleware too: on every response, the 413s and 500s included
    build_stack = app.build_middleware_stack
    app.build_middleware_stack = lambda: SecurityHeaders(build_stack())  # type: ignore[method-assign]

    app.include_router(sparql_router)
    app.include_router(api_router)
    app.include_router(validation_router)
    app.include_router(write_router)
    app.include_router(pages_router)
    from .linked_data import router as linked_data_router

    app.include_router(linked_data_router)
    from .views import router as views_router

    app.include_router(views_router)
    from .ingest.web import router as ingest_router

    app.include_router(ingest_router)

    @app.get("/healthz", summary="Liveness: the service answers and its store holds data")
    def healthz(kg: KGDep) -> dict:
        """Liveness: the store answers a query."""
        return {"status": "ok", "quads": len(kg)}

    @app.get("/readyz", summary="Readiness: the store answers, and query workers and the writer run",
             responses=errors(503))
    def readyz(request: Request, kg: KGDep) -> JSONResponse:
        """Readiness for traffic: 200 when the store answers a query, at least one query worker is alive
        (when queries run in workers) and the writer process runs (when writes are on); 503 saying what
        is wrong otherwise. Both answers carry the same details."""
        state, problems = request.app.state, []
        try:
            answers = bool(kg.query("ASK { ?s ?p ?o }"))
        except (RemoteError, OSError) as exc:
            answers = False
            problems.append(f"the store does not answer ({exc})")
        else:
            if not answers:
                problems.append("the store holds no data")
        details: dict = {"store": {"kind": "remote" if isinstance(kg.store, RemoteStore) else "on disk" if kg.path else "in memory",
                                   "answers": answers, "generation": kg.generation}}
        if state.executor is not None:
            details["query_workers"] = workers = state.executor.stats()
            if workers["alive"] == 0:
                problems.append("no query worker is running (they restart as queries arrive)")
        if state.validators is not None:
            details["validation_workers"] = state.validators.stats()
        if state.writer is not None:
            details["writer"] = {"alive": state.writer.alive()}
            if not details["writer"]["alive"]:
                problems.append("the writer process is not running (the next write restarts it)")
        if problems:
            return JSONResponse({"error": "not ready: " + "; ".join(problems), **details}, status_code=503)
        return JSONResponse({"status": "ready", **details})

    @app.get("/ontology", summary="The ontology: HTML documentation or Turtle",
             responses=merge(media("text/html", *RDF_FORMATS), errors(406)))
    def ontology(request: Request, settings: SettingsDep) -> Response:
        """The ontology as HTML (browsers) or Turtle/N-Triples/RDF-XML/JSON-LD (by Accept)."""
        media = best_match(
            request.headers.get("accept", "text/html"),
            ["text/html", "text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json"],
        )
        if media is None:
            return JSONResponse({"error": "cannot serve the ontology in the requested media type"}, status_code=406)
        if media == "text/html":
            page = Path(settings.store) / ontology_docs.HTML_NAME
            html = page.read_text(encoding="utf-8") if page.exists() else ontology_docs.ontology_html()
            return HTMLResponse(html)
        return Response(ontology_rdf(media), media_type=media)

    return app


class RequestLog:
    """One structured log line per request, with a request id (the client's ``X-Request-ID`` when it is a
    short plain token, else a new one; echoed in the response); no headers are logged. Before each request
    the knowledge graph is refreshed, so that it sees the latest published write. A plain ASGI middleware:
    Starlette's ``@app.middleware("http")`` costs a task and a response copy per request."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex[:16]
        started = time.perf_counter()
        kg = getattr(scope["app"].state, "kg", None)
        if kg is not None:
            kg.refresh()
        status = 500  # unless a response starts

        async def send_with_id(message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            log.info(json.dumps({"request_id": request_id, "method": scope["method"], "path": scope["path"],
                                 "status": status, "ms": round((time.perf_counter() - started) * 1000, 1)}))


REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


class BodyLimit:
    """Refuse request bodies over ``max_body`` bytes with 413 and ``{"error": ...}``, never holding more
    than that in memory: at once when Content-Length says so (before any of the body is read, so a client
    that announces a large body and sends nothing gets its answer too), otherwise (chunked uploads) as
    soon as the part read passes the limit. After a 413 announced by Content-Length, what the client still
    sends is read and dropped (up to ``DRAIN`` bytes, while it keeps coming at least every ``IDLE``
    seconds), so that a client that sends its whole body before reading reads the 413 rather than a reset
    connection; the connection is then closed."""

    DRAIN = 16_000_000
    IDLE = 1.0

    def __init__(self, app, max_body: int):
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        message = f"request body larger than {self.max_body} bytes"
        headers = dict(scope["headers"])
        length = headers.get(b"content-length", b"")
        if length.isdigit() and int(length) > self.max_body:
            return await self.refuse(message, receive, send, drain=headers.get(b"expect", b"").lower() != b"100-continue")
        read = 0

        async def limited_receive():
            nonlocal read
            event = await receive()
            read += len(event.get("body", b""))
            if read > self.max_body:
                if event.get("more_body"):
                    await self.drain(receive)
                raise StarletteHTTPException(413, message)  # answered by openapi.http_error
            return event

        await self.app(scope, limited_receive, send)

    async def refuse(self, message: str, receive, send, drain: bool) -> None:
        """Answer 413 at once (the whole answer is sent before anything is read), then drop what the
        client still sends (``drain``: not for ``Expect: 100-continue``, whose client has sent nothing)."""
        body = JSONResponse({"error": message}).body
        await send({"type": "http.response.start", "status": 413, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
            (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body, "more_body": True})
        if drain:
            await self.drain(receive, idle=self.IDLE)
        await send({"type": "http.response.body", "body": b""})

    async def drain(self, receive, idle: float | None = None) -> None:
        """Read and drop the rest of the body, up to ``DRAIN`` bytes (and, with ``idle``, until nothing
        comes for that many seconds)."""
        left = self.DRAIN
        while left > 0:
            try:
                event = await asyncio.wait_for(receive(), idle)
            except TimeoutError:
                return
            if event["type"] != "http.request" or not event.get("more_body"):
                return
            left -= len(event.get("body", b""))


RDF_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}


def ontology_rdf(media: str) -> bytes:
    path = stores.bundled_files()[0].path
    if media == "text/turtle":
        return path.read_bytes()
    with open(path, "rb") as fh:
        triples = list(ox.parse(fh, format=ox.RdfFormat.TURTLE))
    return ox.serialize(triples, format=RDF_FORMATS[media])
