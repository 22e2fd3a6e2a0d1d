"""The web service: app factory, store lifecycle, and the routes that need no protocol module."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

import pyoxigraph as ox
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, Response

from workforce_kg import __version__
from workforce_kg import docs as ontology_docs
from workforce_kg.config import Settings
from workforce_kg.provenance.sources import sources_dir
from workforce_kg.rdf.describe import licence
from workforce_kg.sparql.executor import QueryExecutor
from workforce_kg.sparql.negotiation import best_match
from workforce_kg.store import local as stores
from workforce_kg.store.kg import KnowledgeGraph
from workforce_kg.store.remote import RemoteError, RemoteStore, is_remote
from workforce_kg.validation.upload import InProcessValidator, validation_main
from workforce_kg.web.deps import ExecutorDep, KGDep, SettingsDep, ShellDep, ValidatorsDep, WriterDep
from workforce_kg.web.errors import HANDLERS
from workforce_kg.web.middleware import BodyLimit, RequestLog, SecurityHeaders
from workforce_kg.web.openapi import errors, media, merge
from workforce_kg.web.routes.api import router as api_router
from workforce_kg.web.routes.ingest import router as ingest_router
from workforce_kg.web.routes.linked_data import router as linked_data_router
from workforce_kg.web.routes.pages import VendorFiles, static_files
from workforce_kg.web.routes.pages import router as pages_router
from workforce_kg.web.routes.scorecard import router as scorecard_router
from workforce_kg.web.routes.search import router as search_router
from workforce_kg.web.routes.sparql import router as sparql_router
from workforce_kg.web.routes.validate import router as validation_router
from workforce_kg.web.routes.views import router as views_router
from workforce_kg.web.routes.writes import router as write_router
from workforce_kg.web.shell import Shell
from workforce_kg.writes.worker import Writer


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
                    settings.store,
                    settings.query_workers,
                    settings.query_timeout,
                    settings.max_rows,
                    max_concurrent=settings.max_concurrent,
                    memory=settings.query_memory,
                    sandbox=settings.sandbox,
                )
            if settings.validation_workers > 0 and on_disk:
                app.state.validators = QueryExecutor(
                    settings.store,
                    settings.validation_workers,
                    settings.query_timeout,
                    settings.max_rows,
                    max_concurrent=settings.max_concurrent,
                    long_after=float("inf"),
                    main=validation_main,
                    noun=("validation", "validations"),
                    memory=settings.query_memory,
                    sandbox=settings.sandbox,
                )
            if settings.writes_enabled:
                app.state.writer = Writer(
                    settings.store,
                    settings.update_timeout,
                    sources_dir(settings.sources),
                    memory=2 * settings.query_memory,
                    sandbox=settings.sandbox,
                )
        try:
            declared = licence(app.state.kg)
        except (RemoteError, OSError):  # a remote store that is down: the pages go without the licence link
            declared = None
        app.state.shell = Shell(licence=declared)
        app.state.in_process_validator = InProcessValidator()
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

    for exc_class, handler in HANDLERS.items():
        app.add_exception_handler(exc_class, handler)

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
    app.include_router(linked_data_router)
    app.include_router(views_router)
    app.include_router(scorecard_router)
    app.include_router(search_router)
    app.include_router(ingest_router)
    app.mount("/static/vendor", VendorFiles(), name="vendor")  # before /static, which would take its paths
    app.mount("/static", static_files(), name="static")

    @app.get("/healthz", summary="Liveness: the service answers and its store holds data")
    def healthz(kg: KGDep) -> dict:
        """Liveness: the store answers a query."""
        return {"status": "ok", "quads": len(kg)}

    @app.get(
        "/readyz", summary="Readiness: the store answers, and query workers and the writer run", responses=errors(503)
    )
    def readyz(kg: KGDep, executor: ExecutorDep, validators: ValidatorsDep, writer: WriterDep) -> JSONResponse:
        """Readiness for traffic: 200 when the store answers a query, at least one query worker is alive
        (when queries run in workers) and the writer process runs (when writes are on); 503 saying what
        is wrong otherwise. Both answers carry the same details."""
        problems = []
        try:
            answers = bool(kg.query("ASK { ?s ?p ?o }"))
        except (RemoteError, OSError) as exc:
            answers = False
            problems.append(f"the store does not answer ({exc})")
        else:
            if not answers:
                problems.append("the store holds no data")
        details: dict = {
            "store": {
                "kind": "remote" if isinstance(kg.store, RemoteStore) else "on disk" if kg.path else "in memory",
                "answers": answers,
                "generation": kg.generation,
            }
        }
        if executor is not None:
            details["query_workers"] = workers = executor.stats()
            if workers["alive"] == 0:
                problems.append("no query worker is running (they restart as queries arrive)")
        if validators is not None:
            details["validation_workers"] = validators.stats()
        if writer is not None:
            details["writer"] = {"alive": writer.alive()}
            if not details["writer"]["alive"]:
                problems.append("the writer process is not running (the next write restarts it)")
        if problems:
            return JSONResponse({"error": "not ready: " + "; ".join(problems), **details}, status_code=503)
        return JSONResponse({"status": "ready", **details})

    @app.get(
        "/ontology",
        summary="The ontology: HTML documentation or Turtle",
        responses=merge(media("text/html", *RDF_FORMATS), errors(406)),
    )
    def ontology(request: Request, settings: SettingsDep, shell: ShellDep) -> Response:
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
            return HTMLResponse(shell.wrap(request, html, current="Ontology"))
        return Response(ontology_rdf(media), media_type=media)

    return app


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
    body = ox.serialize(triples, format=RDF_FORMATS[media])
    assert body is not None  # serialised to bytes, not to a file
    return body
