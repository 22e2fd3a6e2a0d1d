"""The JSON API (``/api``): who owns what, as lists, details, accountability views, network analysis and exports.

Steps per route: read the parameters → call the core (``accountability``, ``network``, ``export``) →
respond. Routes are plain ``def`` (the core blocks on SPARQL and networkx; FastAPI runs them in its
thread pool). The core's answers are JSON-ready dicts and are sent as they are (``JSONResponse``): the
``response_model`` of a route documents its schema in OpenAPI (and tests check the answers against it),
but serialising through it would add ``null`` keys and turn integers into floats.

Errors are not handled here: the core raises, and the application's exception handlers
(:mod:`workforce_kg.web.errors`) answer — an unknown id 404 ``{"error": ...}``, a filter naming nothing
known 422 ``{"error", "field", "detail": [{"loc": ["query", field], ...}]}`` like FastAPI's own
validation errors.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, Response

from workforce_kg.analysis import accountability as acc
from workforce_kg.analysis import export as exports
from workforce_kg.analysis import matrix as mx
from workforce_kg.analysis import models
from workforce_kg.analysis import network as net
from workforce_kg.analysis import ratings as ratings_core
from workforce_kg.analysis import search as text_search
from workforce_kg.sparql.negotiation import best_match
from workforce_kg.web.deps import KGDep

router = APIRouter(prefix="/api", tags=["accountability"])


def _ref(type_: str, slug: str, label: str) -> dict:
    kind = acc.KINDS[type_]
    return {"id": slug, "iri": f"https://w3id.org/workforce-kg/id/{kind}/{slug}", "label": label, "type": type_}


_SOURCE = {
    "document": _ref(
        "document",
        "hscc-expert-panel-govt-response-2023",
        "Expert Panel evaluation of workforce commitments: Government Response (HC Seventh Special Report 2022–23)",
    ),
    "locator": "18",
    "quote": "delivering the manifesto commitments to secure 50,000 more nurses",
}
_ERRORS = {
    404: {
        "description": "No such entity",
        "content": {"application/json": {"example": {"error": "no commitment with id 'nope'"}}},
    },
    422: {
        "description": "A parameter names nothing known",
        "content": {
            "application/json": {
                "example": {
                    "error": "unknown jurisdiction 'mars'; one of: england, scotland, …",
                    "field": "jurisdiction",
                    "detail": [
                        {
                            "loc": ["query", "jurisdiction"],
                            "msg": "unknown jurisdiction 'mars'; …",
                            "type": "value_error",
                        }
                    ],
                }
            }
        },
    },
}


def _example(example: dict, *codes: int) -> dict:
    out: dict[int, Any] = {200: {"content": {"application/json": {"example": example}}}}
    out.update({c: _ERRORS[c] for c in codes})
    return out


def _listing(item: dict) -> dict:
    return {"total": 1, "limit": 50, "offset": 0, "items": [item]}


Limit = Annotated[int, Query(ge=0, le=1000, description="Page size.")]
Offset = Annotated[int, Query(ge=0, description="Items to skip.")]
Id = Annotated[str, Path(description="The slug of the entity's IRI, e.g. `nurses-50k` or `nhse`.")]
At = Annotated[date | None, Query(description="As of this date (YYYY-MM-DD); default today.", examples=["2023-04-01"])]

_DHSC = _ref("body", "dhsc", "Department of Health and Social Care")
_NURSES = _ref("commitment", "nurses-50k", "50,000 more nurses")
_ACCOUNTABLE = {
    "id": "accountable",
    "iri": "https://w3id.org/workforce-kg/def/role/accountable",
    "label": "Accountable",
    "type": "role",
}
_RESPONSIBILITY = {
    **_ref(
        "responsibility", "d001-dhsc-accountable-nurses-50k", "DHSC accountable for the 50,000 more nurses commitment"
    ),
    "body": _DHSC,
    "role": _ACCOUNTABLE,
    "subject": _NURSES,
    "start_date": None,
    "end_date": None,
    "sources": [_SOURCE],
}
_COMMITMENT = {
    **_NURSES,
    "classes": ["Commitment", "ManifestoCommitment", "Target"],
    "statement": "secure 50,000 more nurses",
    "target_value": 50000,
    "measurable": True,
    "jurisdiction": [
        {
            "id": "england",
            "iri": "https://w3id.org/workforce-kg/def/jurisdiction/england",
            "label": "England",
            "type": "jurisdiction",
        }
    ],
    "ratings": [],
    "responsibilities": [_RESPONSIBILITY],
    "sources": [_SOURCE],
}
_BODY = {
    **_ref("body", "hee", "Health Education England"),
    "aliases": ["HEE"],
    "jurisdiction": [],
    "parent": _DHSC,
    "parent_relation": "sponsoredBy",
    "successor": _ref("body", "nhse", "NHS England"),
    "successor_since": "2023-04-01",
    "roles": {"lead": 11, "partner": 3},
    "sources": [],
}


# -- commitments -------------------------------------------------------------------------------------


@router.get(
    "/commitments",
    response_model=models.CommitmentPage,
    summary="List commitments",
    responses=_example(_listing(_COMMITMENT), 422),
)
def commitments(
    kg: KGDep,
    jurisdiction: Annotated[str | None, Query(description="Jurisdiction slug.", examples=["england"])] = None,
    theme: Annotated[str | None, Query(description="Theme slug.", examples=["recruitment"])] = None,
    body: Annotated[str | None, Query(description="A body holding a responsibility for it.", examples=["nhse"])] = None,
    role: Annotated[str | None, Query(description="That responsibility's role.", examples=["lead"])] = None,
    via_programmes: Annotated[bool, Query(description="Count body/role held through a programme serving it.")] = True,
    dimension: Annotated[str | None, Query(description="Rating dimension.", examples=["overall"])] = None,
    value: Annotated[str | None, Query(description="Rating value.", examples=["inadequate"])] = None,
    document: Annotated[
        str | None, Query(description="A document stating it.", examples=["scotgov-national-workforce-strategy"])
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
):
    """Commitments matching every filter given, ordered by label, each with its statement, ratings,
    responsibilities and sources; paginated with ``limit``/``offset`` and a ``total``."""
    return JSONResponse(
        acc.list_commitments(
            kg,
            jurisdiction=jurisdiction,
            theme=theme,
            body=body,
            role=role,
            dimension=dimension,
            value=value,
            document=document,
            via_programmes=via_programmes,
            limit=limit,
            offset=offset,
        )
    )


@router.get(
    "/commitments/{id}",
    response_model=models.Commitment,
    summary="One commitment",
    responses=_example(_COMMITMENT, 404),
)
def commitment(kg: KGDep, id: Id):
    """One commitment with its ratings, responsibilities, serving programmes and sources, and — by the rule of
    docs/accountability.md — its ``owners``, ``funding`` and ``figures``: those attached to the commitment and to
    every programme delivering it (serving it, or part of one that does), each with ``via`` (the programmes it is
    reached through; empty: direct), and ``funding_total`` (distinct amounts, one total per currency and recurrence)."""
    return JSONResponse(acc.get_commitment(kg, id))


@router.get(
    "/commitments/{id}/accountability",
    response_model=models.CommitmentAccountability,
    summary="Who is accountable for a commitment, as of a date",
    responses=_example(
        {
            "commitment": _NURSES,
            "at": "2024-01-01",
            "bodies": [{"body": _DHSC, "roles": ["accountable", "lead"], "direct": True, "via": []}],
            "responsibilities": [
                {**_RESPONSIBILITY, "original_body": None, "transferred_on": None, "change": None, "via": []}
            ],
            "programmes": [],
            "chains": [
                {
                    "path": [_NURSES, _DHSC],
                    "hops": [{"from": _NURSES, "relation": "accountable", "to": _DHSC, "sources": [_SOURCE]}],
                }
            ],
        },
        404,
    ),
)
def commitment_accountability(kg: KGDep, id: Id, at: At = None):
    """Every body with a role for the commitment on ``at``, directly or through programmes serving it.

    Responsibilities of a body merged into another (Health Education England into NHS England on
    2023-04-01) are shown under the successor from the change date, with ``original_body`` and
    ``transferred_on`` kept. ``chains`` run commitment → programmes → accountable/lead bodies →
    successor → parent bodies, each hop with its sources.
    """
    return JSONResponse(acc.commitment_accountability(kg, id, at))


# -- bodies ------------------------------------------------------------------------------------------


@router.get("/bodies", response_model=models.BodyPage, summary="List bodies", responses=_example(_listing(_BODY), 422))
def bodies(
    kg: KGDep,
    type: Annotated[
        str | None,
        Query(
            description="Organisation type slug or class (CollectiveActor, FormalOrganization, OrganizationalUnit).",
            examples=["regulator"],
        ),
    ] = None,
    jurisdiction: Annotated[str | None, Query(description="Jurisdiction slug.", examples=["scotland"])] = None,
    limit: Limit = 50,
    offset: Offset = 0,
):
    """Bodies with aliases, jurisdiction, parent, successor and the roles they hold."""
    return JSONResponse(acc.list_bodies(kg, type=type, jurisdiction=jurisdiction, limit=limit, offset=offset))


@router.get(
    "/bodies/{id}",
    response_model=models.Body,
    summary="One body",
    responses=_example({**_BODY, "responsibilities": []}, 404),
)
def body(kg: KGDep, id: Id):
    """One body with every responsibility it holds as recorded in the sources."""
    return JSONResponse(acc.get_body(kg, id))


@router.get(
    "/bodies/{id}/accountability",
    response_model=models.BodyAccountability,
    summary="What a body answers for, as of a date",
    responses=_example(
        {
            "body": _ref("body", "nhse", "NHS England"),
            "at": "2024-01-01",
            "active": True,
            "successor": None,
            "successor_since": None,
            "inherited_from": [_ref("body", "hee", "Health Education England")],
            "by_role": {"lead": 32, "partner": 7},
            "responsibilities": [],
            "commitments": [],
        },
        404,
    ),
)
def body_accountability(kg: KGDep, id: Id, at: At = None):
    """Everything the body is accountable for, leads, funds or partners on at ``at``, directly or
    through programmes, including what it inherited from bodies merged into it. A body merged away
    by then holds nothing and names its ``successor``."""
    return JSONResponse(acc.body_accountability(kg, id, at))


# -- programmes, funding, ratings, figures, documents ------------------------------------------------


@router.get(
    "/programmes",
    response_model=models.ProgrammePage,
    summary="List programmes",
    responses=_example(
        _listing(
            {
                **_ref("programme", "long-term-workforce-plan", "NHS Long Term Workforce Plan"),
                "serves": [],
                "responsibilities": [],
                "funding": [],
                "sources": [_SOURCE],
            }
        ),
        422,
    ),
)
def programmes(
    kg: KGDep,
    kind: Annotated[str | None, Query(description="Programme kind slug.", examples=["plan"])] = None,
    jurisdiction: Annotated[str | None, Query(description="Jurisdiction slug.")] = None,
    body: Annotated[str | None, Query(description="A body holding a responsibility for it.")] = None,
    role: Annotated[str | None, Query(description="That responsibility's role.")] = None,
    commitment: Annotated[str | None, Query(description="A commitment it serves (directly or as a part).")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
):
    """Programmes, plans, strategies, schemes and funds, with what they serve, who holds them and their funding."""
    return JSONResponse(
        acc.list_programmes(
            kg,
            kind=kind,
            jurisdiction=jurisdiction,
            body=body,
            role=role,
            commitment=commitment,
            limit=limit,
            offset=offset,
        )
    )


@router.get("/programmes/{id}", response_model=models.Programme, summary="One programme", responses=_example({}, 404))
def programme(kg: KGDep, id: Id):
    """One programme with its parts, responsibilities, funding and sources."""
    return JSONResponse(acc.get_programme(kg, id))


_FUNDING = {
    **_ref("funding", "d001-clinical-placements-55m", "£55 million for expanding clinical placements"),
    "amount_gbp": 55000000,
    "period": "2021/22",
    "recurrence": {
        "id": "unspecified",
        "iri": "https://w3id.org/workforce-kg/def/recurrence/unspecified",
        "label": "Unspecified",
        "type": "recurrence",
    },
    "funder": None,
    "recipient": None,
    "funds": [],
    "sources": [_SOURCE],
}


@router.get(
    "/funding",
    response_model=models.FundingPage,
    summary="List funding amounts",
    responses=_example(_listing(_FUNDING), 422),
)
def funding(
    kg: KGDep,
    funder: Annotated[str | None, Query(description="Funder body.", examples=["dhsc"])] = None,
    recipient: Annotated[str | None, Query(description="Recipient body.")] = None,
    programme: Annotated[str | None, Query(description="A programme it funds.")] = None,
    commitment: Annotated[
        str | None, Query(description="A commitment it funds, directly or via a programme delivering it (the rule).")
    ] = None,
    min_amount: Annotated[float | None, Query(description="Smallest amount, GBP.", examples=[1000000])] = None,
    max_amount: Annotated[float | None, Query(description="Largest amount, GBP.")] = None,
    period: Annotated[
        str | None, Query(description="Text in the period label, or a year the dates cover.", examples=["2022"])
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
):
    """Funding amounts (``amount_gbp`` a number), largest first, with period, recurrence, funder,
    recipient, what they fund and sources."""
    return JSONResponse(
        acc.list_funding(
            kg,
            funder=funder,
            recipient=recipient,
            programme=programme,
            commitment=commitment,
            min_amount=min_amount,
            max_amount=max_amount,
            period=period,
            limit=limit,
            offset=offset,
        )
    )


@router.get(
    "/funding/{id}", response_model=models.Funding, summary="One funding amount", responses=_example(_FUNDING, 404)
)
def funding_item(kg: KGDep, id: Id):
    """One funding amount."""
    return JSONResponse(acc.get_funding(kg, id))


@router.get(
    "/ratings",
    response_model=models.RatingPage,
    summary="List ratings",
    responses=_example(
        _listing(
            {
                **_ref("rating", "ep-1-overall-table", "Commitment 1, Overall (summary table): Inadequate"),
                "commitment": _ref(
                    "commitment", "ep-1-workforce-requirements", "Workforce requirements in the NHS and social care"
                ),
                "dimension": {"id": "overall", "label": "Overall", "type": "rating-dimension"},
                "value": {"id": "inadequate", "label": "Inadequate", "type": "rating-value"},
                "rank": 1,
                "outcome": "rated",
                "scale": {"id": "rating", "label": "Expert Panel rating scale", "type": "scheme"},
                "evaluation": {
                    **_ref("evaluation", "expert-panel-2022", "Expert Panel evaluation (July 2022)"),
                    "date": "2022-07-25",
                },
                "evaluator": _ref("body", "expert-panel", "Expert Panel"),
                "evaluation_date": "2022-07-25",
                "sources": [_SOURCE],
            }
        ),
        422,
    ),
)
def ratings(
    kg: KGDep,
    commitment: Annotated[str | None, Query(description="Rated commitment.")] = None,
    dimension: Annotated[str | None, Query(description="Dimension slug.", examples=["overall"])] = None,
    value: Annotated[str | None, Query(description="Rating value slug.", examples=["inadequate"])] = None,
    evaluation: Annotated[str | None, Query(description="Evaluation slug.")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
):
    """Ratings as data: commitment, dimension, value and rank on a named scale, evaluation, evaluator,
    evaluation date and sources (a later evaluation adds ratings; none is overwritten)."""
    return JSONResponse(
        acc.list_ratings(
            kg,
            commitment=commitment,
            dimension=dimension,
            value=value,
            evaluation=evaluation,
            limit=limit,
            offset=offset,
        )
    )


@router.get(
    "/ratings/scorecard",
    response_model=models.Scorecard,
    summary="Ratings scorecard: rated commitments × rating dimensions",
    responses={422: _ERRORS[422]},
)
def ratings_scorecard(
    kg: KGDep,
    theme: Annotated[str | None, Query(description="Theme id: only commitments with this theme.")] = None,
    body: Annotated[
        str | None, Query(description="Body id: only commitments it is accountable or lead for (also via programmes).")
    ] = None,
    sort: Annotated[str, Query(description="`label`, `mean` (mean rank, worst first) or a dimension id.")] = "label",
):
    """The grid the ``/ratings`` page shows: a row per rated commitment (and evaluation), a cell per
    dimension holding each value given with its ratings and their citations; ``conflict`` marks a cell
    whose ratings disagree. Scale, dimensions and their order come from the graph."""
    return JSONResponse(ratings_core.scorecard(kg, theme=theme, body=body, sort=sort))


@router.get(
    "/figures", response_model=models.FigurePage, summary="List progress figures", responses=_example(_listing({}), 422)
)
def figures(
    kg: KGDep,
    commitment: Annotated[
        str | None,
        Query(description="A commitment it evidences, directly or via a programme delivering it (the rule)."),
    ] = None,
    unit: Annotated[str | None, Query(description="Unit slug.", examples=["fte"])] = None,
    jurisdiction: Annotated[str | None, Query(description="Jurisdiction slug.")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
):
    """Reported numbers with unit, what they measure, date, what they evidence and sources."""
    return JSONResponse(
        acc.list_figures(kg, commitment=commitment, unit=unit, jurisdiction=jurisdiction, limit=limit, offset=offset)
    )


@router.get("/documents", response_model=models.DocumentPage, summary="List source documents")
def documents(kg: KGDep, limit: Limit = 50, offset: Offset = 0):
    """The source documents, with metadata and how many citations point into each."""
    return JSONResponse(acc.list_documents(kg, limit=limit, offset=offset))


_SEARCH_HIT = {
    **_NURSES,
    "score": 67.3,
    "exact": True,
    "matched": ["label", "quote"],
    "match": {
        "field": "label",
        "text": "50,000 more nurses",
        "highlights": [[0, 18]],
        "html": "<mark>50,000 more nurses</mark>",
    },
    "quote": {
        "document": _SOURCE["document"],
        "locator": "18",
        "text": _SOURCE["quote"],
        "highlights": [[47, 65]],
        "html": "delivering the manifesto commitments to secure <mark>50,000 more nurses</mark>",
    },
    "quotes_matched": 1,
}


@router.get(
    "/search",
    response_model=models.SearchPage,
    summary="Search what the sources say: names, statements, descriptions and quotes",
    responses=_example({**_listing(_SEARCH_HIT), "match": "all"}, 422),
)
def search(
    kg: KGDep,
    q: Annotated[str, Query(description="Words to look for (plain words; see `syntax`).", examples=["burnout"])],
    type: Annotated[list[str] | None, Query(description="Restrict to these types (repeatable).")] = None,
    limit: Limit = 20,
    offset: Offset = 0,
    syntax: Annotated[
        str,
        Query(
            description="`plain` (default): every word is a word, the last also a prefix. `fts5`: SQLite FTS5 "
            'query syntax (`"a phrase"`, `OR`, `NOT`, `NEAR(a b, 5)`, `word*`); a malformed query answers 422.'
        ),
    ] = "plain",
):
    """Things whose labels, aliases, statements, descriptions or citation quotes match, ranked by BM25
    (``score``), each with its best-matching text and quote (document, locator, highlighted). See
    docs/search.md."""
    return JSONResponse(text_search.search(kg, q, types=type, limit=limit, offset=offset, syntax=syntax))


# -- accountability views ----------------------------------------------------------------------------


@router.get(
    "/accountability/matrix",
    response_model=models.Matrix,
    summary="Accountability matrix: bodies × commitments (or programmes)",
    responses={
        200: {
            "content": {
                "application/json": {
                    "example": {
                        "of": "commitments",
                        "bodies": [_DHSC],
                        "columns": [_NURSES],
                        "cells": [{"body": "dhsc", "subject": "nurses-50k", "roles": ["accountable"]}],
                    }
                },
                "text/csv": {
                    "example": "body,body_label,nurses-50k\r\n,label,50,000 more nurses\r\ndhsc,Department of Health "
                    "and Social Care,accountable\r\n"
                },
            }
        },
        406: {"description": "Neither JSON nor CSV is acceptable"},
        422: _ERRORS[422],
    },
)
def accountability_matrix(
    request: Request,
    kg: KGDep,
    of: Annotated[str, Query(description="`commitments` or `programmes`.")] = "commitments",
    format: Annotated[str | None, Query(description="`json` or `csv` (overrides Accept).")] = None,
    evaluated: Annotated[str | None, Query(description="`1`: only commitments with a rating.")] = None,
    jurisdiction: Annotated[str | None, Query(description="Jurisdiction slug of the columns.")] = None,
    theme: Annotated[str | None, Query(description="Theme slug of the columns (commitments).")] = None,
    via: Annotated[str | None, Query(description="`programmes`: add roles held through programmes.")] = None,
):
    """Every body against every commitment (or programme), with the roles in each cell. JSON lists the
    non-empty ``cells``; CSV (``Accept: text/csv`` or ``format=csv``) is the full grid.

    With a filter (``evaluated``, ``jurisdiction``, ``theme``, ``via=programmes``) the columns are those
    matching and the rows the bodies with a role in one of them (see :mod:`workforce_kg.analysis.matrix`).
    """
    offers = ["application/json", "text/csv"]
    if format is not None:
        media = {"json": "application/json", "csv": "text/csv"}.get(format.lower())
        if media is None:
            raise acc.InvalidFilter("format", "format must be 'json' or 'csv'")
    else:
        media = best_match(request.headers.get("accept"), offers)
        if media is None:
            return JSONResponse({"error": "the matrix is available as application/json or text/csv"}, status_code=406)
    filters = mx.parse_filters(evaluated=evaluated, jurisdiction=jurisdiction, theme=theme, via=via)
    if any(filters.values()):
        m = mx.matrix(kg, of, **filters)
        m = {k: m[k] for k in ("of", "bodies", "columns")} | {
            "cells": [{k: c[k] for k in ("body", "subject", "roles")} for c in m["cells"]]
        }
    else:
        m = acc.matrix(kg, of)
    if media == "text/csv":
        return Response(
            acc.matrix_csv(m),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="accountability-matrix-{of}.csv"'},
        )
    return JSONResponse(m)


@router.get("/gaps", response_model=models.Gaps, summary="Accountability gaps")
def gaps(kg: KGDep):
    """Commitments with no accountable or lead body, programmes with no lead or no funding, commitments
    rated Inadequate overall with no programme or funding, figures linked to no commitment."""
    return JSONResponse(acc.gaps(kg))


# -- network -----------------------------------------------------------------------------------------


@router.get(
    "/network/centrality",
    summary="Most central bodies in the accountability network",
    responses=_example(
        {
            "types": ["body"],
            "nodes": 600,
            "total": 76,
            "items": [
                {
                    **_ref("body", "dhsc", "Department of Health and Social Care"),
                    "node": "body_dhsc",
                    "degree": 67,
                    "degree_centrality": 0.11,
                    "betweenness": 0.24,
                }
            ],
        },
        422,
    ),
)
def centrality(
    kg: KGDep,
    types: Annotated[list[str] | None, Query(description="Node types to rank (default body).")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 20,
):
    """Degree and betweenness centrality (undirected, parallel edges merged), most between first."""
    return JSONResponse(net.centrality(kg, types, limit))


@router.get("/network/components", summary="Connected components of the network")
def components(
    kg: KGDep, members: Annotated[int, Query(ge=0, le=1000, description="Members listed per component.")] = 50
):
    """Connected components, largest first, with their size and node types."""
    return JSONResponse(net.components(kg, members))


@router.get(
    "/network/path",
    summary="Shortest path between two entities",
    responses=_example(
        {
            "from": _ref("body", "hee", "Health Education England"),
            "to": _NURSES,
            "found": True,
            "length": 2,
            "nodes": [],
            "edges": [
                {
                    "from": "hee",
                    "to": "dhsc",
                    "direction": "forward",
                    "relation": "sponsoredBy",
                    "label": "sponsored by",
                    "role": None,
                }
            ],
        },
        404,
        422,
    ),
)
def path(
    kg: KGDep,
    source: Annotated[
        str, Query(alias="from", description="IRI, `body:hee`, `body/hee` or a unique slug.", examples=["body:hee"])
    ],
    target: Annotated[str, Query(alias="to", description="IRI, `cmt:nurses-50k`, … ", examples=["cmt:nurses-50k"])],
):
    """The shortest path between two entities, ignoring direction (each hop says which way it runs)."""
    return JSONResponse(net.shortest_path(kg, source, target))


# -- exports -----------------------------------------------------------------------------------------


@router.get(
    "/export/{format}",
    summary="Export the network: graphml, gexf, cytoscape, dot, csv, jsonld, matrix-csv",
    responses={200: {"content": {m: {} for m, _ in exports.FORMATS.values()}}, 422: _ERRORS[422]},
)
def export(
    kg: KGDep,
    format: Annotated[str, Path(description=", ".join(exports.FORMATS))],
    focus: Annotated[
        str | None, Query(description="Centre entity (IRI, `body:nhse`, …).", examples=["cmt:nurses-50k"])
    ] = None,
    depth: Annotated[int, Query(ge=0, le=exports.MAX_DEPTH, description="Hops from the focus.")] = 1,
    types: Annotated[list[str] | None, Query(description="Node types to keep.")] = None,
    jurisdiction: Annotated[str | None, Query(description="Jurisdiction slug.")] = None,
    roles: Annotated[list[str] | None, Query(description="Responsibility roles to keep.")] = None,
    of: Annotated[str, Query(description="matrix-csv only: `commitments` or `programmes`.")] = "commitments",
):
    """The whole network or a focused subgraph, for Gephi (GEXF), yEd (GraphML), Cytoscape (JSON),
    Graphviz (DOT), R/igraph and spreadsheets (CSV zip), RDF tools (JSON-LD)."""
    out = exports.export(
        kg, format, focus=focus, depth=depth, types=types, jurisdiction=jurisdiction, roles=roles, of=of
    )
    return Response(
        out.content,
        media_type=out.media_type,
        headers={"Content-Disposition": f'attachment; filename="{out.filename}"'},
    )
