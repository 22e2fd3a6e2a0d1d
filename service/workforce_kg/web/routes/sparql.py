"""SPARQL 1.1 Protocol endpoint: the web layer (parse the HTTP request, hand it to the executor, respond).

The protocol itself (checks, evaluation, formats) is in :mod:`workforce_kg.sparql.protocol`.
"""

from __future__ import annotations

from urllib.parse import parse_qs

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from workforce_kg.config import Settings
from workforce_kg.sparql.negotiation import best_match
from workforce_kg.sparql.protocol import (
    GRAPH_TYPES,
    ProtocolError,
    SparqlRequest,
    error_outcome,
    execute,
    first_value,
    unsupported_media_type,
)
from workforce_kg.vocab import XSD
from workforce_kg.web.deps import ExecutorDep, KGDep, SettingsDep, WriterDep
from workforce_kg.web.openapi import SPARQL_GET, SPARQL_POST, SPARQL_RESPONSES
from workforce_kg.web.routes.writes import sparql_update
from workforce_kg.web.shell import root

router = APIRouter()

ANY_URI = ox.NamedNode(XSD + "anyURI")


async def parse_request(request: Request, max_body: int) -> SparqlRequest:
    params = parse_qs(request.url.query, keep_blank_values=True)
    req = SparqlRequest(
        query=first_value(params, "query"),
        default_graphs=params.get("default-graph-uri", []),
        named_graphs=params.get("named-graph-uri", []),
        format=first_value(params, "format") or first_value(params, "output"),
    )
    if request.method == "POST":
        body = await request.body()  # its size is bounded by app.BodyLimit
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        text = body.decode("utf-8", errors="replace")
        if ctype == "application/x-www-form-urlencoded":
            form = parse_qs(text, keep_blank_values=True)
            req.query = first_value(form, "query") or req.query
            req.update = first_value(form, "update")
            req.default_graphs += form.get("default-graph-uri", [])
            req.named_graphs += form.get("named-graph-uri", [])
            req.format = first_value(form, "format") or req.format
        elif ctype == "application/sparql-query":
            req.query = text
        elif ctype == "application/sparql-update":
            req.update = text
        else:
            raise unsupported_media_type(
                "POST needs Content-Type application/sparql-query, application/sparql-update "
                "or application/x-www-form-urlencoded"
            )
    for given in (req.query, req.update):
        if given is not None and len(given) > max_body:
            raise ProtocolError(413, f"query longer than {max_body} characters")
    return req


def to_response(outcome) -> Response:
    return Response(outcome.body, status_code=outcome.status, media_type=outcome.media_type, headers=outcome.headers)


@router.get(
    "/sparql",
    summary="SPARQL 1.1 Protocol endpoint (GET)",
    operation_id="sparql_get",
    responses=SPARQL_RESPONSES,
    openapi_extra=SPARQL_GET,
)
@router.post(
    "/sparql",
    summary="SPARQL 1.1 Protocol endpoint (POST)",
    operation_id="sparql_post",
    responses=SPARQL_RESPONSES,
    openapi_extra=SPARQL_POST,
)
async def sparql_endpoint(
    request: Request, kg: KGDep, settings: SettingsDep, executor: ExecutorDep, writer: WriterDep
) -> Response:
    """SPARQL 1.1 Protocol endpoint: GET ?query=, POST form or application/sparql-query."""
    try:
        req = await parse_request(request, settings.max_body)
    except ProtocolError as exc:
        return to_response(error_outcome(exc.status, exc.message))
    if request.method == "GET" and req.query is None and req.update is None:
        return service_description(request, settings, kg.prefixes)
    if req.update is not None and req.query is None:
        return await sparql_update(request, kg, settings, writer, req.update)
    accept = request.headers.get("accept")
    if executor is not None:
        outcome = await run_in_threadpool(executor.run, req, accept)
    else:
        outcome = await run_in_threadpool(execute, kg, req, accept, settings.max_rows)
    return to_response(outcome)


def service_description(request: Request, settings: Settings, prefixes: dict[str, str]) -> Response:
    """A SPARQL 1.1 Service Description of this endpoint (Turtle); the predeclared prefixes as SHACL
    declarations (``sh:declare [ sh:prefix "wkg" ; sh:namespace "…"^^xsd:anyURI ]``), and ``/prefixes``."""
    endpoint = str(request.url).split("?")[0]
    listed = f"{root(request)}/prefixes"
    declarations = " ,\n        ".join(
        f"[ sh:prefix {ox.Literal(p)} ; sh:namespace {ox.Literal(ns, datatype=ANY_URI)} ]" for p, ns in prefixes.items()
    )
    formats = " ,\n        ".join(
        f"<http://www.w3.org/ns/formats/{f}>"
        for f in (
            "SPARQL_Results_JSON",
            "SPARQL_Results_XML",
            "SPARQL_Results_CSV",
            "SPARQL_Results_TSV",
            "Turtle",
            "N-Triples",
            "JSON-LD",
            "RDF_XML",
        )
    )
    comment = (
        f"{'Updates with a bearer token' if settings.writes_enabled else 'Read-only'}. "
        f"Query timeout {settings.query_timeout:g} s; at most {settings.max_rows} result rows "
        "(X-Result-Truncated: true when cut); SERVICE, LOAD, FROM outside the store and writes to the graphs "
        "the service keeps (ontology, derived, audit) are refused, decided from the parsed query or update "
        "(rdflib's SPARQL 1.1 parser); texts the parsers could read differently are refused too."
    )
    body = f"""@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix void: <http://rdfs.org/ns/void#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .

<{endpoint}#service> a sd:Service ;
    sd:endpoint <{endpoint}> ;
    sd:supportedLanguage sd:SPARQL11Query ;
    sd:feature sd:UnionDefaultGraph ;
    sd:resultFormat {formats} ;
    sd:defaultDataset [ a sd:Dataset ; sd:defaultGraph [ a sd:Graph ; rdfs:comment "the union of all named graphs" ] ] ;
    sh:declare {declarations} ;
    rdfs:seeAlso <{listed}> ;
    rdfs:comment "{comment}" .
"""
    media = best_match(request.headers.get("accept"), ["text/turtle", "application/n-triples", "application/ld+json"])
    if media and media != "text/turtle":
        triples = list(ox.parse(body.encode(), format=ox.RdfFormat.TURTLE))
        return Response(ox.serialize(triples, format=GRAPH_TYPES[media]), media_type=media)
    return Response(body, media_type="text/turtle")
