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
from urllib.parse import quote

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response, StreamingResponse

from workforce_kg.analysis import accountability as acc
from workforce_kg.rdf import describe as d
from workforce_kg.sparql.negotiation import best_match
from workforce_kg.store.kg import KnowledgeGraph
from workforce_kg.web.deps import KGDep, ShellDep
from workforce_kg.web.errors import NotInGraph
from workforce_kg.web.middleware import linkable
from workforce_kg.web.openapi import RDF_TYPES, errors, media, merge, redirect
from workforce_kg.web.shell import Shell, root

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


# -- errors ------------------------------------------------------------------------------------------


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
def thing(path: str, request: Request, kg: KGDep) -> Response:
    """A thing's IRI: 303 See Other to ``/doc/...`` (HTML) or ``/doc/....ttl|.jsonld|.nt|.rdf`` (RDF)."""
    iri = iri_for(kg, "id", path)
    if iri is None or not d.exists(kg, iri):
        raise NotInGraph(f"<{iri or kg.base + '/id/' + path}>")
    media = best_match(request.headers.get("accept"), ENTITY_OFFERS)
    if media is None:
        return not_acceptable(ENTITY_OFFERS)
    target = f"{root(request)}/doc/{path}" + ("" if media == "text/html" else "." + MEDIA_EXTENSION[media])
    return RedirectResponse(target, status_code=303, headers={"Vary": "Accept"})


@router.get(
    "/doc/{path:path}",
    summary="The page about a thing: HTML, Turtle, JSON-LD, N-Triples or RDF/XML",
    responses=ENTITY_RESPONSES,
)
def thing_page(path: str, request: Request, kg: KGDep, shell: ShellDep) -> Response:
    """The page about ``{base}/id/{path}``; an extension (``.ttl``, ``.jsonld``, ``.nt``, ``.rdf``, ``.html``)
    fixes the format."""
    return entity_response(request, kg, shell, "id", path)


@router.get("/def", summary="The ontology resource", responses=ENTITY_RESPONSES)
def ontology_resource(request: Request, kg: KGDep, shell: ShellDep) -> Response:
    """The ontology's own IRI ``{base}/def``: its header, and the terms it defines as incoming links."""
    return _entity(request, kg, shell, f"{kg.base}/def", None)


@router.get("/def.{ext}", summary="The ontology resource in one format", responses=ENTITY_RESPONSES)
def ontology_resource_as(ext: str, request: Request, kg: KGDep, shell: ShellDep) -> Response:
    """The ontology's own IRI in the format of the extension (``.ttl``, ``.jsonld``, ``.nt``, ``.rdf``, ``.html``)."""
    if ext not in EXTENSIONS:
        raise NotInGraph(f"<{kg.base}/def.{ext}>")
    return _entity(request, kg, shell, f"{kg.base}/def", EXTENSIONS[ext])


@router.get("/def/{path:path}", summary="An ontology term, SKOS concept or concept scheme", responses=ENTITY_RESPONSES)
def term(path: str, request: Request, kg: KGDep, shell: ShellDep) -> Response:
    """An ontology term or controlled value (``/def/Commitment``, ``/def/role/lead``, ``/def/scheme/role``)."""
    return entity_response(request, kg, shell, "def", path)


def entity_response(request: Request, kg: KnowledgeGraph, shell: Shell, section: str, path: str) -> Response:
    """The page about the resource ``{base}/{section}/{path}`` names (404 when the graph has none)."""
    iri, media = resolve(kg, section, path)
    if iri is None:
        raise NotInGraph(f"<{kg.base}/{section}/{path}>")
    return _entity(request, kg, shell, iri, media)


def _entity(request: Request, kg: KnowledgeGraph, shell: Shell, iri: str, media: str | None) -> Response:
    vary = {}
    if media is None:
        vary = {"Vary": "Accept"}
        media = best_match(request.headers.get("accept"), ENTITY_OFFERS)
        if media is None:
            return not_acceptable(ENTITY_OFFERS)
    if media == "text/html":
        desc = d.describe(kg, iri, MAX_INCOMING)
        if desc is None:
            raise NotInGraph(f"<{iri}>")
        return entity_page(request, shell, kg, desc, headers=vary)
    if not d.exists(kg, iri):
        raise NotInGraph(f"<{iri}>")
    body = d.serialize(kg, d.cbd(kg, iri), media)
    return Response(body, media_type=media, headers=vary)


@router.get(
    "/.well-known/void",
    summary="VoID and DCAT description of the dataset",
    responses=merge(media(*RDF_TYPES), errors(406)),
)
def void(request: Request, kg: KGDep) -> Response:
    """The dataset's VoID + DCAT description: counts, classes, vocabularies, licence, endpoint, dumps, sources."""
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
def dump_nquads(kg: KGDep) -> Response:
    """Every quad of the store, each in its named graph (``{base}/graph/...``), as N-Quads."""
    return dump_response(kg, ox.RdfFormat.N_QUADS, "application/n-quads", None)


@router.get("/dump.trig", summary="Full dump of every named graph (TriG)", responses=media("application/trig"))
def dump_trig(kg: KGDep) -> Response:
    """Every named graph of the store as TriG, with the graph's prefixes."""
    return dump_response(kg, ox.RdfFormat.TRIG, "application/trig", kg.prefixes)


@router.get("/context.jsonld", summary="JSON-LD context for the ontology", responses=media("application/ld+json"))
def context(kg: KGDep) -> Response:
    """A JSON-LD ``@context`` for ``wkg:`` terms (object properties as ``@id``, datatype properties typed)."""
    body = json.dumps(d.jsonld_context(kg), ensure_ascii=False, indent=2)
    return Response(body, media_type="application/ld+json")


# -- HTML --------------------------------------------------------------------------------------------


def rating_chips(ratings: list[dict]) -> list[dict]:
    """One chip per dimension and value (a value the summary table and the section agree on shows once),
    in the order given; ``title`` names the ratings it stands for."""
    chips: dict[tuple, dict] = {}
    for r in ratings:
        dimension, value = r["dimension"], r["value"]
        key = (dimension["iri"] if dimension else None, value["iri"] if value else None)
        chip = chips.setdefault(
            key,
            {
                "iri": r["iri"],
                "dimension": dimension["label"] if dimension else "Rating",
                "value": value["label"] if value else "not rated",
                "value_id": value["id"] if value else "",
                "rank": r["rank"],
                "labels": [],
            },
        )
        chip["labels"].append(r["label"])
    return [{**c, "title": "; ".join(c["labels"])} for c in chips.values()]


def glance_of(kg: KnowledgeGraph, desc: d.Description) -> dict | None:
    """The at-a-glance block of a commitment's page (None for anything else)."""
    kind = f"{kg.base}/id/commitment/"
    if not desc.iri.startswith(kind) or f"{kg.base}/def/Commitment" not in {t.iri for t in desc.types}:
        return None
    try:
        return acc.commitment_glance(kg, desc.iri[len(kind) :])
    except acc.NotFound:
        return None


def entity_page(
    request: Request, shell: Shell, kg: KnowledgeGraph, desc: d.Description, headers: dict[str, str]
) -> Response:
    """The HTML page of a resource (``entity.html``); every label and literal is escaped by the template.
    A commitment's page starts with its at-a-glance block (:func:`glance_of`)."""
    prefix = root(request)
    page = prefix + doc_path(kg, desc.iri)
    glance = glance_of(kg, desc)
    return shell.page(
        request,
        "entity.html",
        title=desc.label,
        headers=headers,
        desc=desc,
        glance=glance,
        chips=rating_chips(glance["ratings"]) if glance else [],
        page=page,
        formats=list(FORMAT_NAMES.items()),
        media=EXTENSIONS,
        graph_view=f"{prefix}/graph?focus={quote(desc.iri, safe='')}",
        href=lambda iri: local_href(iri, kg.base, prefix),
    )
