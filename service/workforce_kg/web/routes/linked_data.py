"""Linked data: every IRI of the graph dereferences, plus the dataset description, dumps and JSON-LD context.

An IRI is the configured base (``kg.base``) plus the request path, so on ``http://127.0.0.1:8000``
``/id/organisation/hee`` stands for ``{base}/id/organisation/hee``.

- ``/id/{kind}/{slug}`` names a thing, not a document. Following Cool URIs for the Semantic Web
  (https://www.w3.org/TR/cooluris/#r303gendocument) it answers ``303 See Other``: to ``/doc/{kind}/{slug}``
  for HTML, and to ``/doc/{kind}/{slug}.ttl`` (``.jsonld``, ``.nt``, ``.rdf``) for RDF, by ``Accept``.
- ``/doc/{kind}/{slug}`` is the page about it: HTML or RDF by ``Accept``; an extension fixes the format.
- ``/def``, ``/def/{term}`` (ontology terms, SKOS concepts and schemes) answer directly, by ``Accept``
  or extension.
- Unknown IRIs, and paths with ``..`` segments, are 404: an HTML page for browsers, JSON otherwise.
- ``/.well-known/void`` (VoID + DCAT), ``/dump.nq``, ``/dump.trig``, ``/context.jsonld``.
"""

from __future__ import annotations

import json
import tempfile
from html import escape
from urllib.parse import quote

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response, StreamingResponse

from workforce_kg.rdf import describe as d
from workforce_kg.sparql.negotiation import best_match
from workforce_kg.store.kg import KnowledgeGraph
from workforce_kg.web.middleware import linkable
from workforce_kg.web.openapi import RDF_TYPES, errors, media, merge, redirect

router = APIRouter(tags=["linked data"])

EXTENSIONS = {
    "html": "text/html",
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
    "rdf": "application/rdf+xml",
}
MEDIA_EXTENSION = {media: ext for ext, media in EXTENSIONS.items()}
FORMAT_NAMES = {"ttl": "Turtle", "jsonld": "JSON-LD", "nt": "N-Triples", "rdf": "RDF/XML"}
ENTITY_OFFERS = list(EXTENSIONS.values())  # text/html first: what a bare "*/*" gets
MAX_INCOMING = 500
DUMP_SPOOL = 8 * 1024 * 1024  # dumps larger than this are spooled to a temporary file
CHUNK = 64 * 1024


def _kg(request: Request) -> KnowledgeGraph:
    return request.app.state.kg


def _prefix(request: Request) -> str:
    return request.scope.get("root_path", "").rstrip("/")


# -- errors ------------------------------------------------------------------------------------------


def wants_html(request: Request) -> bool:
    """Whether the client prefers HTML to JSON (browsers do; ``*/*`` does not)."""
    return best_match(request.headers.get("accept"), ["application/json", "text/html"]) == "text/html"


def not_found(request: Request, what: str) -> Response:
    message = f"{what} is not in this knowledge graph"
    if wants_html(request):
        body = (
            f'<h1>Not found</h1><p>{escape(message)}.</p><p><a href="{escape(_prefix(request))}/">Query the '
            "graph</a></p>"
        )
        return HTMLResponse(_page("Not found", body, _prefix(request)), status_code=404)
    return JSONResponse({"error": message}, status_code=404)


def not_acceptable(offers: list[str]) -> Response:
    return JSONResponse(
        {"error": f"none of the requested media types can be served; available: {', '.join(offers)}"},
        status_code=406,
        headers={"Vary": "Accept"},
    )


# -- request path → IRI ------------------------------------------------------------------------------


def iri_for(kg: KnowledgeGraph, section: str, path: str) -> str | None:
    """``{base}/{section}/{path}``, or None when the path could not name an IRI of ours (``..``, spaces …)."""
    segments = path.split("/")
    if (
        any(seg in ("", ".", "..") for seg in segments)
        or any(ch in path for ch in '\\<>"{}|^`')
        or any(ord(ch) < 0x21 for ch in path)
    ):
        return None
    iri = f"{kg.base}/{section}/{path}"
    try:
        ox.NamedNode(iri)
    except ValueError:
        return None
    return iri


def resolve(kg: KnowledgeGraph, section: str, path: str) -> tuple[str | None, str | None]:
    """The IRI a path names and the media type its extension asks for (None: negotiate).

    ``x.ttl`` means ``x`` in Turtle unless the graph has an IRI ending in ``x.ttl`` itself.
    """
    iri = iri_for(kg, section, path)
    if iri is None or d.exists(kg, iri):
        return iri, None
    stem, dot, ext = path.rpartition(".")
    if dot and ext in EXTENSIONS:
        stem_iri = iri_for(kg, section, stem)
        if stem_iri and d.exists(kg, stem_iri):
            return stem_iri, EXTENSIONS[ext]
    return iri, None


def local_href(iri: str, base: str, prefix: str = "") -> str | None:
    """Where a browser on this server reads about ``iri``: our IRIs map to local pages, other ``http(s)``
    IRIs stay; None for any other scheme (``javascript:``, ``data:`` …), which is shown, never linked."""
    if iri == f"{base}/def":
        return f"{prefix}/def"
    if iri.startswith(f"{base}/id/"):
        return f"{prefix}/doc/{iri[len(base) + 4 :]}"
    if iri.startswith((f"{base}/def/", f"{base}/doc/")):
        return prefix + iri[len(base) :]
    return iri if linkable(iri) else None


def doc_path(kg: KnowledgeGraph, iri: str) -> str:
    """The path of the page about ``iri`` without prefix: ``/doc/...`` for things, the IRI's own path for terms."""
    return local_href(iri, kg.base) or iri


# -- routes ------------------------------------------------------------------------------------------

ENTITY_RESPONSES = merge(media(*ENTITY_OFFERS), errors(404, 406, html=True))


@router.get(
    "/id/{path:path}",
    summary="A thing: 303 to the page about it (HTML or RDF by Accept)",
    responses=merge(redirect("The page about the thing (HTML or RDF by Accept)"), errors(404, 406, html=True)),
)
def thing(path: str, request: Request) -> Response:
    """A thing's IRI: 303 See Other to ``/doc/...`` (HTML) or ``/doc/....ttl|.jsonld|.nt|.rdf`` (RDF)."""
    kg = _kg(request)
    iri = iri_for(kg, "id", path)
    if iri is None or not d.exists(kg, iri):
        return not_found(request, f"<{iri or kg.base + '/id/' + path}>")
    media = best_match(request.headers.get("accept"), ENTITY_OFFERS)
    if media is None:
        return not_acceptable(ENTITY_OFFERS)
    target = f"{_prefix(request)}/doc/{path}" + ("" if media == "text/html" else "." + MEDIA_EXTENSION[media])
    return RedirectResponse(target, status_code=303, headers={"Vary": "Accept"})


@router.get(
    "/doc/{path:path}",
    summary="The page about a thing: HTML, Turtle, JSON-LD, N-Triples or RDF/XML",
    responses=ENTITY_RESPONSES,
)
def thing_page(path: str, request: Request) -> Response:
    """The page about ``{base}/id/{path}``; an extension (``.ttl``, ``.jsonld``, ``.nt``, ``.rdf``, ``.html``)
    fixes the format."""
    return entity_response(request, "id", path)


@router.get("/def", summary="The ontology resource", responses=ENTITY_RESPONSES)
def ontology_resource(request: Request) -> Response:
    """The ontology's own IRI ``{base}/def``: its header, and the terms it defines as incoming links."""
    kg = _kg(request)
    return _entity(request, kg, f"{kg.base}/def", None)


@router.get("/def.{ext}", summary="The ontology resource in one format", responses=ENTITY_RESPONSES)
def ontology_resource_as(ext: str, request: Request) -> Response:
    """The ontology's own IRI in the format of the extension (``.ttl``, ``.jsonld``, ``.nt``, ``.rdf``, ``.html``)."""
    kg = _kg(request)
    if ext not in EXTENSIONS:
        return not_found(request, f"<{kg.base}/def.{ext}>")
    return _entity(request, kg, f"{kg.base}/def", EXTENSIONS[ext])


@router.get("/def/{path:path}", summary="An ontology term, SKOS concept or concept scheme", responses=ENTITY_RESPONSES)
def term(path: str, request: Request) -> Response:
    """An ontology term or controlled value (``/def/Commitment``, ``/def/role/lead``, ``/def/scheme/role``)."""
    return entity_response(request, "def", path)


def entity_response(request: Request, section: str, path: str) -> Response:
    kg = _kg(request)
    iri, media = resolve(kg, section, path)
    if iri is None:
        return not_found(request, f"<{kg.base}/{section}/{path}>")
    return _entity(request, kg, iri, media)


def _entity(request: Request, kg: KnowledgeGraph, iri: str, media: str | None) -> Response:
    vary = {}
    if media is None:
        vary = {"Vary": "Accept"}
        media = best_match(request.headers.get("accept"), ENTITY_OFFERS)
        if media is None:
            return not_acceptable(ENTITY_OFFERS)
    if media == "text/html":
        desc = d.describe(kg, iri, MAX_INCOMING)
        if desc is None:
            return not_found(request, f"<{iri}>")
        return HTMLResponse(entity_html(desc, kg, _prefix(request)), headers=vary)
    if not d.exists(kg, iri):
        return not_found(request, f"<{iri}>")
    body = d.serialize(kg, d.cbd(kg, iri), media)
    return Response(body, media_type=media, headers=vary)


@router.get(
    "/.well-known/void",
    summary="VoID and DCAT description of the dataset",
    responses=merge(media(*RDF_TYPES), errors(406)),
)
def void(request: Request) -> Response:
    """The dataset's VoID + DCAT description: counts, classes, vocabularies, licence, endpoint, dumps, sources."""
    kg = _kg(request)
    offers = ["text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml"]
    media = best_match(request.headers.get("accept"), offers)
    if media is None:
        return not_acceptable(offers)
    triples = d.dataset_description(kg, str(request.base_url))
    prefixes = {**kg.prefixes, **d.VOID_PREFIXES}
    context = {"id": "@id", "type": "@type", **prefixes}
    body = d.serialize(kg, triples, media, context=context, prefixes=prefixes)
    return Response(body, media_type=media, headers={"Vary": "Accept"})


def dump_response(kg: KnowledgeGraph, fmt: ox.RdfFormat, media: str, prefixes: dict | None) -> Response:
    """Dump the whole store (every named graph) through a spooled file, then stream it in chunks."""
    spool = tempfile.SpooledTemporaryFile(max_size=DUMP_SPOOL)  # noqa: SIM115  (closed by the response's stream)
    kg.store.dump(spool, format=fmt, prefixes=prefixes)
    spool.seek(0)

    def chunks():
        with spool:
            while chunk := spool.read(CHUNK):
                yield chunk

    return StreamingResponse(chunks(), media_type=media)


@router.get("/dump.nq", summary="Full dump of every named graph (N-Quads)", responses=media("application/n-quads"))
def dump_nquads(request: Request) -> Response:
    """Every quad of the store, each in its named graph (``{base}/graph/...``), as N-Quads."""
    return dump_response(_kg(request), ox.RdfFormat.N_QUADS, "application/n-quads", None)


@router.get("/dump.trig", summary="Full dump of every named graph (TriG)", responses=media("application/trig"))
def dump_trig(request: Request) -> Response:
    """Every named graph of the store as TriG, with the graph's prefixes."""
    kg = _kg(request)
    return dump_response(kg, ox.RdfFormat.TRIG, "application/trig", kg.prefixes)


@router.get("/context.jsonld", summary="JSON-LD context for the ontology", responses=media("application/ld+json"))
def context(request: Request) -> Response:
    """A JSON-LD ``@context`` for ``wkg:`` terms (object properties as ``@id``, datatype properties typed)."""
    body = json.dumps(d.jsonld_context(_kg(request)), ensure_ascii=False, indent=2)
    return Response(body, media_type="application/ld+json")


# -- HTML --------------------------------------------------------------------------------------------

STYLE = """
body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1b1b1b;background:#fafafa}
nav{background:#00405f;padding:.5em 1em}nav a{color:#fff;margin-right:1em;text-decoration:none}
main{max-width:72em;margin:0 auto;padding:1em}
h1{margin:.3em 0}.iri{color:#555;word-break:break-all}
a{color:#005ea5}table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;vertical-align:top;padding:.35em .6em;border-bottom:1px solid #ddd}
th{width:22%;font-weight:600}td ul{margin:0;padding-left:1.1em}
.lit{white-space:pre-wrap}.dt{color:#777;font-size:.85em;margin-left:.4em}
blockquote{margin:.2em 0;padding:.3em .8em;border-left:4px solid #00405f;background:#fff}
.cite{color:#555;font-size:.9em;margin:0 0 .8em}.formats a{margin-right:.6em}
dl.nested{margin:0;padding-left:.8em;border-left:2px solid #ddd}
dl.nested dt{font-weight:600}dl.nested dd{margin:0 0 .3em}
"""


def _page(title: str, body: str, prefix: str, head: str = "") -> str:
    p = escape(prefix)
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} · workforce-kg</title>{head}<style>{STYLE}</style></head><body>"
        f'<nav><a href="{p}/">Query</a><a href="{p}/ontology">Ontology</a>'
        f'<a href="{p}/.well-known/void">Dataset</a><a href="{p}/graph">Graph</a>'
        f'<a href="{p}/matrix">Matrix</a><a href="{p}/gaps">Gaps</a></nav>'
        f"<main>{body}</main></body></html>"
    )


def _a(link: d.Link, base: str, prefix: str) -> str:
    href = None if link.is_blank else local_href(link.iri, base, prefix)
    if href is None:  # a blank node, or an IRI that is not http(s): text, not a link
        return (
            escape(link.label)
            if link.is_blank
            else f'<span class="iri" title="{escape(link.iri)}">{escape(link.label)}</span>'
        )
    return f'<a href="{escape(href)}" title="{escape(link.iri)}">{escape(link.label)}</a>'


def _value_html(value: d.Value, base: str, prefix: str) -> str:
    if value.items is not None:
        return "<ol>" + "".join(f"<li>{_value_html(v, base, prefix)}</li>" for v in value.items) + "</ol>"
    if value.nested is not None:
        rows = "".join(
            f"<dt>{_a(p.predicate, base, prefix)}</dt>"
            + "".join(f"<dd>{_value_html(v, base, prefix)}</dd>" for v in p.values)
            for p in value.nested
        )
        return f'<dl class="nested">{rows}</dl>'
    if value.link is not None:
        return _a(value.link, base, prefix)
    extra = ""
    if value.language and value.language != "en":
        extra = f'<span class="dt">@{escape(value.language)}</span>'
    elif value.datatype:
        extra = f'<span class="dt">{escape(value.datatype)}</span>'
    return f'<span class="lit">{escape(value.literal or "")}</span>{extra}'


def entity_html(desc: d.Description, kg: KnowledgeGraph, prefix: str = "") -> str:
    """The HTML page of a resource; every label and literal is escaped."""
    base = kg.base
    page = escape(prefix + doc_path(kg, desc.iri))
    formats = " ".join(f'<a href="{page}.{ext}">{name}</a>' for ext, name in FORMAT_NAMES.items())
    head = "".join(f'<link rel="alternate" type="{EXTENSIONS[ext]}" href="{page}.{ext}">' for ext in FORMAT_NAMES)
    graph_view = escape(f"{prefix}/graph?focus={quote(desc.iri, safe='')}")
    parts = [
        f"<h1>{escape(desc.label)}</h1>",
        f'<p class="iri"><code>{escape(desc.iri)}</code></p>',
    ]
    if desc.types:
        parts.append("<p>Type: " + ", ".join(_a(t, base, prefix) for t in desc.types) + "</p>")
    parts.append(f'<p class="formats">Download: {formats} · <a href="{graph_view}">Show in graph view</a></p>')

    parts.append("<h2>Properties</h2>")
    if desc.properties:
        rows = "".join(
            f"<tr><th>{_a(p.predicate, base, prefix)}</th><td><ul>"
            + "".join(f"<li>{_value_html(v, base, prefix)}</li>" for v in p.values)
            + "</ul></td></tr>"
            for p in desc.properties
        )
        parts.append(f'<table class="properties">{rows}</table>')
    else:
        parts.append("<p>None: the graph only refers to this resource.</p>")

    parts.append(f'<h2 id="sources">Sources ({len(desc.citations)})</h2>')
    if desc.citations:
        items = []
        for c in desc.citations:
            doc = _a(c.document, base, prefix) if c.document else "unknown document"
            locator = f", {escape(c.locator)}" if c.locator else ""
            items.append(
                f'<li><blockquote>{escape(c.quote or "")}</blockquote><p class="cite">— {doc}{locator}</p></li>'
            )
        parts.append(f'<ol class="citations">{"".join(items)}</ol>')
    else:
        parts.append("<p>No citation is attached to this resource itself.</p>")

    parts.append(f'<h2 id="incoming">Incoming links ({desc.incoming_total})</h2>')
    if desc.incoming:
        rows = "".join(
            f"<tr><td>{_a(r.subject, base, prefix)}</td><td>"
            + (f"{_a(r.via, base, prefix)} → " if r.via else "")
            + f"{_a(r.predicate, base, prefix)}</td></tr>"
            for r in desc.incoming
        )
        parts.append(f'<table class="incoming"><tr><th>from</th><th>by</th></tr>{rows}</table>')
        if desc.incoming_total > len(desc.incoming):
            parts.append(
                f"<p>Showing {len(desc.incoming)} of {desc.incoming_total}; query <code>/sparql</code> for all.</p>"
            )
    else:
        parts.append("<p>None.</p>")
    return _page(desc.label, "".join(parts), prefix, head)
