"""Draw a seeded, stratified random sample of fact nodes from the bundled graph for a manual audit.

For each sampled node it prints the node's structured fields (IRI objects with their labels) and
every citation — document, locator, quote — followed by the full text of the segment the locator
names, so a reviewer can judge the fact against the whole passage, not only the quote.

    PYTHONPATH=service .venv/bin/python bench/audit.py --seed 20261206 --size 100
    PYTHONPATH=service .venv/bin/python bench/audit.py --seed 20261207 --size 50 \
        --exclude-file bench/audit-sample-20261206.txt

Strata: commitments, responsibilities, programmes, funding, figures, ratings, bodies (their
citations: where a source names them), other facts (evaluations, organisational changes). Each
stratum gets a share of the sample proportional to its size, at least ``--min-per-stratum``.
``--exclude-file`` (a ``--format list`` output) or ``--exclude-seed SEED:SIZE`` (redrawn on the same
graph) removes the nodes of an earlier sample so the two never overlap; ``--graph-dir`` draws from
another copy of ``graph/`` (e.g. the graph as it was when an earlier sample was drawn).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Iterable
from pathlib import Path

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SKOS

from workforce_kg.provenance import citations as provenance
from workforce_kg.provenance import sources as src
from workforce_kg.store import local as store

WKG = Namespace("https://w3id.org/workforce-kg/def/")
ORG = Namespace("http://www.w3.org/ns/org#")

STRATA: dict[str, tuple[URIRef, ...]] = {
    "commitment": (WKG.Commitment, WKG.ManifestoCommitment, WKG.Target, WKG.Intention, WKG.Pledge),
    "responsibility": (WKG.Responsibility,),
    "programme": (WKG.Programme,),
    "funding": (WKG.Funding,),
    "figure": (WKG.ProgressFigure,),
    "rating": (WKG.Rating,),
    "body": (ORG.Organization, ORG.FormalOrganization, ORG.OrganizationalUnit, WKG.CollectiveActor, ORG.Post),
    "other": (WKG.Evaluation, ORG.ChangeEvent),
}


def population(graph: Graph) -> dict[str, list[URIRef]]:
    """Every cited node of each stratum (asserted types only), sorted so the draw is reproducible."""
    seen: set[URIRef] = set()
    out: dict[str, list[URIRef]] = {}
    for name, classes in STRATA.items():
        nodes = {
            s
            for cls in classes
            for s in graph.subjects(RDF.type, cls)
            if isinstance(s, URIRef) and s not in seen and graph.value(s, WKG.citation) is not None
        }
        seen |= nodes
        out[name] = sorted(nodes)
    return out


def allocate(sizes: dict[str, int], total: int, minimum: int) -> dict[str, int]:
    """Split ``total`` over strata proportionally to their size (largest remainder), at least ``minimum`` each.

    The minimum shrinks when the strata cannot all have it within ``total``; never more than ``total``.
    """
    filled = sum(1 for n in sizes.values() if n)
    if filled:
        minimum = min(minimum, total // filled)
    alloc = {k: min(n, minimum) for k, n in sizes.items()}
    rest = total - sum(alloc.values())
    pool = {k: n - alloc[k] for k, n in sizes.items()}
    pool_total = sum(pool.values())
    if rest <= 0 or pool_total == 0:
        return alloc
    shares = {k: rest * p / pool_total for k, p in pool.items()}
    for k, s in shares.items():
        alloc[k] += min(int(s), pool[k])
    left = total - sum(alloc.values())
    for k in sorted(shares, key=lambda k: shares[k] - int(shares[k]), reverse=True):
        if left <= 0:
            break
        if alloc[k] < sizes[k]:
            alloc[k] += 1
            left -= 1
    return alloc


def draw(graph: Graph, seed: int, size: int, minimum: int, exclude: Iterable[URIRef] = ()) -> list[tuple[str, URIRef]]:
    """The sample: ``(stratum, node)`` pairs, drawn with ``random.Random(seed)``."""
    excluded = set(exclude)
    pop = {k: [n for n in v if n not in excluded] for k, v in population(graph).items()}
    alloc = allocate({k: len(v) for k, v in pop.items()}, size, minimum)
    rng = random.Random(seed)
    return [(k, n) for k in STRATA for n in sorted(rng.sample(pop[k], alloc[k]))]


def short(graph: Graph, term) -> str:
    """A prefixed name for an IRI (``cmt:nurses-50k``), else the term's text."""
    if isinstance(term, URIRef):
        try:
            return graph.namespace_manager.normalizeUri(term)
        except (ValueError, KeyError):  # rdflib raises for IRIs it cannot split
            return str(term)
    if isinstance(term, Literal) and term.datatype is not None:
        return f"{term}^^{short(graph, term.datatype)}"
    return str(term)


def describe(graph: Graph, node: URIRef, segs: dict[URIRef, dict[str, str]]) -> dict:
    """A node's fields and citations, with each citation's segment text."""
    fields: list[tuple[str, str]] = []
    citations = []
    for p, o in sorted(graph.predicate_objects(node), key=lambda po: (str(po[0]), str(po[1]))):
        if p == WKG.citation:
            doc = graph.value(o, WKG.document)
            locator = str(graph.value(o, WKG.locator) or "")
            citations.append(
                {
                    "document": short(graph, doc),
                    "locator": locator,
                    "quote": str(graph.value(o, WKG.quote) or ""),
                    "segment": segs.get(doc, {}).get(
                        src.normalise(locator), segs.get(doc, {}).get(locator, "(segment not found)")
                    ),
                }
            )
            continue
        if isinstance(o, BNode):
            value = (
                "[" + "; ".join(f"{short(graph, p2)} {short(graph, o2)}" for p2, o2 in graph.predicate_objects(o)) + "]"
            )
        else:
            value = short(graph, o)
            label = graph.value(o, SKOS.prefLabel) if isinstance(o, URIRef) else None
            if label is not None:
                value += f'  ("{label}")'
        fields.append((short(graph, p), value))
    citations.sort(key=lambda c: (c["document"], c["locator"], c["quote"]))
    return {"iri": short(graph, node), "fields": fields, "citations": citations}


def main(argv: list[str] | None = None) -> int:
    """Print the sample (text for reading, or JSON)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=20261206)
    ap.add_argument("--size", type=int, default=100)
    ap.add_argument("--min-per-stratum", type=int, default=5)
    ap.add_argument(
        "--exclude-seed",
        action="append",
        default=[],
        metavar="SEED:SIZE",
        help="leave out the nodes an earlier draw (same graph, default minimum) picked",
    )
    ap.add_argument(
        "--exclude-file",
        type=Path,
        action="append",
        default=[],
        help="leave out the nodes listed in this file (lines 'stratum<TAB>prefixed-name', as --format list prints)",
    )
    ap.add_argument("--graph-dir", type=Path, default=None, help="draw from this copy of graph/")
    ap.add_argument("--sources", type=Path, default=None, help="folder of source texts")
    ap.add_argument("--format", choices=("text", "json", "list"), default="text")
    args = ap.parse_args(argv)

    if args.graph_dir is not None and not args.graph_dir.is_dir():
        ap.error(f"not a folder: {args.graph_dir}")
    graph = store.rdflib_graph(store.bundled_files(graph_dir=args.graph_dir) if args.graph_dir else None)
    folder = src.sources_dir(args.sources)
    segs = {iri: provenance.load_segments(doc, folder) for iri, doc in provenance.documents(graph).items()}
    exclude: list[URIRef] = []
    for spec in args.exclude_seed:
        seed_text, _, size_text = spec.partition(":")
        try:
            exclude += [n for _, n in draw(graph, int(seed_text), int(size_text or 100), args.min_per_stratum)]
        except ValueError:
            ap.error(f"--exclude-seed wants SEED:SIZE, got {spec!r}")
    for path in args.exclude_file:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            ap.error(f"cannot read {path}: {exc.strerror or exc}")
        for line in lines:
            name = line.split("\t")[-1].strip()
            if name and not name.startswith("#"):
                exclude.append(
                    graph.namespace_manager.expand_curie(name) if ":" in name and "//" not in name else URIRef(name)
                )
    sample = draw(graph, args.seed, args.size, args.min_per_stratum, exclude)

    if args.format == "list":
        for stratum, node in sample:
            print(f"{stratum}\t{short(graph, node)}")
        return 0
    items = [{"stratum": s, **describe(graph, n, segs)} for s, n in sample]
    if args.format == "json":
        json.dump({"seed": args.seed, "size": len(items), "items": items}, sys.stdout, indent=1, ensure_ascii=False)
        return 0
    counts: dict[str, int] = {}
    for s, _ in sample:
        counts[s] = counts.get(s, 0) + 1
    print(f"# audit sample: seed {args.seed}, {len(items)} nodes; " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    for i, item in enumerate(items, 1):
        print(f"\n## {i}. [{item['stratum']}] {item['iri']}")
        for p, v in item["fields"]:
            print(f"  {p} {v}")
        for c in item["citations"]:
            print(f"  -- {c['document']} @ {c['locator']!r}\n     quote:   {c['quote']}\n     segment: {c['segment']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
