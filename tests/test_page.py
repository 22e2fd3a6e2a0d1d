"""The query page: its routes through the test client, and the page itself in headless Chromium."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, quote, urlparse

import pytest
from fastapi.testclient import TestClient

from conftest import ARTIFACTS
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

    # Run: the table shows the expected rows, IRIs under our base linked to local paths.
    page.click("#run")
    page.wait_for_selector("#results-table tbody tr")
    expected = queries.expected(question)
    names = expected["head"]["vars"]
    assert page.locator("#results-table thead th").all_text_contents() == names
    want = [[expected_cell(b.get(n), kg.base) for n in names] for b in expected["results"]["bindings"]]
    assert table_cells(page) == want
    assert want[0][0]["href"] == "/def/rating/inadequate"
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
    page.click("#run")
    page.wait_for_selector("#results-table tbody tr")
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
