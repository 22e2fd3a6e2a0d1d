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
from workforce_kg.analysis import matrix as mx
from workforce_kg.analysis import network as net
from workforce_kg.analysis import search as text_search
from workforce_kg.store.kg import KnowledgeGraph
from workforce_kg.web.deps import KGDep, ShellDep
from workforce_kg.web.openapi import media
from workforce_kg.web.routes.linked_data import local_href
from workforce_kg.web.shell import root

router = APIRouter(tags=["views"])

#: node colours and shapes of the graph view, by network node type (also the legend); the layers of its
#: layered layout run from the first type to the last (commitment above programme above body)
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
TYPE_SHAPES = {
    "body": "ellipse",
    "commitment": "round-rectangle",
    "programme": "hexagon",
    "funding": "diamond",
    "figure": "triangle",
    "rating": "star",
    "evaluation": "vee",
    "change": "tag",
}
LAYERS = ("evaluation", "rating", "figure", "commitment", "programme", "funding", "body", "change")
#: the graph view groups its nodes by type past this many
GROUP_AT = 30
#: role colours, given to the role scheme's concepts in its order (Okabe–Ito: readable with colour-blindness)
ROLE_PALETTE = ("#D55E00", "#0072B2", "#56B4E9", "#F0E442", "#CC79A7", "#009E73", "#E69F00", "#999999", "#000000")
#: the roles a cell is coloured by first (most accountable); other roles follow in the scheme's order
ROLE_ORDER = ("accountable", "lead")
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


def _ink(colour: str) -> str:
    """Black or white, whichever reads better on ``colour`` (``#rrggbb``), by WCAG relative luminance."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#000000" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "#ffffff"


def _abbreviations(labels: list[str]) -> list[str]:
    """The shortest prefix of each label that no other label shares, capitalised (A, L, Ev, Em …)."""
    out = []
    for label in labels:
        others = [o.lower() for o in labels if o != label]
        n = 1
        while n < len(label) and any(o.startswith(label[:n].lower()) for o in others):
            n += 1
        out.append(label[:n].capitalize())
    return out


def role_styles(kg: KnowledgeGraph) -> list[dict]:
    """The roles of the role scheme (most accountable first), each with ``slug``, ``label``, ``colour``
    (from :data:`ROLE_PALETTE`), ``ink`` (text colour on it) and ``abbr`` (a short name for cells)."""
    roles = _roles(kg)
    abbrs = _abbreviations([label for _, label in roles])
    return [
        {
            "slug": slug,
            "label": label,
            "colour": (colour := ROLE_PALETTE[i % len(ROLE_PALETTE)]),
            "ink": _ink(colour),
            "abbr": abbr,
        }
        for i, ((slug, label), abbr) in enumerate(zip(roles, abbrs, strict=True))
    ]


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
        found = text_search.search(kg, focus, types=list(net.NODE_TYPES), limit=8)["items"]
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
        "role_options": role_styles(kg),
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
        "jurisdiction": jurisdiction,
        "typeColours": TYPE_COLOURS,
        "typeShapes": TYPE_SHAPES,
        "layers": LAYERS,
        "groupAt": GROUP_AT,
        "roles": roles,
        "roleStyles": form["role_options"],
    }
    filters = {"focus": ref["iri"], "depth": n_depth, "roles": roles, "jurisdiction": jurisdiction}
    return page(
        f"Graph: {ref['label']}",
        config=config,
        ref=ref,
        entity_page=_doc(request, kg)(ref["iri"]),
        nodes=g.number_of_nodes(),
        edges=g.number_of_edges(),
        types=[(t, TYPE_COLOURS[t], TYPE_SHAPES[t]) for t in LAYERS],
        group_at=GROUP_AT,
        downloads=[(fmt, name, _href(request, "/api/export/" + fmt, **filters)) for fmt, name in EXPORTS],
    )


# -- matrix ------------------------------------------------------------------------------------------


def _ranked(roles: list[str], order: dict[str, int]) -> list[str]:
    """``roles`` most accountable first (the order of :func:`role_styles`)."""
    return sorted(roles, key=lambda r: (order.get(r, len(order)), r))


@router.get(
    "/matrix",
    response_class=HTMLResponse,
    summary="Accountability matrix page",
    responses=media("text/html", "application/json", code=422, description="Unknown `of` or a bad filter"),
)
def matrix_page(
    request: Request,
    kg: KGDep,
    shell: ShellDep,
    of: Annotated[str, Query(description="`commitments` or `programmes`.")] = "commitments",
    evaluated: Annotated[str | None, Query(description="`1`: only commitments with a rating.")] = None,
    jurisdiction: Annotated[str | None, Query(description="Jurisdiction slug of the columns.")] = None,
    theme: Annotated[str | None, Query(description="Theme slug of the columns (commitments only).")] = None,
    via: Annotated[str | None, Query(description="`direct` (default) or `programmes`.")] = None,
    sort: Annotated[str | None, Query(description="`label`, `roles` or `body` (applied in the browser).")] = None,
) -> HTMLResponse:
    """Bodies × commitments (or × programmes) with the roles each body holds in each cell.

    Filters narrow the columns (and the rows to the bodies with a role in them); ``via=programmes``
    adds the roles held through a programme serving the commitment. Bad values: a 422 page.
    """
    title = "Accountability matrix"
    styles = role_styles(kg)
    order = {r["slug"]: i for i, r in enumerate(styles)}
    by_slug = {r["slug"]: r for r in styles}
    common: dict[str, Any] = {
        "of": of,
        "tabs": [(o, _href(request, "/matrix", of=o)) for o in ("commitments", "programmes")],
        "href": _doc(request, kg),
        "role_styles": styles,
        "sort": sort if sort in ("label", "roles", "body") else "label",
    }
    try:
        if sort not in (None, "", "label", "roles", "body"):
            raise acc.InvalidFilter("sort", "sort must be 'label', 'roles' or 'body'")
        filters = mx.parse_filters(evaluated=evaluated, jurisdiction=jurisdiction, theme=theme, via=via)
        m = mx.matrix(kg, of, **filters)
        options = mx.options(kg, of)
    except acc.InvalidFilter as exc:
        return shell.page(
            request, "views/matrix.html", title=title, current="Matrix", status_code=422, message=exc.message, **common
        )
    cells = {(c["body"], c["subject"]): c for c in m["cells"]}
    per_body: dict[str, int] = {}
    per_column: dict[str, int] = {}
    owner: dict[str, tuple[int, str]] = {}  # column -> (rank of the best role, body label)
    for c in m["cells"]:
        per_body[c["body"]] = per_body.get(c["body"], 0) + len(c["roles"])
        per_column[c["subject"]] = per_column.get(c["subject"], 0) + len(c["roles"])
    labels = {b["id"]: b["label"] for b in m["bodies"]}
    for c in m["cells"]:
        best = (min(order.get(r, len(order)) for r in c["roles"]), labels[c["body"]].lower())
        owner[c["subject"]] = min(owner.get(c["subject"], best), best)
    rows = []
    for b in m["bodies"]:
        row: list[dict | None] = []
        for col in m["columns"]:
            cell = cells.get((b["id"], col["id"]))
            if cell is None:
                row.append(None)
                continue
            roles = _ranked(cell["roles"], order)
            named = [
                {
                    "abbr": by_slug.get(r, {}).get("abbr", r),
                    "label": by_slug.get(r, {}).get("label", r),
                    "via": r in cell["via"],
                }
                for r in roles
            ]
            text = ", ".join(n["label"].lower() + (" (through a programme)" if n["via"] else "") for n in named)
            style = by_slug.get(roles[0])
            row.append(
                {
                    "roles": named,
                    "top": roles[0],
                    "tip": f"{b['label']} — {col['label']}: {text}",
                    "style": f"background:{style['colour']};color:{style['ink']}" if style else "",
                    "only_via": not cell["direct"],
                    "direct": cell["direct"],
                    "via": cell["via"],
                }
            )
        rows.append((b, row))
    columns = [(col, per_column.get(col["id"], 0), owner.get(col["id"], (len(order), "~"))[1]) for col in m["columns"]]
    download = {"of": of, "evaluated": "1" if filters["evaluated"] else None, "jurisdiction": filters["jurisdiction"]}
    download |= {"theme": filters["theme"], "via": "programmes" if filters["via_programmes"] else None}
    return shell.page(
        request,
        "views/matrix.html",
        title=title,
        current="Matrix",
        message=None,
        bodies=m["bodies"],
        columns=columns,
        cells=len(m["cells"]),
        rows=[(b, per_body.get(b["id"], 0), row) for b, row in rows],
        filters=filters,
        options=options,
        csv=_href(request, "/api/accountability/matrix", format="csv", **download),
        json=_href(request, "/api/accountability/matrix", format="json", **download),
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
