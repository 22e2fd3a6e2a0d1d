"""The search page (``/search``): ranked things whose names, statements or quotes match, as HTML.

The JSON of the same search is ``/api/search`` (:mod:`workforce_kg.analysis.search`); this page shows
each hit with its best-matching quote highlighted, its document and locator, and a link to its page.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from workforce_kg.analysis import search as text_search
from workforce_kg.analysis.entities import KINDS, InvalidFilter
from workforce_kg.web.deps import KGDep, ShellDep
from workforce_kg.web.openapi import media
from workforce_kg.web.routes.linked_data import local_href
from workforce_kg.web.shell import root

router = APIRouter(tags=["pages"])

PAGE_SIZE = 20
TYPES = [*KINDS, *text_search.EXTRA_TYPES]


def segments(snippet: dict | None) -> list[tuple[str, bool]]:
    """A snippet (``text`` and ``highlights``) as pieces of text, each with whether it matched: the
    template escapes each piece and marks the matched ones, so no HTML from the data reaches the page."""
    if not snippet:
        return []
    text, out, last = snippet["text"], [], 0
    for start, end in snippet["highlights"]:
        out += [(text[last:start], False), (text[start:end], True)]
        last = end
    out.append((text[last:], False))
    return [(t, m) for t, m in out if t]


@router.get(
    "/search",
    response_class=HTMLResponse,
    summary="The search page",
    responses=media(
        "text/html", "application/json", code=422, description="A malformed FTS5 query or unknown type; a bad offset"
    ),
)
def search_page(
    request: Request,
    kg: KGDep,
    shell: ShellDep,
    q: Annotated[str, Query(description="Words to look for.")] = "",
    type: Annotated[str, Query(description="Restrict to one type (empty: all).")] = "",
    syntax: Annotated[str, Query(description="`plain` or `fts5`.")] = "plain",
    offset: Annotated[int, Query(ge=0, description="Hits to skip.")] = 0,
) -> HTMLResponse:
    """Search what the sources say; each hit with its best-matching quote, document and locator."""
    prefix = root(request)
    context: dict = {"q": q, "type": type, "syntax": syntax, "types": TYPES, "result": None, "message": None}
    status = 200
    if q.strip():
        try:
            result = text_search.search(
                kg, q, types=[type] if type else None, limit=PAGE_SIZE, offset=offset, syntax=syntax
            )
        except InvalidFilter as exc:
            context["message"], status = exc.message, 422
        else:
            for item in result["items"]:
                item["href"] = local_href(item["iri"], kg.base, prefix)
                item["match_segments"] = segments(item["match"])
                item["quote_segments"] = segments(item["quote"])
                doc = (item["quote"] or {}).get("document")
                if doc:
                    doc["href"] = local_href(doc["iri"], kg.base, prefix)
            params = {"q": q, "type": type, "syntax": syntax if syntax != "plain" else ""}

            def page_href(at: int) -> str:
                pairs = [(k, v) for k, v in {**params, "offset": str(at) if at else ""}.items() if v]
                return f"{prefix}/search?{urlencode(pairs)}"

            total, end = result["total"], offset + len(result["items"])
            context["result"] = result
            context["previous"] = page_href(max(0, offset - PAGE_SIZE)) if offset else None
            context["next"] = page_href(end) if end < total else None
    title = f"Search: {q.strip()}" if q.strip() else "Search"
    return shell.page(request, "search.html", title=title, current=None, status_code=status, **context)
