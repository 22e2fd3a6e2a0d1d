"""The home page at ``/``, the query page at ``/query``, the prefixes, the API docs at ``/docs`` and
``/redoc``, and the static assets under ``/static/``.

Everything the pages load is served from here — our own JS/CSS from ``web/static/`` and the editor
(YASQE; Cytoscape.js for the views; Observable Plot and d3 for the query page's bar chart; Swagger UI
for ``/docs`` and ReDoc for ``/redoc``; installed from npm into ``web/node_modules`` by ``cd web && npm
ci``) under ``/static/vendor/`` — so the pages work offline and nothing comes from a CDN. Both are
Starlette ``StaticFiles`` (conditional requests, HEAD, no traversal): ``/static/`` serves the files of
``web/static/`` (the pages' templates are in ``web/templates/``, not there); ``/static/vendor/`` only
the npm files named in ``VENDOR_FILES``, never the rest of ``node_modules``.
"""

from __future__ import annotations

import os
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException
from starlette.staticfiles import StaticFiles

from workforce_kg import cq as queries
from workforce_kg.analysis import overview, ratings
from workforce_kg.analysis import search as text_search
from workforce_kg.analysis.entities import Context
from workforce_kg.paths import CHECKOUT_DIR, STATIC_DIR
from workforce_kg.rdf import scale
from workforce_kg.sparql.negotiation import best_match
from workforce_kg.vocab import prefix_table
from workforce_kg.web.deps import KGDep, ShellDep
from workforce_kg.web.openapi import errors, media, merge
from workforce_kg.web.routes.linked_data import local_href
from workforce_kg.web.shell import root

router = APIRouter()

WEB_DIR = CHECKOUT_DIR / "web"  # the repository's web/ (npm packages), in a checkout
NODE_MODULES = WEB_DIR / "node_modules"

#: The npm files served under ``/static/vendor/``: name -> path in ``node_modules``.
VENDOR_FILES = {
    "yasqe.min.js": "@zazuko/yasqe/build/yasqe.min.js",
    "yasqe.min.css": "@zazuko/yasqe/build/yasqe.min.css",
    "cytoscape.min.js": "cytoscape/dist/cytoscape.min.js",
    "d3.min.js": "d3/dist/d3.min.js",
    "plot.umd.min.js": "@observablehq/plot/dist/plot.umd.min.js",
    "cytoscape-dagre.min.js": "cytoscape-dagre/dist/cytoscape-dagre.min.js",
    "swagger-ui-bundle.js": "swagger-ui-dist/swagger-ui-bundle.js",
    "swagger-ui.css": "swagger-ui-dist/swagger-ui.css",
    "redoc.standalone.js": "redoc/bundles/redoc.standalone.js",
}


class VendorFiles(StaticFiles):
    """``StaticFiles`` over ``node_modules`` that serves only the files of :data:`VENDOR_FILES`, by name."""

    def __init__(self) -> None:
        super().__init__(directory=NODE_MODULES, check_dir=False)

    def lookup_path(self, path: str) -> tuple[str, os.stat_result | None]:
        """The file a name stands for; 404 saying how to install it when npm has not been run."""
        relative = VENDOR_FILES.get(path)
        if relative is None:
            return "", None
        full = NODE_MODULES / relative
        if not full.is_file():
            raise HTTPException(404, f"{relative} is not installed: run 'cd web && npm ci'")
        return str(full), full.stat()


def static_files() -> StaticFiles:
    """The pages' own assets (``web/static/``)."""
    return StaticFiles(directory=STATIC_DIR)


SAMPLE_QUERY = """\
# Which body holds which role for each commitment?
SELECT ?commitment ?label ?body ?role
WHERE {
  ?responsibility wkg:subject ?commitment ;
      wkg:body ?body ;
      wkg:role ?role .
  ?commitment a wkg:Commitment ;
      skos:prefLabel ?label .
}
ORDER BY ?label ?body
LIMIT 50
"""


def initial_query(prefixes: dict[str, str]) -> str:
    """The editor's first query: every predeclared prefix, then a small example."""
    width = max(len(p) for p in prefixes) + 1
    lines = ["# These prefixes are predeclared by the endpoint: keep them, fold them or delete them."]
    lines += [f"PREFIX {(p + ':').ljust(width)} <{ns}>" for p, ns in prefixes.items()]
    return "\n".join(lines) + "\n\n" + SAMPLE_QUERY


@router.get("/", response_class=HTMLResponse, summary="The home page", response_model=None)
def home_page(request: Request, kg: KGDep, shell: ShellDep) -> HTMLResponse | RedirectResponse:
    """The home page: what the graph holds (headline counts, the ratings scorecard) and where to start.
    A link to ``/?query=…`` (the query page's address before it moved to ``/query``) is sent on to the
    query page, query and all."""
    if request.url.query:
        return RedirectResponse(f"{root(request)}/query?{request.url.query}", status_code=308)
    prefix = root(request)
    return shell.page(
        request,
        "home.html",
        title="Workforce commitments",
        current="Home",
        counts=overview.headline_counts(Context(kg)),
        card=ratings.scorecard(kg),
        href=lambda iri: local_href(iri, kg.base, prefix),
    )


@router.get("/query", response_class=HTMLResponse, summary="The query page")
def query_page(request: Request, kg: KGDep, shell: ShellDep) -> HTMLResponse:
    """The query page: SPARQL editor, example library, results table."""
    config = {
        "base": kg.base,
        "prefixes": kg.prefixes,
        "initialQuery": initial_query(kg.prefixes),
        "ranked": scale.ranked_classes(kg),  # rating values coloured as on every page (ratings.css)
    }
    example = f"{root(request)}/query?{urlencode({'query': text_search.SPARQL_EXAMPLE})}"  # full-text search in SPARQL
    return shell.page(
        request, "query.html", title="SPARQL query", current="Query", config=config, search_example_href=example
    )


@router.get("/docs", include_in_schema=False)
def api_docs(request: Request, shell: ShellDep) -> HTMLResponse:
    """The API docs: Swagger UI (from npm, under ``/static/vendor/``) over ``/openapi.json``."""
    return shell.page(request, "docs.html", title="API", current="API")


@router.get("/redoc", include_in_schema=False)
def redoc(request: Request, shell: ShellDep) -> HTMLResponse:
    """The API reference: ReDoc (from npm, under ``/static/vendor/``) over ``/openapi.json``."""
    return shell.page(request, "redoc.html", title="API reference", current="API")


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> FileResponse:
    """The site's icon (SVG) where browsers look for it unasked; the pages link it from ``/static/``."""
    return FileResponse(STATIC_DIR / "favicon.svg", media_type="image/svg+xml")


PREFIX_OFFERS = ["text/html", "application/json", "text/turtle"]


@router.get(
    "/prefixes",
    summary="The predeclared prefixes (HTML, JSON or Turtle by Accept)",
    responses=merge(
        media(*PREFIX_OFFERS, description="Every prefix every query and update may use undeclared"),
        errors(406),
    ),
    response_model=None,
)
def prefixes_page(request: Request, kg: KGDep, shell: ShellDep) -> Response:
    """Every predeclared prefix: a page (prefix, namespace, what it is), JSON ``{prefix: namespace}``
    (``application/json``) or ``@prefix`` lines (``text/turtle``)."""
    media_type = best_match(request.headers.get("accept"), PREFIX_OFFERS)
    headers = {"Vary": "Accept"}
    if media_type is None:
        return JSONResponse({"error": f"available: {', '.join(PREFIX_OFFERS)}"}, status_code=406, headers=headers)
    if media_type == "application/json":
        return JSONResponse(kg.prefixes, headers=headers)
    if media_type == "text/turtle":
        lines = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in kg.prefixes.items())
        return Response(lines, media_type="text/turtle", headers=headers)
    return shell.page(request, "prefixes.html", title="Prefixes", rows=prefix_table(kg.base), headers=headers)


@router.get("/api/examples", summary="The competency questions, as example queries")
def examples() -> list[dict]:
    """Every competency question: name, question and SPARQL text."""
    return [{"name": cq.name, "question": cq.question, "sparql": cq.sparql} for cq in queries.load()]
