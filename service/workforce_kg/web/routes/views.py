"""HTML views of the accountability network: the graph view (``/graph``), the matrix (``/matrix``) and
the gaps (``/gaps``).

Pages are rendered in the site shell (templates in ``web/templates/views/``) from the core
(:mod:`accountability`, :mod:`network`, :mod:`export`); the graph view draws with Cytoscape.js (npm,
served under ``/static/vendor/``) from ``/api/export/cytoscape``, so what it shows is exactly what that
export gives for the same filters. The templates escape every label; data reach the scripts as JSON in
a ``<script type="application/json">``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from workforce_kg.analysis import accountability as acc
from workforce_kg.analysis import export as exports
from workforce_kg.analysis import network as net
from workforce_kg.store.kg import KnowledgeGraph
from workforce_kg.web.deps import KGDep, ShellDep
from workforce_kg.web.openapi import media
from workforce_kg.web.routes.linked_data import local_href
from workforce_kg.web.shell import root

router = APIRouter(tags=["views"])

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
EXPORTS = (
    ("graphml", "GraphML"),
    ("gexf", "GEXF"),
    ("cytoscape", "Cytoscape JSON"),
    ("dot", "DOT"),
    ("csv", "CSV (zip)"),
    ("jsonld", "JSON-LD"),
)
GAP_TITLES = {
    "commitments_without_accountable_body": "Commitments without an accountable or lead body",
    "programmes_without_lead": "Programmes without a lead body",
    "programmes_without_funding": "Programmes without funding",
    "inadequate_without_programme_or_funding": "Rated Inadequate overall, with no programme or no funding",
    "figures_without_target": "Progress figures linked to no commitment",
}


# -- helpers ---------------------------------------------------------------------------------------


def _href(request: Request, path: str, **params) -> str:
    """A local URL (with the app's root path) and its query string; None and empty values are dropped."""
    pairs = [
        (k, v)
        for k, vs in params.items()
        for v in (vs if isinstance(vs, (list, tuple)) else [vs])
        if v not in (None, "")
    ]
    return root(request) + path + ("?" + urlencode(pairs) if pairs else "")


def _doc(request: Request, kg: KnowledgeGraph) -> Callable[[str], str | None]:
    """Where a browser reads about an IRI (None for an IRI that must not be a link: see
    :func:`workforce_kg.web.middleware.linkable`), for the templates' ``link`` macro."""
    prefix = root(request)
    return lambda iri: local_href(iri, kg.base, prefix)


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
    exact = [f for f in found if f["exact"]]
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
    shell: ShellDep,
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
    form: dict[str, Any] = {
        "focus": focus,
        "depth": depth,
        "depths": range(0, exports.MAX_DEPTH + 1),
        "roles": roles,
        "role_options": [(slug, label, ROLE_COLOURS.get(slug, "#999")) for slug, label in _roles(kg)],
        "jurisdiction": jurisdiction,
        "jurisdictions": _concepts(kg, "jurisdiction"),
    }

    def page(title: str = "Graph view", status_code: int = 200, **context) -> HTMLResponse:
        context = {"examples": None, "message": None, "config": None, **context}
        return shell.page(
            request, "views/graph.html", title=title, current="Graph", status_code=status_code, **form, **context
        )

    if not focus:
        return page(examples=[(_href(request, "/graph", focus=f), f, note) for f, note in EXAMPLES])
    try:
        node, suggestions = _find_focus(kg, focus)
        if node is None:
            return page(
                "Not found",
                404,
                message=f"No entity {focus!r} in the accountability network.",
                suggestions=[(_href(request, "/graph", focus=s["iri"], depth=depth), s) for s in suggestions],
            )
        n_depth = _depth(depth)
        g = exports.subgraph(
            kg,
            focus=net.network(kg).graph.nodes[node]["iri"],
            depth=n_depth,
            roles=roles,
            jurisdiction=jurisdiction or None,
        )
    except acc.InvalidFilter as exc:
        return page("Bad request", 422, message=exc.message, suggestions=[])

    ref = net.network(kg).ref(node)
    config = {
        "prefix": root(request),
        "base": kg.base,
        "focus": {"iri": ref["iri"], "label": ref["label"], "type": ref["type"], "node": node},
        "depth": n_depth,
        "roles": roles,
        "jurisdiction": jurisdiction,
        "typeColours": TYPE_COLOURS,
        "roleColours": ROLE_COLOURS,
    }
    filters = {"focus": ref["iri"], "depth": n_depth, "roles": roles, "jurisdiction": jurisdiction}
    return page(
        f"Graph: {ref['label']}",
        config=config,
        ref=ref,
        entity_page=_doc(request, kg)(ref["iri"]),
        nodes=g.number_of_nodes(),
        edges=g.number_of_edges(),
        type_colours=TYPE_COLOURS,
        downloads=[(fmt, name, _href(request, "/api/export/" + fmt, **filters)) for fmt, name in EXPORTS],
    )


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
    shell: ShellDep,
    of: Annotated[str, Query(description="`commitments` or `programmes`.")] = "commitments",
) -> HTMLResponse:
    """Bodies × commitments (or × programmes) with the roles each body holds in each cell."""
    title = "Accountability matrix"
    common: dict[str, Any] = {
        "of": of,
        "tabs": [(o, _href(request, "/matrix", of=o)) for o in ("commitments", "programmes")],
        "href": _doc(request, kg),
    }
    try:
        m = acc.matrix(kg, of)
    except acc.InvalidFilter as exc:
        return shell.page(
            request, "views/matrix.html", title=title, current="Matrix", status_code=422, message=exc.message, **common
        )
    cells = {(c["body"], c["subject"]): c["roles"] for c in m["cells"]}
    rows = []
    for b in m["bodies"]:
        row: list[dict | None] = []
        for c in m["columns"]:
            roles = cells.get((b["id"], c["id"]))
            if roles:
                tip = f"{b['label']} — {c['label']}: {', '.join(roles)}"
                row.append({"css": _cell_class(roles), "tip": tip, "roles": ", ".join(roles)})
            else:
                row.append(None)
        rows.append((b, row))
    return shell.page(
        request,
        "views/matrix.html",
        title=title,
        current="Matrix",
        message=None,
        bodies=m["bodies"],
        columns=m["columns"],
        cells=len(m["cells"]),
        rows=rows,
        role_order=ROLE_ORDER,
        csv=_href(request, "/api/accountability/matrix", of=of, format="csv"),
        json=_href(request, "/api/accountability/matrix", of=of, format="json"),
        **common,
    )


# -- gaps --------------------------------------------------------------------------------------------


@router.get("/gaps", response_class=HTMLResponse, summary="Accountability gaps page")
def gaps_page(request: Request, kg: KGDep, shell: ShellDep) -> HTMLResponse:
    """Commitments and programmes missing an owner or funding, and figures measuring no commitment."""
    gaps = [(key, GAP_TITLES.get(key, key.replace("_", " ").capitalize()), gap) for key, gap in acc.gaps(kg).items()]
    return shell.page(
        request,
        "views/gaps.html",
        title="Accountability gaps",
        current="Gaps",
        gaps=gaps,
        href=_doc(request, kg),
        graph_href=lambda iri: _href(request, "/graph", focus=iri),
    )
