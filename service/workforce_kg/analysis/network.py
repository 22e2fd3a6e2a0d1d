"""The accountability network: a networkx projection of the graph, and analyses on it.

Projection rules (as in STYLE.md): a ``MultiDiGraph`` whose nodes are the things of the graph (bodies,
commitments, programmes, funding, figures, ratings, evaluations, changes) and whose edges are
IRI-to-IRI triples keyed by predicate IRI. A responsibility becomes one edge subject → body keyed by
its role's shortcut property (``wkg:leadBody`` …) with ``role`` and ``responsibility`` attributes
(responsibilities stating the same role twice share the edge; their IRIs are joined by ``; ``).
Literals and controlled values become node attributes (scalars only: strings or floats), never nodes.
Node ids are format-safe (``body_nhse``); the IRI is the ``iri`` attribute.

The projection is built once per graph and cached on the :class:`KnowledgeGraph` (rebuilt if the
store's size or version changes).
"""

from __future__ import annotations

import itertools
import re
import threading
import weakref
from collections import defaultdict

import networkx as nx
import pyoxigraph as ox

from workforce_kg.analysis import sparql_files as sq
from workforce_kg.analysis.accountability import KINDS, TYPE_OF_KIND, InvalidFilter, NotFound, slug_of
from workforce_kg.store.kg import KnowledgeGraph, to_python
from workforce_kg.store.rules import ROLE_SHORTCUTS
from workforce_kg.vocab import RDF_TYPE, SKOS

#: node types of the projection (API type names)
NODE_TYPES = ("body", "commitment", "programme", "funding", "figure", "rating", "evaluation", "change")

#: attribute names for predicates whose local name would clash with a format's reserved words
_ATTR_NAMES = {
    SKOS + "prefLabel": "label",
    SKOS + "altLabel": "aliases",
    "http://schema.org/value": "amount",
    "http://schema.org/currency": "currency",
    "http://schema.org/sameAs": "same_as",
    "http://purl.org/dc/terms/date": "date",
    "http://purl.org/dc/terms/description": "description",
    "http://purl.org/dc/terms/source": "reference",
}
_RESERVED = {
    "id",
    "name",
    "value",
    "key",
    "source",
    "target",
    "start",
    "end",
    "pid",
    "viz",
    "weight",
    "type",
    "label",
    "iri",
    "classes",
    "documents",
}

_lock = threading.Lock()
_cache: weakref.WeakKeyDictionary[KnowledgeGraph, Network] = weakref.WeakKeyDictionary()


class Network:
    """The projection of one graph with its IRI index and cached analyses."""

    def __init__(self, graph: nx.MultiDiGraph, size: tuple):
        self.graph = graph
        self.size = size
        self.by_iri = {d["iri"]: n for n, d in graph.nodes(data=True)}
        self._undirected: nx.Graph | None = None
        self._centrality: dict | None = None

    @property
    def undirected(self) -> nx.Graph:
        """The simple undirected view used for centrality, components and paths."""
        if self._undirected is None:
            self._undirected = nx.Graph(self.graph.to_undirected(as_view=True))
        return self._undirected

    def ref(self, node: str) -> dict:
        d = self.graph.nodes[node]
        return {
            "id": slug_of(d["iri"]),
            "iri": d["iri"],
            "label": d.get("label", node),
            "type": d["type"],
            "node": node,
        }

    def resolve(self, kg: KnowledgeGraph, value: str, field: str = "id") -> str:
        """The node for ``value``: a node id, an IRI, a prefixed name (``body:nhse``), ``type/slug``, or a
        slug that names one node only.

        Raises:
            NotFound: nothing matches.
            InvalidFilter: a bare slug matches several nodes (``field`` names the parameter).
        """
        value = (value or "").strip()
        if value in self.graph:
            return value
        if value in self.by_iri:
            return self.by_iri[value]
        head, sep, tail = value.partition(":")
        if sep and head in kg.prefixes and kg.prefixes[head] + tail in self.by_iri:
            return self.by_iri[kg.prefixes[head] + tail]
        head, sep, tail = value.partition("/")
        if sep:
            kind = KINDS.get(head, head)
            iri = f"{kg.base}/id/{kind}/{tail}"
            if iri in self.by_iri:
                return self.by_iri[iri]
        matches = [n for n, d in self.graph.nodes(data=True) if slug_of(d["iri"]) == value]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            options = ", ".join(sorted(f"{self.graph.nodes[n]['type']}/{value}" for n in matches))
            raise InvalidFilter(field, f"{field}: {value!r} is ambiguous; use one of {options}")
        raise NotFound(f"no entity {value!r} in the accountability network")


def node_id(type_: str, slug: str) -> str:
    """A node id safe in every export format: letters, digits and underscores."""
    return re.sub(r"[^A-Za-z0-9_]", "_", f"{type_}_{slug}")


def network(kg: KnowledgeGraph) -> Network:
    """The (cached) projection of ``kg``."""
    size = (len(kg), kg.generation)
    with _lock:
        net = _cache.get(kg)
    if net is None or net.size != size:
        net = Network(project(kg), size)
        with _lock:
            _cache[kg] = net
    return net


def project(kg: KnowledgeGraph) -> nx.MultiDiGraph:
    """Build the projection (see the module docstring). Prefer :func:`network`, which caches it."""
    base, wkg = kg.base, f"{kg.base}/def/"
    ids = f"{base}/id/"
    g = nx.MultiDiGraph()
    labels = {r[0].value: r[1].value for r in sq.select(kg, "property_labels")}
    skip = {wkg + "responsibleBody", wkg + "citation", wkg + "body", wkg + "subject", wkg + "role"}
    skip |= {wkg + prop for prop in ROLE_SHORTCUTS.values()}

    def kind_of(iri: str) -> str | None:
        return TYPE_OF_KIND.get(iri[len(ids) :].split("/", 1)[0]) if iri.startswith(ids) else None

    triples = [(s.value, p.value, o) for s, p, o in sq.select(kg, "network_triples", ids=ox.Literal(ids))]
    for s in sorted({s for s, _, _ in triples}):
        t = kind_of(s)
        if t in NODE_TYPES:
            g.add_node(node_id(t, slug_of(s)), iri=s, type=t)
    by_iri = {d["iri"]: n for n, d in g.nodes(data=True)}

    attrs: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    responsibilities: dict[str, dict] = defaultdict(dict)
    for s, p, o in triples:
        if kind_of(s) == "responsibility":
            if p in (wkg + "body", wkg + "subject", wkg + "role", wkg + "startDate", wkg + "endDate"):
                responsibilities[s][p[len(wkg) :]] = o.value
            continue
        node = by_iri.get(s)
        if node is None or p in skip:
            continue
        if isinstance(o, ox.NamedNode):
            if p == RDF_TYPE:
                if o.value.startswith((wkg, "http://www.w3.org/ns/org#")):
                    attrs[node]["classes"].append(_local(o.value))
            elif o.value in by_iri:
                g.add_edge(
                    node, by_iri[o.value], key=p, predicate=p, relation=_local(p), label=labels.get(p, _local(p))
                )
            else:
                attrs[node][_attr(p)].append(slug_of(o.value) if o.value.startswith(base) else o.value)
        elif isinstance(o, ox.Literal):
            attrs[node][_attr(p)].append(to_python(o))

    for r, d in sorted(responsibilities.items()):
        subject, body = by_iri.get(d.get("subject")), by_iri.get(d.get("body"))
        if subject is None or body is None:
            continue
        role = slug_of(d.get("role", "responsible"))
        pred = wkg + ROLE_SHORTCUTS.get(role, "responsibleBody")
        edge = g.get_edge_data(subject, body, pred)
        if edge is not None:  # the same role stated twice (e.g. by two documents): one edge, every source kept
            edge["responsibility"] += f"; {r}"
            for k, v in (("start_date", "startDate"), ("end_date", "endDate")):
                if v in d:
                    edge[k] = "; ".join(sorted(set(filter(None, edge.get(k, "").split("; "))) | {d[v]}))
            continue
        edge = {
            "predicate": pred,
            "relation": _local(pred),
            "label": labels.get(pred, role),
            "role": role,
            "responsibility": r,
        }
        edge.update({k: d[v] for k, v in (("start_date", "startDate"), ("end_date", "endDate")) if v in d})
        g.add_edge(subject, body, key=pred, **edge)

    for s, doc in sq.select(kg, "network_documents", ids=ox.Literal(ids)):
        if s.value in by_iri:
            attrs[by_iri[s.value]]["documents"].append(slug_of(doc.value))

    for node, values in attrs.items():
        for key, vs in values.items():
            vs = sorted(set(vs), key=str)
            g.nodes[node][key] = vs[0] if len(vs) == 1 else "; ".join(map(str, vs))
    _uniform_types(g)
    return g


def _local(iri: str) -> str:
    return re.split(r"[/#]", iri)[-1]


def _attr(predicate: str) -> str:
    if predicate in _ATTR_NAMES:
        return _ATTR_NAMES[predicate]
    name = re.sub(r"(?<!^)(?=[A-Z])", "_", _local(predicate)).lower()
    return f"rdf_{name}" if name in _RESERVED else name


def _uniform_types(g: nx.MultiDiGraph) -> None:
    """One type per attribute key (GraphML/GEXF need it): floats if every value is a number, else strings."""
    for items in (g.nodes(data=True), g.edges(data=True)):
        data = [d for *_, d in items]
        keys = {k for d in data for k in d}
        for k in keys:
            values = [d[k] for d in data if k in d]
            numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
            for d in data:
                if k in d:
                    d[k] = float(d[k]) if numeric else str(d[k])


# -- analyses ----------------------------------------------------------------------------------------


def centrality(kg: KnowledgeGraph, types: list[str] | None = None, limit: int = 20) -> dict:
    """Degree and betweenness centrality of the network's nodes (default: bodies), most central first.

    Computed on the undirected simple view of the whole network (parallel edges merged).
    """
    types = _check_types(types or ["body"])
    net = network(kg)
    if net._centrality is None:
        h = net.undirected
        net._centrality = {"degree": nx.degree_centrality(h), "betweenness": nx.betweenness_centrality(h)}
    c = net._centrality
    rows = [
        {
            **net.ref(n),
            "degree": net.undirected.degree(n),
            "degree_centrality": round(c["degree"][n], 6),
            "betweenness": round(c["betweenness"][n], 6),
        }
        for n, d in net.graph.nodes(data=True)
        if d["type"] in types
    ]
    rows.sort(key=lambda r: (-r["betweenness"], -r["degree"], r["label"]))
    if limit < 1:
        raise InvalidFilter("limit", "limit must be at least 1")
    return {"types": types, "nodes": net.graph.number_of_nodes(), "total": len(rows), "items": rows[:limit]}


def components(kg: KnowledgeGraph, members: int = 50) -> dict:
    """Connected components of the undirected network, largest first, with node counts per type."""
    net = network(kg)
    comps = sorted(nx.connected_components(net.undirected), key=lambda c: (-len(c), min(c)))
    out = []
    for i, comp in enumerate(comps):
        by_type: dict[str, int] = defaultdict(int)
        for n in comp:
            by_type[net.graph.nodes[n]["type"]] += 1
        nodes = sorted(comp, key=lambda n: (net.graph.nodes[n]["type"], net.graph.nodes[n].get("label", n)))
        out.append(
            {
                "component": i + 1,
                "size": len(comp),
                "types": dict(sorted(by_type.items())),
                "members": [net.ref(n) for n in nodes[:members]],
            }
        )
    return {"count": len(out), "nodes": net.graph.number_of_nodes(), "components": out}


def shortest_path(kg: KnowledgeGraph, source: str, target: str) -> dict:
    """The shortest path between two entities, ignoring edge direction; each hop says which way it runs.

    Raises:
        NotFound: an entity is not in the network.
    """
    net = network(kg)
    a, b = net.resolve(kg, source, "from"), net.resolve(kg, target, "to")
    try:
        nodes = nx.shortest_path(net.undirected, a, b)
    except nx.NetworkXNoPath:
        return {"from": net.ref(a), "to": net.ref(b), "found": False, "length": None, "nodes": [], "edges": []}
    edges = []
    for u, v in itertools.pairwise(nodes):
        forward = net.graph.get_edge_data(u, v) or {}
        data, direction = (forward, "forward") if forward else (net.graph.get_edge_data(v, u), "backward")
        key = min(data)
        edges.append(
            {
                "from": net.ref(u)["id"],
                "to": net.ref(v)["id"],
                "direction": direction,
                "relation": data[key]["relation"],
                "label": data[key]["label"],
                "role": data[key].get("role"),
            }
        )
    return {
        "from": net.ref(a),
        "to": net.ref(b),
        "found": True,
        "length": len(nodes) - 1,
        "nodes": [net.ref(n) for n in nodes],
        "edges": edges,
    }


def _check_types(types: list[str]) -> list[str]:
    types = [t.strip() for t in types for t in t.split(",") if t.strip()]
    for t in types:
        if t not in NODE_TYPES:
            raise InvalidFilter("types", f"unknown type {t!r}; one of: {', '.join(NODE_TYPES)}")
    return types
