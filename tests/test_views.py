"""The graph view, matrix and gaps pages: routes through the test client, then the pages in headless Chromium."""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlparse

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from conftest import ARTIFACTS
from workforce_kg.analysis import accountability as acc
from workforce_kg.analysis import export as exports
from workforce_kg.config import Settings
from workforce_kg.store.kg import KnowledgeGraph
from workforce_kg.web.app import create_app

LICENCE = "https://creativecommons.org/licenses/by/4.0/"
NAV = {
    "Home": "/",
    "Query": "/query",
    "Ratings": "/ratings",
    "Graph": "/graph",
    "Matrix": "/matrix",
    "Gaps": "/gaps",
    "Ontology": "/ontology",
    "API": "/docs",
}


@pytest.fixture(scope="module")
def client(kg, tmp_path_factory):
    with TestClient(create_app(Settings(store=tmp_path_factory.mktemp("s")), kg)) as c:
        yield c


class Table(HTMLParser):
    """The rows of the first ``<table>``: per cell its tag, text, first link and class."""

    def __init__(self, html: str):
        super().__init__()
        self.rows: list[list[dict]] = []
        self.cell: dict | None = None
        self.depth = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.depth += 1
        elif self.depth == 1 and tag == "tr":
            self.rows.append([])
        elif self.depth == 1 and tag in ("td", "th"):
            self.cell = {"tag": tag, "text": "", "href": None, "class": attrs.get("class") or ""}
            self.rows[-1].append(self.cell)
        elif tag == "a" and self.cell is not None and self.cell["href"] is None:
            self.cell["href"] = attrs.get("href")

    def handle_endtag(self, tag):
        if tag == "table":
            self.depth += 10  # only the first table
        elif tag in ("td", "th"):
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell["text"] += data


def config_of(html: str) -> dict:
    blob = re.search(r'<script id="view-config" type="application/json">(.*?)</script>', html, re.S).group(1)
    return json.loads(blob)


def nav_of(html: str) -> dict[str, str]:
    nav = re.search(r'<nav aria-label="Site">(.*?)</nav>', html, re.S).group(1)
    return {text: href for href, text in re.findall(r'<a href="([^"]*)"[^>]*>([^<]*)</a>', nav)}


# -- graph view --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "focus",
    [
        "cmt:nurses-50k",
        "commitment/nurses-50k",
        "nurses-50k",
        "https://w3id.org/workforce-kg/id/commitment/nurses-50k",
        "50,000 more nurses",
    ],
)
def test_graph_page_for_a_known_entity(client, kg, focus):
    r = client.get("/graph", params={"focus": focus})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in r.headers["content-security-policy"]
    config = config_of(r.text)
    assert config["focus"] == {
        "iri": f"{kg.base}/id/commitment/nurses-50k",
        "label": "50,000 more nurses",
        "type": "commitment",
        "node": "commitment_nurses_50k",
    }
    assert config["depth"] == 1 and config["base"] == kg.base
    g = exports.subgraph(kg, focus="cmt:nurses-50k", depth=1)
    assert f"{g.number_of_nodes()} nodes, {g.number_of_edges()} edges" in r.text
    assert '<script src="/static/vendor/cytoscape.min.js"></script>' in r.text
    assert 'href="/doc/commitment/nurses-50k">entity page</a>' in r.text
    for t in ("body", "commitment", "programme", "funding", "figure"):
        assert f'<li data-type="{t}">' in r.text  # the legend


def test_graph_page_keeps_the_filters(client, kg):
    r = client.get("/graph?focus=body:hee&depth=2&roles=lead&roles=partner&jurisdiction=england")
    assert r.status_code == 200
    config = config_of(r.text)
    assert (config["depth"], config["roles"], config["jurisdiction"]) == (2, ["lead", "partner"], "england")
    assert '<option value="2" selected>' in r.text and '<option value="england" selected>' in r.text
    assert 'value="lead" checked' in r.text and 'value="partner" checked' in r.text
    assert 'value="accountable" checked' not in r.text
    g = exports.subgraph(kg, focus="body:hee", depth=2, roles=["lead", "partner"], jurisdiction="england")
    assert f"{g.number_of_nodes()} nodes, {g.number_of_edges()} edges" in r.text
    # the download links export the same view
    graphml = re.search(r'data-format="graphml" href="([^"]*)"', r.text).group(1).replace("&amp;", "&")
    assert parse_qs(urlparse(graphml).query) == {
        "focus": [f"{kg.base}/id/organisation/hee"],
        "depth": ["2"],
        "roles": ["lead", "partner"],
        "jurisdiction": ["england"],
    }
    assert client.get(graphml).status_code == 200


def test_graph_page_without_focus_offers_examples(client):
    r = client.get("/graph")
    assert r.status_code == 200
    assert 'id="view-config"' not in r.text and "cytoscape" not in r.text
    for href in re.findall(r'href="(/graph\?focus=[^"]*)"', r.text):
        assert client.get(href.replace("&amp;", "&")).status_code == 200


def test_unknown_focus_is_a_404_page_with_suggestions(client, kg):
    r = client.get("/graph", params={"focus": "nurses"})
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "No entity &#39;nurses&#39; in the accountability network." in r.text
    suggestions = re.findall(r'<ul class="suggestions">(.*?)</ul>', r.text, re.S)[0]
    hrefs = re.findall(r'href="([^"]*)"', suggestions)
    assert hrefs and all(client.get(h.replace("&amp;", "&")).status_code == 200 for h in hrefs)
    r = client.get("/graph", params={"focus": "no-such-thing"})
    assert r.status_code == 404 and 'role="alert"' in r.text and "view-config" not in r.text
    # the JSON endpoint the page draws from
    r = client.get("/api/export/cytoscape", params={"focus": "no-such-thing"})
    assert r.status_code == 422 and r.json()["field"] == "focus"


@pytest.mark.parametrize(
    "query, needle",
    [
        ("depth=9", "depth must be between 0 and 6"),
        ("depth=one", "depth must be a whole number"),
        ("roles=boss", "unknown roles &#39;boss&#39;"),
        ("jurisdiction=mars", "unknown jurisdiction &#39;mars&#39;"),
    ],
)
def test_bad_filters_are_a_422_page(client, query, needle):
    r = client.get(f"/graph?focus=body:hee&{query}")
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    assert needle in r.text


# -- matrix ------------------------------------------------------------------------------------------


def test_matrix_page_has_every_body_and_commitment(client, kg):
    r = client.get("/matrix")
    assert r.status_code == 200
    rows = Table(r.text).rows
    header, body = rows[0], rows[1:]
    m = acc.matrix(kg)
    holders = {c["body"] for c in m["cells"]}  # the rows: every body holding a role for a commitment
    assert len(body) == len(holders) > 25
    assert len(header) - 1 == len(m["columns"]) >= 130
    assert [c["href"] for c in header[1:]] == [f"/doc/commitment/{c['id']}" for c in m["columns"]]
    rows_expected = [f"/doc/organisation/{b['id']}" for b in m["bodies"] if b["id"] in holders]
    assert [row[0]["href"] for row in body] == rows_expected
    col = [c["text"] for c in header].index("50,000 more nurses")
    dhsc = next(row for row in body if row[0]["text"] == "Department of Health and Social Care")
    assert dhsc[col]["text"] == "A" and dhsc[col]["class"] == "role"  # A: the abbreviation of Accountable
    filled = sum(1 for row in body for c in row[1:] if c["text"])
    assert filled == len(m["cells"])


def test_matrix_page_of_programmes_and_downloads(client, kg):
    r = client.get("/matrix?of=programmes")
    assert r.status_code == 200
    header = Table(r.text).rows[0]
    assert len(header) - 1 == len(acc.matrix(kg, "programmes")["columns"])
    assert header[1]["href"].startswith("/doc/programme/")
    csv_href = re.search(r'<a id="csv" href="([^"]*)"', r.text).group(1).replace("&amp;", "&")
    download = client.get(csv_href)
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    grid = list(csv.reader(io.StringIO(download.text)))
    assert grid[0][2:] == [h["href"].rsplit("/", 1)[1] for h in header[1:]]


def test_bad_matrix_is_a_422_page(client):
    r = client.get("/matrix?of=bodies")
    assert r.status_code == 422 and "of must be" in r.text


# -- gaps --------------------------------------------------------------------------------------------


def test_gaps_page_lists_every_gap(client, kg):
    r = client.get("/gaps")
    assert r.status_code == 200
    gaps = acc.gaps(kg)
    assert len(gaps) >= 4
    for key, gap in gaps.items():
        section = re.search(rf'<section id="{key}".*?</section>', r.text, re.S).group(0)
        assert f'<span class="count">{gap["count"]}</span>' in section
        hrefs = re.findall(r'<li><a href="([^"]*)"', section)
        assert hrefs == [f"/doc/{acc.KINDS[i['type']]}/{i['id']}" for i in gap["items"]]
    assert gaps["commitments_without_accountable_body"]["count"] > 0


# -- shared ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, current",
    [("/graph?focus=body:hee", "Graph"), ("/matrix", "Matrix"), ("/gaps", "Gaps"), ("/ratings", "Ratings")],
)
def test_pages_share_the_nav_and_load_only_local_files(client, path, current):
    html = client.get(path).text
    assert nav_of(html) == NAV
    assert f'<a href="{NAV[current]}" aria-current="page">{current}</a>' in html
    assert f'<a rel="license" href="{LICENCE}">' in html  # the shell's footer: the data's licence
    refs = [r for r in re.findall(r'(?:src|href)="([^"]*)"', html) if r != LICENCE]
    assert all(ref.startswith(("/", "data:", "#")) for ref in refs), [r for r in refs if not r.startswith("/")]
    for ref in {r for r in refs if r.startswith("/static/")}:
        assert client.get(ref).status_code == 200, ref


@pytest.mark.parametrize("start", ["/", "/query"])
def test_home_and_query_page_link_the_views(client, start):
    html = client.get(start).text
    for path in ("/query", "/graph", "/matrix", "/gaps"):
        assert f'href="{path}"' in html


@pytest.mark.parametrize(
    "path, media",
    [
        ("/static/vendor/cytoscape.min.js", "text/javascript"),
        ("/static/graph.js", "text/javascript"),
        ("/static/matrix.js", "text/javascript"),
        ("/static/views.css", "text/css"),
    ],
)
def test_view_assets_are_served(client, path, media):
    r = client.get(path)
    assert r.status_code == 200 and r.headers["content-type"].startswith(media)


def test_labels_are_escaped(tmp_path):
    base = "http://example.org/kg"
    wkg, skos = f"{base}/def/", "http://www.w3.org/2004/02/skos/core#"
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    body, cmt, resp = (ox.NamedNode(f"{base}/id/{k}/evil") for k in ("organisation", "commitment", "responsibility"))
    label = ox.NamedNode(skos + "prefLabel")
    store = ox.Store()
    store.extend(
        ox.Quad(s, p, o, ox.NamedNode(f"{base}/graph/test"))
        for s, p, o in [
            (body, rdf_type, ox.NamedNode("http://www.w3.org/ns/org#Organization")),
            (body, label, ox.Literal("<script>alert('body')</script>", language="en")),
            (cmt, rdf_type, ox.NamedNode(wkg + "Commitment")),
            (cmt, label, ox.Literal('"><img src=x onerror=alert(2)>', language="en")),
            (resp, rdf_type, ox.NamedNode(wkg + "Responsibility")),
            (resp, ox.NamedNode(wkg + "body"), body),
            (resp, ox.NamedNode(wkg + "subject"), cmt),
            (resp, ox.NamedNode(wkg + "role"), ox.NamedNode(wkg + "role/partner")),
        ]
    )
    with TestClient(create_app(Settings(store=tmp_path), KnowledgeGraph(store, base))) as c:
        pages = [
            c.get("/matrix"),
            c.get("/gaps"),
            c.get("/graph?focus=commitment/evil"),
            c.get("/graph", params={"focus": "<b>nothing</b>"}),
        ]
        assert [p.status_code for p in pages] == [200, 200, 200, 404]
        for page in pages:
            assert "<img" not in page.text and "<b>" not in page.text
            assert "alert('body')</script>" not in page.text
        assert "&lt;script&gt;alert(&#39;body&#39;)&lt;/script&gt;" in pages[0].text
        assert "&#34;&gt;&lt;img src=x onerror=alert(2)&gt;" in pages[1].text  # in the no-owner gap
        assert config_of(pages[2].text)["focus"]["label"] == '"><img src=x onerror=alert(2)>'
        assert "\\u003cimg" in pages[2].text  # the config blob cannot close its script element


# -- In the browser ----------------------------------------------------------------------------------


def open_graph(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("#cy[data-state=ready]")


def counts(page) -> tuple[int, int]:
    return tuple(page.evaluate("[window.cy.nodes().length, window.cy.edges().length]"))


@pytest.mark.browser
@pytest.mark.parametrize("focus", ["body:hee", "cmt:nurses-50k"])
def test_graph_view_draws_the_focus_subgraph(page, live_server, kg, focus):
    open_graph(page, f"{live_server.url}/graph?focus={focus}")
    g = exports.subgraph(kg, focus=focus, depth=1)
    assert counts(page) == (g.number_of_nodes(), g.number_of_edges())
    drawn = page.evaluate("window.cy.nodes().map(n => [n.id(), n.data('type'), n.style('background-color')])")
    assert {n for n, *_ in drawn} == set(g.nodes)
    colours = {t: c for _, t, c in drawn}
    assert len(set(colours.values())) == len(colours)  # one colour per type
    labels = page.evaluate("window.cy.edges().map(e => e.data('display'))")
    assert {d.get("role") or d["label"] for *_, d in g.edges(data=True)} == set(labels)
    assert page.text_content("#graph-status") == f"{g.number_of_nodes()} nodes, {g.number_of_edges()} edges"
    if focus == "body:hee":
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "graph-view.png"), full_page=True)


@pytest.mark.browser
def test_clicking_a_node_opens_its_page(page, live_server):
    open_graph(page, f"{live_server.url}/graph?focus=cmt:nurses-50k")
    box = page.locator("#cy").bounding_box()
    x, y = page.evaluate(
        "(() => { const p = window.cy.getElementById('body_dhsc').renderedPosition(); return [p.x, p.y]; })()"
    )
    with page.expect_navigation():
        page.mouse.click(box["x"] + x, box["y"] + y)
    assert page.url == live_server.url + "/doc/organisation/dhsc"
    assert "Department of Health and Social Care" in page.text_content("h1")


@pytest.mark.browser
def test_jurisdiction_requeries_and_roles_filter_in_place(page, live_server, kg):
    """Roles filter in the browser (see test_views_owners.py); jurisdiction and depth re-query the export."""

    def lead_only(g) -> tuple[int, int]:
        edges = [(u, v) for u, v, d in g.edges(data=True) if d.get("role") == "lead"]
        return len({n for e in edges for n in e} | {"body_hee"}), len(edges)

    open_graph(page, f"{live_server.url}/graph?focus=body:hee")
    page.check("input[name=roles][value=lead]")
    assert counts(page) == lead_only(exports.subgraph(kg, focus="body:hee", depth=1))
    assert set(page.evaluate("window.cy.edges().map(e => e.data('role'))")) == {"lead"}
    assert parse_qs(urlparse(page.url).query)["roles"] == ["lead"]  # shareable address

    page.evaluate("document.getElementById('cy').dataset.state = 'stale'")
    page.select_option("#jurisdiction", "scotland")
    page.wait_for_selector("#cy[data-state=ready]")
    both = exports.subgraph(kg, focus="body:hee", depth=1, jurisdiction="scotland")
    assert counts(page) == lead_only(both)
    assert parse_qs(urlparse(page.url).query)["jurisdiction"] == ["scotland"]


@pytest.mark.browser
def test_focus_box_and_unknown_focus(page, live_server):
    open_graph(page, f"{live_server.url}/graph?focus=body:hee")
    page.fill("#focus", "no such body")
    with page.expect_navigation():
        page.press("#focus", "Enter")
    assert "No entity 'no such body'" in page.text_content(".message")
    page.fill("#focus", "DHSC")
    with page.expect_navigation():
        page.press("#focus", "Enter")
    page.wait_for_selector("#cy[data-state=ready]")
    assert page.evaluate("window.cy.getElementById('body_dhsc').hasClass('focus')")


@pytest.mark.browser
def test_matrix_page_in_the_browser(page, live_server, kg):
    page.goto(live_server.url + "/matrix")
    cell = page.evaluate("""() => {
        const table = document.getElementById('matrix');
        const col = [...table.tHead.rows[0].cells].findIndex(th => th.textContent === '50,000 more nurses');
        const row = [...table.tBodies[0].rows]
            .find(tr => tr.cells[0].textContent === 'Department of Health and Social Care');
        return row.cells[col].textContent;
    }""")
    assert cell == "A"  # Accountable, named in full by the cell's <abbr title>
    rows = page.locator("#matrix tbody tr")
    assert rows.count() == len({c["body"] for c in acc.matrix(kg)["cells"]})
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "matrix.png"))

    # hiding empty rows and columns leaves exactly the bodies and commitments with a role
    m = acc.matrix(kg)
    page.check("#hide-empty")
    visible = page.evaluate("""() => [
        document.querySelectorAll('#matrix tbody tr:not(.hidden)').length,
        document.querySelectorAll('#matrix thead th.col:not(.hidden)').length]""")
    assert visible == [len({c["body"] for c in m["cells"]}), len({c["subject"] for c in m["cells"]})]
    # the header stays in view when the table scrolls
    page.evaluate("document.querySelector('.matrix-scroll').scrollTop = 600")
    top = page.evaluate("document.querySelector('#matrix thead th').getBoundingClientRect().top")
    assert top == pytest.approx(
        page.evaluate("document.querySelector('.matrix-scroll').getBoundingClientRect().top"), abs=2
    )
