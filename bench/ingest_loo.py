"""Leave-one-out benchmark of ``workforce-kg ingest`` (issue 15).

For each of the five bundled source documents:

1. build the graph *minus* that document: its own Turtle files are dropped, its node is removed from
   ``documents.ttl`` (its title, date and publisher are passed to the ingest as options instead, and
   its section headings are not given), and every citation of it in the other files (e.g. an
   organisational change in ``changes.ttl``) is removed with the facts left without a citation. A
   node that the held-out files describe but that the remaining files also use keeps its *description*
   (type, labels, classification, jurisdiction): had the document never been curated, the other
   document would have described it. Nothing else of the held-out files is kept, so bodies,
   commitments and programmes that only the held-out document names do not leak;
2. ingest the source text against that graph (Python API, ``locator_scheme="auto"``);
3. compare the draft with the held-out document's curated facts (every fact node with a citation of
   that document in the full graph), kind by kind (see ``MATCHING`` below and RESULTS-ingest.md);
4. check every quote of the draft with ``workforce_kg.sources.check_quote`` against the segment its
   locator names, the segments being recomputed from the text the reader returns and the locator
   scheme (and headings) the draft's document node declares.

Run from the repository root::

    PYTHONPATH=$PWD/service .venv/bin/python bench/ingest_loo.py              # writes bench/RESULTS-ingest.md
    PYTHONPATH=$PWD/service .venv/bin/python bench/ingest_loo.py --only 003 --no-write

The "Speed" section of the results file is written by ``bench/ingest_speed.py`` and kept as it is.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import networkx as nx
from rapidfuzz import fuzz
from rdflib import BNode, Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, ORG, RDF, SKOS

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "service"))

from workforce_kg.paths import turtle_files  # noqa: E402
from workforce_kg.provenance import sources  # noqa: E402

WKG = Namespace("https://w3id.org/workforce-kg/def/")
SCHEMA = Namespace("http://schema.org/")
BASE = "https://w3id.org/workforce-kg/id/"
RESULTS = REPO / "bench" / "RESULTS-ingest.md"
SPEED_MARK = "## Speed"

# document key -> (its own files, document slug)
HELD_OUT = {
    "000": (["000-burnout-response-news.ttl"], "burnout-response-news-2022"),
    "001": (["001-evaluation.ttl", "001-part-a.ttl", "001-part-b.ttl"], "hscc-expert-panel-govt-response-2023"),
    "002": (["002-hee-strategic-framework.ttl"], "hee-strategic-framework-page"),
    "003": (["003-staffordshire-minutes.ttl"], "staffordshire-scrutiny-minutes"),
    "004": (["004-scotgov-workforce-strategy.ttl"], "scotgov-national-workforce-strategy"),
}
COMMITMENT_CLASSES = (WKG.Commitment, WKG.ManifestoCommitment, WKG.Target, WKG.Pledge, WKG.Intention)
BODY_CLASSES = (ORG.Organization, ORG.FormalOrganization, ORG.OrganizationalUnit, WKG.CollectiveActor)
# what a node described in a held-out file keeps when the remaining files also use it
DESCRIPTIVE = {
    RDF.type,
    SKOS.prefLabel,
    SKOS.altLabel,
    SKOS.notation,
    ORG.classification,
    WKG.jurisdiction,
    WKG.programmeKind,
    WKG.sponsoredBy,
    ORG.subOrganizationOf,
}

TARGETS = {  # kind -> (recall target, precision target or None)
    "funding": (0.90, 0.70),
    "figures": (0.90, 0.70),
    "bodies": (0.90, None),
    "ratings": (0.90, None),
    "commitments": (0.80, None),
    "deadlines": (0.80, None),
    "responsibilities": (0.60, None),
}
KINDS = list(TARGETS)

MATCHING = """\
- **funding**: amount (`schema:value`) equal within ±0.5 %. Recall: one-to-one (a maximum bipartite
  matching, so two curated items of the same amount need two draft items). Precision: a draft item is
  right when its amount equals some curated item's (a repeated mention of a true amount is not a
  false amount; the report flags such duplicates).
- **figures**: `wkg:value` within ±0.5 % *and* the same `wkg:unit`; recall and precision as for funding.
- **bodies**: every body the held-out document cites (`body:` IRI with a citation of it). Found when the
  draft cites the same IRI, or — for a body the reduced graph does not hold — a new draft body whose
  label or alternative label equals (case and punctuation ignored) or fuzzy-matches (RapidFuzz
  `token_sort_ratio` ≥ 90) the curated preferred or alternative label.
- **commitments**: quotes overlap. Tokens are lower-case words without stop words; a draft and a
  curated citation quote overlap when one contains the other (normalised) or when their shared tokens
  are ≥ 50 % of the shorter quote's tokens (and at least 3). A draft commitment that links the curated
  IRI matches too. Recall is one-to-one (a maximum matching that, among those, pairs the most similar
  quotes: token Jaccard similarity, +1 for containment), so one draft sentence does not cover two curated
  commitments and a deadline is compared on the best-matching commitment.
- **deadlines**: a curated commitment with `wkg:deadline` is found when its matched draft commitment
  has the same deadline (same lexical form: `2024` = `2024`, `2023-03` ≠ `2023`).
- **responsibilities**: same body (as for bodies) and same subject — the same IRI, or a draft
  commitment/programme that *corresponds* to the curated one (commitments: quotes overlap as above;
  programmes: quotes overlap or labels fuzzy-match ≥ 90). One-to-one. The role is reported, not required.
- **ratings**: same dimension and value IRIs, and the rated commitment corresponds (same IRI or quotes
  overlap, or the labels fuzzy-match ≥ 90). Curated ratings are counted once per distinct
  (commitment, dimension, value) — a summary-table and a section rating saying the same count once.
- **quotes**: every draft citation is checked with `workforce_kg.sources.check_quote` against the
  segments of the text the reader returns, cut by the scheme the draft's document node declares."""

STOP = set(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "for",
        "by",
        "with",
        "from",
        "at",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "will",
        "would",
        "shall",
        "should",
        "this",
        "that",
        "these",
        "those",
        "it",
        "its",
        "their",
        "our",
        "we",
        "they",
        "which",
        "who",
        "has",
        "have",
        "had",
        "not",
        "but",
        "also",
        "into",
        "than",
    ]
)


def tokens(text: str) -> list[str]:
    """Lower-case word tokens of ``text`` without stop words."""
    return [t for t in re.findall(r"[a-z0-9£%]+", sources.normalise(text).lower()) if t not in STOP]


def quotes_overlap(a: str, b: str) -> float:
    """How well two quotes say the same thing: 0 when they do not by the rule in ``MATCHING``, else a
    weight (token Jaccard similarity, plus 1 when one contains the other) used to pick the best pairs."""
    na, nb = sources.normalise(a).lower(), sources.normalise(b).lower()
    if not na or not nb:
        return 0.0
    ta, tb = set(tokens(a)), set(tokens(b))
    jaccard = len(ta & tb) / len(ta | tb) if ta | tb else 0.0
    if na in nb or nb in na:
        return 1.0 + jaccard
    short, other = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    shared = len(short & other)
    return jaccard if shared >= 3 and shared >= 0.5 * len(short) else 0.0


def norm_label(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def labels(g: Graph, node) -> list[str]:
    return [str(o) for p in (SKOS.prefLabel, SKOS.altLabel) for o in g.objects(node, p)]


def labels_match(xs: list[str], ys: list[str]) -> bool:
    for x in xs:
        for y in ys:
            nx_, ny = norm_label(x), norm_label(y)
            if nx_ and (nx_ == ny or fuzz.token_sort_ratio(nx_, ny) >= 90):
                return True
    return False


def close(a: Decimal | float, b: Decimal | float) -> bool:
    a, b = float(a), float(b)
    if a == b:
        return True
    return abs(a - b) <= 0.005 * max(abs(a), abs(b))


def max_matching(left: list, right: list, ok) -> dict:
    """A maximum one-to-one matching ``{left index: right index}`` of pairs for which ``ok`` holds; when
    ``ok`` returns weights, the matching of maximum size with the largest total weight (best pairs)."""
    g = nx.Graph()
    g.add_nodes_from(("l", i) for i in range(len(left)))
    g.add_nodes_from(("r", j) for j in range(len(right)))
    weighted = False
    for i, a in enumerate(left):
        for j, b in enumerate(right):
            w = ok(a, b)
            if w:
                weighted = weighted or w is not True
                g.add_edge(("l", i), ("r", j), weight=float(w))
    if weighted:
        pairs = nx.max_weight_matching(g, maxcardinality=True)
        m = dict(pairs) | {v: k for k, v in pairs}
    else:
        m = nx.bipartite.maximum_matching(g, top_nodes=[("l", i) for i in range(len(left))])
    return {k[1]: v[1] for k, v in m.items() if k[0] == "l"}


# -- the reduced graph ---------------------------------------------------------------------------------


def parse(paths) -> Graph:
    g = Graph()
    for p in paths:
        g.parse(p, format="turtle")
    return g


def drop_citations_of(g: Graph, doc: URIRef) -> None:
    """Remove every citation of ``doc`` from ``g``, and fact nodes then left with no citation at all."""
    touched = set()
    for cit in list(g.subjects(WKG.document, doc)):
        for s in list(g.subjects(WKG.citation, cit)):
            g.remove((s, WKG.citation, cit))
            touched.add(s)
        g.remove((cit, None, None))
    for s in touched:
        if (s, WKG.citation, None) not in g and (s, RDF.type, ORG.ChangeEvent) in g:
            g.remove((s, None, None))
            g.remove((None, None, s))


def reduced_graph_dir(key: str, out: Path) -> tuple[Path, dict]:
    """Write graph/ minus document ``key`` to ``out``; return it and a summary of what was kept."""
    files, slug = HELD_OUT[key]
    doc = URIRef(BASE + "document/" + slug)
    graph_dir = REPO / "graph"
    kept_paths = [p for p in turtle_files(graph_dir) if p.name not in files]
    held = parse(graph_dir / f for f in files)
    kept_nodes: set = set()
    described: set = set()
    for p in kept_paths:
        g = parse([p])
        if p.name == "documents.ttl":
            g.remove((doc, None, None))
        drop_citations_of(g, doc)
        kept_nodes.update(t for tr in g for t in (tr[0], tr[2]) if isinstance(t, URIRef))
        described.update(s for s in g.subjects(SKOS.prefLabel, None))
        target = out / p.relative_to(graph_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        g.serialize(target, format="turtle")
    carried = Graph()
    for s, p, o in held:
        if s in kept_nodes and s not in described and p in DESCRIPTIVE and not isinstance(o, BNode):
            carried.add((s, p, o))
    if len(carried):
        carried.serialize(out / f"zz-described-in-{key}.ttl", format="turtle")
    return out, {"carried nodes": len(set(carried.subjects())), "carried triples": len(carried)}


def reduced_graph(folder: Path) -> Graph:
    return parse(list(turtle_files(REPO / "ontology")) + list(turtle_files(folder)))


# -- facts ---------------------------------------------------------------------------------------------


@dataclass
class Facts:
    """The facts of one kind-set, read from a graph in the project's vocabulary."""

    funding: list = field(default_factory=list)  # (node, amount, label)
    figures: list = field(default_factory=list)  # (node, value, unit, label)
    bodies: list = field(default_factory=list)  # node
    commitments: list = field(default_factory=list)  # (node, [quotes], deadline|None, label)
    programmes: list = field(default_factory=list)  # (node, [quotes], label)
    responsibilities: list = field(default_factory=list)  # (node, body, role, subject)
    ratings: list = field(default_factory=list)  # (commitment, dimension, value)
    citations: list = field(default_factory=list)  # (node, locator, quote)


def cited_in(g: Graph, doc: URIRef | None) -> set:
    """Nodes with a citation of ``doc`` (any document when None)."""
    out = set()
    for cit in g.subjects(WKG.document, doc) if doc is not None else g.objects(None, WKG.citation):
        out.update(g.subjects(WKG.citation, cit))
    return out


def quotes_of(g: Graph, node, doc: URIRef | None) -> list[str]:
    return [
        str(g.value(c, WKG.quote))
        for c in g.objects(node, WKG.citation)
        if (doc is None or g.value(c, WKG.document) == doc) and g.value(c, WKG.quote) is not None
    ]


def label_of(g: Graph, node) -> str:
    v = g.value(node, SKOS.prefLabel)
    return str(v) if v is not None else str(node).rsplit("/", 1)[-1]


def facts(g: Graph, doc: URIRef | None) -> Facts:
    """The facts of ``g`` that cite ``doc`` (all cited facts when None)."""
    f = Facts()
    nodes = cited_in(g, doc)
    for n in sorted(nodes, key=str):
        types = set(g.objects(n, RDF.type))
        if WKG.Funding in types and g.value(n, SCHEMA.value) is not None:
            f.funding.append((n, Decimal(str(g.value(n, SCHEMA.value))), label_of(g, n)))
        if WKG.ProgressFigure in types and g.value(n, WKG.value) is not None:
            f.figures.append((n, Decimal(str(g.value(n, WKG.value))), g.value(n, WKG.unit), label_of(g, n)))
        if str(n).startswith(BASE + "organisation/") or types & set(BODY_CLASSES):
            f.bodies.append(n)
        if types & set(COMMITMENT_CLASSES):
            d = g.value(n, WKG.deadline)
            f.commitments.append((n, quotes_of(g, n, doc), str(d) if d is not None else None, label_of(g, n)))
        if WKG.Programme in types:
            f.programmes.append((n, quotes_of(g, n, doc), label_of(g, n)))
        if WKG.Responsibility in types:
            f.responsibilities.append((n, g.value(n, WKG.body), g.value(n, WKG.role), g.value(n, WKG.subject)))
        if WKG.Rating in types:
            f.ratings.append((g.value(n, WKG.ratedCommitment), g.value(n, WKG.dimension), g.value(n, WKG.ratingValue)))
        for c in g.objects(n, WKG.citation):
            if doc is None or g.value(c, WKG.document) == doc:
                f.citations.append((n, str(g.value(c, WKG.locator)), str(g.value(c, WKG.quote))))
    f.ratings = sorted(set(f.ratings), key=str)
    return f


# -- scoring -------------------------------------------------------------------------------------------


@dataclass
class Score:
    kind: str
    found: int = 0
    total: int = 0
    right: int | None = None  # precision numerator (funding, figures, commitments)
    drafted: int | None = None
    misses: list = field(default_factory=list)
    false: list = field(default_factory=list)
    note: str = ""

    @property
    def recall(self) -> float | None:
        return self.found / self.total if self.total else None

    @property
    def precision(self) -> float | None:
        return self.right / self.drafted if self.drafted else None


def short(node) -> str:
    s = str(node)
    for prefix, name in (
        ("organisation/", "body:"),
        ("commitment/", "cmt:"),
        ("programme/", "prog:"),
        ("funding/", "fund:"),
        ("figure/", "fig:"),
        ("responsibility/", "resp:"),
    ):
        if s.startswith(BASE + prefix):
            return name + s[len(BASE + prefix) :]
    return s.rsplit("/", 1)[-1]


def money(v: Decimal) -> str:
    v = float(v)
    if v >= 1e9:
        return f"£{v / 1e9:g}bn"
    if v >= 1e6:
        return f"£{v / 1e6:g}m"
    return f"£{v:,.0f}"


def score(truth: Facts, tg: Graph, draft: Facts, dg: Graph, reduced: Graph) -> dict[str, Score]:
    """Compare ``draft`` with ``truth`` kind by kind."""
    out: dict[str, Score] = {}

    # funding
    s = Score("funding", total=len(truth.funding), drafted=len(draft.funding))
    m = max_matching(truth.funding, draft.funding, lambda t, d: close(t[1], d[1]))
    s.found = len(m)
    s.misses = [f"{money(t[1])} ({t[2]})" for i, t in enumerate(truth.funding) if i not in m]
    s.right = sum(1 for d in draft.funding if any(close(t[1], d[1]) for t in truth.funding))
    s.false = [f"{money(d[1])}" for d in draft.funding if not any(close(t[1], d[1]) for t in truth.funding)]
    out["funding"] = s

    # figures
    def fig_ok(t, d):
        return close(t[1], d[1]) and t[2] == d[2]

    s = Score("figures", total=len(truth.figures), drafted=len(draft.figures))
    m = max_matching(truth.figures, draft.figures, fig_ok)
    s.found = len(m)

    def draft_units(t) -> str:
        units = sorted({short(d[2]) for d in draft.figures if close(t[1], d[1]) and d[2] != t[2]})
        note = f" [draft has it as {', '.join(units)}]" if units else ""
        if short(t[2]) == "percent" and any("percentage point" in q.lower() for q in quotes_of(tg, t[0], None)):
            note += " [curation: the quote says percentage points, the curated unit is percent]"
        return note

    s.misses = [f"{t[1]:g} {short(t[2])} ({t[3]}){draft_units(t)}" for i, t in enumerate(truth.figures) if i not in m]
    s.right = sum(1 for d in draft.figures if any(fig_ok(t, d) for t in truth.figures))
    s.false = [f"{d[1]:g} {short(d[2])}" for d in draft.figures if not any(fig_ok(t, d) for t in truth.figures)]
    out["figures"] = s

    # bodies
    known = set(reduced.subjects(SKOS.prefLabel, None))
    draft_bodies = set(draft.bodies)
    new_draft_bodies = [b for b in draft_bodies if b not in known]

    def body_ok(t, d) -> bool:
        if t == d:
            return True
        return t not in known and d in new_draft_bodies and labels_match(labels(tg, t), labels(dg, d))

    body_map = {t: [d for d in draft_bodies if body_ok(t, d)] for t in truth.bodies}
    s = Score("bodies", total=len(truth.bodies), drafted=len(draft_bodies))
    s.found = sum(1 for t in truth.bodies if body_map[t])
    s.right = sum(1 for d in draft_bodies if any(d in v for v in body_map.values()))
    s.misses = [f"{short(t)}{'' if t in known else ' (new)'}" for t in truth.bodies if not body_map[t]]
    out["bodies"] = s

    # commitments (and the correspondence used by responsibilities and ratings)
    def cmt_ok(t, d) -> float:
        if t[0] == d[0]:
            return 3.0
        return max((quotes_overlap(a, b) for a in t[1] for b in d[1]), default=0.0)

    m = max_matching(truth.commitments, draft.commitments, cmt_ok)
    s = Score("commitments", total=len(truth.commitments), drafted=len(draft.commitments))
    s.found = len(m)
    s.right = sum(1 for d in draft.commitments if any(cmt_ok(t, d) for t in truth.commitments))
    s.misses = [t[3] for i, t in enumerate(truth.commitments) if i not in m]
    out["commitments"] = s

    s = Score("deadlines")
    for i, t in enumerate(truth.commitments):
        if t[2] is None:
            continue
        s.total += 1
        d = draft.commitments[m[i]] if i in m else None
        if d is not None and d[2] == t[2]:
            s.found += 1
        else:
            got = "no commitment" if d is None else (d[2] or "no deadline")
            s.misses.append(f"{t[3]}: {t[2]} (draft: {got})")
    out["deadlines"] = s

    def corresponds(t_node, d_node) -> bool:
        if t_node is None or d_node is None:
            return False
        if t_node == d_node:
            return True
        tq, dq = quotes_of(tg, t_node, None), quotes_of(dg, d_node, None)
        if any(quotes_overlap(a, b) for a in tq for b in dq):
            return True
        return labels_match(labels(tg, t_node), labels(dg, d_node))

    # responsibilities
    def resp_ok(t, d) -> bool:
        return (t[1] == d[1] or d[1] in body_map.get(t[1], []) or body_ok(t[1], d[1])) and corresponds(t[3], d[3])

    def resp_weight(t, d) -> float:  # among the best matchings, prefer pairs that agree on the role
        return (2.0 if t[2] == d[2] else 1.0) if resp_ok(t, d) else 0.0

    m = max_matching(truth.responsibilities, draft.responsibilities, resp_weight)
    s = Score("responsibilities", total=len(truth.responsibilities), drafted=len(draft.responsibilities))
    s.found = len(m)
    same_role = sum(1 for i, j in m.items() if truth.responsibilities[i][2] == draft.responsibilities[j][2])
    s.note = f"roles agree in {same_role} of {len(m)} found"
    s.right = sum(1 for d in draft.responsibilities if any(resp_ok(t, d) for t in truth.responsibilities))
    s.misses = [
        f"{short(t[1])} {short(t[2])} {label_of(tg, t[3])}" for i, t in enumerate(truth.responsibilities) if i not in m
    ]
    out["responsibilities"] = s

    # ratings
    def rtg_ok(t, d) -> bool:
        return t[1] == d[1] and t[2] == d[2] and corresponds(t[0], d[0])

    m = max_matching(truth.ratings, draft.ratings, rtg_ok)
    s = Score("ratings", total=len(truth.ratings), drafted=len(draft.ratings))
    s.found = len(m)
    s.right = sum(1 for d in draft.ratings if any(rtg_ok(t, d) for t in truth.ratings))
    s.misses = [f"{short(t[0])} {short(t[1])}={short(t[2])}" for i, t in enumerate(truth.ratings) if i not in m]
    out["ratings"] = s
    return out


def check_quotes(dg: Graph, text: str) -> tuple[int, list[str]]:
    """Check every citation of the draft against its locator's segment; return (checked, problems)."""
    docs = list(dg.subjects(RDF.type, WKG.SourceDocument))
    problems, checked = [], 0
    segs_by_doc = {}
    for d in docs:
        scheme = str(dg.value(d, WKG.locatorScheme) or "").rsplit("/", 1)[-1]
        headings = {str(h) for h in dg.objects(d, WKG.sectionHeading)}
        segs_by_doc[d] = sources.segments(text, scheme, headings)
    for node, _, cit in dg.triples((None, WKG.citation, None)):
        checked += 1
        d = dg.value(cit, WKG.document)
        loc, quote = dg.value(cit, WKG.locator), dg.value(cit, WKG.quote)
        if d not in segs_by_doc:
            problems.append(f"{short(node)}: cites a document the draft does not describe")
            continue
        problem = sources.check_quote(segs_by_doc[d], str(loc), str(quote))
        if problem:
            problems.append(f"{short(node)} [{loc}] {problem}")
    return checked, problems


# -- running -------------------------------------------------------------------------------------------


def metadata(full: Graph, slug: str) -> dict:
    doc = URIRef(BASE + "document/" + slug)
    date = full.value(doc, DCTERMS.issued) or full.value(doc, DCTERMS.date)
    pub = full.value(doc, WKG.publisherBody)
    return {
        "title": str(full.value(doc, DCTERMS.title) or ""),
        "date": str(date) if date is not None else None,
        "publisher": short(pub).removeprefix("body:") if pub is not None else None,
        "file": str(full.value(doc, WKG.fileName)),
    }


def run_one(key: str, full: Graph, folder: Path, scheme: str, cli: bool = False) -> dict:
    """Hold out document ``key``, ingest it (Python API, or the CLI with ``--graph-dir``), score the draft."""
    from workforce_kg.ingest import ingest, read_text

    files, slug = HELD_OUT[key]
    doc = URIRef(BASE + "document/" + slug)
    meta = metadata(full, slug)
    path = sources.sources_dir() / meta["file"]
    with tempfile.TemporaryDirectory() as tmp:
        gdir, carried = reduced_graph_dir(key, Path(tmp) / "graph")
        reduced = reduced_graph(gdir)
        t0 = time.perf_counter()
        if cli:
            out = Path(tmp) / "draft.ttl"
            args = ["ingest", str(path), "--document-id", slug, "--title", meta["title"], "--graph-dir", str(gdir)]
            args += ["--locator-scheme", scheme, "-o", str(out)]
            args += ["--date", meta["date"]] if meta["date"] else []
            args += ["--publisher", meta["publisher"]] if meta["publisher"] else []
            env = {**os.environ, "PYTHONPATH": str(REPO / "service")}
            proc = subprocess.run(
                [sys.executable, "-m", "workforce_kg", *args], capture_output=True, text=True, env=env
            )
            if proc.returncode != 0:
                raise SystemExit(f"{key}: workforce-kg ingest failed: {proc.stderr.strip()}")
            dg = Graph().parse(out, format="turtle")
            candidates = len(set(dg.subjects(WKG.citation, None)))
        else:
            draft = ingest(
                path,
                slug,
                title=meta["title"],
                date=meta["date"],
                publisher=meta["publisher"],
                locator_scheme=scheme,
                graph=reduced,
            )
            dg = draft.graph
            candidates = len(draft.candidates)
        seconds = time.perf_counter() - t0
    facts_classes = {WKG.Funding, WKG.ProgressFigure, WKG.Programme, WKG.Responsibility, WKG.Rating, ORG.ChangeEvent}
    facts_classes |= set(COMMITMENT_CLASSES)
    uncited = sorted(
        short(n) for c in facts_classes for n in dg.subjects(RDF.type, c) if (n, WKG.citation, None) not in dg
    )
    truth = facts(full, doc)
    got = facts(dg, None)
    scores = score(truth, full, got, dg, reduced)
    checked, problems = check_quotes(dg, read_text(path))
    dscheme = next((str(o).rsplit("/", 1)[-1] for o in dg.objects(doc, WKG.locatorScheme)), "?")
    return {
        "key": key,
        "slug": slug,
        "seconds": seconds,
        "scores": scores,
        "quotes": (checked, problems),
        "carried": carried,
        "scheme": dscheme,
        "words": len(read_text(path).split()),
        "candidates": candidates,
        "uncited": uncited,
    }


def pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f} %".replace(".0 %", " %")


def verdict(kind: str, s: Score) -> str:
    r_target, p_target = TARGETS[kind]
    if s.total == 0:
        return "n/a"
    ok = s.recall is not None and s.recall >= r_target
    if p_target is not None and s.drafted:
        ok = ok and s.precision is not None and s.precision >= p_target
    elif p_target is not None and not s.drafted:
        ok = ok and s.total == 0
    return "met" if ok else "**not met**"


def render(runs: list[dict], command: str) -> str:
    import importlib.metadata as md

    try:
        from workforce_kg.ingest import __version__ as xv  # type: ignore[attr-defined]
    except ImportError:
        xv = "?"
    lines = [
        "# Ingest: leave-one-out results (issue 15)",
        "",
        f"Command: `{command}`  ",
        f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; machine: {platform.machine()}, Python "
        f"{platform.python_version()}, rdflib {md.version('rdflib')}, extractor version {xv}; "
        f"commit {git_head()}.",
        "",
        "Each source is ingested against the graph without its own files (see the docstring of "
        "`bench/ingest_loo.py` for what is removed and kept) with `--locator-scheme auto`; its node in "
        "`documents.ttl` is removed too, and its title, date and publisher are given as options.",
        "Recall = curated facts found / curated facts; precision = draft items that are right / draft items. "
        "Denominators are small for 000, 002 and 003 (1–13 items per kind): there one miss moves a recall by "
        "8–100 points. The curated facts are the reference even where a reader could argue (a unit, a role); "
        "misses the curation explains are marked `[curation: …]`.",
        "",
        "### How items are matched",
        "",
        MATCHING,
        "",
        "## Summary",
        "",
        "Targets: recall ≥ 90 % funding, figures, bodies, ratings; ≥ 80 % commitments, deadlines; ≥ 60 % "
        "responsibilities; precision ≥ 70 % funding, figures; quotes verbatim 100 %.",
        "",
        "| doc | words | time | scheme | " + " | ".join(KINDS) + " | quotes verbatim |",
        "|---|---:|---:|---|" + "---|" * len(KINDS) + "---|",
    ]
    for r in runs:
        cells = []
        for k in KINDS:
            s = r["scores"][k]
            if s.total == 0 and not s.drafted:
                cells.append("– (0/0)")
                continue
            cell = f"R {pct(s.recall)} ({s.found}/{s.total})"
            if TARGETS[k][1] is not None:
                cell += f", P {pct(s.precision)} ({s.right}/{s.drafted})"
            cells.append(f"{cell} {verdict(k, s) if s.total else ''}".strip())
        checked, problems = r["quotes"]
        q = f"{pct((checked - len(problems)) / checked if checked else None)} ({checked - len(problems)}/{checked})"
        q += " met" if checked and not problems else " **not met**"
        lines.append(
            f"| {r['key']} | {r['words']:,} | {r['seconds']:.1f} s | {r['scheme']} | " + " | ".join(cells) + f" | {q} |"
        )
    lines += [
        "",
        "Precision where the issue sets no target (draft items that match a curated one / draft items), and draft "
        "facts without a citation:",
        "",
        "| doc | bodies | commitments | responsibilities | ratings | facts without citation |",
        "|---|---|---|---|---|---|",
    ]
    for r in runs:
        cells = [
            f"{pct(r['scores'][k].precision)} ({r['scores'][k].right}/{r['scores'][k].drafted})"
            for k in ("bodies", "commitments", "responsibilities", "ratings")
        ]
        lines.append(f"| {r['key']} | " + " | ".join(cells) + f" | {len(r['uncited'])} |")
    gaps = []
    for r in runs:
        for k in KINDS:
            sc = r["scores"][k]
            r_target, p_target = TARGETS[k]
            if sc.total and sc.recall is not None and sc.recall < r_target:
                short_by = (r_target - sc.recall) * 100
                need = -(-round(r_target * sc.total * 1000) // 1000) - sc.found  # items to find to reach the target
                gaps.append(
                    f"{r['key']} {k} recall {pct(sc.recall)} (target {r_target:.0%}: {short_by:.1f} points, "
                    f"{need} more item{'s' if need != 1 else ''})"
                )
            if p_target is not None and sc.drafted and sc.precision is not None and sc.precision < p_target:
                gaps.append(f"{r['key']} {k} precision {pct(sc.precision)} (target {p_target:.0%})")
        checked, problems = r["quotes"]
        if problems:
            gaps.append(f"{r['key']} quotes verbatim {checked - len(problems)}/{checked}")
    lines += ["", "Targets not met: " + ("; ".join(gaps) if gaps else "none") + "."]
    total_t = sum(r["seconds"] for r in runs)
    lines += [
        "",
        f"Total ingest time {total_t:.1f} s for {len(runs)} documents (graph loading and scoring not included).",
        "",
    ]
    lines += ["## Misses and false positives per document", ""]
    for r in runs:
        lines.append(f"### {r['key']} ({r['slug']})")
        lines.append("")
        lines.append(
            f"Reduced graph: {r['carried']['carried nodes']} nodes of the held-out files kept "
            f"for their description (used by other documents). Draft: {r['candidates']} candidates."
        )
        lines.append("")
        for k in KINDS:
            s = r["scores"][k]
            if s.note:
                lines.append(f"- {k}: {s.note}")
            if s.misses:
                lines.append(
                    f"- **{k} missed** ({len(s.misses)}): "
                    + "; ".join(s.misses[:40])
                    + (" …" if len(s.misses) > 40 else "")
                )
            if s.false and k in ("funding", "figures"):
                lines.append(
                    f"- **{k} false** ({len(s.false)}): "
                    + "; ".join(s.false[:40])
                    + (" …" if len(s.false) > 40 else "")
                )
        if r["uncited"]:
            lines.append(f"- **facts without a citation** ({len(r['uncited'])}): " + "; ".join(r["uncited"][:15]))
        checked, problems = r["quotes"]
        if problems:
            lines.append(f"- **quotes failing** ({len(problems)}): " + "; ".join(problems[:15]))
        lines.append("")
    return "\n".join(lines)


UNSEEN = """\
Three of them (`panel-evaluation.md`, `wales-workforce-plan.html`, `health-board-minutes.pdf-source`) were
written after the first results and scored before the extractor saw them. Over their four formats, at the
extractor's c2f1701 (when the leave-one-out results already met all but two targets): funding 28/28, figures
60/64, bodies 58/72, commitments 43/60, deadlines 19/40, relative dates 4/12, responsibilities 17/56, ratings
79/80; at 70af550 (after generic notes on those misses, not the texts): funding 28/28, figures 63/64, bodies
70/72, commitments 52/60, deadlines 23/40, relative dates 8/12, responsibilities 21/56, ratings 79/80; at the
ingest2 branch (rules for the gaps the evaluator listed from them): funding details 28/28, figures 64/64,
bodies 72/72, commitments 56/60, deadlines 40/40, relative dates 12/12, responsibilities 36/56, ratings 79/80.

Four more were written on the ingest2 branch (`icb-board-paper.html`, `ni-workforce-plan.md`,
`trust-board-minutes.pdf-source`, then `welsh-govt-response.txt`). The first three were scored before any
change (`bench/heldout-before.md`); the rules of the branch were then written from their misses (generic
rules, each tested on an invented text in tests/test_ingest.py), so their "after" numbers are tuned, not
unseen. Over four formats, before → after: funding details 15/32 → 32/32, figures 66/76 → 68/76, bodies
72/80 → 80/80, abbreviations 20/24 → 24/24, links 7/12 → 12/12, commitments 46/80 → 78/80, deadlines 24/56 →
50/56, relative dates 7/16 → 15/16, responsibilities 20/104 → 88/104, changes 0/4 → 4/4; precision of
commitments 46/103 → 78/122, of responsibilities 20/81 → 88/195 (inventory items matched / drafted). The fourth,
`welsh-govt-response.txt`, was written after the rules and scored once, never tuned on: over four formats, the
extractor before the branch → after: funding 12/12 → 12/12 (details 12/12 both), figures 16/16 both, bodies
24/32 both (missed: "Social Care Fair Work Forum", "Data Cymru"), commitments 44/44 both, deadlines 16/16 both,
relative dates 8/8 both, responsibilities 28/52 → 32/52 (roles 16 → 20), precision of responsibilities 28/88 →
32/80. On a government response the branch changes little; on minutes, board papers and action plans it is
where most of the gain is. The gap between these numbers and the leave-one-out results is the better estimate
of how the rules carry to documents of the genre that nobody tuned them on."""


def render_test_documents() -> str:
    """The documents written for tests/test_ingest_docs.py, each in its own format, scored by its inventory."""
    sys.path.insert(0, str(REPO / "tests"))
    import test_ingest_docs as t  # the scorer and the inventories live with the tests
    from workforce_kg.ingest import ingest
    from workforce_kg.store import local as store

    graph = store.rdflib_graph()
    totals: dict[str, list[int]] = {}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in sorted(t.EXPECTED):
            path = t.native_path(name, Path(tmp))
            draft = ingest(path, **t.EXPECTED[name]["options"], graph=graph)
            scores = t.Scorer(draft.graph, graph, draft.report("json")).score(t.EXPECTED[name])
            cells = []
            for kind, (found, total, _) in scores.items():
                acc = totals.setdefault(kind, [0, 0])
                acc[0] += found
                acc[1] += total
                cells.append(f"{found}/{total}" if total else "–")
            rows.append(f"| {path.name} | " + " | ".join(cells) + " |")
        kinds = list(scores)
    head = "| document | " + " | ".join(kinds) + " |"
    total_row = "| **all** | " + " | ".join(f"**{a}/{b}**" if b else "–" for a, b in totals.values()) + " |"
    return "\n".join(
        [
            "## Test documents (tests/ingest_docs, each in its own format)",
            "",
            "Scored with the test's scorer against the inventory written from each document (found/expected; "
            "optional items not counted). The tests also render every document into the other three formats.",
            "",
            head,
            "|---|" + "---|" * len(kinds),
            *rows,
            total_row,
            "",
            UNSEEN,
            "",
        ]
    )


def git_head() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", action="append", help="document key (000…004); repeatable")
    ap.add_argument("--scheme", default="auto", help="locator scheme passed to the ingest (default auto)")
    ap.add_argument("--cli", action="store_true", help="run `workforce-kg ingest --graph-dir` instead of the API")
    ap.add_argument("--no-write", action="store_true", help="print the report instead of writing RESULTS-ingest.md")
    args = ap.parse_args(argv)
    keys = args.only or list(HELD_OUT)
    full = parse(list(turtle_files(REPO / "ontology")) + list(turtle_files(REPO / "graph")))
    runs = []
    for key in keys:
        t0 = time.perf_counter()
        runs.append(run_one(key, full, REPO / "graph", args.scheme, cli=args.cli))
        print(f"{key}: done in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    command = (
        "PYTHONPATH=$PWD/service .venv/bin/python bench/"
        + Path(__file__).name
        + (" " + " ".join(argv if argv is not None else sys.argv[1:])).rstrip()
    )
    text = render(runs, command)
    if not args.only:
        text = text.rstrip() + "\n\n" + render_test_documents()
    if args.no_write:
        print(text)
        return 0
    speed = ""
    if RESULTS.exists():
        old = RESULTS.read_text(encoding="utf-8")
        if SPEED_MARK in old:
            speed = old[old.index(SPEED_MARK) :]
    RESULTS.write_text(text.rstrip() + "\n" + ("\n" + speed if speed else ""), encoding="utf-8")
    print(f"wrote {RESULTS}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
