"""The ratings scorecard (/ratings, /api/ratings/scorecard, the home page) against the graph, then in Chromium."""

from __future__ import annotations

import re
from collections import defaultdict
from html import unescape

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from conftest import screenshot
from workforce_kg.analysis import ratings
from workforce_kg.config import Settings
from workforce_kg.rdf.scale import STEPS, step
from workforce_kg.store.kg import KnowledgeGraph
from workforce_kg.web.app import create_app

ALL_RATINGS = """
SELECT ?rating ?commitment ?dimension ?value ?label ?rank WHERE {
  ?rating a wkg:Rating ; wkg:ratedCommitment ?commitment ; wkg:dimension ?dimension ; wkg:ratingValue ?value .
  ?value skos:prefLabel ?label . OPTIONAL { ?value wkg:rank ?rank }
}"""
# independent of the scorecard's own queries: the commitments a filter must keep
BY_THEME = """SELECT DISTINCT ?c ?t WHERE { ?r wkg:ratedCommitment ?c . ?c wkg:theme ?t }"""
BY_OWNER = """SELECT DISTINCT ?c ?b WHERE {
  ?r wkg:ratedCommitment ?c .
  { ?x wkg:subject ?c } UNION { ?p wkg:partOf*/wkg:serves ?c . ?x wkg:subject ?p }
  ?x a wkg:Responsibility ; wkg:body ?b ; wkg:role ?role .
  FILTER(?role IN (role:accountable, role:lead))
}"""


@pytest.fixture(scope="module")
def client(kg, tmp_path_factory):
    with TestClient(create_app(Settings(store=tmp_path_factory.mktemp("s")), kg)) as c:
        yield c


def slug(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def page_grid(html: str) -> dict[tuple[str, str], list[dict]]:
    """The scorecard table of a page: {(commitment slug, dimension id): [{value, rank, class, ratings}]}, and
    per cell whether it is flagged (under the key ``(…, "conflict")``)."""
    table = re.search(r'<table class="scorecard[^"]*" id="scorecard">(.*?)</table>', html, re.S)
    assert table, "no scorecard table"
    grid: dict = {}
    for row in re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", table.group(1), re.S):
        commitment = re.search(r'href="/doc/commitment/([^"]+)"', row).group(1)
        for css, dimension, body in re.findall(r'<td class="([^"]*)" data-dimension="([^"]+)">(.*?)</td>', row, re.S):
            entries = []
            for cls, summary, inner in re.findall(
                r'<details class="([^"]*)"[^>]*>\s*<summary[^>]*>(.*?)</summary>(.*?)</details>', body, re.S
            ):
                entries.append(
                    {
                        "class": cls,
                        "value": unescape(re.search(r'<span class="value">(.*?)</span>', summary).group(1)),
                        "ratings": re.findall(r'<p class="rated"><a href="/doc/rating/([^"]+)"', inner),
                        "quotes": [unescape(q) for q in re.findall(r"<blockquote>(.*?)</blockquote>", inner, re.S)],
                    }
                )
            grid[(commitment, dimension)] = entries
            grid[(commitment, dimension, "conflict")] = "conflict" in css.split() and "Sources differ" in body
    return grid


def api_grid(card: dict) -> dict:
    """The same shape from the JSON scorecard."""
    grid: dict = {}
    for row in card["rows"]:
        for cell in row["cells"]:
            key = (row["commitment"]["id"], cell["dimension"])
            grid[key] = [
                {
                    "class": e["value"]["css"],
                    "value": e["value"]["label"],
                    "ratings": [r["id"] for r in e["ratings"]],
                    "quotes": [s["quote"] for r in e["ratings"] for s in r["sources"]],
                }
                for e in cell["values"]
            ]
            grid[(*key, "conflict")] = cell["conflict"]
    return grid


# -- the grid against the graph ----------------------------------------------------------------------


def test_every_rating_is_in_exactly_one_cell_with_its_value_and_rank(client, kg):
    grid = page_grid(client.get("/ratings").text)
    rows = kg.rows(ALL_RATINGS)
    assert len(rows) > 0
    where = defaultdict(list)
    for key, entries in grid.items():
        if len(key) == 2:
            for e in entries:
                for r in e["ratings"]:
                    where[r].append((key, e))
    assert set(where) == {slug(r["rating"]) for r in rows}
    for r in rows:
        [(key, entry)] = where[slug(r["rating"])]  # exactly one cell
        assert key == (slug(r["commitment"]), slug(r["dimension"]))
        assert entry["value"] == r["label"]
        assert f"rating-rank-{r['rank']}" in entry["class"].split()
        assert entry["quotes"]  # every rating shows its quote


def test_dimensions_follow_the_ordered_collection(client, kg):
    listed = kg.rows("""SELECT ?d (COUNT(?mid) AS ?n) WHERE {
        ?coll a skos:OrderedCollection ; skos:memberList ?l . ?l rdf:rest* ?mid . ?mid rdf:rest* ?node .
        ?node rdf:first ?d . ?d skos:inScheme/^skos:inScheme ?any . ?r wkg:dimension ?any } GROUP BY ?d""")
    expected = [slug(r["d"]) for r in sorted(listed, key=lambda r: r["n"])]
    html = client.get("/ratings").text
    head = re.search(r"<thead>(.*?)</thead>", html, re.S).group(1)
    assert re.findall(r"/ratings\?sort=([\w-]+)", head) == ["label", *expected]


def with_conflict(kg: KnowledgeGraph) -> tuple[KnowledgeGraph, str, str, str]:
    """A copy of the graph where one rating gives another value than its twin (the other place in the source)."""
    store = ox.Store()
    store.extend(kg.store.quads_for_pattern(None, None, None, None))
    wkg = kg.prefixes["wkg"]
    first = sorted(kg.rows(ALL_RATINGS), key=lambda r: r["rating"])[0]
    other = kg.rows(f"""SELECT ?v WHERE {{ <{first["value"]}> skos:inScheme ?s . ?v skos:inScheme ?s ; wkg:rank ?k .
                        FILTER(?v != <{first["value"]}>) }} ORDER BY DESC(?k) LIMIT 1""")[0]["v"]
    evaluation = kg.rows(f"SELECT ?e WHERE {{ <{first['rating']}> wkg:evaluation ?e }}")[0]["e"]
    extra = ox.NamedNode(kg.base + "/id/rating/test-conflicting-rating")
    cite = ox.BlankNode()
    doc = kg.rows("SELECT ?d WHERE { ?d a wkg:SourceDocument } LIMIT 1")[0]["d"]
    g = ox.NamedNode(kg.base + "/graph/test")
    store.extend(
        ox.Quad(s, ox.NamedNode(p), o, g)
        for s, p, o in [
            (extra, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", ox.NamedNode(wkg + "Rating")),
            (extra, wkg + "ratedCommitment", ox.NamedNode(first["commitment"])),
            (extra, wkg + "dimension", ox.NamedNode(first["dimension"])),
            (extra, wkg + "evaluation", ox.NamedNode(evaluation)),
            (extra, wkg + "ratingValue", ox.NamedNode(other)),
            (extra, wkg + "citation", cite),
            (cite, wkg + "document", ox.NamedNode(doc)),
            (cite, wkg + "locator", ox.Literal("99")),
            (cite, wkg + "quote", ox.Literal("a differing value")),
        ]
    )
    return KnowledgeGraph(store, kg.base), first["rating"], first["commitment"], first["dimension"]


def test_a_cell_whose_sources_differ_is_flagged_with_both_values(kg, tmp_path):
    copy, rating, commitment, dimension = with_conflict(kg)
    with TestClient(create_app(Settings(store=tmp_path), copy)) as c:
        grid = page_grid(c.get("/ratings").text)
        card = c.get("/api/ratings/scorecard").json()
    key = (slug(commitment), slug(dimension))
    assert grid[(*key, "conflict")] is True
    entries = grid[key]
    assert len(entries) == 2 and len({e["class"] for e in entries}) == 2  # two values, two colours
    assert slug(rating) in entries[0]["ratings"] + entries[1]["ratings"]
    assert any(e["ratings"] == ["test-conflicting-rating"] and e["quotes"] == ["a differing value"] for e in entries)
    flagged = [k for k, v in grid.items() if len(k) == 3 and v]
    assert flagged == [(*key, "conflict")] and card["conflicts"] == 1
    assert api_grid(card) == grid


def test_the_bundled_graph_has_no_flag_where_sources_agree(client):
    card = client.get("/api/ratings/scorecard").json()
    for row in card["rows"]:
        for cell in row["cells"]:
            assert cell["conflict"] == (len(cell["values"]) > 1)


# -- filters, sorting, errors ----------------------------------------------------------------------


def expected_by(kg: KnowledgeGraph, sparql: str, facet: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for r in kg.rows(sparql):
        out[slug(r[facet])].add(slug(r["c"]))
    return out


@pytest.mark.parametrize("field, sparql, facet", [("theme", BY_THEME, "t"), ("body", BY_OWNER, "b")])
def test_filters_keep_exactly_the_commitments_the_graph_gives(client, kg, field, sparql, facet):
    expected = expected_by(kg, sparql, facet)
    card = client.get("/api/ratings/scorecard").json()
    assert {o["id"] for o in card["options"][field]} == set(expected)  # options derived from the data
    assert len(expected) >= 2
    for value, commitments in expected.items():
        got = client.get("/api/ratings/scorecard", params={field: value}).json()
        assert {r["commitment"]["id"] for r in got["rows"]} == commitments, value
        assert got["filters"][field] == value
    value = min(expected, key=lambda v: len(expected[v]))  # one through the page too
    grid = page_grid(client.get("/ratings", params={field: value}).text)
    assert {k[0] for k in grid} == expected[value]


def test_filters_combine(client, kg):
    themes, owners = expected_by(kg, BY_THEME, "t"), expected_by(kg, BY_OWNER, "b")
    theme, body = next((t, b) for t in sorted(themes) for b in sorted(owners) if themes[t] & owners[b] != themes[t])
    got = client.get("/api/ratings/scorecard", params={"theme": theme, "body": body}).json()
    assert {r["commitment"]["id"] for r in got["rows"]} == themes[theme] & owners[body]


@pytest.mark.parametrize(
    "params, field",
    [({"theme": "no-such-theme"}, "theme"), ({"body": "nobody"}, "body"), ({"sort": "colour"}, "sort")],
)
def test_unknown_filters_are_422(client, params, field):
    r = client.get("/api/ratings/scorecard", params=params)
    assert r.status_code == 422 and r.json()["field"] == field and repr(params[field]) in r.json()["error"]
    page = client.get("/ratings", params=params)
    assert page.status_code == 422 and 'role="alert"' in page.text and "<table" not in page.text


def test_sorting_by_a_dimension_puts_the_worst_first(client):
    card = client.get("/api/ratings/scorecard").json()
    for d in [d["id"] for d in card["dimensions"]]:
        rows = client.get("/api/ratings/scorecard", params={"sort": d}).json()["rows"]
        worst = [min(e["value"]["rank"] for c in r["cells"] if c["dimension"] == d for e in c["values"]) for r in rows]
        assert worst == sorted(worst)
        html = client.get("/ratings", params={"sort": d}).text
        assert re.search(rf'<th scope="col" aria-sort="ascending"><a href="/ratings\?sort={d}"', html)
    means = [r["mean_rank"] for r in client.get("/api/ratings/scorecard", params={"sort": "mean"}).json()["rows"]]
    assert means == sorted(means)


@pytest.mark.parametrize("params", [{}, {"sort": "mean"}, {"theme": "social-care"}])
def test_the_api_and_the_page_show_the_same_grid(client, params):
    card = client.get("/api/ratings/scorecard", params=params).json()
    assert page_grid(client.get("/ratings", params=params).text) == api_grid(card)


# -- the palette, everywhere -----------------------------------------------------------------------


def test_colour_steps_spread_any_scale_over_the_palette():
    assert [step(r, [1, 2, 3, 4]) for r in (1, 2, 3, 4)] == [1, 2, 3, 4]
    for n in (2, 3, 5, 7):
        steps = [step(r, range(10, 10 + n)) for r in range(10, 10 + n)]
        assert steps[0] == 1 and steps[-1] == STEPS and steps == sorted(steps)
    assert step(None, [1, 2]) is None and step(9, [1, 2]) is None


def test_palette_is_defined_once_with_readable_text(client):
    css = client.get("/static/ratings.css").text
    colours = {
        k: (bg, fg)
        for k, bg, fg in re.findall(r"\.(rating-rank-\w+) \{ background: (#[0-9a-f]{6}); color: (#[0-9a-f]+)", css)
    }
    assert set(colours) == {"rating-rank-1", "rating-rank-2", "rating-rank-3", "rating-rank-4", "rating-rank-none"}

    def luminance(hex_: str) -> float:
        hex_ = hex_.lstrip("#")
        hex_ = "".join(c * 2 for c in hex_) if len(hex_) == 3 else hex_
        chans = [int(hex_[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in chans]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    for bg, fg in colours.values():
        hi, lo = sorted((luminance(bg), luminance(fg)), reverse=True)
        assert (hi + 0.05) / (lo + 0.05) >= 4.5, (bg, fg)
    assert len({bg for bg, _ in colours.values()}) == 5
    for path in ("/static/views.css", "/static/scorecard.css", "/static/entity.css", "/static/base.css"):
        assert "rating-rank-1 {" not in client.get(path).text  # nowhere else


def test_entity_pages_colour_rating_values_by_rank(client, kg):
    rows = kg.rows(ALL_RATINGS)
    for r in rows[:: max(1, len(rows) // 6)]:
        html = client.get(f"/doc/rating/{slug(r['rating'])}").text
        value_link = re.search(rf'<a href="[^"]*{slug(r["value"])}" title="{r["value"]}"( class="[^"]*")?>', html)
        assert value_link and value_link.group(1) == f' class="rating rating-rank-{r["rank"]}"'
        assert "/static/ratings.css" in html
    # the commitment page's at-a-glance chips: the same class for the same value
    rank_of = {slug(r["value"]): r["rank"] for r in rows}
    html = client.get(f"/doc/commitment/{slug(rows[0]['commitment'])}").text
    chips = re.findall(r'<span class="rating rating-rank-(\d)" data-rating="([^"]+)">', html)
    assert chips and all(int(rank) == rank_of[value] for rank, value in chips)


# -- the home page -------------------------------------------------------------------------------------


def test_home_page_shows_counts_and_the_scorecard(client, kg):
    html = client.get("/").text
    for cls, name in (("wkg:Commitment", "commitments"), ("wkg:Rating", "ratings"), ("org:Organization", "bodies")):
        n = kg.rows(f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a {cls} }}")[0]["n"]
        assert f'<span class="n">{n:,}</span> {name}' in html
    table = re.search(r'<table class="scorecard compact" id="scorecard">(.*?)</table>', html, re.S).group(1)
    rated = {slug(r["commitment"]) for r in kg.rows(ALL_RATINGS)}
    assert set(re.findall(r'<th scope="row"><a href="/doc/commitment/([^"]+)"', table)) == rated
    chips = re.findall(r'<a class="rating rating-rank-(\d)" href="/doc/rating/([^"]+)"', table)
    assert len(chips) == len(rated) * len(ratings.scorecard(kg)["dimensions"])
    assert 'href="/ratings"' in html


# -- in the browser ------------------------------------------------------------------------------------

CONTRASTS = """() => [...document.querySelectorAll('.rating')].filter(e => e.getClientRects().length).map(e => {
  let el = e.querySelector('summary') || e;
  return [getComputedStyle(el).color, getComputedStyle(e).backgroundColor, e.textContent.trim().slice(0, 30)]; })"""


def contrast(fg: str, bg: str) -> float:
    """WCAG contrast ratio of two computed ``rgb(…)`` colours."""

    def luminance(rgb: str) -> float:
        chans = [int(x) / 255 for x in re.findall(r"\d+", rgb)[:3]]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in chans]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def assert_readable_ratings(page) -> int:
    shown = page.evaluate(CONTRASTS)
    for fg, bg, text in shown:
        assert contrast(fg, bg) >= 4.5, (text, fg, bg)
    return len(shown)


@pytest.mark.browser
def test_scorecard_in_the_browser(page, live_server, kg):
    page.goto(f"{live_server.url}/ratings")
    cells = page.locator("#scorecard details.rating")
    assert cells.count() > 0
    colours = page.evaluate(
        """() => Object.fromEntries([1, 2, 3, 4, 'none'].map(n => {
             const el = document.createElement('span'); el.className = 'rating rating-rank-' + n;
             document.body.appendChild(el); const c = getComputedStyle(el).backgroundColor;
             el.remove(); return [n, c]; }))"""
    )
    assert len(set(colours.values())) == 5
    shown = page.evaluate(
        "() => [...document.querySelectorAll('#scorecard details.rating')].map(d =>"
        " [d.className.match(/rating-rank-(\\w+)/)[1], getComputedStyle(d).backgroundColor])"
    )
    for rank, colour in shown:
        assert colour == colours[rank]
    assert len({rank for rank, _ in shown}) >= 2  # ranks differ, so do colours
    assert assert_readable_ratings(page) >= len(shown)
    first = cells.first
    quote = first.locator("blockquote").first
    assert not quote.is_visible()
    first.locator("summary").click()
    assert quote.is_visible() and quote.inner_text().strip()
    screenshot(page, "ratings")

    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the table scrolls in its wrapper

    page.set_viewport_size({"width": 1400, "height": 900})
    expected = expected_by(kg, BY_OWNER, "b")
    body = min(expected, key=lambda b: (len(expected[b]), b))
    with page.expect_navigation():
        page.select_option("#f-body", body)  # applies on change (ratings.js)
    assert f"body={body}" in page.url
    shown_rows = page.eval_on_selector_all(
        "#scorecard tbody th a", "els => els.map(a => a.getAttribute('href').split('/').pop())"
    )
    assert set(shown_rows) == expected[body]
    screenshot(page, "ratings-filtered")


@pytest.mark.browser
def test_home_page_shows_the_scorecard_in_the_browser(page, live_server, kg):
    page.goto(f"{live_server.url}/")
    chips = page.locator("#scorecard a.rating")
    assert chips.count() > 0 and chips.first.is_visible()
    assert page.locator("ul.counts li").count() >= 5
    assert assert_readable_ratings(page) >= chips.count()
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1400, "height": 900})
    screenshot(page, "home")
    with page.expect_navigation():
        chips.first.click()
    assert "/doc/rating/" in page.url
    value = page.locator("a.rating[href*='/def/']")  # the rating's value on its page: the same palette
    assert value.count() == 1 and assert_readable_ratings(page) >= 1


def test_labels_and_quotes_are_escaped(tmp_path):
    base = "http://example.org/kg"
    wkg, skos = f"{base}/def/", "http://www.w3.org/2004/02/skos/core#"
    n = ox.NamedNode
    evil = ox.Literal('"><img src=x onerror=alert(1)>', language="en")
    cmt, rating, doc = (n(f"{base}/id/{k}/evil") for k in ("commitment", "rating", "document"))
    dim, value, theme = n(wkg + "rating-dimension/evil"), n(wkg + "rating/evil"), n(wkg + "theme/evil")
    cite = ox.BlankNode()
    triples = [
        (cmt, n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), n(wkg + "Commitment")),
        (rating, n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), n(wkg + "Rating")),
        (rating, n(wkg + "ratedCommitment"), cmt),
        (rating, n(wkg + "dimension"), dim),
        (rating, n(wkg + "ratingValue"), value),
        (rating, n(wkg + "citation"), cite),
        (cite, n(wkg + "document"), doc),
        (cite, n(wkg + "locator"), ox.Literal("<b>1</b>")),
        (cite, n(wkg + "quote"), ox.Literal("<script>alert(2)</script>")),
        (value, n(wkg + "rank"), ox.Literal("1", datatype=n("http://www.w3.org/2001/XMLSchema#integer"))),
        (value, n(skos + "notation"), ox.Literal("<i>")),
        (value, n(skos + "inScheme"), n(wkg + "scheme/rating")),
        (cmt, n(wkg + "theme"), theme),
    ] + [(x, n(skos + "prefLabel"), evil) for x in (cmt, rating, doc, dim, value, theme)]
    store = ox.Store()
    store.extend(ox.Quad(s, p, o, n(f"{base}/graph/test")) for s, p, o in triples)
    with TestClient(create_app(Settings(store=tmp_path), KnowledgeGraph(store, base))) as c:
        pages = [c.get("/ratings"), c.get("/ratings", params={"theme": "evil"}), c.get("/")]
        assert [p.status_code for p in pages] == [200, 200, 200]
        for page in pages:
            assert "<img" not in page.text and "<script>alert" not in page.text and "<i>" not in page.text
            assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in page.text
        assert "&lt;script&gt;alert(2)&lt;/script&gt;" in pages[0].text and "&lt;b&gt;1&lt;/b&gt;" in pages[0].text
