"""The site shell: one set of Jinja2 templates (``web/templates/``, autoescaped) for every HTML page.

Every page extends ``base.html`` — the skip link, the site header and navigation, the footer with the
dataset and licence links, and no inline script (data for a page's scripts travel as JSON in a
``<script type="application/json">``), so one Content-Security-Policy fits them all
(:data:`workforce_kg.web.middleware.CSP`). The ontology page is HTML made by pyLODE with its own
stylesheet: :meth:`Shell.wrap` adds the same header and footer to it.

A :class:`Shell` (and its template cache) is made once, in the application's lifespan.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from workforce_kg import __version__
from workforce_kg.paths import TEMPLATES_DIR
from workforce_kg.provenance.locators import format_locator
from workforce_kg.rdf import display

#: The site navigation, in order: (name, path).
NAV = (
    ("Home", "/"),
    ("Query", "/query"),
    ("Ratings", "/ratings"),
    ("Graph", "/graph"),
    ("Matrix", "/matrix"),
    ("Gaps", "/gaps"),
    ("Ontology", "/ontology"),
    ("API", "/docs"),
)
#: Short names of licences the footer may link to (others are named by their IRI).
LICENCE_NAMES = {"https://creativecommons.org/licenses/by/4.0/": "CC BY 4.0"}


def link(resource: Any, href: Callable[[str], str | None]) -> Markup:
    """A link to a resource (:class:`workforce_kg.rdf.describe.Link`, or a dict with ``iri``, ``label`` and
    optionally ``css``), escaped, with its CSS classes (a rating value's colour): ``href(iri)`` says where
    a browser on this server reads about the IRI, or None for an IRI that must never be a link
    (``javascript:``, ``data:`` …), which is shown as text. A template global (the pages hold hundreds of
    links: a Python function renders them several times faster than a macro)."""
    if isinstance(resource, dict):
        iri, label, blank, css = resource["iri"], resource["label"], False, resource.get("css")
    else:
        iri, label, blank, css = resource.iri, resource.label, resource.is_blank, getattr(resource, "css", None)
    if blank:
        return escape(label)
    target = href(iri)
    if target is None:
        return Markup(f'<span class="iri" title="{escape(iri)}">{escape(label)}</span>')
    cls = Markup(' class="{}"').format(css) if css else ""
    return Markup(f'<a href="{escape(target)}" title="{escape(iri)}"{cls}>{escape(label)}</a>')


def root(request: Request) -> str:
    """The application's root path (``""`` unless it is mounted under a prefix), without a final slash;
    the application's, also inside a mounted app such as the static files (whose ``root_path`` is theirs)."""
    scope = request.scope
    return str(scope.get("app_root_path", scope.get("root_path", ""))).rstrip("/")


class Shell:
    """Renders the service's HTML pages from the templates, inside the one site shell."""

    def __init__(self, licence: str | None = None):
        env = Environment(
            loader=FileSystemLoader(TEMPLATES_DIR),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,  # the templates ship with the package: compiled once, never checked again
        )
        env.globals["link"] = link
        env.filters.update(
            locator=format_locator, money=display.money, number=display.number, day=lambda v: display.day(str(v))
        )
        self.templates = Jinja2Templates(env=env)
        self.globals = {
            "nav": NAV,
            "version": __version__,
            "licence": licence,
            "licence_name": LICENCE_NAMES.get(licence or "", licence),
        }

    def context(self, request: Request, title: str, current: str | None) -> dict[str, Any]:
        """What the shell itself needs: the page title, the current navigation entry, the root path."""
        return {**self.globals, "title": title, "current": current, "prefix": root(request)}

    def page(
        self,
        request: Request,
        template: str,
        *,
        title: str,
        current: str | None = None,
        status_code: int = 200,
        headers: dict[str, str] | None = None,
        **context: Any,
    ) -> HTMLResponse:
        """A full page: ``template`` (which extends ``base.html``) with ``context``."""
        return self.templates.TemplateResponse(
            request,
            template,
            {**self.context(request, title, current), **context},
            status_code=status_code,
            headers=headers,
        )

    def message(
        self, request: Request, title: str, message: str, *, status_code: int, kind: str = "error", home: bool = False
    ) -> HTMLResponse:
        """A page that only says ``message`` (not found, refused …)."""
        return self.page(
            request, "message.html", title=title, status_code=status_code, message=message, kind=kind, home=home
        )

    def wrap(self, request: Request, html: str, *, current: str) -> str:
        """A whole HTML document made elsewhere (pyLODE) with the site's header and footer added, and the
        shell's stylesheet (scoped to them, so the document's own CSS is untouched)."""
        ctx = self.context(request, "", current)
        env = self.templates.env
        header = env.get_template("_header.html").render(ctx, skip_to="content")  # pyLODE's main column
        footer = env.get_template("_footer.html").render(ctx)
        style = Markup(
            '<link rel="stylesheet" href="{0}/static/shell.css"><link rel="icon" href="{0}/static/favicon.svg" '
            'type="image/svg+xml">'
        ).format(ctx["prefix"])
        html = re.sub(r"</head>", lambda _: f"{style}</head>", html, count=1, flags=re.I)
        html = re.sub(
            r"<body([^>]*)>", lambda m: f'<body{m.group(1)} class="shell-embedded">{header}', html, count=1, flags=re.I
        )
        return re.sub(r"</body>", lambda _: f"{footer}</body>", html, count=1, flags=re.I)
