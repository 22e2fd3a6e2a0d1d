"""The query page: its routes through the test client, and the page itself in headless Chromium."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs, quote, urlparse

import pytest
from fastapi.testclient import TestClient

from conftest import ARTIFACTS, screenshot
from workforce_kg import cq as queries
from workforce_kg.config import Settings
from workforce_kg.web.app import create_app
from workforce_kg.web.routes import pages

CQ07 = "cq07_rating_scale"
SUCCESSOR = "SELECT ?successor WHERE { body:hee wkg:successor ?successor }"


@pytest.fixture(scope="module")
def client(kg, tmp_path_factory):
    with TestClient(create_app(Settings(store=tmp_path_factory.mktemp("s")), kg)) as c:
        yield c


def cq(name: str) -> queries.CompetencyQuestion:
    return next(q for q in queries.load() if q.name == name)


# -- Routes ---------------------------------------------------------------------------------


def test_page_carries_prefixes_and_base(client, kg):
    r = client.get("/query")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    blob = re.search(r'<script id="kg-config" type="application/json">(.*?)</script>', r.text, re.S).group(1)
    config = json.loads(blob)
    assert config["base"] == kg.base
    assert config["prefixes"] == kg.prefixes
    for prefix, ns in kg.prefixes.items():
        assert re.search(rf"^PREFIX {prefix}:\s+<{re.escape(ns)}>$", config["initialQuery"], re.M), prefix


def test_initial_query_runs(kg):
    rows = kg.rows(pages.initial_query(kg.prefixes))
    assert rows and {"commitment", "label", "body", "role"} <= rows[0].keys()


def test_page_loads_nothing_from_elsewhere(client):
    html = client.get("/query").text
    # what the page loads (scripts, stylesheets, images): from this server only
    refs = re.findall(r'<(?:script|link|img)\b[^>]*\b(?:src|href)="([^"]*)"', html)
    assert refs, "the page references its assets"
    for ref in refs:
        assert ref.startswith(("/", "data:")), ref
    for ref in refs:
        if ref.startswith("/static/"):
            assert client.get(ref).status_code == 200, f"{ref} is not served (cd web && npm ci?)"


def test_examples_are_the_competency_questions(client):
    r = client.get("/api/examples")
    assert r.status_code == 200
    got = r.json()
    expected = queries.load()
    assert len(expected) >= 40
    assert [e["name"] for e in got] == [q.name for q in expected]
    cq07 = next(e for e in got if e["name"] == CQ07)
    assert cq07["question"].startswith("What is the Expert Panel's rating scale")
    assert cq07["sparql"] == cq(CQ07).sparql


@pytest.mark.parametrize(
    "path, media",
    [
        ("/static/query.js", "text/javascript"),
        ("/static/query.css", "text/css"),
        ("/static/base.css", "text/css"),
        ("/static/vendor/yasqe.min.js", "text/javascript"),
        ("/static/vendor/yasqe.min.css", "text/css"),
        ("/static/vendor/d3.min.js", "text/javascript"),
        ("/static/vendor/plot.umd.min.js", "text/javascript"),
        ("/static/vendor/cytoscape.min.js", "text/javascript"),
    ],
)
def test_static_files(client, path, media):
    r = client.get(path)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(media)
    assert len(r.content) > 500


@pytest.mark.parametrize(
    "path",
    [
        "/static/query.html",  # the page template is not an asset
        "/static/pages.py",
        "/static/..%2Fpages.py",
        "/static/%2e%2e/pages.py",
        "/static/vendor/package.json",
        "/static/vendor/..%2F..%2Fpackage.json",
        "/static/vendor/@zazuko/yasqe/build/yasqe.min.js",
    ],
)
def test_only_listed_files_are_served(client, path):
    r = client.get(path)
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/json"  # a JSON message, never the file


def test_missing_npm_install_is_a_clear_404(client, monkeypatch, tmp_path):
    monkeypatch.setattr(pages, "NODE_MODULES", tmp_path)
    r = client.get("/static/vendor/yasqe.min.js")
    assert r.status_code == 404
    assert "npm ci" in r.json()["error"]


# -- In the browser --------------------------------------------------------------------------


def editor_text(page) -> str:
    return page.evaluate("document.querySelector('.CodeMirror').CodeMirror.getValue()")


def table_cells(page) -> list[list[dict]]:
    """Every row of the results table: per cell the link's href, the literal's value and its language tag."""
    return page.evaluate(
        """() => [...document.querySelectorAll('#results-table tbody tr')].map(tr =>
            [...tr.cells].map(td => ({
                href: td.querySelector('a') ? td.querySelector('a').getAttribute('href') : null,
                value: td.querySelector('.value') ? td.querySelector('.value').textContent : null,
                lang: td.querySelector('.lang') ? td.querySelector('.lang').textContent : null,
            })))"""
    )


def expected_cell(term: dict | None, base: str) -> dict:
    if term is None:
        return {"href": None, "value": None, "lang": None}
    if term["type"] == "uri":
        href = term["value"][len(base) :] if term["value"].startswith(base + "/") else term["value"]
        return {"href": href, "value": None, "lang": None}
    lang = "@" + term["xml:lang"] if "xml:lang" in term else None
    return {"href": None, "value": term["value"], "lang": lang}


@pytest.mark.browser
def test_page_flow_example_run_download(page, live_server, kg, tmp_path):
    page.goto(live_server.url + "/query")
    # The editor is YASQE with syntax highlighting, and starts with every prefix declared.
    page.wait_for_selector(".CodeMirror .cm-keyword")
    text = editor_text(page)
    for prefix, ns in kg.prefixes.items():
        assert f"<{ns}>" in text and re.search(rf"^PREFIX {prefix}:", text, re.M), prefix

    # The example library lists every question; the search narrows it to the rating scale.
    page.wait_for_selector("button.example")
    assert page.locator("button.example").count() == len(queries.load())
    page.fill("#example-search", "rating scale worst")
    assert page.locator("button.example").count() == 1
    assert "1 of" in page.text_content("#example-count")
    page.click(f"button.example[data-name={CQ07}]")
    question = cq(CQ07)
    assert editor_text(page) == question.sparql

    # Run: the table shows the expected rows, IRIs under our base linked to local paths; the label
    # column ?valueLabel is folded into ?value as its link text (label first).
    page.click("#run")
    page.wait_for_selector("#results-table tbody tr")
    expected = queries.expected(question)
    names = expected["head"]["vars"]
    shown = [n for n in names if n != "valueLabel"]
    assert page.locator("#results-table thead th").all_text_contents() == shown
    bindings = expected["results"]["bindings"]
    want = [[expected_cell(b.get(n), kg.base) for n in shown] for b in bindings]
    assert table_cells(page) == want
    assert want[0][0]["href"] == "/def/rating/inadequate"
    links = page.locator("#results-table tbody tr td:first-child a").all_text_contents()
    assert links == [b["valueLabel"]["value"] for b in bindings]
    assert "4 rows" in page.text_content("#status")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "query-page.png"), full_page=True)

    # Downloads: CSV and SPARQL JSON of the same query.
    with page.expect_download() as dl:
        page.click("#download-csv")
    assert dl.value.suggested_filename == "results.csv"
    rows = list(csv.reader(io.StringIO(Path(dl.value.path()).read_text(encoding="utf-8"))))
    assert rows[0] == names
    assert rows[1:] == [[b[n]["value"] if n in b else "" for n in names] for b in expected["results"]["bindings"]]
    with page.expect_download() as dl:
        page.click("#download-json")
    assert dl.value.suggested_filename == "results.json"
    got = json.loads(Path(dl.value.path()).read_text(encoding="utf-8"))
    assert queries.normalise(got, ordered=True) == queries.normalise(expected, ordered=True)


@pytest.mark.browser
def test_shareable_url_reopens_the_query(page, live_server):
    question = cq(CQ07)
    page.goto(live_server.url + "/query")
    page.wait_for_selector("button.example")
    page.click(f"button.example[data-name={CQ07}]")
    page.click("#share")
    shared = page.input_value("#share-url")
    assert urlparse(shared).path == "/query"
    assert parse_qs(urlparse(shared).query)["query"] == [question.sparql]
    assert parse_qs(urlparse(page.url).query)["query"] == [question.sparql]  # the address bar too

    page.goto("about:blank")
    page.goto(shared)
    page.wait_for_selector(".CodeMirror")
    assert editor_text(page) == question.sparql
    page.wait_for_selector("#results-table tbody tr")  # a shared link runs its query: no click on Run
    assert page.locator("#results-table tbody tr").count() == len(queries.expected(question)["results"]["bindings"])

    page.goto(live_server.url + "/query#query=" + quote(SUCCESSOR))
    page.wait_for_selector(".CodeMirror")
    assert editor_text(page) == SUCCESSOR


@pytest.mark.browser
def test_result_link_opens_the_entity_page(page, live_server):
    page.goto(live_server.url + "/query?query=" + quote(SUCCESSOR))
    page.wait_for_selector(".CodeMirror")
    page.click("#run")
    link = page.locator("#results-table tbody a").first
    link.wait_for()
    assert link.get_attribute("href") == "/id/organisation/nhse"
    assert link.text_content() == "body:nhse"
    with page.expect_navigation():
        link.click()
    page.wait_for_load_state()
    # /id/ is the thing; browsers are sent (303) to the page about it under /doc/
    assert page.url == live_server.url + "/doc/organisation/nhse"
    assert "NHS England" in page.text_content("h1")


@pytest.mark.browser
def test_query_errors_are_shown(page, live_server):
    page.goto(live_server.url + "/query?query=" + quote("SELEC ?x WHERE {}"))
    page.wait_for_selector(".CodeMirror")
    page.click("#run")
    page.wait_for_selector("#status.error")
    assert "400" in page.text_content("#status")
    assert page.locator("#results-table").count() == 0
    assert page.is_disabled("#download-csv") and page.is_disabled("#download-json")


# -- the Content-Security-Policy breaks nothing, and non-http IRIs are never links ----------------

RECORD_CSP = """document.addEventListener("securitypolicyviolation", function (e) {
  (window.__csp = window.__csp || []).push(e.violatedDirective + " " + e.blockedURI);
});"""


@pytest.mark.browser
@pytest.mark.parametrize(
    "path, ready",
    [
        ("/", "main"),
        ("/query", ".CodeMirror"),
        ("/query?view=chart&query=" + quote("SELECT ?n WHERE { VALUES ?n { 1 2 } }"), "#results-chart"),
        ("/query?view=graph&query=" + quote(SUCCESSOR), "#result-graph[data-state=ready]"),
        ("/doc/organisation/nhse", "h1"),
        ("/graph?focus=nhse", "#cy[data-state=ready]"),
        ("/matrix", "table"),
        ("/ontology", "body"),
        ("/docs", ".swagger-ui .info .title"),
        ("/redoc", "#redoc h1"),
        ("/prefixes", "table.prefixes"),
    ],
)
def test_pages_work_under_the_csp(page, live_server, path, ready):
    """Each page loads and works with no CSP violation (the fixture also fails on any console error)."""
    page.add_init_script(RECORD_CSP)
    response = page.goto(live_server.url + path)
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector(ready, timeout=20_000)
    page.wait_for_timeout(300)
    assert page.evaluate("window.__csp || []") == []


@pytest.mark.browser
def test_result_iris_that_are_not_http_are_not_links(page, live_server):
    query = (
        "SELECT ?x WHERE { VALUES ?x { <javascript:alert(1)> <JAVASCRIPT:alert(2)> <data:text/html,x> "
        "<https://example.org/a> } }"
    )
    page.goto(live_server.url + "/query?query=" + quote(query))
    page.wait_for_selector(".CodeMirror")
    page.click("#run")
    page.wait_for_selector("#results-table tbody tr")
    hrefs = page.eval_on_selector_all("#results-table tbody a", "els => els.map(e => e.getAttribute('href'))")
    assert hrefs == ["https://example.org/a"]
    texts = page.eval_on_selector_all("#results-table tbody span.iri", "els => els.map(e => e.title)")
    assert texts == ["javascript:alert(1)", "JAVASCRIPT:alert(2)", "data:text/html,x"]


# -- Result views: table (label first, money, sorting), bar chart, graph; shared links; Back ---------


def shared(live_server, query: str, view: str | None = None) -> str:
    return live_server.url + "/query?query=" + quote(query) + (f"&view={view}" if view else "")


def column_texts(page, col: int) -> list[str]:
    return page.eval_on_selector_all(
        f"#results-table tbody tr td:nth-child({col})", "tds => tds.map(td => td.textContent)"
    )


def header_index(page, name: str) -> int:
    names = page.eval_on_selector_all("#results-table thead th button", "bs => bs.map(b => b.dataset.col)")
    return names.index(name) + 1


def as_pounds(value: str) -> str:
    """What Intl.NumberFormat('en-GB', GBP) shows: pence only when there are some."""
    d = Decimal(value)
    return f"£{d:,.0f}" if d == d.to_integral_value() else f"£{d:,.2f}"


@pytest.mark.browser
def test_table_labels_first_links_iris_and_formats_money(page, live_server, kg):
    question = cq("cq16_funding_by_amount")
    bindings = queries.expected(question)["results"]["bindings"]
    page.goto(shared(live_server, question.sparql))
    page.wait_for_selector("#results-table tbody tr")
    heads = page.locator("#results-table thead th").all_text_contents()
    assert heads == [v for v in queries.expected(question)["head"]["vars"] if v != "fundingLabel"]
    assert page.get_attribute("#views button[data-view=table]", "aria-pressed") == "true"
    # ?funding shows its ?fundingLabel, linked to the funding's page
    links = page.eval_on_selector_all(
        "#results-table tbody tr td:first-child a", "as => as.map(a => [a.textContent, a.getAttribute('href')])"
    )
    assert links == [[b["fundingLabel"]["value"], b["funding"]["value"][len(kg.base) :]] for b in bindings]
    # ?amount (decimal, a money name, currency GBP) as pounds; the raw value stays in the title
    amounts = column_texts(page, header_index(page, "amount"))
    assert amounts == [as_pounds(b["amount"]["value"]) for b in bindings]
    assert amounts[0].startswith("£") and "," in amounts[0]
    screenshot(page, "query-table")

    # a count next to a money column is not money: cq17's ?fundings stays a number, ?totalAmount is £
    question = cq("cq17_one_off_totals_by_funder")
    bindings = queries.expected(question)["results"]["bindings"]
    page.goto(shared(live_server, question.sparql))
    page.wait_for_selector("#results-table tbody tr")
    assert column_texts(page, header_index(page, "fundings")) == [b["fundings"]["value"] for b in bindings]
    totals = column_texts(page, header_index(page, "totalAmount"))
    assert totals == [as_pounds(b["totalAmount"]["value"]) for b in bindings]

    # a ?value is money when its row's unit is pounds sterling (cq23: figures of several units)
    question = cq("cq23_figures_evidencing_commitments")
    bindings = queries.expected(question)["results"]["bindings"]
    assert {b["unitLabel"]["value"] for b in bindings if "unitLabel" in b} > {"Pounds sterling"}
    page.goto(shared(live_server, question.sparql))
    page.wait_for_selector("#results-table tbody tr")
    values = column_texts(page, header_index(page, "value"))
    want = [
        as_pounds(b["value"]["value"])
        if b.get("unitLabel", {}).get("value") == "Pounds sterling"
        else b["value"]["value"]
        for b in bindings
    ]
    assert values == want and any(v.startswith("£") for v in values)

    # the row's ?currency, when it is a currency code, wins over GBP
    query = 'SELECT ?amount ?currency WHERE { VALUES (?amount ?currency) { (12.5 "EUR") (7 UNDEF) } }'
    page.goto(shared(live_server, query))
    page.wait_for_selector("#results-table tbody tr")
    assert column_texts(page, 1) == ["€12.50", "£7"]


@pytest.mark.browser
def test_table_sorts_numbers_numerically_and_iris_by_label(page, live_server):
    question = cq("cq10_bodies_ranked_by_responsibilities")
    bindings = queries.expected(question)["results"]["bindings"]
    counts = [int(b["responsibilities"]["value"]) for b in bindings]
    # the data can tell numeric from text sorting apart
    assert sorted(counts) != sorted(counts, key=str)
    page.goto(shared(live_server, question.sparql))
    page.wait_for_selector("#results-table tbody tr")

    col = header_index(page, "responsibilities")
    header = page.locator("#results-table thead th").nth(col - 1)
    assert header.get_attribute("aria-sort") is None
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "ascending"
    assert [int(t) for t in column_texts(page, col)] == sorted(counts)
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "descending"
    assert [int(t) for t in column_texts(page, col)] == sorted(counts, reverse=True)
    # the header keeps the keyboard focus after sorting
    assert page.evaluate("document.activeElement.dataset.col") == "responsibilities"

    # ?body is sorted by the label it shows (?bodyLabel), not by its IRI
    body = page.locator("#results-table thead th").nth(header_index(page, "body") - 1)
    body.locator("button").click()
    assert body.get_attribute("aria-sort") == "ascending"
    assert header.get_attribute("aria-sort") is None
    labels = [b["bodyLabel"]["value"] for b in bindings]
    by_iri = [b["bodyLabel"]["value"] for b in sorted(bindings, key=lambda b: b["body"]["value"])]
    shown = column_texts(page, header_index(page, "body"))
    assert shown == sorted(labels, key=str.casefold)
    assert shown != by_iri


@pytest.mark.browser
def test_shared_link_opens_the_bar_chart_one_bar_per_row(page, live_server):
    question = cq("cq17_one_off_totals_by_funder")
    bindings = queries.expected(question)["results"]["bindings"]
    page.goto(shared(live_server, question.sparql, "chart"))  # no click on Run
    page.wait_for_selector("#results-chart")
    assert page.get_attribute("#views button[data-view=chart]", "aria-pressed") == "true"
    assert page.get_attribute("#views button[data-view=table]", "aria-pressed") == "false"
    bars = page.locator("#results-chart g[aria-label=bar] rect")
    assert bars.count() == len(bindings)
    # the SVG says what it shows; the first label-ish column names the bars, the first number is their length
    assert "Bar chart of fundings for each funder" in page.get_attribute("#results-chart", "aria-label")
    assert page.locator("#results-chart > title").text_content().startswith("Bar chart of fundings")
    assert page.input_value("#chart-category") == "funder"
    ticks = page.eval_on_selector_all(
        "#results-chart g[aria-label='y-axis tick label'] text", "ts => ts.map(t => t.textContent)"
    )
    # a funder appears once per recurrence: the next text column tells its bars apart
    names = [f"{b['funderLabel']['value']} · {b['recurrenceLabel']['value']}" for b in bindings]
    assert len(ticks) == len(names)
    for tick, name in zip(ticks, names, strict=True):  # long names are cut with an ellipsis
        assert tick == name or (tick.endswith("…") and name.startswith(tick[:-1])), (tick, name)

    # choosing the value column redraws: bar lengths in proportion to the amounts
    page.select_option("#chart-value", "totalAmount")
    page.wait_for_selector("#results-chart[aria-label*=totalAmount]")
    widths = page.eval_on_selector_all(
        "#results-chart g[aria-label=bar] rect", "rs => rs.map(r => r.getBoundingClientRect().width)"
    )
    amounts = [float(b["totalAmount"]["value"]) for b in bindings]
    assert len(widths) == len(amounts)
    biggest = max(range(len(amounts)), key=amounts.__getitem__)
    for width, amount in zip(widths, amounts, strict=True):
        assert width / widths[biggest] == pytest.approx(amount / amounts[biggest], abs=0.02)
    assert "£" in page.text_content("#results-chart g[aria-label='x-axis tick label']")
    screenshot(page, "query-chart")

    # "Copy link" shares the view too
    page.click("#share")
    link = urlparse(page.input_value("#share-url"))
    assert parse_qs(link.query) == {"query": [question.sparql], "view": ["chart"]}

    # the table stays one click away, and the address follows the view
    page.click("#views button[data-view=table]")
    page.wait_for_selector("#results-table tbody tr")
    assert page.locator("#results-table tbody tr").count() == len(bindings)
    assert "view" not in parse_qs(urlparse(page.url).query)


@pytest.mark.browser
def test_graph_view_draws_the_distinct_iris(page, live_server):
    question = cq("cq13_collective_actor_responsibilities")
    bindings = queries.expected(question)["results"]["bindings"]
    iris = {t["value"] for b in bindings for t in b.values() if t["type"] == "uri"}
    pairs = {(b["actor"]["value"], b["subject"]["value"]) for b in bindings}
    page.goto(shared(live_server, question.sparql))
    page.wait_for_selector("#results-table tbody tr")
    page.click("#views button[data-view=graph]")
    page.wait_for_selector("#result-graph[data-state=ready]")
    assert parse_qs(urlparse(page.url).query)["view"] == ["graph"]
    assert int(page.get_attribute("#result-graph", "data-nodes")) == len(iris)
    assert int(page.get_attribute("#result-graph", "data-edges")) == len(pairs)  # actor → subject
    assert page.get_attribute("#result-graph", "role") == "img"
    screenshot(page, "query-graph")

    # ?s ?p ?o results: one edge per row, the predicate its label, never a node
    query = "SELECT ?s ?p ?o WHERE { BIND(body:hee AS ?s) ?s ?p ?o FILTER(isIRI(?o)) }"
    rows = [r for r in post_select(live_server, query)]
    assert rows
    page.goto(shared(live_server, query, "graph"))
    page.wait_for_selector("#result-graph[data-state=ready]")
    nodes = {r["s"]["value"] for r in rows} | {r["o"]["value"] for r in rows}
    assert int(page.get_attribute("#result-graph", "data-nodes")) == len(nodes)
    assert int(page.get_attribute("#result-graph", "data-edges")) == len(rows)


def post_select(live_server, query: str) -> list[dict]:
    import urllib.parse
    import urllib.request

    request = urllib.request.Request(
        live_server.url + "/sparql",
        data=urllib.parse.urlencode({"query": query}).encode(),
        headers={"Accept": "application/sparql-results+json"},
    )
    with urllib.request.urlopen(request, timeout=30) as r:
        return json.load(r)["results"]["bindings"]


@pytest.mark.browser
def test_back_shows_the_previous_query_and_its_results(page, live_server):
    a, b = cq(CQ07), cq("cq38_five_pillars")
    rows_a = len(queries.expected(a)["results"]["bindings"])
    rows_b = len(queries.expected(b)["results"]["bindings"])
    assert rows_a != rows_b
    page.goto(live_server.url + "/query")
    page.wait_for_selector("button.example")
    page.click(f"button.example[data-name={CQ07}]")
    page.click("#run")
    page.wait_for_selector(f"#status >> text={rows_a} rows")
    page.click("button.example[data-name=cq38_five_pillars]")
    page.click("#run")
    page.wait_for_selector(f"#status >> text={rows_b} rows")
    assert page.locator("#results-table tbody tr").count() == rows_b

    page.go_back()
    page.wait_for_function("q => document.querySelector('.CodeMirror').CodeMirror.getValue() === q", arg=a.sparql)
    page.wait_for_selector(f"#status >> text={rows_a} rows")
    assert page.locator("#results-table tbody tr").count() == rows_a
    assert parse_qs(urlparse(page.url).query)["query"] == [a.sparql]
    page.go_forward()
    page.wait_for_selector(f"#status >> text={rows_b} rows")
    assert editor_text(page) == b.sparql
    assert page.locator("#results-table tbody tr").count() == rows_b

    # to an entity page and Back: still B's results (from the back/forward cache, or run again)
    with page.expect_navigation():
        page.locator("#results-table tbody a").first.click()
    page.go_back()
    page.wait_for_selector("#results-table tbody tr")
    assert editor_text(page) == b.sparql
    assert page.locator("#results-table tbody tr").count() == rows_b


@pytest.mark.browser
@pytest.mark.parametrize("view, ready", [("table", "#results-table tbody tr"), ("chart", "#results-chart")])
def test_result_views_fit_a_phone(page, live_server, view, ready):
    """At 390 px the views wrap and the table scrolls inside its wrapper: the page itself never scrolls sideways."""
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(shared(live_server, cq("cq16_funding_by_amount").sparql, view))
    page.wait_for_selector(ready)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box = page.locator("#views").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390


HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.mark.browser
@pytest.mark.parametrize("view, ready", [("table", "#results-table"), ("chart", "#results-chart")])
def test_labels_are_text_in_every_view(page, live_server, view, ready):
    """A label that looks like markup is shown as text: no element is made from it in any view."""
    query = f'SELECT ?x ?xLabel ?n WHERE {{ VALUES (?x ?xLabel ?n) {{ (<https://example.org/a> "{HOSTILE}" 3) }} }}'
    page.goto(shared(live_server, query, view))
    page.wait_for_selector(ready)
    assert page.locator("#results img").count() == 0
    assert HOSTILE in page.text_content("#results")


@pytest.mark.browser
def test_rating_values_in_results_take_the_palette(page, live_server, kg):
    """Rating values in the results table are coloured as on every page (ratings.css, by rank)."""
    from workforce_kg.rdf.scale import concept_class

    query = "SELECT ?rating ?value WHERE { ?rating wkg:ratingValue ?value } ORDER BY ?rating"
    rows = kg.rows(query)
    page.goto(shared(live_server, query))
    page.wait_for_selector("#results-table tbody tr")
    chips = page.locator("#results-table tbody td span.rating")
    assert chips.count() == len(rows)
    shown = chips.evaluate_all("els => els.map(e => [e.className, e.querySelector('a').title])")
    for (css, title), row in zip(shown, rows, strict=True):
        assert css == concept_class(kg, row["value"]) and title.endswith(row["value"])
    colours = set(chips.evaluate_all("els => els.map(e => getComputedStyle(e).backgroundColor)"))
    assert len(colours) == len({css for css, _ in shown}) > 1  # one colour per rank, not the page's
    assert not page.locator("#results-table tbody td:first-child span.rating").count()  # ratings themselves: plain


@pytest.mark.browser
def test_money_that_is_not_a_finite_number_is_shown_as_stored(page, live_server):
    query = 'SELECT ?amount WHERE { VALUES ?amount { "INF"^^xsd:double "NaN"^^xsd:double 1500 } }'
    page.goto(shared(live_server, query))
    page.wait_for_selector("#results-table tbody tr")
    cells = page.locator("#results-table tbody td").all_text_contents()
    assert sorted(cells) == sorted(["INF", "NaN", "£1,500"]), cells
