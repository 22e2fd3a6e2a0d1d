"""The query page at ``/``: a SPARQL editor, the competency questions as examples, results as a table.

Everything the page loads is served from here — our own JS/CSS from ``static/`` and the editor
(YASQE; Cytoscape.js for the views; Swagger UI for the API docs at ``/docs``; installed from npm into
``web/node_modules`` by ``cd web && npm ci``) under
``/static/vendor/`` — so the page works offline and nothing comes from a CDN. Only the files
named in ``STATIC_FILES`` and ``VENDOR_FILES`` are served: no directory listing, no traversal.
"""

from __future__ import annotations

import json
from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response

from workforce_kg import cq as queries
from workforce_kg.paths import CHECKOUT_DIR, STATIC_DIR

router = APIRouter()

WEB_DIR = CHECKOUT_DIR / "web"  # the repository's web/ (npm packages), in a checkout
NODE_MODULES = WEB_DIR / "node_modules"

STATIC_FILES = {
    "query.js": "text/javascript",
    "base.css": "text/css",
    "query.css": "text/css",
    "views.css": "text/css",
    "graph.js": "text/javascript",
    "matrix.js": "text/javascript",
    "docs.js": "text/javascript",
}
VENDOR_FILES = {
    "yasqe.min.js": ("@zazuko/yasqe/build/yasqe.min.js", "text/javascript"),
    "yasqe.min.css": ("@zazuko/yasqe/build/yasqe.min.css", "text/css"),
    "cytoscape.min.js": ("cytoscape/dist/cytoscape.min.js", "text/javascript"),
    "swagger-ui-bundle.js": ("swagger-ui-dist/swagger-ui-bundle.js", "text/javascript"),
    "swagger-ui.css": ("swagger-ui-dist/swagger-ui.css", "text/css"),
}

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


def not_found(message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=404)


def initial_query(prefixes: dict[str, str]) -> str:
    """The editor's first query: every predeclared prefix, then a small example."""
    width = max(len(p) for p in prefixes) + 1
    lines = ["# These prefixes are predeclared by the endpoint: keep them, fold them or delete them."]
    lines += [f"PREFIX {(p + ':').ljust(width)} <{ns}>" for p, ns in prefixes.items()]
    return "\n".join(lines) + "\n\n" + SAMPLE_QUERY


def page_config(request: Request) -> dict:
    kg = request.app.state.kg
    return {"base": kg.base, "prefixes": kg.prefixes, "initialQuery": initial_query(kg.prefixes)}


def render_page(config: dict) -> str:
    template = (STATIC_DIR / "query.html").read_text(encoding="utf-8")
    # "<" escaped so no value can close the <script> element the config sits in.
    blob = json.dumps(config, ensure_ascii=False).replace("<", "\\u003c")
    return template.replace("__CONFIG__", blob)


@router.get("/", response_class=HTMLResponse, summary="The query page")
def query_page(request: Request) -> HTMLResponse:
    """The query page: SPARQL editor, example library, results table."""
    return HTMLResponse(render_page(page_config(request)))


@router.get("/docs", include_in_schema=False)
def api_docs(request: Request) -> HTMLResponse:
    """The API docs: Swagger UI (from npm, under ``/static/vendor/``) over ``/openapi.json``."""
    p = escape(request.scope.get("root_path", "").rstrip("/"))
    return HTMLResponse(
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<title>workforce-kg — API</title><link rel="icon" href="data:,">'
        f'<link rel="stylesheet" href="{p}/static/vendor/swagger-ui.css"></head><body>'
        f'<div id="swagger-ui" data-openapi="{p}/openapi.json"></div>'
        f'<script src="{p}/static/vendor/swagger-ui-bundle.js"></script><script src="{p}/static/docs.js"></script>'
        "</body></html>"
    )


@router.get("/redoc", include_in_schema=False)
def redoc(request: Request) -> RedirectResponse:
    """The API docs are at ``/docs`` (ReDoc is not served: it would come from a CDN)."""
    return RedirectResponse(request.scope.get("root_path", "").rstrip("/") + "/docs", status_code=308)


@router.get("/api/examples", summary="The competency questions, as example queries")
def examples() -> list[dict]:
    """Every competency question: name, question and SPARQL text."""
    return [{"name": cq.name, "question": cq.question, "sparql": cq.sparql} for cq in queries.load()]


@router.get("/static/vendor/{name}", include_in_schema=False)
def vendor_file(name: str) -> Response:
    """A file of the npm build, by its name in ``VENDOR_FILES``."""
    if name not in VENDOR_FILES:
        return not_found(f"no vendor file {name!r}")
    relative, media_type = VENDOR_FILES[name]
    path = NODE_MODULES / relative
    if not path.is_file():
        return not_found(f"{relative} is not installed: run 'cd web && npm ci'")
    return FileResponse(path, media_type=media_type)


@router.get("/static/{name}", include_in_schema=False)
def static_file(name: str) -> Response:
    """One of the page's own files, by its name in ``STATIC_FILES``."""
    if name not in STATIC_FILES:
        return not_found(f"no static file {name!r}")
    return FileResponse(STATIC_DIR / name, media_type=STATIC_FILES[name])
