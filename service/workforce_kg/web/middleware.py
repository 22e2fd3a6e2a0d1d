"""ASGI middleware: security headers on every response (:class:`SecurityHeaders`), the request log
(:class:`RequestLog`), the request body limit (:class:`BodyLimit`); and which IRIs may become links.

One Content-Security-Policy for every page the service serves (the query page, the entity pages, the
views, ``/ontology``, the API docs, error pages): scripts and everything else only from this origin
(``script-src 'self'``: no inline script, no ``eval``, no CDN), no plugins, no ``<base>``, forms only to
this origin, and no framing by other sites. Every page is rendered in the one site shell
(:mod:`workforce_kg.web.shell`). Inline *styles* are allowed: the ontology page (pyLODE) carries a
``<style>`` element, and the views colour their legends with ``style`` attributes; styles cannot run
script.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
import uuid

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse

log = logging.getLogger("workforce_kg.access")

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]
_NAMES = {name for name, _ in HEADERS}


def linkable(iri: str) -> bool:
    """Whether an IRI may be the target of a link on a page: ``http:`` and ``https:`` IRIs only (never
    ``javascript:``, ``data:``, ``vbscript:``, ``file:`` …, however spelt)."""
    return iri.lower().startswith(("http://", "https://"))


class SecurityHeaders:
    """ASGI middleware: the headers of :data:`HEADERS` on every HTTP response (replacing any a route
    set), whatever route, status or media type — JSON, RDF, static files, errors and 404s included."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in _NAMES]
                message["headers"] = [*kept, *HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RequestLog:
    """One structured log line per request, with a request id (the client's ``X-Request-ID`` when it is a
    short plain token, else a new one; echoed in the response); no headers are logged. Nothing else: the
    store is refreshed by the routes that read it (:func:`workforce_kg.web.deps.get_kg`). A plain ASGI middleware:
    Starlette's ``@app.middleware("http")`` costs a task and a response copy per request."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex[:16]
        started = time.perf_counter()
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
            log.info(
                json.dumps(
                    {
                        "request_id": request_id,
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": status,
                        "ms": round((time.perf_counter() - started) * 1000, 1),
                    }
                )
            )


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
            return await self.refuse(
                message, receive, send, drain=headers.get(b"expect", b"").lower() != b"100-continue"
            )
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
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
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
