"""Full-text search: the FTS5 index, /api/search, the wkgfn: SPARQL functions, /search and the header box."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from fastapi.testclient import TestClient

from conftest import screenshot
from workforce_kg.config import Settings
from workforce_kg.store import local as stores
from workforce_kg.store import search
from workforce_kg.store.kg import KnowledgeGraph
from workforce_kg.web.app import create_app

B = "https://w3id.org/workforce-kg"
TOKEN = "alice:alice-token-1"
ALICE = {"Authorization": "Bearer alice-token-1"}
UPDATE = {"Content-Type": "application/sparql-update"}
JSON_RESULTS = {"Accept": "application/sparql-results+json"}


@pytest.fixture(scope="module")
def client(built_store):
    with TestClient(create_app(Settings(store=built_store, query_workers=0))) as c:
        yield c


def texts_by_field(kg: KnowledgeGraph) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Independently of the index: the quotes of each fact (one per citation), and every other indexed text
    of each thing (one per triple)."""
    quotes: dict[str, list[str]] = defaultdict(list)
    for r in kg.rows("SELECT ?f ?q WHERE { ?f wkg:citation ?c . ?c wkg:quote ?q FILTER(isIRI(?f)) }"):
        quotes[r["f"]].append(r["q"])
    others: dict[str, list[str]] = defaultdict(list)
    preds = " ".join(f"<{p if ':' in p else kg.prefixes['wkg'] + p}>" for p in search.FIELD_PREDICATES)
    for r in kg.rows(f"SELECT ?s ?p ?t WHERE {{ VALUES ?p {{ {preds} }} ?s ?p ?t FILTER(isIRI(?s)) }}"):
        others[r["s"]].append(r["t"])
    return quotes, others


def quote_only_word(kg: KnowledgeGraph) -> tuple[str, set[str]]:
    """A word found in the quotes of several things and in no other text (no word sharing its first five
    letters either, so stemming cannot reach one), with the things whose quotes have it."""
    quotes, others = texts_by_field(kg)
    other_words = {w.lower()[:5] for texts in others.values() for t in texts for w in re.findall(r"[A-Za-z]+", t)}
    holders: dict[str, set[str]] = defaultdict(set)
    for fact, qs in quotes.items():
        for q in qs:
            for w in re.findall(r"[A-Za-z]{8,}", q):
                holders[w.lower()].add(fact)
    candidates = sorted(
        (w for w, fs in holders.items() if len(fs) >= 3 and w[:5] not in other_words),
        key=lambda w: (-len(holders[w]), w),
    )
    assert candidates, "the graph has no word found only in quotes"
    return candidates[0], holders[candidates[0]]


# -- the index ---------------------------------------------------------------------------------------


def test_build_makes_the_index_of_the_store(built_store, kg):
    file = search.index_path(built_store, stores.FIRST)
    assert file.exists()
    quotes, others = texts_by_field(kg)
    index = search.open_index(file)
    assert len(index) == sum(map(len, quotes.values())) + sum(map(len, others.values()))


def test_a_word_only_in_quotes_finds_the_facts_they_support(client, kg):
    word, holders = quote_only_word(kg)
    page = client.get("/api/search", params={"q": word, "limit": 1000}).json()
    hits = page["items"]
    assert holders <= {h["iri"] for h in hits}
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    top = hits[0]
    assert top["match"]["field"] == "quote" and top["matched"] == ["quote"]
    assert top["quote"]["document"]["iri"].startswith(f"{B}/id/document/") and top["quote"]["document"]["label"]
    assert top["quote"]["locator"]
    (start, end), *_ = top["quote"]["highlights"]
    assert top["quote"]["text"][start:end].lower().startswith(word[:5])
    # the quote and its place are those of a real citation of the thing
    rows = kg.rows(
        f"""SELECT ?doc ?loc WHERE {{ <{top["iri"]}> wkg:citation ?c . ?c wkg:quote ?q ; wkg:document ?doc ;
        wkg:locator ?loc FILTER(STR(?q) = {json_string(top["quote"]["text"])}) }}"""
    )
    assert {"doc": top["quote"]["document"]["iri"], "loc": top["quote"]["locator"]} in rows


def json_string(text: str) -> str:
    import json

    return json.dumps(text)


def test_exact_names_first_and_types(client):
    page = client.get("/api/search", params={"q": "Health Education England"}).json()
    assert page["items"][0]["id"] == "hee" and page["items"][0]["exact"]
    only = client.get("/api/search", params={"q": "nurses", "type": "programme"}).json()["items"]
    assert only and all(i["type"] == "programme" for i in only)
    r = client.get("/api/search", params={"q": "nurses", "type": "nonsense"})
    assert r.status_code == 422 and r.json()["field"] == "type"


@pytest.mark.parametrize(
    "q", ["don't", "NHS-E", "nurses AND", '"unbalanced', "NEAR(", "col:umn", "a*b OR", "* nurses", "x\x00y"]
)
def test_plain_words_are_never_syntax(client, q):
    r = client.get("/api/search", params={"q": q})
    assert r.status_code == 200, r.text
    assert r.json()["match"] in ("all", "any")


def test_any_word_when_no_text_has_them_all(client, kg):
    word, _ = quote_only_word(kg)
    page = client.get("/api/search", params={"q": f"{word} zzqxwv"}).json()
    assert page["match"] == "any" and page["total"] > 0


@pytest.mark.parametrize("q", ['"unbalanced', "nurses AND", "NEAR(nurses", "(nurses", "* nurses", "nurses:"])
def test_malformed_fts5_query_is_422(client, q):
    r = client.get("/api/search", params={"q": q, "syntax": "fts5"})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["field"] == "q" and "FTS5" in body["error"]
    page = client.get("/search", params={"q": q, "syntax": "fts5"})
    assert page.status_code == 422 and "FTS5" in page.text


def test_fts5_syntax_when_asked(client):
    both = client.get("/api/search", params={"q": "nurses AND midwives", "syntax": "fts5", "limit": 500}).json()
    either = client.get("/api/search", params={"q": "nurses OR midwives", "syntax": "fts5", "limit": 500}).json()
    assert both["match"] == "fts5" and 0 < both["total"] < either["total"]


# -- kept current by writes, escaped ---------------------------------------------------------------


def test_a_write_is_searchable_at_once_and_escaped(writable, kg):
    doc, loc, quote = next(
        (r["d"], r["l"], r["q"])
        for r in kg.rows(
            "SELECT ?d ?l ?q WHERE { ?f wkg:citation ?c . ?c wkg:document ?d ; wkg:locator ?l ; wkg:quote ?q }"
        )
    )
    label = "Plorkwhistle <script>alert(1)</script> & Co"
    thing = f"{B}/id/organisation/plorkwhistle-test"
    graph = f"{B}/graph/curation/search-test"
    insert = f"""INSERT DATA {{ GRAPH <{graph}> {{
        <{thing}> a org:Organization ; org:classification otype:service-provider ;
            skos:prefLabel {json_string(label)}@en ;
            wkg:citation [ wkg:document <{doc}> ; wkg:locator {json_string(loc)} ;
                           wkg:quote {json_string(quote)} ] }} }}"""
    settings = Settings(store=writable, update_token=TOKEN, query_workers=0, update_timeout=30)
    with TestClient(create_app(settings)) as c:
        assert c.get("/api/search", params={"q": "plorkwhistle"}).json()["total"] == 0
        r = c.post("/sparql", content=insert, headers={**ALICE, **UPDATE})
        assert r.status_code == 200, r.text
        generation = stores.generation(writable)
        assert search.index_path(writable, generation).exists()  # written with the version it indexes
        hits = c.get("/api/search", params={"q": "plorkwhistle"}).json()["items"]
        assert [h["iri"] for h in hits] == [thing]
        hit = hits[0]
        assert hit["label"] == label and hit["quote"] is None  # its quote does not have the word
        by_quote = c.get("/api/search", params={"q": quote, "limit": 1000}).json()["items"]
        cited = next(h for h in by_quote if h["iri"] == thing)
        assert cited["quote"]["document"]["iri"] == doc and cited["quote"]["locator"] == loc
        assert cited["quote"]["text"] == quote and cited["match"]["field"] == "quote"
        assert "<script>" not in hit["match"]["html"] and "&lt;script&gt;" in hit["match"]["html"]
        assert hit["match"]["html"].startswith("<mark>Plorkwhistle</mark>")
        page = c.get("/search", params={"q": "plorkwhistle"})
        assert page.status_code == 200 and "<script>alert(1)" not in page.text and "&lt;script&gt;alert(1)" in page.text
        rows = sparql(c, f'SELECT ?s WHERE {{ BIND(<{thing}> AS ?x) BIND(wkgfn:score(?x, "plorkwhistle") AS ?s) }}')
        assert rows[0].get("s")
        r = c.post("/sparql", content=f"DROP GRAPH <{graph}>", headers={**ALICE, **UPDATE})
        assert r.status_code == 200, r.text
        assert c.get("/api/search", params={"q": "plorkwhistle"}).json()["total"] == 0
        assert not sparql(
            c, f'SELECT ?s WHERE {{ BIND(wkgfn:score(<{thing}>, "plorkwhistle") AS ?s) FILTER(BOUND(?s)) }}'
        )
    folders = {p.name for p in writable.iterdir() if p.is_dir()}
    indexes = {search.generation_of(f) for f in writable.glob("search-*.sqlite")}
    assert stores.generation(writable) in indexes and indexes <= folders  # one index per version kept
    assert not list(writable.glob(".search-*"))  # no temporary file left


def test_pruning_a_version_removes_its_index(writable):
    for _ in range(2):
        name, tmp = stores.next_generation(writable)
        st = stores.open_store(writable)
        st.backup(str(tmp))
        search.build(st, stores.store_base(writable), search.index_path(writable, name))
        stores.publish(writable, name, tmp)
    (writable / ".search-gen-000009.sqlite.tmp").touch()  # left by a write that crashed
    assert {search.generation_of(f) for f in writable.glob("search-*")} == {"oxigraph", "gen-000001", "gen-000002"}
    assert stores.prune(writable, grace=0) == ["oxigraph"]
    assert {search.generation_of(f) for f in writable.glob("*search-*")} == {"gen-000001", "gen-000002"}
    assert (
        KnowledgeGraph.load(writable)
        .search_index()
        .db.execute("PRAGMA database_list")
        .fetchone()[2]
        .endswith("search-gen-000002.sqlite")
    )


# -- SPARQL ------------------------------------------------------------------------------------------


def sparql(c: TestClient, query: str) -> list[dict]:
    r = c.get("/sparql", params={"query": query}, headers=JSON_RESULTS)
    assert r.status_code == 200, r.text
    return [{k: v["value"] for k, v in b.items()} for b in r.json()["results"]["bindings"]]


RANKED = """SELECT ?thing ?score ?snippet WHERE {{
  {{ SELECT DISTINCT ?thing WHERE {{ ?thing ?p ?o FILTER(isIRI(?thing)) }} }}
  BIND(wkgfn:score(?thing, "{q}") AS ?score)
  FILTER(BOUND(?score))
  BIND(wkgfn:snippet(?thing, "{q}") AS ?snippet)
}} ORDER BY DESC(?score) ?thing"""


def test_sparql_function_in_the_sandboxed_workers_ranks_as_the_api(built_store, kg):
    word, _ = quote_only_word(kg)
    settings = Settings(store=built_store, query_workers=1)
    with TestClient(create_app(settings)) as c:
        assert c.app.state.executor.stats()["confinement"]  # the worker reads the index under its sandbox
        for q in (word, "workforce burnout"):
            rows = sparql(c, RANKED.format(q=q))
            api = c.get("/api/search", params={"q": q, "limit": 1000}).json()["items"]
            assert rows and len(rows) == len(api)
            assert {r["thing"]: round(float(r["score"]), 3) for r in rows} == {h["iri"]: h["score"] for h in api}
            assert [float(r["score"]) for r in rows] == sorted((float(r["score"]) for r in rows), reverse=True)
            top = next(h for h in api if h["iri"] == rows[0]["thing"])
            assert rows[0]["snippet"].replace("«", "").replace("»", "") == top["match"]["text"]
            assert "«" in rows[0]["snippet"]


# -- the page and the header box ---------------------------------------------------------------------


@pytest.mark.browser
def test_header_search_box_opens_ranked_results(page, live_server, kg):
    word, holders = quote_only_word(kg)
    page.goto(live_server.url + "/")
    box = page.locator("header.site input[type=search]")
    assert page.locator("label[for=site-search-q]").count() == 1
    box.fill(word)
    with page.expect_navigation():
        box.press("Enter")
    assert page.url.startswith(live_server.url + "/search?q=")
    hits = page.locator("ol.hits > li")
    api = kg_search(live_server, word)
    assert hits.count() == min(20, len(api))
    first = hits.nth(0)
    assert first.locator("mark").count() >= 1
    assert first.locator("mark").first.text_content().lower().startswith(word[:5])
    assert first.locator(".hit-source a").get_attribute("href").startswith("/doc/document/")
    href = first.locator(".hit-title a").get_attribute("href")
    assert href == "/doc/" + api[0]["iri"].split("/id/", 1)[1]
    screenshot(page, "search")
    page.set_viewport_size({"width": 390, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "search-390", full_page=False)
    with page.expect_navigation():
        first.locator(".hit-title a").click()
    assert page.url == live_server.url + href


def kg_search(live_server, q: str) -> list[dict]:
    import json
    import urllib.parse
    import urllib.request

    with urllib.request.urlopen(f"{live_server.url}/api/search?{urllib.parse.urlencode({'q': q})}") as r:
        return json.load(r)["items"]


@pytest.mark.browser
def test_query_page_searches_and_offers_the_sparql_function(page, live_server):
    from workforce_kg.analysis.search import SPARQL_EXAMPLE

    page.goto(live_server.url + "/query")
    page.wait_for_selector(".CodeMirror")
    with page.expect_navigation():
        page.click(".text-search a")  # the example query using wkgfn:score, loaded into the editor
    page.wait_for_selector(".CodeMirror")
    assert (
        page.evaluate("document.querySelector('.CodeMirror').CodeMirror.getValue()").strip() == SPARQL_EXAMPLE.strip()
    )
    page.click("#run")
    page.wait_for_selector("#results-table tbody tr")
    import json
    import urllib.parse
    import urllib.request

    url = f"{live_server.url}/sparql?{urllib.parse.urlencode({'query': SPARQL_EXAMPLE})}"
    with urllib.request.urlopen(urllib.request.Request(url, headers=JSON_RESULTS)) as r:
        expected = json.load(r)["results"]["bindings"]
    assert expected and page.locator("#results-table tbody tr").count() == len(expected)
    page.fill("#text-search-q", "burnout")
    with page.expect_navigation():
        page.press("#text-search-q", "Enter")
    assert page.url == live_server.url + "/search?q=burnout"
    assert page.locator("ol.hits > li").count() == len(kg_search(live_server, "burnout"))
