"""Commitment pages that answer first (issue 16, point 6): the at-a-glance block shows what the one rule
gives (docs/accountability.md), and entity pages read as text — locators in words, no datatype noise, no
file names, incoming links grouped by relation and collapsed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from conftest import screenshot
from workforce_kg.analysis import accountability as acc
from workforce_kg.analysis import entities as ent
from workforce_kg.config import Settings
from workforce_kg.provenance.locators import format_locator
from workforce_kg.rdf import display
from workforce_kg.web.app import create_app

HTML = {"accept": "text/html"}
GRAPH_FILES = [p.name for p in (Path(__file__).resolve().parents[1] / "graph").rglob("*.ttl")]


@pytest.fixture(scope="module")
def client(kg, tmp_path_factory):
    app = create_app(Settings(store=tmp_path_factory.mktemp("s")), kg)
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="module")
def commitment_ids(kg) -> list[str]:
    return sorted(ent.slug_of(r["c"]) for r in kg.rows("SELECT DISTINCT ?c WHERE { ?c a wkg:Commitment }"))


def soup(client, path: str) -> BeautifulSoup:
    r = client.get(path, headers=HTML)
    assert r.status_code == 200, path
    return BeautifulSoup(r.text, "html.parser")


def visible_text(page: BeautifulSoup) -> str:
    return page.body.get_text(" ") if page.body else ""


def attr_set(node, attr: str, within: str | None = None) -> set[str]:
    scope = node.select_one(within) if within else node
    return {e[attr] for e in scope.select(f"[{attr}]")} if scope else set()


def test_locators_read_as_words():
    assert format_locator("18") == "para 18"
    assert format_locator("Fair Work ¶3") == "section Fair Work, para 3"
    assert format_locator("Building the workforce") == "section Building the workforce"
    assert format_locator("bullet 4") == "bullet 4" and format_locator("paragraph 12") == "para 12"
    assert format_locator("  sentence   2 ") == "sentence 2" and format_locator(None) == ""


def test_literals_read_as_text():
    assert display.money(55_000_000.0) == "£55 million" and display.money(2.5e9) == "£2.5 billion"
    assert display.money(5000) == "£5,000" and display.money(2e6, "EUR") == "€2 million"
    assert display.number(50000.0) == "50,000" and display.number("21.50") == "21.5"
    assert display.day("2019-09-30") == "30 September 2019" and display.day("2020-09") == "September 2020"
    assert display.day("--09-22") == "22 September" and display.day("2021") == "2021"


def test_every_commitment_page_shows_the_rules_sets(client, kg, commitment_ids):
    """For every commitment: the owners, funding amounts and figures in the block are the API object's,
    each owner with every quote of its responsibility and of the programmes on its route."""
    for cid in commitment_ids:
        c = acc.get_commitment(kg, cid)
        page = soup(client, f"/doc/commitment/{cid}")
        glance = page.select_one("section.glance")
        assert glance is not None, cid
        assert attr_set(glance, "data-responsibility") == {o["id"] for o in c["owners"]}, cid
        assert attr_set(glance, "data-funding") == {f["id"] for f in c["funding"]}, cid
        assert attr_set(glance, "data-figure", "#glance-progress details") == {f["id"] for f in c["figures"]}, cid
        totals = [(t["data-currency"], float(t["data-amount"]), int(t["data-count"])) for t in glance.select(".total")]
        assert totals == [(t["currency"], t["amount"], t["count"]) for t in acc.funding_total(c["funding"])], cid
        for o in c["owners"]:
            item = glance.select_one(f'[data-responsibility="{o["id"]}"]')
            text = " ".join(item.get_text(" ").split())
            assert o["body"]["label"] in text and all(p["label"] in text for p in o["via"]), (cid, o["id"])
            for s in o["sources"]:
                assert " ".join(s["quote"].split()) in text and format_locator(s["locator"]) in text, (cid, o["id"])
        # the block comes before the property table
        assert str(page).index('class="glance"') < str(page).index("<h2>Properties</h2>")


def test_owner_hops_carry_the_programmes_quotes(client, kg):
    """An owner reached through parts of programmes shows each programme on the route with its quote."""
    ctx = ent.Context(kg)
    c = acc.get_commitment(kg, "nurses-50k")
    deep = [o for o in c["owners"] if len(o["via"]) > 1]
    assert deep
    glance = soup(client, "/doc/commitment/nurses-50k").select_one("section.glance")
    for o in deep:
        hops = glance.select_one(f'[data-responsibility="{o["id"]}"] ol.hops').find_all("li", class_="hop")
        assert len(hops) == len(o["via"]) + 1  # each programme, then the responsibility
        for hop, p in zip(hops, o["via"], strict=False):
            assert p["label"] in hop.get_text(" ")
            first = ctx.sources([p["iri"]])[p["iri"]][:1]
            assert all(" ".join(s["quote"].split()) in " ".join(hop.get_text(" ").split()) for s in first)


def test_ratings_as_chips_by_rank(client, kg):
    rated = {ent.slug_of(r["c"]) for r in kg.rows("SELECT DISTINCT ?c WHERE { ?r wkg:ratedCommitment ?c }")}
    assert rated
    for cid in sorted(rated)[:4]:
        c = acc.get_commitment(kg, cid)
        chips = soup(client, f"/doc/commitment/{cid}").select("#glance-ratings .rating")
        expected = {(r["value"]["id"], r["rank"]) for r in c["ratings"] if r["value"]}
        shown = set()
        for chip in chips:
            rank = next(k for k in chip["class"] if k.startswith("rating-rank-")).removeprefix("rating-rank-")
            shown.add((chip["data-rating"], int(rank)))
            assert chip.get_text(" ").split(":")[-1].strip()  # the value as text, never colour alone
        assert shown == expected, cid
        assert chips[0].get_text().startswith("Overall")


def test_progress_against_the_target(client, kg, commitment_ids):
    checked = 0
    for cid in commitment_ids:
        c = acc.get_commitment(kg, cid)
        p = acc.progress(c)
        if not p or not p["latest"]:
            continue
        block = soup(client, f"/doc/commitment/{cid}").select_one("#glance-progress")
        bar = block.select_one("progress")
        assert float(bar["max"]) == p["target"] and float(bar["value"]) == min(p["latest"]["value"], p["target"])
        assert (
            display.number(p["target"]) in bar["aria-label"]
            and display.number(p["latest"]["value"]) in bar["aria-label"]
        )
        assert block.select_one(".latest")["data-figure"] == p["latest"]["id"]
        assert f"{round(p['share'] * 100)}% of the target" in block.get_text(" ")
        checked += 1
    assert checked >= 3


@pytest.mark.parametrize(
    "path",
    [
        "/doc/commitment/nurses-50k",
        "/doc/commitment/ep-1-workforce-requirements",
        "/doc/organisation/dhsc",
        "/doc/document/hscc-expert-panel-govt-response-2023",
        "/doc/funding/d001-clinical-placements-55m",
        "/doc/figure/d001-new-medical-schools",
    ],
)
def test_pages_have_no_datatype_noise_or_file_names(client, path):
    r = client.get(path, headers=HTML)
    text = visible_text(BeautifulSoup(r.text, "html.parser"))
    assert "^^" not in r.text and "xsd:" not in text and ".ttl" not in text and ".txt" not in text
    assert not any(name in r.text for name in GRAPH_FILES)
    assert not re.search(r"[\w.-]+(/[\w.-]+)*\.(csv|ttl|txt|json)\b", text)  # no internal file paths
    assert not re.search(
        r"\b\d{4}-\d{2}-\d{2}\b", text.split("Incoming links")[0].split("Sources (")[0].split("/id/")[-1]
    )


def test_amounts_and_locators_formatted(client, kg):
    page = soup(client, "/doc/funding/d001-clinical-placements-55m")
    assert "£55 million" in visible_text(page)
    cites = [p.get_text(" ") for p in soup(client, "/doc/commitment/nurses-50k").select("p.cite")]
    assert cites and all(re.search(r", (para|section|sentence|bullet|resolution) \S", c) for c in cites)


def test_incoming_links_grouped_and_collapsed(client, kg):
    dhsc = f"{kg.base}/id/organisation/dhsc"
    page = soup(client, "/doc/organisation/dhsc")
    groups = page.select("details.incoming-group")
    assert len(groups) > 1 and not any(g.has_attr("open") for g in groups)
    total = int(re.search(r"Incoming links \((\d+)\)", page.get_text()).group(1))
    assert sum(int(g["data-count"]) for g in groups) == total > 100
    by_predicate = {}
    for r in kg.rows(f"SELECT ?p (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p <{dhsc}> FILTER isIRI(?s) }} GROUP BY ?p"):
        by_predicate[r["p"]] = int(r["n"])
    for g in groups:
        if g["data-predicate"] in by_predicate and "→" not in g.summary.get_text():
            assert int(g["data-count"]) == by_predicate[g["data-predicate"]]
            assert f"({g['data-count']})" in g.summary.get_text()


# -- in Chromium ----------------------------------------------------------------------------------------


@pytest.mark.browser
def test_commitment_page_in_chromium(page, live_server):
    """An evaluated commitment: ratings chips coloured by rank, owners, funding total; then one with a target."""
    page.goto(f"{live_server.url}/doc/commitment/ep-1-workforce-requirements")
    glance = page.locator("section.glance")
    assert glance.is_visible()
    chip = page.locator("#glance-ratings .rating").first
    assert chip.inner_text().startswith("Overall")
    colour = chip.evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour not in ("rgba(0, 0, 0, 0)", "transparent")  # ratings.css applies
    # the text takes the chip's colour (white on the darkest steps), never the page's link colour
    assert chip.evaluate("e => getComputedStyle(e.querySelector('a')).color === getComputedStyle(e).color")
    assert page.locator("#glance-funding .total").count() >= 1
    screenshot(page, "commitment-page")
    page.goto(f"{live_server.url}/doc/commitment/medical-school-places-1500")
    bar = page.get_by_role("progressbar")
    assert "of the target" not in (bar.get_attribute("aria-label") or "") and "1,500" in bar.get_attribute("aria-label")
    screenshot(page, "commitment-page-target")
    # readable on a phone: no horizontal overflow at 390 px
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/doc/commitment/ep-1-workforce-requirements")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "commitment-page-phone")


@pytest.mark.browser
def test_body_page_groups_incoming_links(page, live_server):
    page.goto(f"{live_server.url}/doc/organisation/dhsc")
    groups = page.locator("details.incoming-group")
    assert groups.count() > 1
    first = groups.first
    links = first.locator("li a")
    assert not links.first.is_visible()  # collapsed
    first.locator("summary").click()
    assert links.first.is_visible()
    screenshot(page, "body-page")
