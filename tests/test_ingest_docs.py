"""The ingest pipeline on small documents written for the purpose, one per genre (issue 15).

``tests/ingest_docs/`` holds six invented documents — a government response with numbered paragraphs
(.txt), an evaluation with a CQC-style rating table (.html, with navigation, cookie banner and footer),
a workforce plan (.md), council committee minutes (.txt), a board paper (.pdf, made at test time with
fpdf2 from ``board-paper.pdf-source``) and a news report (.html) — each with ``<name>.expected.json``:
the facts a curator would take from it, written from the document (never from the extractor's output).
Each document is also rendered into the other three formats at test time, so every genre is read in
every format.

Scoring (per kind, on the draft's RDF in the graph vocabulary):

- funding by amount (±0.5 %); ``funding-details`` also needs the recurrence, qualifier and funder the
  inventory gives; figures by value (±0.5 %) and unit; bodies by IRI where the graph has them, else by
  label (new bodies), and the abbreviation the text defines as an alternative label;
- commitments by overlapping quote (one contains the other, or they share ≥ 50 % of the shorter
  quote's words, stop words left out); deadlines: the matched commitment's deadline is the expected one;
  relative dates ("this year", "next year", "within twelve months") resolved against the document date;
- responsibilities by body and subject (the subject node's label, statement or quote holds the
  expected subject phrase); ``roles`` also needs the role; ratings by commitment, dimension and value;
  organisational changes by the bodies before and after and the date.

Items marked ``"optional"`` are not counted. Tolerance: the extractor need not find everything; each
(document, format, kind) must find at least as many items as recorded in ``ingest_docs/floors.json``
(the count found when the floors were last raised, which only ever go up: run with
``INGEST_DOCS_UPDATE_FLOORS=1`` to raise them), so a change that breaks extraction fails here.
Besides the counts, every draft must cite verbatim, validate with the shapes together with the graph,
mark each candidate as a draft (confidence, ``prov:wasGeneratedBy``), and link only to IRIs that exist;
bad input must end with exit code 1 and a one-line message.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from rapidfuzz import fuzz
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import ORG, PROV, RDF, SKOS

from workforce_kg.provenance import sources

REPO = Path(__file__).resolve().parents[1]
DOCS = Path(__file__).parent / "ingest_docs"
FLOORS = DOCS / "floors.json"
UPDATE_FLOORS = os.environ.get("INGEST_DOCS_UPDATE_FLOORS") == "1"
FORMATS = ("txt", "md", "html", "pdf")

WKG = Namespace("https://w3id.org/workforce-kg/def/")
SCHEMA = Namespace("http://schema.org/")
ID = "https://w3id.org/workforce-kg/id/"
BODY = ID + "organisation/"
COMMITMENT_CLASSES = {WKG.Commitment, WKG.ManifestoCommitment, WKG.Target, WKG.Pledge, WKG.Intention}
BODY_CLASSES = {ORG.Organization, ORG.FormalOrganization, ORG.OrganizationalUnit, WKG.CollectiveActor}
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

EXPECTED = {
    p.name.removesuffix(".expected.json"): json.loads(p.read_text()) for p in sorted(DOCS.glob("*.expected.json"))
}


# -- documents in every format ------------------------------------------------------------------------


def latin1(text: str) -> str:
    """Text the PDF core fonts can draw (typographic quotes and dashes as ASCII)."""
    table = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "..."})
    return text.translate(table).encode("latin-1", "replace").decode("latin-1")


def write_pdf(lines: list[str], path: Path) -> Path:
    """A PDF with a text layer: one paragraph per line (fpdf2, core Helvetica)."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    for line in lines:
        if line.strip():
            pdf.multi_cell(0, 5, latin1(line.strip()), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    pdf.output(str(path))
    return path


def write_image_pdf(path: Path) -> Path:
    """A scanned-looking PDF: the page is an image of text, with no text layer."""
    from fpdf import FPDF
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (1000, 400), "white")
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(["Board paper: workforce report", "The vacancy rate was 7.9%.", "Agency spend fell."]):
        draw.text((40, 40 + 60 * i), line, fill="black")
    pdf = FPDF()
    pdf.add_page()
    pdf.image(img, x=10, y=10, w=180)
    pdf.output(str(path))
    return path


def native_path(name: str, folder: Path) -> Path:
    """The document in its own format (the PDF is made from its source lines)."""
    exp = EXPECTED[name]
    if exp["file"].endswith(".pdf"):
        target = folder / exp["file"]
        if not target.exists():
            write_pdf((DOCS / exp["source"]).read_text(encoding="utf-8").splitlines(), target)
        return target
    return DOCS / exp["file"]


def native_format(name: str) -> str:
    return EXPECTED[name]["file"].rsplit(".", 1)[-1]


def source_lines(name: str) -> list[str]:
    """The document's text as lines, for rendering into other formats."""
    exp = EXPECTED[name]
    if exp["file"].endswith(".html"):
        from workforce_kg.ingest import read_text

        return read_text(DOCS / exp["file"]).splitlines()
    return (DOCS / exp.get("source", exp["file"])).read_text(encoding="utf-8").splitlines()


def render(name: str, fmt: str, folder: Path) -> Path:
    """The document in format ``fmt``: its own file, or a rendering of its text made here."""
    if fmt == native_format(name):
        return native_path(name, folder)
    lines = source_lines(name)
    path = folder / f"{name}.{fmt}"
    if path.exists():
        return path
    if fmt == "pdf":
        return write_pdf([re.sub(r"^#+\s*", "", x).replace("**", "") for x in lines], path)
    if fmt == "html":
        import markdown

        if native_format(name) == "md":
            body = markdown.markdown("\n".join(lines), extensions=["tables"])
        else:
            body = "\n".join(f"<p>{html.escape(x.strip())}</p>" for x in lines if x.strip())
        page = (
            "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Document</title></head><body>"
            "<nav><a href='/'>Home</a> <a href='/news'>Latest news</a> <a href='/contact'>Contact us</a></nav>"
            f"<main>{body}</main>"
            "<footer><p>Cookie settings</p><p>© Example Publisher. All rights reserved.</p></footer></body></html>"
        )
        path.write_text(page, encoding="utf-8")
        return path
    if fmt == "md" and native_format(name) == "txt":
        # headings as Markdown headings: a short line without a full stop that stands on its own
        out = []
        for x in lines:
            s = x.strip()
            heading = s and len(s) < 90 and not s.endswith(".") and not re.match(r"^(\d+[.)]|·)", s)
            out.append(f"## {s}" if heading else x)
        path.write_text("\n".join(out) + "\n", encoding="utf-8")
        return path
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# -- matching ------------------------------------------------------------------------------------------


def words(text: str) -> list[str]:
    return [t for t in re.findall(r"[a-z0-9£%]+", sources.normalise(text).lower()) if t not in STOP]


def plain(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9£%.]+", latin1(sources.normalise(text)).lower()))


def overlap(a: str, b: str, share: float = 0.5) -> float:
    """How well two quotes say the same thing (see the module docstring): 0 when they do not, else a
    weight (word Jaccard similarity, plus 1 when one contains the other) used to pick the best pairs."""
    pa, pb = plain(a), plain(b)
    if not pa or not pb:
        return 0.0
    wa, wb = set(words(a)), set(words(b))
    jaccard = len(wa & wb) / len(wa | wb) if wa | wb else 0.0
    if pa in pb or pb in pa:
        return 1.0 + jaccard
    short, other = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    return jaccard if len(short) >= 2 and len(short & other) >= share * len(short) else 0.0


def holds(g: Graph, node, phrase: str) -> bool:
    """Whether ``node``'s labels, statement or quotes hold ``phrase`` (all its words, or contain it)."""
    texts = [str(o) for p in (SKOS.prefLabel, SKOS.altLabel, WKG.statement, WKG.purpose) for o in g.objects(node, p)]
    texts += [str(g.value(c, WKG.quote)) for c in g.objects(node, WKG.citation)]
    target = set(words(phrase))
    return any(plain(phrase) in plain(t) or (target and target <= set(words(t))) for t in texts)


def same_label(a: str, b: str) -> bool:
    na, nb = " ".join(re.findall(r"[a-z0-9]+", a.lower())), " ".join(re.findall(r"[a-z0-9]+", b.lower()))
    if not na or not nb:
        return False
    if na == nb or fuzz.token_sort_ratio(na, nb) >= 90:
        return True
    short, long_ = sorted((na, nb), key=len)
    return len(short.split()) >= 3 and f" {short} " in f" {long_} "


def slug(node) -> str | None:
    return None if node is None else str(node).rsplit("/", 1)[-1]


def close(a, b) -> bool:
    a, b = float(a), float(b)
    return a == b or abs(a - b) <= 0.005 * max(abs(a), abs(b))


def dates_agree(expected: str, got) -> bool:
    """Equal, or the same date given more precisely by one side (``2023-04`` and ``2023-04-01``)."""
    if got is None:
        return False
    got = str(got)
    return got == expected or (
        len(min(got, expected, key=len)) >= 7 and (got.startswith(expected) or expected.startswith(got))
    )


def match(expected: list, drafted: list, ok) -> dict[int, int]:
    """A maximum one-to-one matching ``{expected index: drafted index}``; when ``ok`` returns weights,
    the maximum matching with the largest total weight (so each item is paired with its best match)."""
    import networkx as nx

    g = nx.Graph()
    g.add_nodes_from(("e", i) for i in range(len(expected)))
    g.add_nodes_from(("d", j) for j in range(len(drafted)))
    for i, e in enumerate(expected):
        for j, d in enumerate(drafted):
            if w := ok(e, d):
                g.add_edge(("e", i), ("d", j), weight=float(w))
    pairs = nx.max_weight_matching(g, maxcardinality=True)
    m = dict(pairs) | {v: k for k, v in pairs}
    return {k[1]: v[1] for k, v in m.items() if k[0] == "e"}


class Scorer:
    """Compares a draft with an expected inventory, kind by kind."""

    def __init__(self, draft: Graph, known: Graph, report: str = ""):
        self.g = draft
        self.known = known
        self.report = report  # the review report, where likely duplicates are flagged

    def nodes(self, *classes) -> list:
        return sorted({n for c in classes for n in self.g.subjects(RDF.type, c)}, key=str)

    def bodies(self) -> list:
        out = set(self.nodes(*BODY_CLASSES))
        out.update(s for s in self.g.subjects(WKG.citation, None) if str(s).startswith(BODY))
        return sorted(out, key=str)

    def body_matches(self, ref: str, node) -> bool:
        if node is None:
            return False
        if ref.startswith("body:"):
            return str(node) == BODY + ref[5:]
        if (node, SKOS.prefLabel, None) in self.known and (node, SKOS.prefLabel, None) not in self.g:
            return False  # an existing body cannot be a new one
        return any(
            same_label(ref, str(label)) for p in (SKOS.prefLabel, SKOS.altLabel) for label in self.g.objects(node, p)
        )

    def score(self, exp: dict) -> dict[str, tuple[int, int, list[str]]]:
        """``{kind: (found, expected, missed)}``; optional items are not counted."""
        out = {}

        def tally(kind: str, items: list, found: dict | set, describe) -> None:
            idx = [i for i, it in enumerate(items) if not it.get("optional")]
            hit = [i for i in idx if i in found]
            out[kind] = (len(hit), len(idx), [describe(items[i]) for i in idx if i not in found])

        g = self.g
        funding = [(n, g.value(n, SCHEMA.value)) for n in self.nodes(WKG.Funding)]
        funding = [(n, Decimal(str(v))) for n, v in funding if v is not None]
        m = match(exp["funding"], funding, lambda e, d: close(e["amount"], d[1]))
        tally("funding", exp["funding"], m, lambda e: f"£{e['amount']:,}")

        def funding_ok(e, d) -> bool:
            n = d[0]
            if not close(e["amount"], d[1]):
                return False
            if "recurrence" in e and slug(g.value(n, WKG.recurrence)) != e["recurrence"]:
                return False
            if "qualifier" in e and str(g.value(n, WKG.valueQualifier) or "").lower() != e["qualifier"]:
                return False
            return "funder" not in e or any(self.body_matches(e["funder"], f) for f in g.objects(n, WKG.funder))

        m = match(exp["funding"], funding, funding_ok)
        tally(
            "funding-details",
            exp["funding"],
            m,
            lambda e: f"£{e['amount']:,} {e.get('recurrence', '')} {e.get('qualifier', '')}",
        )

        figures = [(n, g.value(n, WKG.value), slug(g.value(n, WKG.unit))) for n in self.nodes(WKG.ProgressFigure)]
        figures = [f for f in figures if f[1] is not None]
        m = match(exp["figures"], figures, lambda e, d: close(e["value"], str(d[1])) and d[2] in e["unit"])
        tally("figures", exp["figures"], m, lambda e: f"{e['value']} {e['unit'][0]}")

        bodies = self.bodies()
        found_bodies = {
            i
            for i, e in enumerate(exp["bodies"])
            if any(self.body_matches(e.get("iri") or e["label"], b) for b in bodies)
        }
        tally("bodies", exp["bodies"], found_bodies, lambda e: e.get("iri") or e["label"])

        with_abbr = [e for e in exp["bodies"] + exp.get("programmes", []) if e.get("abbreviation")]
        abbr = {
            i
            for i, e in enumerate(with_abbr)
            if any(
                self.body_matches(e["label"], n)
                or any(same_label(e["label"], str(x)) for x in g.objects(n, SKOS.prefLabel))
                for n in g.subjects(SKOS.altLabel, None)
                if e["abbreviation"] in {str(x) for x in g.objects(n, SKOS.altLabel)}
            )
        }
        tally("abbreviations", with_abbr, abbr, lambda e: e["abbreviation"])

        # programmes and commitments the graph already has, named in the text: referenced by their IRI, or
        # (for a candidate the extractor keeps apart) flagged in the report as a likely duplicate of it
        used = {str(t) for tr in g for t in (tr[0], tr[2]) if isinstance(t, URIRef)}
        prefixes = {"prog:": ID + "programme/", "cmt:": ID + "commitment/", "body:": BODY}
        links = set()
        for i, e in enumerate(exp.get("links", [])):
            prefix, local = e["iri"].split(":", 1)
            iri = prefixes[prefix + ":"] + local
            if iri in used or iri in self.report or e["iri"] in self.report:
                links.add(i)
        tally("links", exp.get("links", []), links, lambda e: e["iri"])

        cmts = [
            (n, [str(g.value(c, WKG.quote)) for c in g.objects(n, WKG.citation)])
            for n in self.nodes(*COMMITMENT_CLASSES)
        ]
        m = match(exp["commitments"], cmts, lambda e, d: max((overlap(e["quote"], q) for q in d[1]), default=0.0))
        tally("commitments", exp["commitments"], m, lambda e: e["quote"][:60])
        with_deadline = [e for e in exp["commitments"] if e.get("deadline")]
        deadlines = {
            i
            for i, e in enumerate(with_deadline)
            if (j := m.get(exp["commitments"].index(e))) is not None
            and str(g.value(cmts[j][0], WKG.deadline)) == e["deadline"]
        }
        tally("deadlines", with_deadline, deadlines, lambda e: f"{e['deadline']} ({e['quote'][:40]})")

        rel = set()
        for i, r in enumerate(exp["relative_dates"]):
            for n, quotes in cmts:
                if any(overlap(r["commitment"], q) for q in quotes) and dates_agree(
                    r["resolved"], g.value(n, WKG.deadline)
                ):
                    rel.add(i)
        tally("relative-dates", exp["relative_dates"], rel, lambda e: f"{e['text']} -> {e['resolved']}")

        resps = [
            (n, g.value(n, WKG.body), slug(g.value(n, WKG.role)), g.value(n, WKG.subject))
            for n in self.nodes(WKG.Responsibility)
        ]

        def resp_ok(e, d) -> bool:
            return self.body_matches(e["body"], d[1]) and d[3] is not None and holds(g, d[3], e["subject"])

        m = match(exp["responsibilities"], resps, resp_ok)
        tally("responsibilities", exp["responsibilities"], m, lambda e: f"{e['body']} {e['subject']}")
        m = match(exp["responsibilities"], resps, lambda e, d: resp_ok(e, d) and d[2] in e["role"])
        tally("roles", exp["responsibilities"], m, lambda e: f"{e['body']} {e['role'][0]} {e['subject']}")

        ratings = [
            (g.value(n, WKG.ratedCommitment), slug(g.value(n, WKG.dimension)), slug(g.value(n, WKG.ratingValue)))
            for n in self.nodes(WKG.Rating)
        ]
        m = match(
            exp["ratings"],
            ratings,
            lambda e, d: (
                d[1] == e["dimension"] and d[2] == e["value"] and d[0] is not None and holds(g, d[0], e["commitment"])
            ),
        )
        tally("ratings", exp["ratings"], m, lambda e: f"{e['commitment'][:30]} {e['dimension']}={e['value']}")

        changes = self.nodes(ORG.ChangeEvent)

        def change_ok(e, n) -> bool:
            date = g.value(n, WKG.date) or g.value(n, URIRef("http://purl.org/dc/terms/date"))
            return (
                any(self.body_matches(e["from"], b) for b in g.objects(n, ORG.originalOrganization))
                and any(self.body_matches(e["to"], b) for b in g.objects(n, ORG.resultingOrganization))
                and dates_agree(e["date"], date)
            )

        m = match(exp["changes"], changes, change_ok)
        tally("changes", exp["changes"], m, lambda e: f"{e['from']} -> {e['to']} {e['date']}")
        return out


# -- running the ingest ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("ingest_docs")


@cache
def _draft(name: str, fmt: str, folder: Path, graph_id: int):
    from workforce_kg.ingest import ingest

    return ingest(render(name, fmt, folder), **EXPECTED[name]["options"], graph=_GRAPHS[graph_id])


_GRAPHS: dict[int, Graph] = {}


@pytest.fixture(scope="module")
def drafts(folder, graph):
    """``drafts(name, fmt)``: the draft of a document in a format (Python API, cached)."""
    _GRAPHS[id(graph)] = graph
    return lambda name, fmt=None: _draft(name, fmt or native_format(name), folder, id(graph))


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "service"), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run(
        [sys.executable, "-m", "workforce_kg", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300
    )


def options_args(opts: dict) -> list[str]:
    args = ["--document-id", opts["document_id"]]
    for key in ("title", "date", "publisher"):
        if opts.get(key):
            args += [f"--{key}", opts[key]]
    return args


def floors() -> dict:
    return json.loads(FLOORS.read_text()) if FLOORS.exists() else {}


def check_floors(key: str, scores: dict) -> None:
    """Each kind finds at least its recorded floor (raise the floors with INGEST_DOCS_UPDATE_FLOORS=1)."""
    if UPDATE_FLOORS:
        data = floors()
        entry = data.setdefault(key, {})
        for kind, (found, _, _) in scores.items():
            entry[kind] = max(entry.get(kind, 0), found)
        rows = [f" {json.dumps(k)}: {json.dumps(v, sort_keys=True)}" for k, v in sorted(data.items())]
        FLOORS.write_text("{\n" + ",\n".join(rows) + "\n}\n")
        return
    recorded = floors().get(key)
    assert recorded is not None, f"no floors recorded for {key}: run with INGEST_DOCS_UPDATE_FLOORS=1"
    below = {
        kind: f"{found}/{total} < floor {recorded.get(kind, 0)}; missed: {missed}"
        for kind, (found, total, missed) in scores.items()
        if found < recorded.get(kind, 0)
    }
    assert not below, f"{key}: extraction fell below its floors: {below}"


# -- tests ---------------------------------------------------------------------------------------------


def test_scorer_counts_only_what_the_draft_states(graph):
    """The scoring itself: nothing in an empty draft; a hand-made draft is scored item by item, and a wrong
    unit, a wrong amount or another body does not count."""
    exp = EXPECTED["govt-response"]
    assert all(found == 0 for found, _, _ in Scorer(Graph(), graph).score(exp).values())

    d = Graph()
    fund, fig, cmt, resp = (URIRef(ID + k) for k in ("funding/f1", "figure/f1", "commitment/c1", "responsibility/r1"))
    prog = URIRef(ID + "programme/p1")
    d.add((fund, RDF.type, WKG.Funding))
    d.add((fund, SCHEMA.value, Literal(Decimal("600000000"))))
    d.add((fund, WKG.recurrence, URIRef(str(WKG) + "recurrence/per-year")))  # the text says over two years
    d.add((fig, RDF.type, WKG.ProgressFigure))
    d.add((fig, WKG.value, Literal(Decimal("8.1"))))
    d.add((fig, WKG.unit, URIRef(str(WKG) + "unit/percentage-point")))  # the text says 8.1%
    d.add((cmt, RDF.type, WKG.Pledge))
    d.add((cmt, WKG.deadline, Literal("2025-04")))
    cit = URIRef(ID + "citation/x")
    d.add((cmt, WKG.citation, cit))
    d.add(
        (
            cit,
            WKG.quote,
            Literal("The Department of Health and Social Care (DHSC) will publish a Care Workforce Pathway"),
        )
    )
    d.add((prog, SKOS.prefLabel, Literal("Care Workforce Pathway")))
    d.add((resp, RDF.type, WKG.Responsibility))
    d.add((resp, WKG.body, URIRef(BODY + "skills-for-care")))
    d.add((resp, WKG.role, URIRef(str(WKG) + "role/lead")))
    d.add((resp, WKG.subject, prog))
    scores = Scorer(d, graph).score(exp)
    assert scores["funding"][0] == 1 and scores["funding-details"][0] == 0
    assert scores["figures"][0] == 0
    assert scores["commitments"][0] == 1 and scores["deadlines"][0] == 1
    assert scores["responsibilities"][0] == 1 and scores["roles"][0] == 1
    d.set((resp, WKG.body, URIRef(BODY + "adass")))  # ADASS is a partner of the pathway, not its lead
    assert Scorer(d, graph).score(exp)["roles"][0] == 0
    d.set((fund, SCHEMA.value, Literal(Decimal("60000000"))))
    assert Scorer(d, graph).score(exp)["funding"][0] == 0


def test_inventories_are_written_from_the_documents():
    """Every quote, label and relative date in an inventory is in its document (the truth is the text)."""
    for name, exp in EXPECTED.items():
        text = plain((DOCS / exp.get("source", exp["file"])).read_text(encoding="utf-8"))
        for kind in ("funding", "figures", "commitments"):
            for item in exp[kind]:
                assert plain(item["quote"]) in text, (name, kind, item["quote"])
        for item in exp["bodies"]:
            assert "iri" in item or plain(item["label"]) in text, (name, item)
        for item in exp["relative_dates"]:
            assert plain(item["text"]) in text and plain(item["commitment"]) in text, (name, item)
        assert 250 <= len(text.split()) <= 900, (name, len(text.split()))
    genres = " ".join(e["genre"] for e in EXPECTED.values())
    for genre in ("government response", "evaluation", "workforce plan", "minutes", "board paper", "news report"):
        assert genre in genres
    assert {native_format(n) for n in EXPECTED} == set(FORMATS)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_inventory_found(name, fmt, drafts, graph):
    """Per kind, the draft finds the expected items — at least as many as the floor records."""
    draft = drafts(name, fmt)
    scores = Scorer(draft.graph, graph, draft.report("json")).score(EXPECTED[name])
    # whatever the floors say, a document's main kinds are never lost entirely
    for kind in ("funding", "figures", "bodies", "commitments"):
        found, total, missed = scores[kind]
        if total and fmt == native_format(name):
            assert found > 0, f"{name}.{fmt}: no {kind} found of {total}: {missed}"
    check_floors(f"{name}.{fmt}", scores)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_quotes_verbatim_in_their_segment(name, fmt, drafts, folder):
    """Every citation's quote lies inside the segment its locator names (the provenance check's rule)."""
    from workforce_kg.ingest import read_text

    draft = drafts(name, fmt)
    g = draft.graph
    doc = URIRef(ID + "document/" + EXPECTED[name]["options"]["document_id"])
    scheme = slug(g.value(doc, WKG.locatorScheme))
    assert scheme in sources.SCHEMES
    segs = sources.segments(
        read_text(render(name, fmt, folder)), scheme, {str(h) for h in g.objects(doc, WKG.sectionHeading)}
    )
    citations = list(g.objects(None, WKG.citation))
    assert citations
    problems = []
    for c in citations:
        assert g.value(c, WKG.document) == doc
        problem = sources.check_quote(segs, str(g.value(c, WKG.locator)), str(g.value(c, WKG.quote)))
        if problem:
            problems.append((str(g.value(c, WKG.locator)), str(g.value(c, WKG.quote))[:60], problem))
    assert not problems, problems


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_locator_scheme_detected(name, drafts):
    """``auto`` picks the scheme the genre is cited by in its own format."""
    g = drafts(name).graph
    doc = URIRef(ID + "document/" + EXPECTED[name]["options"]["document_id"])
    allowed = EXPECTED[name]["scheme"]
    assert slug(g.value(doc, WKG.locatorScheme)) in (allowed if isinstance(allowed, list) else [allowed])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_candidates_are_marked_as_drafts_and_link_to_existing_iris(name, drafts, graph):
    """Confidence and prov:wasGeneratedBy on every candidate; references resolve to the graph or the draft."""
    g = drafts(name).graph
    activities = set(g.subjects(RDF.type, WKG.IngestActivity))
    assert len(activities) == 1
    activity = activities.pop()
    assert g.value(activity, WKG.extractorVersion) is not None
    candidates = {s for s in g.subjects(WKG.citation, None)}
    assert candidates
    for node in candidates:
        # a new node carries the marks itself; a node the graph already has only gains citations, and
        # each of those carries them
        marked = [node] if (node, RDF.type, None) in g else list(g.objects(node, WKG.citation))
        for m in marked:
            conf = g.value(m, WKG.confidence)
            assert isinstance(conf, Literal) and 0 <= float(conf) <= 1, (node, conf)
            assert (m, PROV.wasGeneratedBy, activity) in g, node
    # every IRI the draft uses under /id/ is described in the draft or already in the graph
    described = set(g.subjects(RDF.type, None)) | set(graph.subjects(RDF.type, None))
    dangling = {
        str(o)
        for _, p, o in g
        if isinstance(o, URIRef) and str(o).startswith(ID) and o not in described and p != RDF.type
    }
    assert not dangling, dangling
    # existing bodies are referenced by their IRIs, not minted again under another slug
    for node in g.subjects(RDF.type, None):
        if str(node).startswith(BODY) and (node, SKOS.prefLabel, None) in g:
            assert (node, SKOS.prefLabel, None) not in graph, f"{node} re-declares an existing body"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_draft_validates_with_the_graph(name, drafts, graph):
    """Draft + graph against the shapes: no violation on a draft node, unless the report names it."""
    from workforce_kg.store import local as store
    from workforce_kg.validation.report import validate_graph

    draft = drafts(name)
    files = store.bundled_files()
    ontology = store.rdflib_graph([f for f in files if f.graph_name.startswith("ontology/")])
    data = store.rdflib_graph([f for f in files if not f.graph_name.startswith("ontology/")])
    for t in draft.graph:
        data.add(t)
    report = validate_graph(data, ontology)
    mine = {str(s) for s in draft.graph.subjects()}
    violations = [r for r in report.results if r.severity == "Violation" and r.focus in mine]
    listed = draft.report("json")
    unlisted = [(r.focus, r.path, r.message) for r in violations if r.focus not in listed]
    assert not unlisted, unlisted


def test_html_reader_drops_boilerplate_and_keeps_tables():
    """Navigation, cookie banners and footers are not text; a table row stays together."""
    from workforce_kg.ingest import read_text

    for name, exp in EXPECTED.items():
        if not exp["file"].endswith(".html"):
            continue
        text = read_text(DOCS / exp["file"])
        for junk in exp["boilerplate"]:
            assert junk not in text, (name, junk)
    text = read_text(DOCS / "evaluation.html")
    row = next(
        line for line in text.splitlines() if "mental health support teams in schools" in line and "Outstanding" in line
    )
    assert row.index("mental health support teams") < row.index("Outstanding")


def test_relative_dates_need_a_document_date(graph, folder):
    """Without --date, "this year" is not resolved against today's date."""
    from workforce_kg.ingest import ingest

    opts = {k: v for k, v in EXPECTED["workforce-plan"]["options"].items() if k != "date"}
    draft = ingest(DOCS / "workforce-plan.md", **opts, graph=graph)
    g = draft.graph
    hub = [
        n
        for n in g.subjects(RDF.type, None)
        if (set(g.objects(n, RDF.type)) & COMMITMENT_CLASSES) and holds(g, n, "Recruitment Hub this year")
    ]
    assert hub, "the 'this year' commitment was not drafted"
    assert all(str(g.value(n, WKG.deadline)) in ("None", "2025") for n in hub)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_cli_writes_the_same_draft_and_a_report(name, drafts, folder, tmp_path):
    """``workforce-kg ingest FILE -o DRAFT.ttl --report R.json`` matches the Python API."""
    exp = EXPECTED[name]
    path = native_path(name, folder)
    out, report = tmp_path / "draft.ttl", tmp_path / "report.json"
    r = cli("ingest", str(path), *options_args(exp["options"]), "-o", str(out), "--report", str(report))
    assert r.returncode == 0, r.stderr
    g = Graph().parse(out, format="turtle")
    api = drafts(name).graph

    def kinds(graph: Graph) -> list:  # the same candidates, whatever else differs (e.g. the activity's time)
        activities = set(graph.subjects(RDF.type, WKG.IngestActivity))
        return sorted(
            (str(s), str(o))
            for s, o in graph.subject_objects(RDF.type)
            if str(s).startswith(ID) and s not in activities
        )

    assert kinds(g) and kinds(g) == kinds(api)
    data = json.loads(report.read_text())
    assert json.dumps(data)  # a JSON document
    for quote in list(g.objects(None, WKG.quote))[:20]:
        assert str(quote) in report.read_text() or json.dumps(str(quote))[1:-1] in report.read_text()


def test_cli_draft_to_standard_output(folder):
    """Without -o the draft goes to standard output as Turtle."""
    exp = EXPECTED["council-minutes"]
    r = cli("ingest", str(DOCS / exp["file"]), *options_args(exp["options"]))
    assert r.returncode == 0, r.stderr
    g = Graph().parse(data=r.stdout, format="turtle")
    assert set(g.subjects(RDF.type, WKG.Funding))


BAD = {
    "empty.txt": b"",
    "blank.md": b"   \n\n\t\n",
    "junk.txt": bytes(range(256)) * 8,
    "notes.docx": b"PK\x03\x04 not really a word document",
    "truncated.pdf": b"%PDF-1.4\n1 0 obj <<",
}


@pytest.mark.parametrize("bad", [*BAD, "scanned.pdf", "missing.txt"])
def test_bad_input_is_refused_with_one_line(bad, tmp_path):
    """Empty, blank, binary, unsupported, broken or image-only input: exit 1, one line, no traceback."""
    from workforce_kg.ingest import IngestError, ingest

    path = tmp_path / bad
    if bad == "scanned.pdf":
        write_image_pdf(path)
    elif bad in BAD:
        path.write_bytes(BAD[bad])
    r = cli("ingest", str(path), "--document-id", "bad-input")
    assert r.returncode == 1, (bad, r.returncode, r.stderr)
    assert "Traceback" not in r.stderr and "Traceback" not in r.stdout
    message = r.stderr.strip()
    assert message and len(message.splitlines()) == 1, (bad, r.stderr)
    assert r.stdout.strip() == ""
    with pytest.raises(IngestError) as err:
        ingest(path, "bad-input")
    assert "\n" not in str(err.value).strip()
    if bad == "scanned.pdf":
        assert "text" in message.lower()
