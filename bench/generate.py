"""Synthetic scale data: the bundled graph at N× its size, with the same shape, valid against the shapes.

The N× dataset is the bundled data graph (reference schemes and organisations, documents, the facts of
each document, changes; not the ontology) in its usual named graphs, plus N − 1 synthetic *replicas*
in ``{base}/graph/synthetic/NNN``. A replica is a copy of every document's facts with its own IRIs
(``{base}/id/{kind}/sNNN-{slug}``) for commitments, programmes, funding, figures, responsibilities,
ratings, evaluations, changes, documents and the bodies the documents introduce; it reuses the
reference schemes and the reference organisations (``body:nhse``, ``body:dhsc``, …) by IRI. So a
replica keeps the real graph's class and property distribution and its link structure, and the
competency questions have answers at every scale. The seed varies what a replica links and states:
a share of responsibilities go to other bodies, of programmes serve other commitments, of ratings
take other values; amounts and figures are scaled; each change event joins two of the replica's bodies.

Replica ``k`` depends only on the seed and ``k``, so the 10× data set is a prefix of the 100× one.
Synthetic citations keep the real quotes, which cannot be checked against a synthetic document.

:func:`document` gives one document of a replica on its own (by default the Expert Panel evaluation,
about 1,050 triples with its description): a realistic *new document* to add to an N× store, as the
incremental-validation benchmark does.

    .venv/bin/python bench/generate.py --scale 10 --seed 1 --out /tmp/kg-10x.nq
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from workforce_kg.config import DEFAULT_BASE_IRI
from workforce_kg.store import local as store

MARK = "x9q9x"  # stands for the replica number in the template; never occurs in the data
FACT_KINDS = {
    "commitment",
    "programme",
    "funding",
    "figure",
    "responsibility",
    "rating",
    "evaluation",
    "change",
    "document",
}
REWIRE = {"body": 0.25, "serves": 0.2, "rating": 0.3}  # share of links a replica points elsewhere
SCALE_RANGE = (0.5, 2.0)  # amounts and figure values are multiplied by a factor in this range

SKOS = "http://www.w3.org/2004/02/skos/core#"
ORG = "http://www.w3.org/ns/org#"
XSD_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"
RELABEL = {SKOS + "prefLabel", "http://purl.org/dc/terms/title"}  # literals marked "[synthetic NNN]"


def canonical(quads: list[ox.Quad]) -> list[ox.Quad]:
    """The quads with blank nodes named by a hash of their surroundings, so that output is reproducible.

    The parser names blank nodes at random; a few rounds of hashing each blank node's edges (as in
    RDF canonicalisation, simplified: the graph's blank nodes are citations and one short list) give
    names that depend on content only. Blank nodes that stay indistinguishable get a counter.
    """
    edges: dict[ox.BlankNode, list] = defaultdict(list)
    for q in quads:
        if isinstance(q.subject, ox.BlankNode):
            edges[q.subject].append(("out", q.predicate, q.object))
        if isinstance(q.object, ox.BlankNode):
            edges[q.object].append(("in", q.predicate, q.subject))
    sig = {b: "" for b in edges}
    for _ in range(4):
        sig = {
            b: hashlib.sha1(
                "\n".join(sorted(f"{d} {p} {sig[t] if isinstance(t, ox.BlankNode) else t}" for d, p, t in es)).encode()
            ).hexdigest()
            for b, es in edges.items()
        }
    seen: Counter = Counter()
    names = {}
    for b in sorted(edges, key=lambda b: sig[b]):
        names[b] = ox.BlankNode(f"b{sig[b][:20]}n{seen[sig[b]]}")
        seen[sig[b]] += 1

    def name(t):
        return names[t] if isinstance(t, ox.BlankNode) else t

    return [ox.Quad(name(q.subject), q.predicate, name(q.object), q.graph_name) for q in quads]


def line(s, p, o, g) -> str:
    return f"{s} {p} {o} {g} .\n"


class Template:
    """The bundled data graph and, derived from it, the text of one replica with the replica number left open."""

    def __init__(self, base: str = DEFAULT_BASE_IRI):
        self.base = base
        files = [f for f in store.bundled_files() if not f.graph_name.startswith("ontology/")]
        st = ox.Store()
        store.load_files(st, files, base)
        quads = canonical(list(st))
        self.bundled = "".join(sorted(f"{q} .\n" for q in quads))
        self.bundled_count = len(quads)

        ids, wkg = f"{base}/id/", f"{base}/def/"
        reference = f"{base}/graph/graph/reference/"
        ref_orgs = {
            q.subject.value
            for q in quads
            if q.graph_name.value.startswith(reference) and q.subject.value.startswith(ids + "organisation/")
        }
        graph = ox.NamedNode(f"{base}/graph/synthetic/{MARK}")
        self.graph = str(graph)

        def mapped(t) -> bool:
            if isinstance(t, ox.BlankNode):
                return True
            if not isinstance(t, ox.NamedNode) or not t.value.startswith(ids):
                return False
            kind = t.value[len(ids) :].split("/", 1)[0]
            return kind in FACT_KINDS or (kind == "organisation" and t.value not in ref_orgs)

        def term(t) -> str:
            """A term of the replica as N-Quads text (the replica number still open)."""
            if isinstance(t, ox.BlankNode):
                return f"_:s{MARK}{t.value}"
            if mapped(t):
                kind, slug = t.value[len(ids) :].split("/", 1)
                return f"<{ids}{kind}/s{MARK}-{slug}>"
            return str(t)

        P = {name: ox.NamedNode(wkg + name) for name in ("body", "serves", "ratingValue", "value", "rank", "fileName")}
        schema_value = ox.NamedNode("http://schema.org/value")
        typed = defaultdict(set)
        for q in quads:
            if q.predicate.value == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type":
                typed[q.object.value].add(q.subject)

        # Each statement keeps the name of the bundled graph it comes from (its "source"), so that one
        # document of a replica can be written on its own (document()).
        static, self.bodies, self.serves, self.values, self.ratings, self.changes = [], [], [], [], [], []
        for q in quads:
            if q.graph_name.value.startswith(reference) or not (mapped(q.subject) or mapped(q.object)):
                continue  # reference data and statements about reference nodes only: in the bundled part once
            s, p, o = term(q.subject), str(q.predicate), term(q.object)
            src = q.graph_name.value.rsplit("/", 1)[-1]
            if q.predicate == P["body"]:
                self.bodies.append((s, p, o, src))
            elif q.predicate == P["serves"]:
                self.serves.append((s, p, o, src))
            elif (
                q.predicate in (schema_value, P["value"])
                and isinstance(q.object, ox.Literal)
                and q.object.datatype.value == XSD_DECIMAL
            ):
                self.values.append((s, p, float(q.object.value), src))
            elif q.predicate == P["ratingValue"]:
                self.ratings.append((s, p, o, src))
            elif q.predicate.value in (ORG + "originalOrganization", ORG + "resultingOrganization"):
                self.changes.append((s, p, q.object, src))
            else:
                if isinstance(q.object, ox.Literal) and mapped(q.subject):
                    if q.predicate.value in RELABEL:
                        o = str(ox.Literal(f"{q.object.value} [synthetic {MARK}]", language=q.object.language))
                    elif q.predicate == P["fileName"]:
                        o = str(ox.Literal(f"synthetic/{MARK}/{q.object.value}"))
                static.append((src, line(s, p, o, self.graph)))
        self.static = "".join(sorted(text for _, text in static))
        self.static_by_source: dict[str, list[str]] = defaultdict(list)
        for src, text in sorted(static):
            self.static_by_source[src].append(text)
        for name in ("bodies", "serves", "values", "ratings", "changes"):
            getattr(self, name).sort(key=str)
        # which replica documents each source cites (their descriptions are in the "documents" source)
        doc_p = str(ox.NamedNode(wkg + "document"))
        self.cited = {
            src: {text.split(" ", 3)[2] for text in texts if text.split(" ", 2)[1] == doc_p}
            for src, texts in self.static_by_source.items()
        }

        self.body_pool = [o for _, _, o, _ in self.bodies]  # bodies as often as they hold responsibilities
        self.commitments = sorted(term(c) for c in typed[wkg + "Commitment"])
        self.rating_values = sorted({str(q.subject) for q in quads if q.predicate == P["rank"]})  # the rating scale
        self.new_bodies = sorted(
            {
                term(b)
                for b in typed[ORG + "Organization"]
                | typed[ORG + "FormalOrganization"]
                | typed[ORG + "OrganizationalUnit"]
                | typed[wkg + "CollectiveActor"]
                if mapped(b)
            }
        )
        self.replica_count = (
            self.static.count("\n")
            + len(self.bodies)
            + len(self.serves)
            + len(self.values)
            + len(self.ratings)
            + len(self.changes)
        )

    def replica(self, k: int, seed: int) -> str:
        """The N-Quads text of replica ``k`` (1 …) for ``seed``."""
        varied = "".join(line(s, p, o, self.graph) for _, s, p, o, _ in self._varied(k, seed))
        return (self.static + varied).replace(MARK, f"{k:03d}")

    def _varied(self, k: int, seed: int) -> Iterator[tuple]:
        """The statements of replica ``k`` that the seed varies: (source, s, p, o, the bundled graph's o)."""
        rng = random.Random(f"{seed}/{k}")
        for s, p, o, src in self.bodies:
            yield src, s, p, rng.choice(self.body_pool) if rng.random() < REWIRE["body"] else o, o
        for s, p, o, src in self.serves:
            yield src, s, p, rng.choice(self.commitments) if rng.random() < REWIRE["serves"] else o, o
        for s, p, v, src in self.values:
            x = v * rng.uniform(*SCALE_RANGE)
            yield src, s, p, f'"{round(x, 1) if abs(x) < 1000 else round(x):.1f}"^^<{XSD_DECIMAL}>', v
        for s, p, o, src in self.ratings:
            yield src, s, p, rng.choice(self.rating_values) if rng.random() < REWIRE["rating"] else o, o
        events = defaultdict(list)
        for s, p, o, src in self.changes:
            events[s].append((p, o, src))
        for s, links in events.items():  # the same event, between bodies of this replica
            orgs = sorted({str(o) for _, o, _ in links})
            chosen = dict(zip(orgs, rng.sample(self.new_bodies, len(orgs)), strict=True))
            for p, o, src in links:
                yield src, s, p, chosen[str(o)], o

    def document(self, k: int, seed: int, source: str = "001-evaluation", graph: str | None = None) -> str:
        """One document of replica ``k`` on its own: the statements that come from the bundled graph
        ``source``, with the description of the document they cite, in the named graph ``graph`` (default:
        the replica's graph). A link the seed moved to a node of another document of the replica (it would
        dangle here) keeps the bundled graph's object."""
        docs = self.cited[source]
        own = self.static_by_source[source] + [
            x for x in self.static_by_source["documents"] if x.split(" ", 1)[0] in docs
        ]
        defined = {x.split(" ", 1)[0] for x in own}
        for src, s, p, o, bundled in self._varied(k, seed):
            if src == source:
                own.append(line(s, p, bundled if MARK in o and o not in defined else o, self.graph))
        text = "".join(own).replace(MARK, f"{k:03d}")
        return text.replace(self.graph.replace(MARK, f"{k:03d}"), f"<{graph}>") if graph else text


@lru_cache(maxsize=4)
def template(base: str = DEFAULT_BASE_IRI) -> Template:
    return Template(base)


def chunks(scale: int, seed: int = 0, base: str = DEFAULT_BASE_IRI) -> Iterator[str]:
    """The N× dataset as blocks of N-Quads text: the bundled data graph, then one block per replica."""
    if scale < 1:
        raise ValueError("scale must be at least 1")
    t = template(base)
    yield t.bundled
    for k in range(1, scale):
        yield t.replica(k, seed)


def generate(scale: int, seed: int = 0, base: str = DEFAULT_BASE_IRI) -> Iterator[str]:
    """The N× dataset as N-Quads lines (each ending in a newline); deterministic for a given seed."""
    for block in chunks(scale, seed, base):
        yield from block.splitlines(keepends=True)


def write(scale: int, seed: int, out: Path, base: str = DEFAULT_BASE_IRI) -> int:
    """Write the N× dataset to ``out``; returns the number of quads."""
    n = 0
    with open(out, "w", encoding="utf-8") as fh:
        for block in chunks(scale, seed, base):
            fh.write(block)
            n += block.count("\n")
    return n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, required=True, help="N: the data set is N times the bundled graph")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True, help="N-Quads file to write")
    parser.add_argument("--base", default=DEFAULT_BASE_IRI, help="base IRI (default %(default)s)")
    args = parser.parse_args(argv)
    if args.scale < 1:
        parser.error("--scale must be at least 1")
    started = time.perf_counter()
    n = write(args.scale, args.seed, args.out, args.base.rstrip("/"))
    print(f"{args.out}: {n} quads ({args.scale}×, seed {args.seed}) in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
