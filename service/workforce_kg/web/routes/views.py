"""HTML views of the accountability network: the graph view (``/graph``), the matrix (``/matrix``) and
the gaps (``/gaps``).

Pages are rendered here from the core (:mod:`accountability`, :mod:`network`, :mod:`export`); the
graph view draws with Cytoscape.js (npm, served by :mod:`pages` under ``/static/vendor/``) from
``/api/export/cytoscape``, so what it shows is exactly what that export gives for the same filters.
Every label is escaped; data reach the scripts as JSON in a ``<script type="application/json">``.
A Content-Security-Policy keeps the pages from loading or sending anything to another host.
"""

from __future__ import annotations

import json
from html import escape
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from workforce_kg.analysis import accountability as acc
from workforce_kg.analysis import export as exports
from workforce_kg.analysis import network as net
from workforce_kg.store.kg import KnowledgeGraph
from workforce_kg.web.deps import KGDep
from workforce_kg.web.openapi import media
from workforce_kg.web.routes.linked_data import local_href

router = APIRouter(tags=["views"])

NAV = (("Query", "/"), ("Graph", "/graph"), ("Matrix", "/matrix"), ("Gaps", "/gaps"), ("Ontology", "/ontology"))
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

#: node colours of the graph view, by network node type (also the legend)
TYPE_COLOURS = {
    "body": "#005eb8",
    "commitment": "#d5281b",
    "programme": "#009639",
    "funding": "#ffb81c",
    "figure": "#7c2855",
    "rating": "#ed8b00",
    "evaluation": "#00a499",
    "change": "#768692",
}
#: edge colours by responsibility role; other relations are grey
ROLE_COLOURS = {
    "accountable": "#d5281b",
    "lead": "#003087",
    "partner": "#41b6e6",
    "funder": "#ffb81c",
    "commissioner": "#330072",
    "evaluator": "#00a499",
    "regulator": "#7c2855",
    "employer": "#006747",
}
ROLE_ORDER = tuple(ROLE_COLOURS)
EXAMPLES = (
    ("cmt:nurses-50k", "50,000 more nurses"),
    ("body:hee", "Health Education England"),
    ("body:dhsc", "DHSC"),
    ("HEE", "a name or abbreviation works too"),
)
GAP_TITLES = {
    "commitments_without_accountable_body": "Commitments without an accountable or lead body",
    "programmes_without_lead": "Programmes without a lead body",
    "programmes_without_funding": "Programmes without funding",
    "inadequate_without_programme_or_funding": "Rated Inadequate overall, with no programme or no funding",
    "figures_without_target": "Progress figures linked to no commitment",
}


# -- page shell --------------------------------------------------------------------------------------


def _prefix(request: Request) -> str:
    return request.scope.get("root_path", "").rstrip("/")


def _href(request: Request, path: str, **params) -> str:
    """A local URL (with the app's root path) and its query string; None and empty values are dropped."""
    pairs = [
        (k, v)
        for k, vs in params.items()
        for v in (vs if isinstance(vs, (list, tuple)) else [vs])
        if v not in (None, "")
    ]
    return _prefix(request) + path + ("?" + urlencode(pairs) if pairs else "")


def _doc(request: Request, kg: KnowledgeGraph, iri: str) -> str | None:
    """The page about ``iri`` (None for an IRI that must not be a link: see :func:`headers.linkable`)."""
    return local_href(iri, kg.base, _prefix(request))


def _link(request: Request, kg: KnowledgeGraph, ref: dict) -> str:
    """An escaped link to an entity's page."""
    href = _doc(request, kg, ref["iri"])
    if href is None:
        return f'<span class="iri" title="{escape(ref["iri"])}">{escape(ref["label"])}</span>'
    return f'<a href="{escape(href)}" title="{escape(ref["iri"])}">{escape(ref["label"])}</a>'


def render(
    request: Request,
    title: str,
    body: str,
    *,
    current: str,
    scripts: tuple[str, ...] = (),
    config: dict | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """A full page: shared header and navigation, ``body``, then the page's scripts."""
    p = escape(_prefix(request))
    nav = "".join(
        f'<a href="{p}{path}"{" aria-current=page" if name == current else ""}>{name}</a>' for name, path in NAV
    )
    blob = ""
    if config is not None:  # "<" escaped so no value can close the script element
        blob = (
            '<script id="view-config" type="application/json">'
            + json.dumps(config, ensure_ascii=False).replace("<", "\\u003c")
            + "</script>"
        )
    tags = "".join(f'<script src="{p}{escape(s)}"></script>' for s in scripts)
    html = (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{escape(title)} · workforce-kg</title><link rel="icon" href="data:,">'
        f'<link rel="stylesheet" href="{p}/static/base.css"><link rel="stylesheet" '
        f'href="{p}/static/views.css">{blob}</head><body>'
        f'<header class="site"><h1><a href="{p}/">workforce-kg</a> <span>{escape(title)}</span></h1>'
        f'<nav aria-label="Site">{nav}</nav></header>'
        f"<main>{body}</main>{tags}</body></html>"
    )
    return HTMLResponse(html, status_code=status_code, headers={"Content-Security-Policy": CSP})


def _message(text: str, kind: str = "error") -> str:
    return f'<p class="message {kind}" role="alert">{escape(text)}</p>'


# -- graph view --------------------------------------------------------------------------------------


def _concepts(kg: KnowledgeGraph, scheme: str) -> list[tuple[str, str]]:
    """(slug, label) of the concepts of one of our SKOS schemes, by label."""
    rows = kg.rows(f"""SELECT ?c ?l WHERE {{ ?c skos:inScheme <{kg.base}/def/scheme/{scheme}>
                       OPTIONAL {{ ?c skos:prefLabel ?l }} }}""")
    return sorted(((acc.slug_of(r["c"]), r["l"] or acc.slug_of(r["c"])) for r in rows), key=lambda c: c[1].lower())


def _roles(kg: KnowledgeGraph) -> list[tuple[str, str]]:
    rank = {r: i for i, r in enumerate(ROLE_ORDER)}
    return sorted(_concepts(kg, "role"), key=lambda c: (rank.get(c[0], len(rank)), c[1]))


def _find_focus(kg: KnowledgeGraph, focus: str) -> tuple[str | None, list[dict]]:
    """The network node ``focus`` names, or (None, suggestions).

    Besides ids, IRIs and prefixed names (:meth:`Network.resolve`), a name or abbreviation that is
    exactly one entity's label or alias is accepted.

    Raises:
        InvalidFilter: a bare slug names several entities.
    """
    network = net.network(kg)
    try:
        return network.resolve(kg, focus, "focus"), []
    except acc.NotFound:
        pass
    try:
        found = acc.search(kg, focus, types=list(net.NODE_TYPES), limit=8)["items"]
    except acc.InvalidFilter:
        return None, []
    found = [f for f in found if f["iri"] in network.by_iri]
    exact = [f for f in found if f["score"] >= 90]
    if len(exact) == 1:
        return network.by_iri[exact[0]["iri"]], []
    return None, found


def _depth(text: str) -> int:
    try:
        depth = int(text)
    except ValueError:
        raise acc.InvalidFilter("depth", f"depth must be a whole number from 0 to {exports.MAX_DEPTH}") from None
    if not 0 <= depth <= exports.MAX_DEPTH:
        raise acc.InvalidFilter("depth", f"depth must be between 0 and {exports.MAX_DEPTH}")
    return depth


def _controls(request: Request, kg: KnowledgeGraph, focus: str, depth: str, roles: list[str], jurisdiction: str) -> str:
    """The form: focus box, depth, roles and jurisdiction (a plain GET form; graph.js re-queries in place)."""
    depths = "".join(
        f'<option value="{d}"{" selected" if str(d) == depth else ""}>{d}</option>'
        for d in range(0, exports.MAX_DEPTH + 1)
    )
    role_boxes = "".join(
        f'<label class="role"><input type="checkbox" name="roles" value="{escape(slug)}"'
        f"{' checked' if slug in roles else ''}>"
        f'<span class="swatch line" style="background:{ROLE_COLOURS.get(slug, "#999")}"></span>{escape(label)}</label>'
        for slug, label in _roles(kg)
    )
    jurisdictions = '<option value="">any</option>' + "".join(
        f'<option value="{escape(slug)}"{" selected" if slug == jurisdiction else ""}>{escape(label)}</option>'
        for slug, label in _concepts(kg, "jurisdiction")
    )
    return (
        f'<form id="graph-controls" class="controls" method="get" action="{escape(_prefix(request))}/graph">'
        '<div class="row"><label for="focus">Focus</label>'
        f'<input id="focus" name="focus" type="search" value="{escape(focus)}" required size="40" '
        'placeholder="cmt:nurses-50k, body:hee, an IRI or a name" autocomplete="off">'
        f'<label for="depth">Depth</label><select id="depth" name="depth">{depths}</select>'
        '<label for="jurisdiction">Jurisdiction</label><select id="jurisdiction" '
        f'name="jurisdiction">{jurisdictions}</select>'
        '<button type="submit">Show</button></div>'
        '<fieldset class="roles"><legend>Responsibility roles (none ticked: all)</legend>'
        f"{role_boxes}</fieldset></form>"
    )


def _legend() -> str:
    items = "".join(
        f'<li data-type="{t}"><span class="swatch" style="background:{c}"></span>{t}</li>'
        for t, c in TYPE_COLOURS.items()
    )
    return f'<ul id="legend" class="legend" aria-label="Node types">{items}</ul>'


@router.get(
    "/graph",
    response_class=HTMLResponse,
    summary="Graph view of an entity's neighbourhood",
    responses=media("text/html", code=404, description="No such entity (a page with suggestions)")
    | media("text/html", "application/json", code=422, description="Bad depth, role or jurisdiction"),
)
def graph_view(
    request: Request,
    kg: KGDep,
    focus: Annotated[str | None, Query(description="IRI, `cmt:nurses-50k`, `body/hee`, a slug or a name.")] = None,
    depth: Annotated[str, Query(description=f"Hops from the focus, 0–{exports.MAX_DEPTH}.")] = "1",
    roles: Annotated[list[str] | None, Query(description="Responsibility roles to keep.")] = None,
    jurisdiction: Annotated[str | None, Query(description="Jurisdiction slug.")] = None,
) -> HTMLResponse:
    """The focus subgraph of any entity, coloured by type, edges labelled by relation or role.

    Unknown focus: 404 page with suggestions; bad depth, role or jurisdiction: 422 page.
    """
    focus = (focus or "").strip()
    roles = [r.strip() for r in roles or [] for r in r.split(",") if r.strip()]
    jurisdiction = (jurisdiction or "").strip()
    controls = _controls(request, kg, focus, depth, roles, jurisdiction)
    intro = '<p class="hint">Click a node to open its page. Scroll to zoom, drag to pan.</p>'

    def page(body: str, status_code: int = 200, config: dict | None = None, title: str = "Graph view"):
        scripts = ("/static/vendor/cytoscape.min.js", "/static/graph.js") if config else ()
        return render(
            request, title, controls + body, current="Graph", scripts=scripts, config=config, status_code=status_code
        )

    if not focus:
        examples = "".join(
            f'<li><a href="{escape(_href(request, "/graph", focus=f))}"><code>{escape(f)}</code></a> — '
            f"{escape(note)}</li>"
            for f, note in EXAMPLES
        )
        return page(f"<p>Choose an entity to centre the graph on, for example:</p><ul>{examples}</ul>")
    try:
        node, suggestions = _find_focus(kg, focus)
        if node is None:
            body = _message(f"No entity {focus!r} in the accountability network.")
            if suggestions:
                body += (
                    '<p>Did you mean:</p><ul class="suggestions">'
                    + "".join(
                        f'<li><a href="{escape(_href(request, "/graph", focus=s["iri"], depth=depth))}">'
                        f'{escape(s["label"])}</a> <span class="type">{escape(s["type"])}</span></li>'
                        for s in suggestions
                    )
                    + "</ul>"
                )
            return page(body, 404, title="Not found")
        n_depth = _depth(depth)
        g = exports.subgraph(
            kg,
            focus=net.network(kg).graph.nodes[node]["iri"],
            depth=n_depth,
            roles=roles,
            jurisdiction=jurisdiction or None,
        )
    except acc.InvalidFilter as exc:
        return page(_message(exc.message), 422, title="Bad request")

    ref = net.network(kg).ref(node)
    config = {
        "prefix": _prefix(request),
        "base": kg.base,
        "focus": {"iri": ref["iri"], "label": ref["label"], "type": ref["type"], "node": node},
        "depth": n_depth,
        "roles": roles,
        "jurisdiction": jurisdiction,
        "typeColours": TYPE_COLOURS,
        "roleColours": ROLE_COLOURS,
    }

    def export_href(fmt: str) -> str:
        return _href(
            request, "/api/export/" + fmt, focus=ref["iri"], depth=n_depth, roles=roles, jurisdiction=jurisdiction
        )

    entity_page = _doc(request, kg, ref["iri"])
    body = (
        f'<h2 class="focus">{escape(ref["label"])} <span class="type">{escape(ref["type"])}</span> '
        + (f'<a href="{escape(entity_page)}">entity page</a>' if entity_page else "")
        + "</h2>"
        f'<p id="graph-status" class="status" role="status" aria-live="polite">'
        f"{g.number_of_nodes()} nodes, {g.number_of_edges()} edges</p>"
        f'<div class="graph-area"><div id="cy" data-state="loading" aria-label="Graph of {escape(ref["label"])}"></div>'
        f"{_legend()}</div>{intro}"
        f'<p class="downloads">This view as: '
        + " ".join(
            f'<a class="export" data-format="{fmt}" href="{escape(export_href(fmt))}">{name}</a>'
            for fmt, name in (
                ("graphml", "GraphML"),
                ("gexf", "GEXF"),
                ("cytoscape", "Cytoscape JSON"),
                ("dot", "DOT"),
                ("csv", "CSV (zip)"),
                ("jsonld", "JSON-LD"),
            )
        )
        + "</p>"
    )
    return page(body, config=config, title=f"Graph: {ref['label']}")


# -- matrix ------------------------------------------------------------------------------------------


def _cell_class(roles: list[str]) -> str:
    """The CSS class of a cell: its most accountable role."""
    ranked = sorted(roles, key=lambda r: ROLE_ORDER.index(r) if r in ROLE_ORDER else len(ROLE_ORDER))
    return f"r-{ranked[0]}" if ranked else ""


@router.get(
    "/matrix",
    response_class=HTMLResponse,
    summary="Accountability matrix page",
    responses=media("text/html", "application/json", code=422, description="Unknown `of`"),
)
def matrix_page(
    request: Request,
    kg: KGDep,
    of: Annotated[str, Query(description="`commitments` or `programmes`.")] = "commitments",
) -> HTMLResponse:
    """Bodies × commitments (or × programmes) with the roles each body holds in each cell."""
    tabs = "".join(
        f'<a href="{escape(_href(request, "/matrix", of=o))}"{" aria-current=page" if o == of else ""}>Bodies × {o}</a>'
        for o in ("commitments", "programmes")
    )
    head = f'<nav class="tabs" aria-label="Matrix">{tabs}</nav>'
    try:
        m = acc.matrix(kg, of)
    except acc.InvalidFilter as exc:
        return render(request, "Accountability matrix", head + _message(exc.message), current="Matrix", status_code=422)

    cells = {(c["body"], c["subject"]): c["roles"] for c in m["cells"]}
    columns = m["columns"]
    header = '<th scope="col" class="corner">Body</th>' + "".join(
        f'<th scope="col" class="col"><div>{_link(request, kg, c)}</div></th>' for c in columns
    )
    rows = []
    for b in m["bodies"]:
        tds = []
        for c in columns:
            roles = cells.get((b["id"], c["id"]))
            if roles:
                tip = f"{b['label']} — {c['label']}: {', '.join(roles)}"
                tds.append(f'<td class="{_cell_class(roles)}" title="{escape(tip)}">{escape(", ".join(roles))}</td>')
            else:
                tds.append("<td></td>")
        rows.append(f'<tr><th scope="row">{_link(request, kg, b)}</th>{"".join(tds)}</tr>')
    legend = "".join(f'<li><span class="swatch r-{r}"></span>{r}</li>' for r in ROLE_ORDER)
    body = (
        head
        + f'<p class="summary">{len(m["bodies"])} bodies × {len(columns)} {escape(of)}; {len(m["cells"])} cells with '
        "a role. "
        'Download: <a id="csv" '
        f'href="{escape(_href(request, "/api/accountability/matrix", of=of, format="csv"))}">CSV</a> · '
        f'<a href="{escape(_href(request, "/api/accountability/matrix", of=of, format="json"))}">JSON</a></p>'
        f'<div class="matrix-tools"><label><input type="checkbox" id="hide-empty"> Hide empty rows and columns</label>'
        f'<ul class="legend roles" aria-label="Cell colour: the most accountable role">{legend}</ul></div>'
        f'<div class="matrix-scroll" tabindex="0"><table id="matrix" class="matrix">'
        f"<thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )
    return render(request, "Accountability matrix", body, current="Matrix", scripts=("/static/matrix.js",))


# -- gaps --------------------------------------------------------------------------------------------


@router.get("/gaps", response_class=HTMLResponse, summary="Accountability gaps page")
def gaps_page(request: Request, kg: KGDep) -> HTMLResponse:
    """Commitments and programmes missing an owner or funding, and figures measuring no commitment."""
    gaps = acc.gaps(kg)
    toc, sections = [], []
    for key, gap in gaps.items():
        title = GAP_TITLES.get(key, key.replace("_", " ").capitalize())
        toc.append(f'<li><a href="#{key}">{escape(title)}</a> ({gap["count"]})</li>')
        items = []
        for ref in gap["items"]:
            extra = ""
            if "programmes" in ref:
                extra = f' <span class="counts">programmes: {ref["programmes"]}, funding: {ref["funding"]}</span>'
            graph = escape(_href(request, "/graph", focus=ref["iri"]))
            items.append(f'<li>{_link(request, kg, ref)}{extra} <a class="graph-link" href="{graph}">graph</a></li>')
        listing = f'<ul class="gap-items">{"".join(items)}</ul>' if items else "<p>None.</p>"
        sections.append(
            f'<section id="{key}" class="gap"><h2>{escape(title)} <span class="count">{gap["count"]}</span></h2>'
            f'<p class="hint">{escape(gap["description"])}</p>{listing}</section>'
        )
    body = (
        "<p>Gaps worth reviewing in who owns what. "
        f'As JSON: <a href="{escape(_href(request, "/api/gaps"))}">/api/gaps</a>.</p>'
        f'<ul class="toc">{"".join(toc)}</ul>{"".join(sections)}'
    )
    return render(request, "Accountability gaps", body, current="Gaps")
