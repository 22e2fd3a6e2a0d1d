"""JSON-LD of the linked-data pages: the service's own compaction against PyLD, on every entity.

For each IRI of the bundled graph that has a page (subjects under ``{base}/id/`` and ``{base}/def/``),
the page's triples (:func:`workforce_kg.rdf.describe.cbd`) are written
as JSON-LD under the ontology's context (:func:`~workforce_kg.rdf.describe.jsonld_context`) twice:

- **current**: :func:`workforce_kg.rdf.describe.serialize` (sorting, then its own ``compact_jsonld``);
- **PyLD**: ``jsonld.from_rdf`` (N-Quads in) then ``jsonld.frame`` on the entity's IRI with the same
  context (framing, not only ``compact``, so that a citation's blank node is embedded in the fact it
  supports, as on the page), written with the same ``json.dumps``. PyLD runs with a document loader
  that refuses every URL: nothing is fetched. ``compact`` alone is timed too, as PyLD's lower bound.

Compared per entity: the RDF each document denotes (read back with rdflib, graph isomorphism), the
JSON shape (the node objects with ``@context`` removed and blank-node labels dropped, and the size of
the embedded ``@context``), and the time of each (in-process, best of ``--repeat``). Run from the
repository root:

    PYTHONPATH=$PWD/service .venv/bin/python bench/jsonld_compaction.py [--repeat 5] [--limit N]

Prints the figures; it writes no results file (they are copied into bench/README.md by hand).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from typing import Any

import pyoxigraph as ox
from pyld import jsonld
from rdflib import Graph
from rdflib.compare import isomorphic

from workforce_kg.rdf import describe as d
from workforce_kg.store.kg import KnowledgeGraph


def refuse(url: str, options: Any = None) -> dict:
    """PyLD document loader: no remote (or local) document is ever loaded."""
    raise jsonld.JsonLdError(
        f"loading {url} is not allowed", "jsonld.LoadDocumentError", code="loading document failed"
    )


OPTIONS = {"documentLoader": refuse}


def entities(kg: KnowledgeGraph) -> list[str]:
    """Every IRI with a linked-data page: subjects under the base's ``/id/`` and ``/def/``."""
    rows = kg.rows("SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) } ORDER BY ?s")
    return [r["s"] for r in rows if r["s"].startswith((kg.base + "/id/", kg.base + "/def/"))]


def current(kg: KnowledgeGraph, triples: list[ox.Triple], context: dict) -> bytes:
    """The page's JSON-LD as the service writes it."""
    return d.serialize(kg, triples, "application/ld+json", context=context)


def pyld_page(triples: list[ox.Triple], iri: str, context: dict) -> bytes:
    """The same page's JSON-LD by PyLD, written as the service writes JSON."""
    return json.dumps(with_pyld(triples, iri, context), ensure_ascii=False, indent=2).encode("utf-8")


def with_pyld(triples: list[ox.Triple], iri: str, context: dict) -> dict:
    """The triples as JSON-LD framed on ``iri`` by PyLD under ``context``."""
    nquads = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    assert nquads is not None
    expanded = jsonld.from_rdf(nquads.decode("utf-8"), {"format": "application/n-quads", **OPTIONS})
    return jsonld.frame(expanded, {"@context": context, "@id": iri}, {**OPTIONS, "omitGraph": True})


def pyld_compact_only(triples: list[ox.Triple], context: dict) -> dict:
    """PyLD's ``compact`` alone (blank nodes stay separate nodes): a lower bound of PyLD's time."""
    nquads = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    assert nquads is not None
    expanded = jsonld.from_rdf(nquads.decode("utf-8"), {"format": "application/n-quads", **OPTIONS})
    return jsonld.compact(expanded, context, OPTIONS)


def rdf_of(doc: dict) -> Graph:
    """The RDF a JSON-LD document denotes (its context is inline: nothing is loaded)."""
    return Graph().parse(data=json.dumps(doc), format="json-ld")


def shape(value: Any, prefixes: dict[str, str] | None = None) -> Any:
    """``value`` without ``@context`` and blank-node labels, arrays in a fixed order and arrays of one
    unwrapped: what a reader sees (an array's order carries no meaning in JSON-LD without ``@list``).

    With ``prefixes``, compact IRIs (``wkg:scheme/x``) are also expanded, so that two documents that
    only chose differently between a compact and an absolute IRI compare equal.
    """
    if isinstance(value, dict):
        return {
            shape(k, prefixes): shape(v, prefixes)
            for k, v in value.items()
            if k != "@context" and not (k in ("@id", "id") and isinstance(v, str) and v.startswith("_:"))
        }
    if isinstance(value, list):
        items = [shape(v, prefixes) for v in value]
        return items[0] if len(items) == 1 else sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
    if prefixes and isinstance(value, str):
        prefix, sep, rest = value.partition(":")
        if sep and prefix in prefixes and not rest.startswith("//"):
            return prefixes[prefix] + rest
    return value


def best(fn, repeat: int) -> float:
    """The fastest of ``repeat`` runs of ``fn``, in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per entity (best is kept)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N entities (0: all)")
    args = parser.parse_args()

    kg = KnowledgeGraph.load()
    context = d.jsonld_context(kg)["@context"]
    iris = entities(kg)[: args.limit or None]
    prefixes = {k: v for k, v in context.items() if isinstance(v, str) and v.endswith(("/", "#"))}
    same_rdf = same_shape = same_expanded = 0
    differences: dict[str, int] = {}
    ours_ms, pyld_ms, compact_ms, ours_ctx, pyld_ctx = [], [], [], [], []
    examples: list[tuple[str, Any, Any]] = []
    for iri in iris:
        triples = d.cbd(kg, iri)
        ours = json.loads(current(kg, triples, context))
        theirs = json.loads(pyld_page(triples, iri, context))
        if isomorphic(rdf_of(ours), rdf_of(theirs)):
            same_rdf += 1
        if shape(ours, prefixes) == shape(theirs, prefixes):
            same_expanded += 1
        if shape(ours) == shape(theirs):
            same_shape += 1
        elif shape(ours, prefixes) != shape(theirs, prefixes):
            a, b = shape(ours, prefixes), shape(theirs, prefixes)
            if isinstance(a, dict) and isinstance(b, dict):
                keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
            else:
                keys = ["(not one node on one side)"]
            if len(examples) < 3:
                examples.append((iri, a, b))
            for k in keys:
                differences[k] = differences.get(k, 0) + 1
        ours_ctx.append(len(json.dumps(ours["@context"])))
        pyld_ctx.append(len(json.dumps(theirs["@context"])))
        ours_ms.append(best(lambda t=triples: current(kg, t, context), args.repeat))
        pyld_ms.append(best(lambda t=triples, i=iri: pyld_page(t, i, context), args.repeat))
        compact_ms.append(best(lambda t=triples: pyld_compact_only(t, context), args.repeat))

    n = len(iris)
    print(f"entities: {n}")
    print(f"same RDF (isomorphic): {same_rdf}/{n}")
    print(f"same JSON (without @context and blank-node labels): {same_shape}/{n}")
    print(f"same JSON once compact IRIs are expanded: {same_expanded}/{n}; the others:")
    for key, count in sorted(differences.items(), key=lambda kv: -kv[1])[:10]:
        print(f"  {key!r} differs in {count} entities")
    sizes = f"current {statistics.median(ours_ctx):.0f}, PyLD {statistics.median(pyld_ctx):.0f}"
    print(f"embedded @context, median characters: {sizes}")
    for iri, a, b in examples:
        diff = {k: (a[k], b[k]) for k in a if a[k] != b.get(k)} if isinstance(a, dict) else (a, b)
        print(f"  e.g. {iri}: {json.dumps(diff, ensure_ascii=False)[:300]}")
    for name, ms in (("current", ours_ms), ("PyLD frame", pyld_ms), ("PyLD compact only", compact_ms)):
        p50, p90 = statistics.median(ms), statistics.quantiles(ms, n=10)[-1]
        print(f"{name}: median {p50:.3f} ms, p90 {p90:.3f} ms, total {sum(ms):.0f} ms")
    for name, ms in (("PyLD frame", pyld_ms), ("PyLD compact only", compact_ms)):
        ratio = statistics.median(p / o for p, o in zip(ms, ours_ms, strict=True))
        print(f"{name} / current, median per entity: {ratio:.1f}x")


if __name__ == "__main__":
    main()
