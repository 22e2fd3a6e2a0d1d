"""Security headers on every response (:class:`SecurityHeaders`), and which IRIs may become links.

One Content-Security-Policy for every page the service serves (the query page, the entity pages, the
views, ``/ontology``, the API docs, error pages): scripts and everything else only from this origin
(``script-src 'self'``: no inline script, no ``eval``, no CDN), no plugins, no ``<base>``, forms only to
this origin, and no framing by other sites. Inline *styles* are allowed: the ontology page (pyLODE) and
the entity pages carry a ``<style>`` element, and the views colour their legends with ``style``
attributes; styles cannot run script.
"""

from __future__ import annotations

CSP = "; ".join([
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
])

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
