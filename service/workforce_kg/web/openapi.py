"""Building blocks for the OpenAPI description of the routes, so ``/openapi.json`` says what the service
really answers: every status code a route can give, and every media type of its bodies.

Schemathesis checks the schema against the running service (``tests/test_schemathesis.py``).
"""

from __future__ import annotations

from fastapi.responses import JSONResponse

ERROR_SCHEMA = {
    "type": "object",
    "properties": {"error": {"type": "string", "description": "What went wrong, for a person to read."}},
    "required": ["error"],
}

DESCRIPTIONS = {
    303: "See Other: the document about the thing",
    400: "Bad request (the message says why)",
    401: "No credentials",
    403: "Forbidden",
    404: "Not found",
    406: "None of the requested media types can be served",
    413: "Request body or query too large",
    415: "Unsupported Content-Type",
    422: "A parameter names nothing known or is malformed",
    503: "Unavailable: the query was stopped at the time limit, too many queries are running, or the store is down",
}

RDF_TYPES = ("text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml")


def errors(*codes: int, html: bool = False, **descriptions: str) -> dict:
    """Error responses with the ``{"error": ...}`` JSON body (and an HTML page too when ``html``).

    ``descriptions`` override the default text per code, e.g. ``errors(404, e404="No such entity")``.
    """
    out = {}
    for code in codes:
        content: dict = {"application/json": {"schema": ERROR_SCHEMA}}
        if html:
            content["text/html"] = {"schema": {"type": "string"}}
        out[code] = {"description": descriptions.get(f"e{code}", DESCRIPTIONS.get(code, "Error")), "content": content}
    return out


def media(*types: str, code: int = 200, description: str | None = None) -> dict:
    """A response with a body in any of ``types`` (no schema: RDF, HTML, CSV ... are checked elsewhere)."""
    response: dict = {"content": {t: {} for t in types}}
    if description:
        response["description"] = description
    return {code: response}


async def http_error(request, exc) -> JSONResponse:
    """Framework errors (unknown path 404, wrong method 405 ...) in the service's ``{"error": ...}`` shape.

    A 405 lists in ``Allow`` every method of every route on the path (GET and POST of ``/sparql`` are two
    routes; Starlette would name only the first one's).
    """
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        path = request.scope.get("path", "")
        methods = {
            m
            for r in _leaf_routes(request.app.router.routes)
            if r.path_regex.match(path)
            for m in (getattr(r, "methods", None) or ())
        }
        if methods:
            headers["Allow"] = ", ".join(sorted(methods))
    return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code, headers=headers)


def _leaf_routes(routes):
    """The routes with a path, through included routers (FastAPI wraps them)."""
    for route in routes:
        if hasattr(route, "path_regex"):
            yield route
            continue
        inner = getattr(getattr(route, "original_router", None), "routes", None) or getattr(route, "routes", None)
        if inner:
            yield from _leaf_routes(inner)


def redirect(description: str) -> dict:
    return {
        303: {
            "description": description,
            "headers": {"Location": {"schema": {"type": "string"}, "description": "Where to go"}},
        }
    }


def merge(*parts: dict) -> dict:
    """Merge response dicts (later ones add media types to earlier ones for the same code)."""
    out: dict = {}
    for part in parts:
        for code, response in part.items():
            mine = out.setdefault(code, {})
            for key, value in response.items():
                if key == "content":
                    mine.setdefault("content", {}).update(value)
                else:
                    mine[key] = value
    return out


# -- the SPARQL 1.1 Protocol endpoint ------------------------------------------------------------------

SELECT_TYPES = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "application/json",
)

_GRAPH_URIS = {"type": "array", "items": {"type": "string"}}

SPARQL_PARAMETERS = [
    {
        "name": "query",
        "in": "query",
        "required": False,
        "schema": {"type": "string"},
        "description": "A SPARQL 1.1 query (SELECT, ASK, CONSTRUCT, DESCRIBE). Without it, GET answers the service "
        "description.",
    },
    {
        "name": "default-graph-uri",
        "in": "query",
        "required": False,
        "schema": _GRAPH_URIS,
        "style": "form",
        "explode": True,
        "description": "A named graph of the store to use as the default graph (repeatable).",
    },
    {
        "name": "named-graph-uri",
        "in": "query",
        "required": False,
        "schema": _GRAPH_URIS,
        "style": "form",
        "explode": True,
        "description": "A named graph of the store to make available to GRAPH (repeatable).",
    },
    {
        "name": "format",
        "in": "query",
        "required": False,
        "schema": {"type": "string"},
        "description": "Result format instead of Accept: json, xml, csv, tsv, turtle, nt, jsonld, rdfxml "
        "(or a media type).",
    },
]

SPARQL_RESPONSES = merge(
    media(
        *SELECT_TYPES,
        *RDF_TYPES,
        description="Results (SELECT/ASK), a graph (CONSTRUCT/DESCRIBE), or the "
        "service description (GET without a query)",
    ),
    errors(
        400,
        401,
        403,
        406,
        413,
        415,
        503,
        e400="Malformed query, or SERVICE / LOAD / FROM outside the store (the message says which)",
        e401="An update without a bearer token (when writes are enabled)",
        e403="SPARQL Update while writes are off, or a wrong token",
    ),
)

SPARQL_GET = {"parameters": SPARQL_PARAMETERS}

SPARQL_POST = {
    "parameters": SPARQL_PARAMETERS,
    "requestBody": {
        "required": False,
        "content": {
            "application/sparql-query": {"schema": {"type": "string"}},
            "application/sparql-update": {"schema": {"type": "string"}},
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "query": {"type": "string"},
                        "update": {"type": "string"},
                        "default-graph-uri": _GRAPH_URIS,
                        "named-graph-uri": _GRAPH_URIS,
                        "format": {"type": "string"},
                    },
                }
            },
        },
    },
}
