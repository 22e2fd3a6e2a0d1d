"""Ingest (issue 15): read, segment, extract, link, draft, report and review, on small documents written here.

The documents are invented for the tests, one per genre and format: a government response (numbered
paragraphs and a rating table, plain text), a workforce plan (Markdown headings), council minutes (HTML
with bullets and resolutions), a board paper (PDF) and a news report (one line of sentences).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF
from typer.testing import CliRunner

from workforce_kg.cli import app
from workforce_kg.ingest import IngestError, ingest, read_text
from workforce_kg.ingest.draft import WKG
from workforce_kg.provenance import citations as provenance
from workforce_kg.provenance import sources
from workforce_kg.store import local as store
from workforce_kg.validation import report as validation

runner = CliRunner()
BASE = "https://w3id.org/workforce-kg/id"

GOVT_RESPONSE = """# Government Response to the Workforce Review

## Summary

1. The Department of Health and Social Care welcomes the review and sets out its response below.

2. We will recruit 2,000 more paramedics by March 2026.

3. We are providing £25 million a year for the Rural Practice Fund, funded by NHS England.

4. There are now 1,200 more FTE midwives than in 2020, and retention rose by 4.5 percentage points.

5. The Workforce Innovation Programme is led by Health Education England, working with the Care Quality Commission.

6. The Northern Care Board was merged into the Eastern Care Board from 1 April 2023.

7. A further £5,000 per student is available in 2022/23, and up to £1.5 billion over three years for training.

8. The National Rostering Board (NRB) will publish guidance. The NRB will report each quarter.

9. Overall, 45% of trusts reported improved staffing.

### Ratings

Commitment\tA. Commitment met\tB. Funding and Resource\tC. Impact\tD. Appropriateness\tOverall
Recruit more paramedics for rural areas.\tGood\tRequires improvement\tInadequate\tGood\tRequires improvement
"""

PLAN_MD = """# Community Workforce Plan

## Training

We will open 300 new training places next year.

The Council will fund a £500m programme of apprenticeships.

## Retention

Turnover fell to 12% in 2023.
"""

MINUTES_HTML = """<!DOCTYPE html><html><head><title>Minutes</title><script>var x = "£9 million";</script></head>
<body><nav>Home | Meetings | £7 million menu</nav>
<main>
<h1>Minutes of the Adult Care Scrutiny Committee</h1>
<p>The Cabinet Member for Adult Care introduced the report and the Committee noted the following:</p>
<ul>
<li>Vacancies in home care had fallen to 8% in the year.</li>
<li>The Council was working with the Riverside Care Partnership to train 150 new carers.</li>
</ul>
<table><tr><th>Service</th><th>Vacancies</th></tr><tr><td>Home care</td><td>8%</td></tr></table>
<p>1) That the Committee note the report.</p>
<p>2) That an update be requested to a future meeting.</p>
</main>
<footer>Contact us about £3 million</footer></body></html>
"""

NEWS = (
    "The Department of Health and Social Care said it will consider a new retention scheme for nurses. "
    "It added that around 3,500 nurses left the profession last year. "
    "Ministers pledged £40 million for mental health support for staff."
)


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def pdf_bytes(lines: list[str]) -> bytes:
    """A PDF with a text layer (fpdf2), one line per entry; no lines: a page with only a drawing."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    for line in lines:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    if not lines:
        pdf.rect(20, 20, 50, 30)
    return bytes(pdf.output())


@pytest.fixture(scope="module")
def graph() -> Graph:
    return store.rdflib_graph()


@pytest.fixture(scope="module")
def govt(tmp_path_factory, graph):
    path = write(tmp_path_factory.mktemp("govt"), "response.txt", GOVT_RESPONSE)
    return ingest(path, "test-govt-response", date="2024-05-01", publisher="dhsc", graph=graph)


def of_kind(draft, kind):
    return draft.by_kind(kind)


# -- reading -------------------------------------------------------------------------------------------


def test_html_keeps_main_content_headings_lists_and_tables(tmp_path):
    text = read_text(write(tmp_path, "m.html", MINUTES_HTML))
    assert "# Minutes of the Adult Care Scrutiny Committee" in text
    assert "- Vacancies in home care had fallen to 8% in the year." in text
    assert "Home care\t8%" in text.splitlines()  # a table row: cells separated by a tab
    for outside in ("£9 million", "£7 million", "£3 million", "Meetings"):  # script, nav, footer
        assert outside not in text


def test_pdf_text_layer_is_read(tmp_path):
    path = write(tmp_path, "paper.pdf", pdf_bytes(["Board paper", "We will recruit 40 more pharmacists by 2027."]))
    assert "recruit 40 more pharmacists" in read_text(path)


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("empty.txt", "", "is empty"),
        ("blank.md", "  \n\n ", "is empty"),
        ("binary.txt", b"\x00\x01\x02PK\x00", "looks binary"),
        ("scan.pdf", None, "no text layer"),
        ("broken.pdf", b"%PDF-1.4 this is not really a pdf", "not a readable PDF"),
        ("report.docx", "words", "unsupported file type"),
    ],
)
def test_bad_documents_give_one_line_errors(tmp_path, name, content, message):
    path = write(tmp_path, name, pdf_bytes([]) if content is None else content)
    with pytest.raises(IngestError, match=message):
        read_text(path)
    result = runner.invoke(app, ["ingest", str(path), "--document-id", "x-doc", "--no-validate"])
    assert result.exit_code == 1
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error:") and message in lines[0]
    assert "Traceback" not in result.output


def test_missing_file_and_bad_options_exit_1(tmp_path):
    result = runner.invoke(app, ["ingest", str(tmp_path / "none.txt"), "--document-id", "x"])
    assert result.exit_code == 1 and "no such file" in result.stderr
    path = write(tmp_path, "n.txt", NEWS)
    for extra, message in (
        (["--document-id", "Not A Slug"], "slug"),
        (["--document-id", "ok", "--date", "2024-13-01"], "calendar"),
        (["--document-id", "ok", "--locator-scheme", "pages"], "unknown locator scheme"),
    ):
        result = runner.invoke(app, ["ingest", str(path), *extra, "--no-validate"])
        assert result.exit_code == 1, result.output
        assert message in result.stderr


# -- segmentation --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,content,scheme",
    [
        ("g.txt", GOVT_RESPONSE, "numbered-paragraph"),
        ("p.md", PLAN_MD, "heading-paragraph"),
        ("m.html", MINUTES_HTML, "minutes"),
        ("n.txt", NEWS, "sentence"),
    ],
)
def test_locator_scheme_is_detected(tmp_path, name, content, scheme):
    assert sources.detect_scheme(read_text(write(tmp_path, name, content))) == scheme


def test_segments_of_each_scheme(tmp_path):
    plan = read_text(write(tmp_path, "p.md", PLAN_MD))
    segs = sources.segments(plan, "heading-paragraph", set(sources.detect_headings(plan)))
    assert segs["Training ¶2"] == "The Council will fund a £500m programme of apprenticeships."
    minutes = read_text(write(tmp_path, "m.html", MINUTES_HTML))
    segs = sources.segments(minutes, "minutes")
    assert segs["bullet 2"].startswith("- The Council was working with")  # the segment keeps the marker
    assert segs["resolution 2"] == "2) That an update be requested to a future meeting."
    assert sources.segments(NEWS, "sentence")["sentence 2"].startswith("It added that around 3,500")


def test_segments_command_takes_a_file(tmp_path):
    path = write(tmp_path, "p.md", PLAN_MD)
    result = runner.invoke(app, ["segments", str(path)])
    assert result.exit_code == 0
    assert "[Retention ¶1] Turnover fell to 12% in 2023." in result.stdout
    assert "heading-paragraph" in result.stderr


def test_provenance_reads_html_sources_with_the_same_reader(tmp_path):
    write(tmp_path, "m.html", MINUTES_HTML)
    doc = provenance.Document(URIRef(f"{BASE}/document/x"), "m.html", "minutes", frozenset())
    segs = provenance.load_segments(doc, tmp_path)
    assert sources.check_quote(segs, "bullet 1", "Vacancies in home care had fallen to 8% in the year.") is None
    assert "£9 million" not in " ".join(segs.values())


# -- extraction ----------------------------------------------------------------------------------------


def test_funding_amounts_qualifiers_recurrence_period_and_funder(govt):
    funding = {c.fields["amount"]: c for c in of_kind(govt, "funding")}
    assert set(funding) >= {Decimal(25000000), Decimal(5000), Decimal(1500000000)}
    rural = funding[Decimal(25000000)]
    assert rural.fields["recurrence"] == "per-year"
    assert rural.fields["funder"] == f"{BASE}/organisation/nhse"
    assert rural.locator == "3" and rural.iri.startswith(f"{BASE}/funding/test-govt-response-")
    student = funding[Decimal(5000)]
    assert student.fields["recurrence"] == "per-person"
    assert (student.fields["period"], student.fields["start"], student.fields["end"]) == (
        "2022/23",
        "2022-04-01",
        "2023-03-31",
    )
    big = funding[Decimal(1500000000)]
    assert big.fields["qualifier"] == "up to" and big.fields["recurrence"] == "total-over-period"


def test_progress_figures_with_units(govt):
    figures = {(c.fields["value"], c.fields["unit"]) for c in of_kind(govt, "figure")}
    assert (Decimal(1200), "fte") in figures
    assert (Decimal("4.5"), "percentage-point") in figures
    assert (Decimal(45), "percent") in figures
    assert not any(v in (Decimal(2020), Decimal(2023)) for v, _ in figures)  # years are not figures


def test_commitment_with_target_deadline_and_maker(govt):
    cmt = next(c for c in of_kind(govt, "commitment") if "2,000 more paramedics" in c.quote)
    assert cmt.fields["deadline"] == "2026-03"
    assert (cmt.fields["target_value"], cmt.fields["unit"]) == (Decimal(2000), "people")
    assert cmt.fields["made_by"] == f"{BASE}/organisation/dhsc"  # "we" is the publisher
    assert "Target" in cmt.fields["types"]


def test_relative_dates_only_with_a_document_date(tmp_path, graph):
    path = write(tmp_path, "plan.md", PLAN_MD)
    dated = ingest(path, "test-plan", date="2024-02-01", graph=graph)
    undated = ingest(path, "test-plan", graph=graph)
    find = lambda d: next(c for c in d.by_kind("commitment") if "300 new training places" in c.quote)  # noqa: E731
    assert find(dated).fields["deadline"] == "2025"
    assert "deadline" not in find(undated).fields


def test_known_bodies_are_linked_and_defined_abbreviations_make_new_ones(govt):
    bodies = {c.iri: c for c in of_kind(govt, "body")}
    for slug in ("dhsc", "nhse", "hee", "cqc"):
        assert bodies[f"{BASE}/organisation/{slug}"].linked == f"{BASE}/organisation/{slug}"
    nrb = next(c for c in bodies.values() if c.label == "National Rostering Board")
    assert nrb.linked is None and nrb.fields["alt_labels"] == ["NRB"]
    assert nrb.iri == f"{BASE}/organisation/national-rostering-board"
    # the abbreviation the text defines is then recognised on its own
    reports = next(c for c in of_kind(govt, "commitment") if c.quote.startswith("The NRB will report"))
    assert reports.fields["made_by"] == nrb.iri


def test_programmes_responsibilities_and_changes(govt):
    prog = next(c for c in of_kind(govt, "programme") if c.label == "Workforce Innovation Programme")
    assert prog.fields["programme_kind"] == "programme"
    resp = {
        (c.fields["body"].rsplit("/", 1)[-1], c.fields["role"])
        for c in of_kind(govt, "responsibility")
        if c.fields["subject"] == prog.iri
    }
    assert ("hee", "lead") in resp and ("cqc", "partner") in resp
    fund = next(c for c in of_kind(govt, "funding") if c.fields["amount"] == Decimal(25000000))
    assert any(
        c.fields["body"].endswith("/nhse") and c.fields["role"] == "funder" for c in of_kind(govt, "responsibility")
    )
    assert fund.fields["funds"]  # the Rural Practice Fund
    change = of_kind(govt, "change")[0]
    assert change.fields["date"] == "2023-04-01"
    assert change.fields["from"].endswith("/northern-care-board") and change.fields["to"].endswith(
        "/eastern-care-board"
    )


def test_ratings_from_a_table(govt):
    ratings = {(c.fields["dimension"], c.fields["value"]) for c in of_kind(govt, "rating")}
    assert ratings == {
        ("commitment-met", "good"),
        ("funding-and-resource", "requires-improvement"),
        ("impact", "inadequate"),
        ("appropriateness", "good"),
        ("overall", "requires-improvement"),
    }
    rated = {c.fields["commitment"] for c in of_kind(govt, "rating")}
    assert len(rated) == 1
    evaluation = of_kind(govt, "evaluation")[0]
    assert evaluation.fields["evaluator"] == f"{BASE}/organisation/dhsc"


def test_minutes_html_bullets_and_resolutions(tmp_path, graph):
    draft = ingest(write(tmp_path, "minutes.html", MINUTES_HTML), "test-minutes", graph=graph)
    assert draft.document["scheme"] == "minutes"
    figures = {(c.fields["value"], c.fields["unit"], c.locator) for c in draft.by_kind("figure")}
    assert (Decimal(8), "percent", "bullet 1") in figures and (Decimal(150), "people", "bullet 2") in figures
    partnership = next(c for c in draft.by_kind("body") if c.label == "Riverside Care Partnership")
    assert partnership.locator == "bullet 2"
    assert any(c.locator == "resolution 2" for c in draft.by_kind("commitment"))


def test_pdf_and_news_report(tmp_path, graph):
    paper = ingest(
        write(
            tmp_path,
            "paper.pdf",
            pdf_bytes(["Board paper on staffing", "We will recruit 40 more pharmacists by 2027."]),
        ),
        "test-paper",
        graph=graph,
    )
    cmt = next(c for c in paper.by_kind("commitment") if "40 more pharmacists" in c.quote)
    assert cmt.fields["deadline"] == "2027"
    news = ingest(write(tmp_path, "news.txt", NEWS), "test-news", graph=graph)
    assert news.document["scheme"] == "sentence"
    fund = news.by_kind("funding")[0]
    assert fund.fields["amount"] == Decimal(40000000) and fund.locator == "sentence 3"
    assert {c.fields["value"] for c in news.by_kind("figure")} == {Decimal(3500)}
    assert any(c.iri.endswith("/organisation/dhsc") for c in news.by_kind("body"))


def test_duplicates_are_flagged_not_merged(tmp_path, graph):
    text = (
        "1. We will invest £12 million in rural training.\n\n2. The £12 million for rural training starts in May.\n\n"
        "3. Separately, £55 million supports clinical placements.\n"
    )
    draft = ingest(write(tmp_path, "dup.txt", text), "test-dup", graph=graph)
    twelve = [c for c in draft.by_kind("funding") if c.fields["amount"] == Decimal(12000000)]
    assert len(twelve) == 2 and any("possible duplicate of" in f for f in twelve[1].flags)
    in_graph = next(c for c in draft.by_kind("funding") if c.fields["amount"] == Decimal(55000000))
    assert any("in the graph" in f for f in in_graph.flags)  # the graph already has a £55 million


# -- the draft -----------------------------------------------------------------------------------------


def test_every_quote_is_verbatim_in_its_segment(govt, tmp_path):
    # against the segments ingest used, and as the provenance check re-reads the file
    path = write(tmp_path, "response.txt", GOVT_RESPONSE)
    segs = sources.segments(sources.read_source(path), govt.document["scheme"], set(govt.document["headings"]))
    count = 0
    for cand in govt.candidates:
        for cit in cand.citations:
            assert sources.check_quote(segs, cit.locator, cit.quote) is None, (cand.iri, cit)
            assert len(cit.quote) <= 600
            count += 1
    assert count >= len(govt.candidates)


def test_draft_marks_drafts_and_validates_with_the_graph(govt, tmp_path):
    g = govt.graph
    activity = next(g.subjects(RDF.type, WKG.IngestActivity))
    assert str(g.value(activity, WKG.extractorVersion)).startswith("workforce-kg-ingest")
    for cand in govt.candidates:
        node = URIRef(cand.iri)
        if cand.linked:
            cits = list(g.objects(node, WKG.citation))
            assert any(g.value(c, WKG.confidence) is not None for c in cits)
        else:
            assert 0 <= float(g.value(node, WKG.confidence)) <= 1
            assert g.value(node, URIRef("http://www.w3.org/ns/prov#wasGeneratedBy")) == activity
    path = tmp_path / "draft.ttl"
    path.write_text(govt.turtle(), encoding="utf-8")
    report = validation.validate_files(store.bundled_files() + [store.SourceFile(path, "extra/draft")])
    assert report.conforms, report.as_text()


def test_undecidable_items_are_listed_in_the_report(tmp_path, graph):
    # ratings without a document date: the evaluation needs a date the curator must give
    draft = ingest(write(tmp_path, "r.txt", GOVT_RESPONSE), "test-undated", publisher="dhsc", graph=graph)
    assert any("dcterms:date" in p for p in draft.problems)
    assert "## Needs a decision" in draft.report("md")


def test_reports_in_three_formats(govt):
    md, html, data = govt.report("md"), govt.report("html"), json.loads(govt.report("json"))
    assert "## Funding" in md and "| c" in md
    assert html.startswith("<!DOCTYPE html>") and "<table>" in html
    assert data["summary"]["funding"] == len(govt.by_kind("funding"))
    first = data["candidates"][0]
    assert {"id", "kind", "iri", "label", "quote", "locator", "confidence", "linked", "flags", "fields"} <= set(first)


def test_cli_ingest_writes_draft_and_report(tmp_path):
    path = write(tmp_path, "plan.md", PLAN_MD)
    out, rep = tmp_path / "draft.ttl", tmp_path / "report.json"
    result = runner.invoke(
        app,
        [
            "ingest",
            str(path),
            "--document-id",
            "test-plan-cli",
            "--date",
            "2024-02-01",
            "-o",
            str(out),
            "--report",
            str(rep),
        ],
    )
    assert result.exit_code == 0, result.output
    g = Graph().parse(out)
    assert (URIRef(f"{BASE}/document/test-plan-cli"), RDF.type, WKG.SourceDocument) in g
    assert json.loads(rep.read_text())["document"]["scheme"] == "heading-paragraph"
    stdout = runner.invoke(app, ["ingest", str(path), "--document-id", "test-plan-cli", "--no-validate"])
    assert stdout.exit_code == 0 and "@prefix" in stdout.stdout
    bad = runner.invoke(app, ["ingest", str(path), "--document-id", "x", "--report", str(tmp_path / "r.pdf")])
    assert bad.exit_code == 2


# -- review --------------------------------------------------------------------------------------------


@pytest.fixture
def draft_file(tmp_path, govt):
    path = tmp_path / "draft.ttl"
    path.write_text(govt.turtle(), encoding="utf-8")
    return path


def test_review_accepts_kinds_rejects_ids_and_writes_the_next_graph_file(tmp_path, draft_file, govt):
    graph_dir = tmp_path / "graph"
    graph_dir.mkdir()
    for name in ("000-a.ttl", "004-b.ttl"):
        (graph_dir / name).write_text("", encoding="utf-8")
    funding = govt.by_kind("funding")
    rejected = funding[0].iri.rsplit("/", 1)[-1]
    result = runner.invoke(
        app,
        [
            "review",
            str(draft_file),
            "--accept",
            "funding",
            "--reject",
            f"fund:{rejected}",
            "--graph-dir",
            str(graph_dir),
        ],
    )
    assert result.exit_code == 0, result.output
    out = graph_dir / "005-test-govt-response.ttl"
    g = Graph().parse(out)
    accepted = set(g.subjects(RDF.type, WKG.Funding))
    assert accepted == {URIRef(c.iri) for c in funding[1:]}
    assert (None, WKG.confidence, None) not in g  # drafts markers are gone once accepted
    assert (URIRef(f"{BASE}/document/test-govt-response"), RDF.type, WKG.SourceDocument) in g
    assert not list(g.subjects(RDF.type, WKG.Commitment))


def test_review_drops_facts_that_need_a_rejected_node(tmp_path, draft_file, govt):
    nrb = next(c for c in govt.by_kind("body") if c.label == "National Rostering Board")
    out = tmp_path / "accepted.ttl"
    result = runner.invoke(app, ["review", str(draft_file), "--accept-all", "--reject", nrb.iri, "-o", str(out)])
    assert result.exit_code == 0, result.output
    g = Graph().parse(out)
    assert (URIRef(nrb.iri), None, None) not in g
    assert not any(g.value(r, WKG.body) == URIRef(nrb.iri) for r in g.subjects(RDF.type, WKG.Responsibility))
    report = validation.validate_files(store.bundled_files() + [store.SourceFile(out, "extra/accepted")])
    assert report.conforms, report.as_text()


def test_review_errors(tmp_path, draft_file):
    not_draft = write(tmp_path, "plain.ttl", "<a:b> <a:c> <a:d> .")
    result = runner.invoke(app, ["review", str(not_draft), "--accept-all", "-o", str(tmp_path / "o.ttl")])
    assert result.exit_code == 1 and "not an ingest draft" in result.stderr
    result = runner.invoke(app, ["review", str(draft_file), "--reject", "fund:nothing-like-this"])
    assert result.exit_code == 1 and "no candidate" in result.stderr
    result = runner.invoke(app, ["review", str(draft_file), "--accept", "recipes"])
    assert result.exit_code == 1 and "unknown kind" in result.stderr
    result = runner.invoke(app, ["review", str(draft_file)], input="")
    assert result.exit_code == 1 and "interactive" in result.stderr


def test_interactive_review_accepts_rejects_and_edits(tmp_path, draft_file):
    # answers: accept the first, reject the second, edit the third's label, then reject the rest
    out = tmp_path / "accepted.ttl"
    listing = runner.invoke(app, ["review", str(draft_file), "--list"]).stdout.splitlines()
    first, second, third = (iri_of(line) for line in listing[:3])
    result = runner.invoke(
        app, ["review", str(draft_file), "--interactive", "-o", str(out)], input="a\nr\ne\nA renamed candidate\nR\n"
    )
    assert result.exit_code == 0, result.output
    g = Graph().parse(out)
    assert (first, None, None) in g and (second, None, None) not in g
    if listing[2].split("\t")[2] == "new":
        assert str(g.value(third, URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"))) == "A renamed candidate"


def iri_of(line: str) -> URIRef:
    """The IRI of a prefixed id as `review --list` prints it."""
    prefix, slug = line.split("\t")[0].split(":", 1)
    path = {
        "body": "organisation",
        "prog": "programme",
        "cmt": "commitment",
        "fund": "funding",
        "fig": "figure",
        "resp": "responsibility",
        "rtg": "rating",
        "eval": "evaluation",
        "chg": "change",
    }[prefix]
    return URIRef(f"{BASE}/{path}/{slug}")


def test_review_sends_accepted_facts_to_the_service(tmp_path, draft_file):
    import http.server
    import threading

    seen = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server API
            seen["path"], seen["auth"] = self.path, self.headers["Authorization"]
            seen["type"] = self.headers["Content-Type"]
            seen["body"] = self.rfile.read(int(self.headers["Content-Length"]))
            refuse = seen["auth"] != "Bearer right"
            self.send_response(422 if refuse else 200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"error": "the shapes refused it"}' if refuse else b'{"added": 1}')

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    try:
        ok = runner.invoke(
            app,
            [
                "review",
                str(draft_file),
                "--accept",
                "funding",
                "--to",
                url,
                "--token",
                "right",
                "--graph-dir",
                str(tmp_path),
            ],
        )
        assert ok.exit_code == 0, ok.output
        assert seen["path"].startswith(
            "/graph-store?graph=https%3A%2F%2Fw3id.org%2Fworkforce-kg%2Fgraph%2Fgraph%2F000-test-govt-response"
        )
        assert seen["auth"] == "Bearer right" and seen["type"] == "text/turtle"
        assert (None, RDF.type, WKG.Funding) in Graph().parse(data=seen["body"].decode(), format="turtle")
        refused = runner.invoke(
            app, ["review", str(draft_file), "--accept", "funding", "--to", url, "--token", "wrong"]
        )
        assert refused.exit_code == 1 and "refused the write (422): the shapes refused it" in refused.stderr
        bad = runner.invoke(
            app, ["review", str(draft_file), "--accept-all", "--to", "file:///etc/passwd", "--token", "x"]
        )
        assert bad.exit_code == 1 and "http(s) URL" in bad.stderr
    finally:
        server.shutdown()


# -- the genre's habits --------------------------------------------------------------------------------


def test_we_and_the_department_are_the_department_when_parliament_publishes(tmp_path, graph):
    text = (
        "1. The Department of Health and Social Care has considered the report.\n\n"
        "2. We will publish a retention plan by June 2025.\n\n"
        "3. The department will also review the Rural Practice Fund.\n"
    )
    draft = ingest(write(tmp_path, "r.txt", text), "test-we", publisher="house-of-commons", graph=graph)
    pledges = {c.locator: c for c in draft.by_kind("commitment")}
    assert pledges["2"].fields["made_by"] == f"{BASE}/organisation/dhsc"
    assert pledges["3"].fields["made_by"] == f"{BASE}/organisation/dhsc"


def test_items_of_a_list_a_pledge_introduces_are_commitments(tmp_path, graph):
    text = (
        "1. To grow the workforce we will:\n"
        "- expand apprenticeships in every district from April 2025\n"
        "- open two training academies\n\n"
        "2. Vacancies are published monthly.\n\n"
        "3. Turnover is reported each quarter.\n"
    )
    draft = ingest(write(tmp_path, "l.txt", text), "test-list", publisher="dhsc", graph=graph)
    items = [c for c in draft.by_kind("commitment") if c.quote.startswith(("expand", "open"))]
    assert [c.quote for c in items] == [
        "expand apprenticeships in every district from April 2025",
        "open two training academies",
    ]
    assert all(c.fields["made_by"] == f"{BASE}/organisation/dhsc" for c in items)
    assert items[0].fields["deadline"] == "2025-04"


def test_interim_targets_become_commitments_of_their_own(tmp_path, graph):
    text = "Every trust will have an electronic staff record by March 2026 (80% by March 2025)."
    draft = ingest(write(tmp_path, "t.txt", text), "test-interim", graph=graph)
    deadlines = {c.fields.get("deadline"): c for c in draft.by_kind("commitment")}
    assert set(deadlines) == {"2026-03", "2025-03"}
    interim = deadlines["2025-03"]
    assert (interim.fields["target_value"], interim.fields["unit"]) == (Decimal(80), "percent")
    assert any("interim target of" in f for f in interim.flags)


def test_minutes_committee_and_council_are_the_ones_the_text_names(tmp_path, graph):
    text = (
        "Minutes of the Riverside Health Scrutiny Committee\n\n"
        "The Riverside Borough Council presented its workforce report.\n\n"
        "· The Council was reviewing pay for care workers with the care market team.\n\n"
        "· Committee agreed to invite the Director to a future meeting.\n\n"
        "1) That the report be noted.\n"
    )
    draft = ingest(write(tmp_path, "m.txt", text), "test-minutes-roles", graph=graph)
    assert draft.document["scheme"] == "minutes"
    committee = next(c.iri for c in draft.by_kind("body") if c.label == "Riverside Health Scrutiny Committee")
    council = next(c.iri for c in draft.by_kind("body") if c.label == "Riverside Borough Council")
    agreed = next(c for c in draft.by_kind("commitment") if c.quote.startswith("Committee agreed"))
    assert agreed.fields["made_by"] == committee
    unit = next(c for c in draft.by_kind("body") if c.label == "Riverside Borough Council care market team")
    assert unit.fields["part_of"] == council
    assert (URIRef(unit.iri), URIRef("http://www.w3.org/ns/org#subOrganizationOf"), URIRef(council)) in draft.graph


def test_an_unreadable_source_is_an_oserror_for_the_quote_checks(tmp_path):
    # the write path and `provenance` treat a source they cannot read as missing, never as a crash
    write(tmp_path, "empty.html", "")
    doc = provenance.Document(URIRef(f"{BASE}/document/x"), "empty.html", "minutes", frozenset())
    with pytest.raises(OSError, match="is empty"):
        provenance.load_segments(doc, tmp_path)
    with pytest.raises(OSError):
        provenance.load_segments(provenance.Document(doc.iri, "missing.txt", "sentence", frozenset()), tmp_path)
    result = runner.invoke(
        app,
        ["ingest", str(write(tmp_path, "n.txt", NEWS)), "--document-id", "x", "--graph-dir", str(tmp_path / "nowhere")],
    )
    assert result.exit_code == 1 and "not a folder" in result.stderr


def test_markdown_pipe_table_and_rating_lists(tmp_path, graph):
    text = (
        "# Panel evaluation of workforce pledges\n\n"
        "The Independent Workforce Panel (IWP) rated progress on two pledges.\n\n"
        "| Pledge | Commitment met | Funding and resource | Impact | Appropriateness | Overall |\n"
        "|---|---|---|---|---|---|\n"
        "| Train 500 more nurses a year by 2026 | Good | Requires improvement | Good | Outstanding | Good |\n"
        "| Cut agency spending by 20% | Inadequate | Inadequate | Requires improvement | Good | Inadequate |\n\n"
        "## Pledge 1: Train 500 more nurses a year by 2026\n\n"
        '**"Train 500 more nurses a year by 2026"**\n\n'
        "- Overall: **Good**\n"
        "- Impact: Requires improvement\n\n"
        "The panel found that 62% of providers were rated good or outstanding.\n"
    )
    draft = ingest(write(tmp_path, "eval.md", text), "test-pipe", date="2024-05-01", graph=graph)
    table = {
        (c.fields["commitment"], c.fields["dimension"], c.fields["value"])
        for c in draft.by_kind("rating")
        if c.iri.endswith("-table")
    }
    assert len(table) == 10
    section = {
        (c.fields["dimension"], c.fields["value"]) for c in draft.by_kind("rating") if c.iri.endswith("-section")
    }
    assert section == {("overall", "good"), ("impact", "requires-improvement")}
    first = {c.fields["commitment"] for c in draft.by_kind("rating") if c.iri.endswith("-section")}
    assert len(first) == 1 and first <= {c for c, _, _ in table}  # the section rates the table's pledge
    assert not any("|" in c.quote for c in draft.by_kind("commitment") + draft.by_kind("figure"))
    assert not any(c.label.startswith("Pledge 1") for c in draft.by_kind("programme"))
    values = {c.fields["value"] for c in draft.by_kind("figure")}
    assert Decimal(62) in values and Decimal(20) not in values  # the table's "by 20%" is a pledge, not a figure


def test_minutes_reported_speech_resolutions_and_funders(tmp_path, graph):
    text = (
        "Minutes of the Valley Health Board Workforce Committee\n\n"
        "The Chair welcomed members to the meeting.\n\n"
        "· The Director of Workforce would lead a review of rotas with the University of Southport.\n\n"
        "· Valley Health Board funding of £2.3 million supported Social Care Wales in the year.\n\n"
        "1) That the Director brings a progress report within six months.\n\n"
        "2) RESOLVED: To invest £850,000 in recruitment.\n"
    )
    draft = ingest(write(tmp_path, "minutes.txt", text), "test-minutes-speech", date="2024-11-20", graph=graph)
    assert draft.document["scheme"] == "minutes"
    quotes = {c.locator: c for c in draft.by_kind("commitment")}
    assert "bullet 1" in quotes  # "would lead"
    assert quotes["resolution 1"].fields["deadline"] == "2025-05-20"  # six months after the meeting
    committee = next(c.iri for c in draft.by_kind("body") if c.label == "Valley Health Board Workforce Committee")
    assert quotes["resolution 2"].fields["made_by"] == committee
    funding = {c.fields["amount"]: c for c in draft.by_kind("funding")}
    board = next(c.iri for c in draft.by_kind("body") if c.label == "Valley Health Board")
    assert funding[Decimal(2300000)].fields["funder"] == board  # "X funding of £…"
    assert funding[Decimal(850000)].fields["funder"] == committee  # the resolving body
    labels = {c.label for c in draft.by_kind("body")}
    assert {"University of Southport", "Social Care Wales"} <= labels


def test_by_when_tables_give_commitments_deadlines_and_leads(tmp_path, graph):
    text = (
        "# Workforce delivery plan\n\n## Actions\n\n"
        "| Action | Lead | By when |\n|---|---|---|\n"
        "| Recruit 40 more health visitors | Health Education England | March 2026 |\n"
        "| Open a staff wellbeing hub | Care Quality Commission | within six months |\n"
    )
    draft = ingest(write(tmp_path, "plan.md", text), "test-table", date="2025-01-10", graph=graph)
    rows = {c.quote: c for c in draft.by_kind("commitment")}
    visitors = rows["Recruit 40 more health visitors"]
    assert visitors.fields["deadline"] == "2026-03" and visitors.fields["made_by"] == f"{BASE}/organisation/hee"
    assert (visitors.fields["target_value"], visitors.fields["unit"]) == (Decimal(40), "people")
    assert rows["Open a staff wellbeing hub"].fields["deadline"] == "2025-07-10"
    assert not draft.by_kind("figure")  # the row's number is the action's target
    assert any(
        c.fields["subject"] == visitors.iri and c.fields["role"] == "lead" for c in draft.by_kind("responsibility")
    )


# -- ingest2: genre rules found on held-out documents (each on a small invented text) ----------------------


def test_action_table_with_a_number_column_and_rows_across_blank_lines(tmp_path, graph):
    """ "No. | Action | Lead | By when" (HTML, rows read as tab-separated lines with blank lines between):
    the action cell, not the row number, is the commitment; the lead cell a body; the date its deadline."""
    html = (
        "<html><body><main><h1>Delivery plan</h1><h2>Actions</h2><table>"
        "<tr><th>No.</th><th>Action</th><th>Lead</th><th>By when</th></tr>"
        "<tr><td>1</td><td>Open a regional nursing bank</td><td>Skills for Care</td><td>October 2025</td></tr>"
        "<tr><td>2</td><td>Publish a retention toolkit</td><td>Care Quality Commission</td>"
        "<td>Within three months</td></tr>"
        "</table><p>The board will review progress.</p></main></body></html>"
    )
    draft = ingest(write(tmp_path, "plan.html", html), "test-no-table", date="2025-02-10", graph=graph)
    rows = {c.quote: c for c in draft.by_kind("commitment")}
    bank = rows["Open a regional nursing bank"]
    assert bank.fields["deadline"] == "2025-10" and bank.fields["made_by"] == f"{BASE}/organisation/skills-for-care"
    assert rows["Publish a retention toolkit"].fields["deadline"] == "2025-05-10"
    assert not any(c.quote in ("1", "2") for c in draft.by_kind("commitment"))


def test_reported_speech_two_dated_pledges_and_a_bare_month(tmp_path, graph):
    """Minutes: "she said that the trust would open X by … and would extend Y by the end of March" are two
    commitments of the trust, each with its own deadline; a month without a year is the next such month."""
    text = (
        "Eastmoor Hospitals NHS Foundation Trust\n\nMinutes of the Board of Directors, 12 November 2024\n\n"
        "The Chief Nurse said that the trust would open a staff nursery by June 2025 and would extend the "
        "rostering pilot to all wards by the end of March.\n\n"
        "The next meeting will be held on 5 February 2025.\n"
    )
    draft = ingest(
        write(tmp_path, "minutes.txt", text),
        "test-reported",
        date="2024-11-12",
        publisher="Eastmoor Hospitals NHS Foundation Trust",
        graph=graph,
    )
    trust = next(c.iri for c in draft.by_kind("body") if c.label == "Eastmoor Hospitals NHS Foundation Trust")
    cmts = {c.fields["deadline"]: c for c in draft.by_kind("commitment") if c.fields.get("deadline")}
    assert set(cmts) == {"2025-06", "2025-03"}
    assert "nursery" in cmts["2025-06"].quote and "rostering" in cmts["2025-03"].quote
    assert all(c.fields["made_by"] == trust for c in cmts.values())  # "the trust" = the publisher
    assert not any("next meeting" in c.quote for c in draft.by_kind("commitment"))


def test_lead_and_partner_lines_under_a_numbered_action(tmp_path, graph):
    """ "Lead:", "Partners:" and "Timescale:" lines give the bodies' roles and the deadline of the action's
    commitment (the first one under the same heading)."""
    text = (
        "# Workforce plan\n\n## Action 1: Grow the nursing workforce\n\n"
        "We will increase nursing degree places by 200 a year.\n\n"
        "- **Lead:** Skills for Care\n- **Partners:** NHS England and the Care Quality Commission\n"
        "- **Timescale:** March 2027\n"
    )
    draft = ingest(write(tmp_path, "plan.md", text), "test-lead-lines", date="2024-06-01", graph=graph)
    cmt = next(c for c in draft.by_kind("commitment") if "nursing degree places" in c.quote)
    assert cmt.fields["deadline"] == "2027-03"
    roles = {
        (c.fields["body"].rsplit("/", 1)[-1], c.fields["role"])
        for c in draft.by_kind("responsibility")
        if c.fields["subject"] == cmt.iri
    }
    assert {("skills-for-care", "lead"), ("nhse", "partner"), ("cqc", "partner")} <= roles


def test_ranks_known_commitments_and_abbreviations_after_a_longer_phrase(tmp_path, graph):
    """ "the fourth largest" is a figure in unit rank; "the national commitment to 50,000 more nurses" cites the
    graph's commitment instead of drafting a new one; "(HFICB)" after "the Board of NHS H and F Integrated
    Care Board" names the ICB, not "Board of NHS …"."""
    text = (
        "This paper updates the Board of NHS Harlow and Fenby Integrated Care Board (HFICB) on the workforce.\n\n"
        "Nurses are the fourth largest staff group in the system.\n\n"
        "Our trusts have contributed 640 nurses to the national commitment to 50,000 more nurses.\n"
    )
    draft = ingest(write(tmp_path, "paper.txt", text), "test-rank", date="2024-05-15", graph=graph)
    assert any(c.fields["unit"] == "rank" and c.fields["value"] == Decimal(4) for c in draft.by_kind("figure"))
    linked = [c for c in draft.by_kind("commitment") if c.linked]
    assert [c.iri for c in linked] == [f"{BASE}/commitment/nurses-50k"]
    assert not [c for c in draft.by_kind("commitment") if not c.linked and "50,000" in c.quote]
    icb = next(c for c in draft.by_kind("body") if "HFICB" in c.fields.get("alt_labels", []))
    assert icb.label == "NHS Harlow and Fenby Integrated Care Board"


def test_funders_by_the_nearest_cue_and_the_purpose(tmp_path, graph):
    """Two amounts with two funders in one sentence; the funder of "£… for the new nursery" is responsible
    (funder) for the commitment the nursery was named in."""
    text = (
        "Minutes of the Board, 7 November 2024\n\n"
        "The Chief Nurse said that the trust would open a second staff nursery by September 2025.\n\n"
        "NHS England had approved £1.2 million of capital funding for the new nursery, and the Westfield "
        "Hospitals Charity would contribute £300,000 towards its fit-out.\n"
    )
    draft = ingest(write(tmp_path, "minutes.txt", text), "test-funders", date="2024-11-07", graph=graph)
    funders = {c.fields["amount"]: c.fields["funder"] for c in draft.by_kind("funding")}
    charity = next(c.iri for c in draft.by_kind("body") if c.label == "Westfield Hospitals Charity")
    assert funders == {Decimal(1200000): f"{BASE}/organisation/nhse", Decimal(300000): charity}
    nursery = next(c.iri for c in draft.by_kind("commitment") if "nursery" in c.quote)
    assert any(
        r.fields == {"body": f"{BASE}/organisation/nhse", "role": "funder", "subject": nursery}
        for r in draft.by_kind("responsibility")
    )


def test_pdf_wrapped_lines_are_joined_but_tables_and_items_are_not(tmp_path):
    """A sentence wrapped across PDF lines reads as one line; list items and table rows keep their lines."""
    long = (
        "The college would deliver the teaching of the new apprentices at both of its campuses and the trust "
        "would fund the salaries of every apprentice for the whole of the three years of the course."
    )
    path = write(
        tmp_path,
        "wrapped.pdf",
        pdf_bytes([long, "(a) the report be noted;", "(b) the plan be approved;", "Commitment\tOverall\tImpact"]),
    )
    text = read_text(path)
    assert long in text
    assert "\n(a) the report be noted;\n(b) the plan be approved;" in text


def test_turtle_without_the_graph_has_the_same_triples(tmp_path, graph):
    """``Draft.turtle()`` writes the triples straight to Oxigraph when the rdflib graph was not built: the
    same triples as ``Draft.graph``."""
    from rdflib.compare import graph_diff, to_isomorphic

    path = write(tmp_path, "response.txt", GOVT_RESPONSE)
    draft = ingest(path, "test-turtle", date="2024-05-01", publisher="dhsc", graph=graph)
    fast = Graph().parse(data=draft.turtle(), format="turtle")
    _, only_fast, only_graph = graph_diff(to_isomorphic(fast), to_isomorphic(draft.graph))
    assert len(fast) == len(draft.graph) > 100 and not len(only_fast) and not len(only_graph)
