"""Exports of the accountability network for Gephi, Cytoscape, yEd, Graphviz, R/igraph and spreadsheets.

Formats: ``graphml``, ``gexf`` (typed attributes: strings and doubles only), ``cytoscape`` (Cytoscape.js
JSON), ``dot`` (every id and value quoted), ``csv`` (a zip of ``nodes.csv`` and ``edges.csv``),
``jsonld`` (the RDF behind the exported nodes, with their sources) and ``matrix-csv`` (bodies ×
commitments, see :func:`workforce_kg.analysis.accountability.matrix`). Each can cover the whole network or
a focused subgraph (:func:`subgraph`).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass

import networkx as nx
import pyoxigraph as ox

from workforce_kg.analysis import accountability
from workforce_kg.analysis.accountability import Context, InvalidFilter, NotFound
from workforce_kg.analysis.export_formats import FORMATS
from workforce_kg.analysis.network import NODE_TYPES, network
from workforce_kg.provenance.locators import format_locator
from workforce_kg.store.kg import KnowledgeGraph

MAX_DEPTH = 6


@dataclass(frozen=True)
class Export:
    content: bytes
    media_type: str
    filename: str


def subgraph(
    kg: KnowledgeGraph,
    *,
    focus: str | None = None,
    depth: int = 1,
    types: list[str] | None = None,
    jurisdiction: str | None = None,
    roles: list[str] | None = None,
) -> nx.MultiDiGraph:
    """A copy of the network, cut down by the filters given.

    Args:
        focus: an entity (IRI, ``body:nhse``, ``body/nhse`` or a unique slug); keeps the nodes within
            ``depth`` hops of it, whatever the edge direction.
        types: node types to keep (the focus is always kept).
        jurisdiction: keeps nodes of that jurisdiction, and nodes with none stated that link to one.
        roles: responsibility edges to keep (others are dropped, and nodes they alone connected).

    Raises:
        InvalidFilter: a filter names nothing known (``field`` says which).
    """
    net = network(kg)
    g = net.graph
    center = None
    if focus:
        try:
            center = net.resolve(kg, focus, "focus")
        except NotFound as exc:
            raise InvalidFilter("focus", f"focus: {exc}") from None
        if not 0 <= depth <= MAX_DEPTH:
            raise InvalidFilter("depth", f"depth must be between 0 and {MAX_DEPTH}")
        g = nx.ego_graph(g, center, radius=depth, undirected=True)
    g = g.copy()
    if types:
        keep = [t.strip() for t in types for t in t.split(",") if t.strip()]
        for t in keep:
            if t not in NODE_TYPES:
                raise InvalidFilter("types", f"unknown type {t!r}; one of: {', '.join(NODE_TYPES)}")
        g.remove_nodes_from([n for n, d in list(g.nodes(data=True)) if d["type"] not in keep and n != center])
    if jurisdiction:
        slug = accountability.slug_of(Context(kg).concept("jurisdiction", "jurisdiction", jurisdiction))
        matching = {n for n, d in g.nodes(data=True) if slug in str(d.get("jurisdiction", "")).split("; ")}
        unstated = {n for n, d in g.nodes(data=True) if "jurisdiction" not in d}
        linked = {n for n in unstated if any(m in matching for m in nx.all_neighbors(g, n))}
        g.remove_nodes_from([n for n in list(g) if n not in matching | linked and n != center])
    if roles:
        ctx = Context(kg)
        wanted = {
            accountability.slug_of(ctx.concept("roles", "role", r.strip()))
            for r in roles
            for r in r.split(",")
            if r.strip()
        }
        before = {n for n in g if g.degree(n) > 0}
        g.remove_edges_from(
            [(u, v, k) for u, v, k, d in list(g.edges(keys=True, data=True)) if "role" in d and d["role"] not in wanted]
        )
        g.remove_nodes_from([n for n in before if g.degree(n) == 0 and n != center])
    return g


def export(
    kg: KnowledgeGraph,
    fmt: str,
    *,
    focus: str | None = None,
    depth: int = 1,
    types: list[str] | None = None,
    jurisdiction: str | None = None,
    roles: list[str] | None = None,
    of: str = "commitments",
) -> Export:
    """The network (or a focused subgraph) in format ``fmt``; ``matrix-csv`` ignores the graph filters.

    Raises:
        InvalidFilter: unknown format (field ``format``) or a bad filter.
    """
    if fmt not in FORMATS:
        raise InvalidFilter("format", f"unknown format {fmt!r}; one of: {', '.join(FORMATS)}")
    media, ext = FORMATS[fmt]
    name = "accountability-matrix" if fmt == "matrix-csv" else "workforce-kg"
    if fmt == "matrix-csv":
        body = accountability.matrix_csv(accountability.matrix(kg, of)).encode("utf-8")
        return Export(body, media, f"{name}.{ext}")
    g = subgraph(kg, focus=focus, depth=depth, types=types, jurisdiction=jurisdiction, roles=roles)
    writers = {"graphml": to_graphml, "gexf": to_gexf, "dot": to_dot, "csv": to_csv_zip}
    if fmt == "jsonld":
        body = to_jsonld(kg, g)
    elif fmt == "cytoscape":
        body = to_cytoscape(g, edge_citations(kg, g))
    else:
        body = writers[fmt](g)
    return Export(body, media, f"{name}.{ext}")


# -- writers -----------------------------------------------------------------------------------------


def to_graphml(g: nx.MultiDiGraph) -> bytes:
    buf = io.BytesIO()
    nx.write_graphml(g, buf, encoding="utf-8")
    return buf.getvalue()


def to_gexf(g: nx.MultiDiGraph) -> bytes:
    buf = io.BytesIO()
    nx.write_gexf(g, buf, encoding="utf-8")
    return buf.getvalue()


def edge_citations(kg: KnowledgeGraph, g: nx.MultiDiGraph) -> dict[tuple[str, str, str], list[dict]]:
    """The citations of each responsibility edge (those of the responsibilities it stands for), by
    (source, target, key): ``[{document: {id, iri, label, type}, locator, locatorText, quote}]`` (``locatorText``:
    the locator as words, "para 18", by :func:`~workforce_kg.provenance.locators.format_locator`)."""
    ctx = Context(kg)
    resps = {
        (u, v, k): d["responsibility"].split("; ")
        for u, v, k, d in g.edges(keys=True, data=True)
        if d.get("responsibility")
    }
    sources = ctx.sources([r for rs in resps.values() for r in rs])
    return {
        edge: [{**c, "locatorText": format_locator(c.get("locator"))} for r in rs for c in sources.get(r, [])]
        for edge, rs in resps.items()
    }


def to_cytoscape(g: nx.MultiDiGraph, citations: dict[tuple[str, str, str], list[dict]] | None = None) -> bytes:
    """Cytoscape.js elements JSON: node ``data`` has id, label, type, iri …; edges source, target, key,
    and (given ``citations``, see :func:`edge_citations`) ``citations``: the quotes that state the edge."""
    data = nx.cytoscape_data(g)
    if citations:
        for e in data["elements"]["edges"]:
            d = e["data"]
            cites = citations.get((d["source"], d["target"], d["key"]))
            if cites:
                d["citations"] = cites
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def _dot_quote(value) -> str:
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\r", "").replace("\n", "\\n")
    return f'"{text}"'


def _dot_attrs(data: dict) -> str:
    return ", ".join(f"{k}={_dot_quote(v)}" for k, v in sorted(data.items()))


def to_dot(g: nx.MultiDiGraph) -> bytes:
    """Graphviz DOT; ids and values are always quoted (``:`` in an unquoted id would be a port)."""
    lines = ['digraph "workforce_kg" {']
    for n, d in g.nodes(data=True):
        lines.append(f"  {_dot_quote(n)} [{_dot_attrs(d)}];")
    for u, v, k, d in g.edges(keys=True, data=True):
        lines.append(f"  {_dot_quote(u)} -> {_dot_quote(v)} [{_dot_attrs({**d, 'key': k})}];")
    lines.append("}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def to_csv_zip(g: nx.MultiDiGraph) -> bytes:
    """A zip of ``nodes.csv`` (id, iri, label, type, …) and ``edges.csv`` (source, target, predicate, …)."""
    node_cols = ["id", "iri", "label", "type"]
    node_cols += sorted({k for _, d in g.nodes(data=True) for k in d} - set(node_cols))
    edge_cols = ["source", "target", "predicate", "relation", "label", "role"]
    edge_cols += sorted({k for *_, d in g.edges(data=True) for k in d} - set(edge_cols))

    def table(cols, rows) -> str:
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=cols, lineterminator="\r\n", extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
        return buf.getvalue()

    nodes = ({**d, "id": n} for n, d in g.nodes(data=True))
    edges = ({**d, "source": u, "target": v} for u, v, d in g.edges(data=True))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("nodes.csv", table(node_cols, nodes))
        z.writestr("edges.csv", table(edge_cols, edges))
    return out.getvalue()


def to_jsonld(kg: KnowledgeGraph, g: nx.MultiDiGraph) -> bytes:
    """JSON-LD of the RDF behind the subgraph: its nodes, the responsibilities on its edges, their citations."""
    subjects = [d["iri"] for _, d in g.nodes(data=True)]
    subjects += sorted({r for *_, d in g.edges(data=True) for r in d.get("responsibility", "").split("; ") if r})
    triples: dict[tuple, ox.Triple] = {}
    todo: list[ox.NamedNode | ox.BlankNode] = [ox.NamedNode(s) for s in subjects]
    seen = set()
    while todo:
        s = todo.pop()
        if s in seen:
            continue
        seen.add(s)
        for q in kg.store.quads_for_pattern(s, None, None, None):
            triples.setdefault((q.subject, q.predicate, q.object), ox.Triple(q.subject, q.predicate, q.object))
            if isinstance(q.object, ox.BlankNode):
                todo.append(q.object)
    body = ox.serialize(list(triples.values()), format=ox.RdfFormat.JSON_LD)
    assert body is not None  # serialised to bytes, not to a file
    return body
