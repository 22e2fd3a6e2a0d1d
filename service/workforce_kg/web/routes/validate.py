"""POST /validate: check a curator's RDF against the shapes, together with the graph the service serves.

The body is parsed by :func:`workforce_kg.rdf.uploads.parse` (the parser of the Graph Store writes too) and
validated in a pool of killable worker processes (:class:`workforce_kg.sparql.executor.QueryExecutor` running
:func:`workforce_kg.validation.upload.validation_main`), admitted and timed like queries: at most
``max_concurrent`` at once (503 and
``Retry-After`` beyond), stopped at the query time limit (503; the worker is killed and replaced). The web
process only reads the (size-limited) body and passes it on, so its memory does not grow with uploads and
its event loop is never busy with them. Each worker opens the on-disk store read-only (the version a
write last published) and validates the upload as if it were added to the store, reading only around
the nodes it touches (:func:`workforce_kg.validation.upload.validate_upload`). A service without an on-disk
store (an in-memory graph
in tests, a remote store) validates in a thread of the web process instead.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from workforce_kg.rdf import uploads
from workforce_kg.sparql.negotiation import best_match
from workforce_kg.web.deps import InProcessValidatorDep, KGDep, ValidatorsDep
from workforce_kg.web.openapi import errors, media, merge

router = APIRouter()

FORMATS = uploads.UPLOAD_FORMATS
REPORT_TYPES = ["application/json", "text/turtle"]

VALIDATE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            t: {"schema": {"type": ["object", "array"]} if t == "application/ld+json" else {"type": "string"}}
            for t in FORMATS
        },
    }
}


@router.post(
    "/validate",
    summary="Validate RDF against the shapes",
    openapi_extra=VALIDATE_BODY,
    responses=merge(
        media("text/turtle", description="The report: JSON by default, the SHACL report in Turtle by Accept"),
        errors(400, 406, 413, 415, 503, e400="Malformed or refused RDF (the parser's message, or why)"),
    ),
)
async def validate_rdf(request: Request, kg: KGDep, pool: ValidatorsDep, in_process: InProcessValidatorDep) -> Response:
    """Validate posted RDF (Turtle, N-Triples, RDF/XML or JSON-LD), together with the graph the service
    serves, against the shapes.

    The report lists the results about nodes the posted data mentions; JSON by default, Turtle
    (the SHACL validation report) with ``Accept: text/turtle``. Validation is admitted and timed like
    a query (503 with ``Retry-After`` when too many run, 503 past the time limit).
    """
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
    if pool is not None:
        outcome = await run_in_threadpool(pool.run, (body, content_type), report_type)
    else:
        outcome = await run_in_threadpool(in_process.answer, kg, body, content_type, report_type)
    return Response(outcome.body, status_code=outcome.status, media_type=outcome.media_type, headers=outcome.headers)
