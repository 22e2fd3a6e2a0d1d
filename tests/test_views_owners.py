"""The graph view and the matrix answering "who owns what" (issue 16, point 8).

TestClient: the matrix filters and the via-programmes toggle give exactly the rows, columns and roles a
SPARQL computation over the graph gives; bad values are 422; the Cytoscape export carries each
responsibility edge's citations. Browser (Chromium): the layered layout, the role filter, the quote of
a clicked edge, the table alternative, grouping of large neighbourhoods, the matrix's sort and filters.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from fastapi.testclient import TestClient

from conftest import screenshot
from workforce_kg.analysis import export as exports
from workforce_kg.analysis.accountability import slug_of
from workforce_kg.config import Settings
from workforce_kg.provenance.locators import format_locator
from workforce_kg.web.app import create_app

JURISDICTION = "https://w3id.org/workforce-kg/def/jurisdiction/"


@pytest.fixture(scope="module")
def client(kg, tmp_path_factory):
    with TestClient(create_app(Settings(store=tmp_path_factory.mktemp("s")), kg)) as c:
        yield c


class Grid(HTMLParser):
    """The matrix table: column ids, row (body) ids, and each filled cell's direct and via roles."""

    def __init__(self, html: str):
        super().__init__()
        self.columns: list[str] = []
        self.rows: list[str] = []
        self.cells: dict[tuple[str, str], tuple[set[str], set[str]]] = {}
        self.col = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "th" and "col" in (a.get("class") or "").split():
            self.columns.append(a["data-id"])
        elif tag == "tr" and "data-id" in a:
            self.rows.append(a["data-id"])
            self.col = -1
        elif tag == "td" and self.rows:
            self.col += 1
            if "data-direct" in a:
                key = (self.rows[-1], self.columns[self.col])
                self.cells[key] = (set((a["data-direct"] or "").split()), set((a["data-via"] or "").split()))


def rows(kg, sparql: str) -> list[tuple[str, ...]]:
    return [tuple(slug_of(v.value) for v in row) for row in kg.query(sparql)]


def direct_cells(kg) -> dict[tuple[str, str], set[str]]:
    """(body, commitment) -> roles stated on the commitment itself."""
    out: dict[tuple[str, str], set[str]] = defaultdict(set)
    q = """SELECT ?b ?c ?role WHERE { ?r a wkg:Responsibility ; wkg:body ?b ; wkg:subject ?c ; wkg:role ?role .
           ?c a wkg:Commitment }"""
    for b, c, role in rows(kg, q):
        out[(b, c)].add(role)
    return out


def commitments_where(kg, pattern: str) -> set[str]:
    return {c for (c,) in rows(kg, f"SELECT DISTINCT ?c WHERE {{ ?c a wkg:Commitment . {pattern} }}")}


# -- matrix (TestClient) -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "pattern"),
    [
        ("evaluated=1", "?rating wkg:ratedCommitment ?c ."),
        ("jurisdiction=scotland", "?c wkg:jurisdiction <https://w3id.org/workforce-kg/def/jurisdiction/scotland> ."),
        ("theme=retention", "?c wkg:theme <https://w3id.org/workforce-kg/def/theme/retention> ."),
        (
            "evaluated=1&jurisdiction=england",
            f"?rating wkg:ratedCommitment ?c . ?c wkg:jurisdiction <{JURISDICTION}england> .",
        ),
    ],
)
def test_matrix_filters_give_the_columns_and_rows_the_graph_gives(client, kg, query, pattern):
    everything = Grid(client.get("/matrix").text)
    r = client.get(f"/matrix?{query}")
    assert r.status_code == 200
    grid = Grid(r.text)
    expected_columns = commitments_where(kg, pattern)
    assert set(grid.columns) == expected_columns and 0 < len(grid.columns) < len(everything.columns)
    cells = {k: v for k, v in direct_cells(kg).items() if k[1] in expected_columns}
    assert set(grid.rows) == {b for b, _ in cells}  # the bodies holding a role in a column shown
    assert {k: d for k, (d, _) in grid.cells.items()} == cells
    assert all(not via for _, via in grid.cells.values())


def test_via_programmes_adds_exactly_the_roles_held_through_programmes(client, kg):
    direct = Grid(client.get("/matrix").text)
    grid = Grid(client.get("/matrix?via=programmes").text)
    through: dict[tuple[str, str], set[str]] = defaultdict(set)
    q = """SELECT ?b ?c ?role WHERE { ?r a wkg:Responsibility ; wkg:body ?b ; wkg:subject ?p ; wkg:role ?role .
           ?p a wkg:Programme ; wkg:partOf*/wkg:serves ?c . ?c a wkg:Commitment }"""
    for b, c, role in rows(kg, q):
        through[(b, c)].add(role)
    stated = direct_cells(kg)
    indirect = {k: v - stated.get(k, set()) for k, v in through.items() if v - stated.get(k, set())}
    assert indirect  # the data has roles held only through programmes
    assert {k: d for k, (d, _) in grid.cells.items() if d} == {k: d for k, (d, _) in direct.cells.items()}
    assert {k: v for k, (_, v) in grid.cells.items() if v} == indirect
    assert set(grid.rows) == set(direct.rows) | {b for b, _ in indirect}
    assert grid.columns == direct.columns  # the toggle adds roles, not columns


def test_matrix_downloads_follow_the_filters(client, kg):
    page = client.get("/matrix?theme=retention&via=programmes")
    grid = Grid(page.text)
    href = page.text.split('<a id="json" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert parse_qs(urlparse(href).query) == {
        "of": ["commitments"],
        "format": ["json"],
        "theme": ["retention"],
        "via": ["programmes"],
    }
    m = client.get(href).json()
    assert [c["id"] for c in m["columns"]] == grid.columns
    assert {(c["body"], c["subject"]): set(c["roles"]) for c in m["cells"]} == {
        k: d | v for k, (d, v) in grid.cells.items()
    }
    csv_href = page.text.split('<a id="csv" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    download = client.get(csv_href)
    assert download.status_code == 200 and download.text.splitlines()[0].split(",")[2:] == grid.columns


@pytest.mark.parametrize(
    ("query", "needle"),
    [
        ("evaluated=maybe", "evaluated must be"),
        ("via=everywhere", "via must be"),
        ("theme=no-such-theme", "unknown theme"),
        ("jurisdiction=atlantis", "unknown jurisdiction"),
        ("of=programmes&theme=retention", "only the commitments matrix"),
        ("of=programmes&via=programmes", "only to the commitments matrix"),
        ("sort=colour", "sort must be"),
    ],
)
def test_bad_matrix_filters_are_422(client, query, needle):
    r = client.get(f"/matrix?{query}")
    assert r.status_code == 422 and needle in r.text
    if not query.startswith("sort"):
        api = client.get(f"/api/accountability/matrix?{query}")
        assert api.status_code == 422 and needle in api.json()["error"]


def test_matrix_names_every_role_in_text_and_legend(client):
    r = client.get("/matrix?via=programmes")
    for label in ("Accountable", "Lead", "Partner"):
        assert f'<abbr title="{label}">' in r.text  # legend and cells name the role
    assert '<abbr title="Partner, through a programme" class="via">P*</abbr>' in r.text


# -- the export behind the graph ------------------------------------------------------------------------


def test_cytoscape_export_carries_the_quotes_of_responsibility_edges(client, kg):
    data = client.get("/api/export/cytoscape?focus=body:hee").json()
    edges = data["elements"]["edges"]
    responsibilities = [e["data"] for e in edges if e["data"].get("responsibility")]
    assert responsibilities and all(d.get("citations") for d in responsibilities)
    for d in responsibilities:
        iris = " ".join(f"<{r}>" for r in d["responsibility"].split("; "))
        q = f"""SELECT ?quote ?loc WHERE {{ VALUES ?r {{ {iris} }}
                ?r wkg:citation ?c . ?c wkg:quote ?quote ; wkg:locator ?loc }}"""
        stated = {(row["quote"].value, row["loc"].value) for row in kg.query(q)}
        assert {(c["quote"], c["locator"]) for c in d["citations"]} == stated
        assert all(c["locatorText"] == format_locator(c["locator"]) for c in d["citations"])  # "para 18"
    assert not any("citations" in e["data"] for e in edges if not e["data"].get("responsibility"))


# -- in the browser -----------------------------------------------------------------------------------


def open_graph(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("#cy[data-state=ready]")


def export_of(live_server, query: str) -> dict:
    import urllib.request

    with urllib.request.urlopen(f"{live_server.url}/api/export/cytoscape?{query}") as r:
        return json.loads(r.read())


@pytest.mark.browser
def test_layered_layout_puts_commitments_above_programmes_above_bodies(page, live_server):
    open_graph(page, f"{live_server.url}/graph?focus=body:hee")
    ys = page.evaluate("""() => {
        const out = {};
        window.cy.nodes().not('.group, .summary').forEach(n => {
            (out[n.data('type')] = out[n.data('type')] || []).push(n.position('y'));
        });
        return out;
    }""")
    assert {"commitment", "programme", "body"} <= set(ys)
    assert max(ys["commitment"]) < min(ys["programme"])
    assert max(ys["programme"]) < min(ys["body"])
    # each type is one row: the layers do not interleave
    order = sorted(ys, key=lambda t: min(ys[t]))
    for upper, lower in zip(order, order[1:], strict=False):
        assert max(ys[upper]) < min(ys[lower])
    assert page.evaluate("window.cy.nodes('.ghost').length + window.cy.edges('.ghost').length") == 0
    screenshot(page, "graph-layered")


@pytest.mark.browser
def test_role_filter_hides_every_other_edge_and_the_table_follows(page, live_server):
    open_graph(page, f"{live_server.url}/graph?focus=body:hee")
    data = export_of(live_server, "focus=body:hee")
    all_edges = len(data["elements"]["edges"])
    assert page.evaluate("window.cy.edges().length") == all_edges
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.check("input[name=roles][value=partner]")
    page.wait_for_function("window.cy.edges().every(e => e.data('role') === 'partner')")
    assert not [u for u in requests if "/api/export" in u]  # filtered in the browser, no round trip
    partner = [e["data"] for e in data["elements"]["edges"] if e["data"].get("role") == "partner"]
    shown = page.evaluate("window.cy.edges().map(e => [e.data('source'), e.data('role'), e.data('target')])")
    assert len(shown) == len(partner) < all_edges
    assert Counter(map(tuple, shown)) == Counter((d["source"], "partner", d["target"]) for d in partner)
    nodes = set(page.evaluate("window.cy.nodes().map(n => n.id())"))
    assert nodes == {d["source"] for d in partner} | {d["target"] for d in partner} | {"body_hee"}
    table = page.evaluate("""() => [...document.querySelectorAll('#edge-table tbody tr')]
        .map(tr => [tr.dataset.source, tr.dataset.relation, tr.dataset.target])""")
    assert Counter(map(tuple, table)) == Counter(map(tuple, shown))
    assert parse_qs(urlparse(page.url).query)["roles"] == ["partner"]
    # the table is reachable by keyboard
    page.focus("#edge-table-box summary")
    page.keyboard.press("Enter")
    assert page.evaluate("document.getElementById('edge-table-box').open")
    assert page.is_visible("#edge-table tbody tr >> nth=0")
    screenshot(page, "graph-role-filter")

    page.check("input[name=roles][value=lead]")
    lead_or_partner = [e for e in data["elements"]["edges"] if e["data"].get("role") in ("lead", "partner")]
    page.wait_for_function(f"window.cy.edges().length === {len(lead_or_partner)}")
    page.uncheck("input[name=roles][value=lead]")
    page.uncheck("input[name=roles][value=partner]")
    page.wait_for_function(f"window.cy.edges().length === {all_edges}")
    assert page.evaluate("document.querySelectorAll('#edge-table tbody tr').length") == all_edges


@pytest.mark.browser
def test_clicking_an_edge_shows_its_quote(page, live_server, kg):
    open_graph(page, f"{live_server.url}/graph?focus=body:hee&roles=lead")
    edge = page.evaluate("""() => {
        const free = p => window.cy.nodes().every(n => {
            const b = n.renderedBoundingBox({includeLabels: true});
            return p.x < b.x1 - 4 || p.x > b.x2 + 4 || p.y < b.y1 - 4 || p.y > b.y2 + 4;
        });
        const e = window.cy.edges().filter(e => (e.data('citations') || []).length && free(e.renderedMidpoint()))[0];
        const p = e.renderedMidpoint();
        return {id: e.id(), x: p.x, y: p.y, responsibility: e.data('responsibility')};
    }""")
    box = page.locator("#cy").bounding_box()
    page.mouse.click(box["x"] + edge["x"], box["y"] + edge["y"])
    page.wait_for_selector("#edge-panel blockquote")
    assert page.get_attribute("#edge-panel", "data-edge") == edge["id"]
    iris = " ".join(f"<{r}>" for r in edge["responsibility"].split("; "))
    q = f"SELECT ?quote WHERE {{ VALUES ?r {{ {iris} }} ?r wkg:citation/wkg:quote ?quote }}"
    quotes = [row["quote"].value for row in kg.query(q)]
    shown = page.locator("#edge-panel blockquote").all_text_contents()
    assert shown and all(any(s in quote for quote in quotes) for s in shown)
    assert page.locator("#edge-panel figcaption a").count() == len(shown)  # each quote names its document
    screenshot(page, "graph-edge-quote")

    # the same from the keyboard: the table's relation button selects the link and shows its quotes
    page.click("#edge-table-box summary")
    row = page.locator("#edge-table tbody tr").nth(2)
    source, target = row.get_attribute("data-source"), row.get_attribute("data-target")
    row.locator("button").focus()
    page.keyboard.press("Enter")
    page.wait_for_function(
        "([s, t]) => window.cy.edges(':selected').some(e => e.data('source') === s && e.data('target') === t)",
        arg=[source, target],
    )
    assert page.evaluate("document.activeElement.id") == "edge-panel"
    assert page.locator("#edge-panel blockquote").all_text_contents() == row.locator("blockquote").all_text_contents()


#: the graph edge (its id, and whether it merges a collapsed group's links) that holds each table row's link;
#: plain values only — a page.evaluate that returns a Cytoscape collection makes Playwright serialise the
#: whole graph object (renderer and canvases included), which takes 10-20 s and can crash Chromium
EDGE_OF_ROWS = """() => [...document.querySelectorAll('#edge-table tbody tr')].map((tr, row) => {
    const e = window.cy.edges().filter(e => (e.data('members') || [e.data()]).some(m =>
        m.source === tr.dataset.source && m.target === tr.dataset.target &&
        (m.role || m.relation) === tr.dataset.relation))[0];
    return {row, source: tr.dataset.source, target: tr.dataset.target, edge: e ? e.id() : null,
            merged: Boolean(e && e.hasClass('merged')), quotes: tr.querySelectorAll('blockquote').length};
})"""


@pytest.mark.browser
def test_a_table_button_selects_its_link_and_shows_its_quote_in_a_grouped_graph(page, live_server):
    """body:dhsc is grouped with collapsed types: a row's button selects the link drawn for it (its own edge,
    or the merged edge of its collapsed group), one link at a time, and the panel shows the row's quotes."""
    open_graph(page, f"{live_server.url}/graph?focus=body:dhsc")
    collapsed = set(page.evaluate("window.cy.nodes('.summary').map(n => n.data('type'))"))
    assert collapsed
    nodes = export_of(live_server, "focus=body:dhsc")["elements"]["nodes"]
    type_of = {n["data"]["id"]: n["data"]["type"] for n in nodes}
    page.click("#edge-table-box summary")
    rows = page.evaluate(EDGE_OF_ROWS)
    assert rows
    for r in rows:  # a link is drawn (alone or merged) unless both its ends are in one collapsed group
        ends = (r["source"], r["target"])
        inside = type_of[ends[0]] == type_of[ends[1]] in collapsed and "body_dhsc" not in ends
        assert bool(r["edge"]) != inside, ends
    plain = next(r for r in rows if r["edge"] and not r["merged"])  # here: a link without a quote of its own
    merged = next(r for r in rows if r["quotes"] and r["merged"])
    for r in (plain, merged):
        row = page.locator("#edge-table tbody tr").nth(r["row"])
        row.locator("button").click()
        page.wait_for_function("id => window.cy.getElementById(id).selected()", arg=r["edge"])
        assert page.evaluate("window.cy.edges(':selected').map(e => e.id())") == [r["edge"]]
        assert page.get_attribute("#edge-panel", "data-edge") == r["edge"]
        assert page.evaluate("document.activeElement.id") == "edge-panel"
        shown = page.locator("#edge-panel blockquote").all_text_contents()
        quotes = row.locator("blockquote").all_text_contents()
        assert set(quotes) <= set(shown)
        if not r["merged"]:
            assert shown == quotes
            if not quotes:
                assert "No quote is attached to this link" in page.inner_text("#edge-panel")
        else:  # the merged edge lists each of its links, with their quotes
            assert quotes
            assert page.locator("#edge-panel .edge-member").count() > 1
    screenshot(page, "graph-table-selects-link")
    # a link inside a collapsed group is not drawn: its button still shows it, and says why it is not selected
    hidden = next((r for r in rows if not r["edge"]), None)
    if hidden:
        page.locator("#edge-table tbody tr").nth(hidden["row"]).locator("button").click()
        page.wait_for_function("() => !document.getElementById('edge-panel').hasAttribute('data-edge')")
        assert page.evaluate("window.cy.edges(':selected').length") == 0
        assert "not drawn" in page.inner_text("#edge-panel")


@pytest.mark.browser
def test_large_neighbourhoods_are_grouped_and_groups_expand(page, live_server, kg):
    open_graph(page, f"{live_server.url}/graph?focus=body:hee")
    assert page.get_attribute("#cy", "data-grouped") == "false"  # 24 nodes: no grouping
    g = exports.subgraph(kg, focus="body:dhsc", depth=1)
    assert g.number_of_nodes() > 30
    open_graph(page, f"{live_server.url}/graph?focus=body:dhsc")
    assert page.get_attribute("#cy", "data-grouped") == "true"
    summaries = page.evaluate("window.cy.nodes('.summary').map(n => [n.data('type'), n.data('members')])")
    groups = page.evaluate("window.cy.nodes('.group').map(n => [n.data('groupType'), n.children().length])")
    types = Counter(d["type"] for n, d in g.nodes(data=True))
    assert summaries and groups
    for t, members in summaries:  # a collapsed type: every node of it but the focus
        assert members == types[t] - (t == "body")
    for t, members in groups:
        assert members == types[t]
    drawn = page.evaluate("window.cy.nodes().not('.group').length")
    assert drawn < g.number_of_nodes()  # collapsed groups draw fewer nodes
    assert page.evaluate("window.cy.nodes().not('.group, .summary').every(n => n.isChild())")
    screenshot(page, "graph-grouped")
    if summaries:
        t, members = summaries[0]
        pos = page.evaluate(f"window.cy.getElementById('group_{t}').renderedPosition()")
        box = page.locator("#cy").bounding_box()
        page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])
        page.wait_for_function(f"window.cy.nodes('.group').some(n => n.data('groupType') === '{t}')")
        assert page.evaluate(f"window.cy.nodes('[type = \"{t}\"]').not('.summary').length") == members


@pytest.mark.browser
def test_matrix_filters_and_sorting_in_the_browser(page, live_server, kg):
    page.goto(f"{live_server.url}/matrix")
    before = page.locator("#matrix thead th.col").count()
    with page.expect_navigation():
        page.select_option("#f-jurisdiction", "scotland")
    assert parse_qs(urlparse(page.url).query)["jurisdiction"] == ["scotland"]
    scottish = commitments_where(kg, "?c wkg:jurisdiction <https://w3id.org/workforce-kg/def/jurisdiction/scotland> .")
    ids = page.evaluate("[...document.querySelectorAll('#matrix thead th.col')].map(th => th.dataset.id)")
    assert set(ids) == scottish and len(ids) < before
    with page.expect_navigation():
        page.select_option("#f-via", "programmes")
    assert page.locator("#matrix td abbr.via").count() > 0

    page.select_option("#f-sort", "roles")  # sorting happens in place
    counts = page.evaluate("""() => [
        [...document.querySelectorAll('#matrix tbody tr')].map(tr => Number(tr.dataset.roles)),
        [...document.querySelectorAll('#matrix thead th.col')].map(th => Number(th.dataset.roles)),
        [...document.querySelectorAll('#matrix tbody tr')].map(tr => tr.cells.length)]""")
    assert counts[0] == sorted(counts[0], reverse=True) and counts[1] == sorted(counts[1], reverse=True)
    assert set(counts[2]) == {len(ids) + 1}
    # a row's cells move with their column: each filled cell still sits under its commitment
    pairs = page.evaluate("""() => {
        const heads = [...document.querySelectorAll('#matrix thead th')].map(th => th.dataset.id);
        const out = [];
        document.querySelectorAll('#matrix tbody tr').forEach(tr => [...tr.cells].forEach((td, i) => {
            if (td.dataset.direct !== undefined) out.push([tr.dataset.id, heads[i], td.dataset.direct]);
        }));
        return out;
    }""")
    stated = direct_cells(kg)
    assert pairs and all(set(d.split()) == stated.get((b, c), set()) for b, c, d in pairs)
    assert parse_qs(urlparse(page.url).query)["sort"] == ["roles"]
    page.select_option("#f-sort", "label")
    labels = page.evaluate("[...document.querySelectorAll('#matrix tbody tr')].map(tr => tr.dataset.label)")
    assert labels == page.evaluate(
        "l => l.slice().sort(new Intl.Collator('en', {numeric: true, sensitivity: 'base'}).compare)", labels
    )
    assert labels != [r for r in labels[::-1]]
    screenshot(page, "matrix-filtered")


@pytest.mark.browser
@pytest.mark.parametrize("path", ["/graph?focus=body:hee", "/matrix", "/matrix?via=programmes&theme=retention"])
def test_no_horizontal_overflow_at_390px(page, live_server, path):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + path)
    if path.startswith("/graph"):
        page.wait_for_selector("#cy[data-state=ready]")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


AXE = Path(__file__).resolve().parents[1] / "web" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.mark.browser
@pytest.mark.parametrize("path", ["/graph?focus=body:dhsc", "/matrix?via=programmes&evaluated=1"])
def test_views_have_no_serious_accessibility_violations(page, live_server, path):
    if not AXE.exists():
        pytest.skip("axe-core is not installed (cd web && npm install)")
    page.goto(live_server.url + path)
    if path.startswith("/graph"):
        page.wait_for_selector("#cy[data-state=ready]")
        page.click("#edge-table-box summary")
    page.evaluate(AXE.read_text(encoding="utf-8"))  # through the devtools protocol: the page's CSP stays on
    found = page.evaluate(
        "axe.run().then(r => r.violations.filter(v => ['serious', 'critical'].includes(v.impact))"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', ')))"
    )
    assert found == []
