"""The predeclared prefixes, from one source: /prefixes (HTML, JSON, Turtle), the service description's
SHACL declarations, and the table in docs/querying.md."""

from __future__ import annotations

import html
import re

import pytest
import rdflib
from fastapi.testclient import TestClient
from rdflib.namespace import SH, XSD

from workforce_kg.config import Settings
from workforce_kg.vocab import PREFIX_NOTES, prefix_table, prefixes
from workforce_kg.web.app import create_app


@pytest.fixture(scope="module")
def client(kg, tmp_path_factory):
    with TestClient(create_app(Settings(store=tmp_path_factory.mktemp("s")), kg)) as c:
        yield c


def test_every_prefix_says_what_it_is():
    assert set(PREFIX_NOTES) == set(prefixes())
    assert all(note for _, _, note in prefix_table())


def test_json_is_the_prefixes_every_query_knows(client, kg):
    r = client.get("/prefixes", headers={"accept": "application/json"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    assert r.json() == kg.prefixes
    assert "accept" in r.headers["vary"].lower()


def test_turtle_declares_them(client, kg):
    r = client.get("/prefixes", headers={"accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = rdflib.Graph(bind_namespaces="none").parse(data=r.text + "wkg:x wkg:y body:z .", format="turtle")
    assert {p: str(ns) for p, ns in g.namespaces() if p in kg.prefixes} == kg.prefixes


def test_html_lists_each_in_the_shell(client, kg):
    r = client.get("/prefixes", headers={"accept": "text/html"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    row = r'<tr id="prefix-([\w-]+)"><th scope="row"><code>([\w-]+):</code></th>'
    rows = re.findall(row + r"<td><code>([^<]+)</code></td><td>([^<]+)</td>", r.text)
    assert [(p, ns) for p, _, ns, _ in rows] == list(kg.prefixes.items())
    assert [html.unescape(note) for *_, note in rows] == [PREFIX_NOTES[p] for p in kg.prefixes]
    assert '<nav aria-label="Site">' in r.text and 'class="table-scroll"' in r.text


def test_unservable_accept_is_406(client):
    r = client.get("/prefixes", headers={"accept": "image/png"})
    assert r.status_code == 406 and "application/json" in r.json()["error"]


def test_the_service_description_declares_them_the_shacl_way(client, kg):
    r = client.get("/sparql", headers={"accept": "text/turtle"})
    assert r.status_code == 200
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    [service] = g.subjects(rdflib.RDF.type, rdflib.URIRef("http://www.w3.org/ns/sparql-service-description#Service"))
    declared = {}
    for decl in g.objects(service, SH.declare):
        prefix, namespace = g.value(decl, SH.prefix), g.value(decl, SH.namespace)
        assert namespace.datatype == XSD.anyURI
        declared[str(prefix)] = str(namespace)
    assert declared == kg.prefixes
    assert str(g.value(service, rdflib.RDFS.seeAlso)).endswith("/prefixes")


def test_every_page_links_the_prefixes(client):
    for path in ("/", "/query", "/gaps"):
        footer = re.search(r'<footer class="site">(.*?)</footer>', client.get(path).text, re.S)
        assert footer and 'href="/prefixes"' in footer.group(1), path


@pytest.mark.browser
def test_prefixes_in_chromium_and_every_one_works_in_a_query(page, live_server, kg):
    """The page a reader opens from the footer lists each prefix; a query that uses every one of them
    without declaring any runs on the endpoint (they are predeclared, as the page says)."""
    from conftest import screenshot

    page.goto(live_server.url + "/query")
    page.click("footer.site a[href='/prefixes']")
    page.wait_for_selector("table.prefixes")
    shown = page.locator("table.prefixes tbody th code").all_text_contents()
    assert shown == [f"{p}:" for p in kg.prefixes]
    screenshot(page, "prefixes")
    probe = " ".join(f"OPTIONAL {{ ?s{i} a {p}:x }}" for i, p in enumerate(kg.prefixes))
    r = page.request.get(
        live_server.url + "/sparql",
        params={"query": f"ASK {{ {probe} }}"},
        headers={"accept": "application/sparql-results+json"},
    )
    assert r.status == 200 and r.json()["boolean"] is True
