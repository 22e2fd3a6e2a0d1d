"""The ratings scorecard page (``/ratings``): rated commitments × rating dimensions as a heat-map.

The grid is :func:`workforce_kg.analysis.ratings.scorecard` — the same object ``/api/ratings/scorecard``
answers — rendered in the site shell (``templates/views/ratings.html``). Filters and sort are GET
parameters, so a filtered view is a link; an unknown value answers a 422 page saying what is known.
Colours are the classes of ``static/ratings.css``; every value is written as text too.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from workforce_kg.analysis import ratings
from workforce_kg.analysis.entities import InvalidFilter
from workforce_kg.store.kg import KnowledgeGraph
from workforce_kg.web.deps import KGDep, ShellDep
from workforce_kg.web.openapi import media
from workforce_kg.web.routes.linked_data import local_href
from workforce_kg.web.shell import root

router = APIRouter(tags=["views"])


def href_of(request: Request, kg: KnowledgeGraph):
    """Where a browser reads about an IRI (None for an IRI that must not be a link), for ``link``."""
    prefix = root(request)
    return lambda iri: local_href(iri, kg.base, prefix)


def page_href(request: Request, path: str, **params: str | None) -> str:
    """A local URL with its query string (None and empty values dropped)."""
    pairs = [(k, v) for k, v in params.items() if v]
    return root(request) + path + ("?" + urlencode(pairs) if pairs else "")


@router.get(
    "/ratings",
    response_class=HTMLResponse,
    summary="Ratings scorecard page",
    responses=media("text/html", code=422, description="Unknown theme, body or sort"),
)
def ratings_page(
    request: Request,
    kg: KGDep,
    shell: ShellDep,
    theme: Annotated[str | None, Query(description="Theme id.")] = None,
    body: Annotated[str | None, Query(description="Body id (accountable or lead, also via programmes).")] = None,
    sort: Annotated[str, Query(description="`label`, `mean` or a dimension id.")] = "label",
) -> HTMLResponse:
    """Rated commitments × rating dimensions, each cell coloured by rank with its value, ratings and quotes."""
    title = "Ratings scorecard"
    try:
        card = ratings.scorecard(kg, theme=theme, body=body, sort=sort)
    except InvalidFilter as exc:
        return shell.page(
            request, "views/ratings.html", title=title, current="Ratings", status_code=422, message=exc.message
        )
    filters = card["filters"]
    sorts: list[tuple[str, str]] = [("label", "Commitment (A–Z)"), ("mean", "Mean rating, worst first")]
    sorts += [(d["id"], f"{d['label']}, worst first") for d in card["dimensions"]]
    context: dict[str, Any] = {
        "card": card,
        "href": href_of(request, kg),
        "sorts": sorts,
        "sort_href": {
            key: page_href(request, "/ratings", theme=filters["theme"], body=filters["body"], sort=key)
            for key, _ in sorts
        },
        "json": page_href(request, "/api/ratings/scorecard", **filters),
        "reset": page_href(request, "/ratings"),
        "several_evaluations": len({r["evaluation"]["iri"] for r in card["rows"] if r["evaluation"]}) > 1,
    }
    return shell.page(request, "views/ratings.html", title=title, current="Ratings", message=None, **context)
