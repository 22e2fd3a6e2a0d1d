"""Dereferenceable IRIs, the dataset description, dumps and the JSON-LD context (linked_data.py, describe.py)."""

from __future__ import annotations

import json
import re

import pyoxigraph as ox
import pytest
import rdflib
from fastapi.testclient import TestClient
from rdflib.compare import isomorphic

from workforce_kg.config import Settings
from workforce_kg.rdf import describe
from workforce_kg.store.kg import KnowledgeGraph
from workforce_kg.web.app import create_app

BASE = "https://w3id.org/workforce-kg"
WKG = rdflib.Namespace(BASE + "/def/")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = rdflib.Namespace("http://purl.org/dc/terms/")
HTML = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
NURSES_QUOTE = "delivering the manifesto commitments to secure 50,000 more nurses"


@pytest.fixture(scope="module")
def client(kg, tmp_path_factory):
    app = create_app(Settings(store=tmp_path_factory.mktemp("s")), kg)
    with TestClient(app) as c:
        yield c


def rdf(response, fmt: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=response.content, format=fmt)


# -- entity pages ------------------------------------------------------------------------------------


def test_hee_page_lists_successor_and_quotes(client):
    r = client.get("/id/organisation/hee", headers=HTML)
    assert r.status_code == 200 and r.url.path == "/doc/organisation/hee"
    assert r.headers["content-type"].startswith("text/html")
    page = r.text
    assert "<h1>Health Education England</h1>" in page
    row = re.search(r'<tr><th><a href="/def/successor"[^>]*>successor</a></th><td>(.*?)</td></tr>', page)
    assert row and '<a href="/doc/organisation/nhse"' in row.group(1) and ">NHS England</a>" in row.group(1)
    # the provenance: quote, its document (linked to its page) and locator
    cite = re.search(r"<blockquote>Health Education England \(HEE\)</blockquote><p class=\"cite\">— (.*?)</p>", page)
    assert (
        cite
        and 'href="/doc/document/hscc-expert-panel-govt-response-2023"' in cite.group(1)
        and cite.group(1).endswith(", para 78")  # the locator in words
    )
    assert 'href="/graph?focus=https%3A%2F%2Fw3id.org%2Fworkforce-kg%2Fid%2Forganisation%2Fhee"' in page
    assert 'href="/def/FormalOrganization"' not in page and 'href="http://www.w3.org/ns/org#FormalOrganization"' in page
    # incoming: the responsibilities HEE holds, linked to their pages
    assert 'href="/doc/responsibility/d001-b-hee-lead-ltft"' in page


@pytest.mark.parametrize(
    "accept, location",
    [
        ("text/html", "/doc/commitment/nurses-50k"),
        ("text/turtle", "/doc/commitment/nurses-50k.ttl"),
        ("application/ld+json", "/doc/commitment/nurses-50k.jsonld"),
        ("application/n-triples", "/doc/commitment/nurses-50k.nt"),
        ("application/rdf+xml", "/doc/commitment/nurses-50k.rdf"),
    ],
)
def test_id_redirects_303_by_accept(client, accept, location):
    r = client.get("/id/commitment/nurses-50k", headers={"accept": accept}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == location
    assert "Accept" in r.headers["vary"]
    target = client.get(location, headers=HTML)  # an extension wins over Accept
    assert target.status_code == 200 and target.headers["content-type"].startswith(accept)


def test_id_unacceptable_is_406(client):
    r = client.get("/id/commitment/nurses-50k", headers={"accept": "image/png"}, follow_redirects=False)
    assert r.status_code == 406 and "available" in r.json()["error"]


def test_turtle_of_a_commitment_carries_its_citations(client, kg):
    r = client.get("/id/commitment/nurses-50k", headers={"accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = rdf(r, "turtle")
    cmt = rdflib.URIRef(BASE + "/id/commitment/nurses-50k")
    quotes = {str(q) for q in g.objects(None, WKG.quote)}
    assert NURSES_QUOTE in quotes and len(quotes) == 3
    assert all((cmt, WKG.citation, c) in g for c in g.subjects(WKG.quote, None))
    assert (cmt, WKG.statement, rdflib.Literal("secure 50,000 more nurses")) in g
    assert len(g) == len(describe.cbd(kg, str(cmt)))


def test_all_formats_carry_the_same_graph(client):
    turtle = rdf(client.get("/doc/commitment/nurses-50k.ttl"), "turtle")
    for ext, fmt in (("nt", "nt"), ("rdf", "xml"), ("jsonld", "json-ld")):
        other = rdf(client.get(f"/doc/commitment/nurses-50k.{ext}"), fmt)
        assert isomorphic(turtle, other), ext


def test_jsonld_reads_as_plain_json(client):
    doc = client.get("/doc/commitment/nurses-50k", headers={"accept": "application/ld+json"}).json()
    assert doc["id"] == "cmt:nurses-50k"
    assert {"Target", "ManifestoCommitment"} <= set(doc["type"])
    assert doc["statement"] == "secure 50,000 more nurses"
    assert doc["prefLabel"] == "50,000 more nurses"
    assert doc["jurisdiction"] == "jur:england"
    assert NURSES_QUOTE in [c["quote"] for c in doc["citation"]]
    assert {c["document"] for c in doc["citation"]} == {"doc:hscc-expert-panel-govt-response-2023"}
    assert doc["@context"]["citation"] == {"@id": "wkg:citation", "@type": "@id"}
    assert "successor" not in doc["@context"]  # only the terms the document uses


@pytest.mark.parametrize(
    "path, accept, needle",
    [
        ("/def/Commitment", "text/html", 'href="/doc/commitment/nurses-50k"'),
        ("/def/role/lead", "text/html", "<h1>"),
        ("/def/scheme/role", "text/turtle", "ConceptScheme"),
        ("/def/Commitment.ttl", "text/html", "owl:Class"),
        ("/def", "text/html", "Workforce commitments ontology"),
        ("/def.ttl", "text/html", "owl:Ontology"),
    ],
)
def test_def_terms_answer_directly(client, path, accept, needle):
    r = client.get(path, headers={"accept": accept}, follow_redirects=False)
    assert r.status_code == 200
    assert needle in r.text


def test_document_page_lists_facts_cited_from_it(client):
    page = client.get("/doc/document/hscc-expert-panel-govt-response-2023", headers=HTML).text
    assert 'href="/doc/commitment/nurses-50k"' in page
    assert re.search(r'<a href="/def/citation"[^>]*>citation</a> → <a href="/def/document"', page)


@pytest.mark.parametrize(
    "path",
    [
        "/id/organisation/no-such-body",
        "/doc/organisation/no-such-body",
        "/def/NoSuchClass",
        "/def/Commitment.exe",
        "/id/%2e%2e/%2e%2e/etc/passwd",
        "/doc/%2E%2E/%2E%2E/etc/passwd",
        "/def/..%2f..%2fetc%2fpasswd",
        "/id/organisation/hee/%2e%2e",
        "/id/organisation/a%20b",
        "/doc/organisation/%3Cx%3E",
        "/id/",
        "/def/",
    ],
)
def test_unknown_or_traversing_paths_are_404(client, path):
    r = client.get(path, follow_redirects=False)
    assert r.status_code == 404, path
    assert "error" in r.json() and "root:" not in r.text


def test_404_is_an_escaped_html_page_for_browsers(client):
    r = client.get("/doc/organisation/%3Cscript%3Ealert(1)%3C%2Fscript%3E", headers=HTML)
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "<script>" not in r.text and "Not found" in r.text


def test_labels_are_escaped_and_base_comes_from_the_graph(tmp_path):
    base = "http://example.org/kg"
    wkg = f"{base}/def/"
    evil = ox.NamedNode(f"{base}/id/organisation/evil")
    other = ox.NamedNode(f"{base}/id/organisation/other")
    cite = ox.BlankNode()
    store = ox.Store()
    store.extend(
        ox.Quad(s, ox.NamedNode(p), o, ox.NamedNode(f"{base}/graph/test"))
        for s, p, o in [
            (evil, describe.SKOS + "prefLabel", ox.Literal("<script>alert('label')</script>", language="en")),
            (evil, wkg + "successor", other),
            (other, describe.SKOS + "prefLabel", ox.Literal('Other "<img src=x onerror=alert(2)>"', language="en")),
            (evil, wkg + "citation", cite),
            (cite, wkg + "quote", ox.Literal("<b>quoted</b>")),
            (cite, wkg + "locator", ox.Literal("<i>7</i>")),
        ]
    )
    app = create_app(Settings(store=tmp_path), KnowledgeGraph(store, base))
    with TestClient(app) as c:
        page = c.get("/id/organisation/evil", headers=HTML).text
        assert "&lt;script&gt;alert(&#39;label&#39;)&lt;/script&gt;" in page
        assert "&lt;img src=x onerror=alert(2)&gt;" in page and "&lt;b&gt;quoted&lt;/b&gt;" in page
        assert "<script" not in page and "<img" not in page and "<b>" not in page and "<i>" not in page
        assert 'href="/doc/organisation/other"' in page  # IRIs under this graph's base link locally
        ttl = c.get("/doc/organisation/evil.ttl")
        assert (rdflib.URIRef(str(evil.value)), rdflib.URIRef(wkg + "successor"), rdflib.URIRef(other.value)) in rdf(
            ttl, "turtle"
        )
        assert c.get("/id/organisation/hee").status_code == 404  # not in this graph


# -- dataset description -----------------------------------------------------------------------------


def test_void_describes_the_dataset(client, kg):
    r = client.get("/.well-known/void")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = rdf(r, "turtle")
    ds = next(g.subjects(rdflib.RDF.type, VOID.Dataset))
    assert (ds, rdflib.RDF.type, DCAT.Dataset) in g
    assert int(g.value(ds, VOID.triples)) == len(kg)
    entities = kg.rows("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o FILTER isIRI(?s) }")[0]["n"]
    assert int(g.value(ds, VOID.entities)) == entities > 1000
    classes = {g.value(p, VOID["class"]) for p in g.objects(ds, VOID.classPartition)}
    assert {WKG.Commitment, WKG.Responsibility, rdflib.URIRef("http://www.w3.org/ns/org#Organization")} <= classes
    commitments = next(p for p in g.objects(ds, VOID.classPartition) if g.value(p, VOID["class"]) == WKG.Commitment)
    assert (
        int(g.value(commitments, VOID.entities))
        == kg.rows("SELECT (COUNT(*) AS ?n) WHERE { ?c a wkg:Commitment }")[0]["n"]
    )
    vocabularies = {str(v) for v in g.objects(ds, VOID.vocabulary)}
    assert {
        BASE + "/def/",
        "http://www.w3.org/ns/org#",
        "http://www.w3.org/2004/02/skos/core#",
        "http://schema.org/",
    } <= vocabularies
    assert g.value(ds, DCTERMS.license) == rdflib.URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert g.value(ds, VOID.sparqlEndpoint) == rdflib.URIRef("http://testserver/sparql")
    assert set(g.objects(ds, VOID.dataDump)) == {
        rdflib.URIRef("http://testserver/dump.nq"),
        rdflib.URIRef("http://testserver/dump.trig"),
    }
    assert str(g.value(ds, VOID.uriSpace)) == BASE + "/"
    dists = set(g.objects(ds, DCAT.distribution))
    assert len(dists) == 2 and all((d, rdflib.RDF.type, DCAT.Distribution) in g for d in dists)
    service = g.value(ds, DCAT.accessService)
    assert (service, rdflib.RDF.type, DCAT.DataService) in g and g.value(service, DCAT.endpointURL) == g.value(
        ds, VOID.sparqlEndpoint
    )
    sources = set(g.objects(ds, DCTERMS.source))
    assert len(sources) == 5 and rdflib.URIRef(BASE + "/id/document/hscc-expert-panel-govt-response-2023") in sources


def test_void_as_jsonld_is_the_same_graph(client):
    turtle = rdf(client.get("/.well-known/void"), "turtle")
    r = client.get("/.well-known/void", headers={"accept": "application/ld+json"})
    assert r.headers["content-type"].startswith("application/ld+json")
    assert isomorphic(turtle, rdf(r, "json-ld"))


@pytest.mark.parametrize("path, fmt", [("/dump.nq", ox.RdfFormat.N_QUADS), ("/dump.trig", ox.RdfFormat.TRIG)])
def test_dumps_hold_every_quad_in_its_graph(client, kg, path, fmt):
    r = client.get(path)
    assert r.status_code == 200
    quads = list(ox.parse(r.content, format=fmt))
    assert len(quads) == len(kg)
    assert {q.graph_name for q in quads} == set(kg.store.named_graphs())
    assert ox.DefaultGraph() not in {q.graph_name for q in quads}


# -- JSON-LD context ---------------------------------------------------------------------------------


def test_context_maps_the_ontology_terms(client):
    r = client.get("/context.jsonld")
    assert r.headers["content-type"].startswith("application/ld+json")
    ctx = r.json()["@context"]
    assert ctx["wkg"] == BASE + "/def/"
    assert ctx["successor"] == {"@id": "wkg:successor", "@type": "@id"}
    assert ctx["body"] == {"@id": "wkg:body", "@type": "@id"}  # the term, not the body: prefix
    assert ctx["value"] == {"@id": "wkg:value", "@type": "xsd:decimal"}
    assert ctx["rank"] == {"@id": "wkg:rank", "@type": "xsd:integer"}
    assert ctx["quote"] == "wkg:quote" and ctx["Commitment"] == "wkg:Commitment"
    assert ctx["id"] == "@id" and ctx["type"] == "@type"


def test_plain_json_expands_with_the_context(client):
    ctx = client.get("/context.jsonld").json()["@context"]
    doc = {"@context": ctx, "id": "cmt:x", "type": "Target", "successor": "cmt:y", "rank": 3, "targetValue": "12.5"}
    g = rdflib.Graph().parse(data=json.dumps(doc), format="json-ld")
    x = rdflib.URIRef(BASE + "/id/commitment/x")
    assert (x, rdflib.RDF.type, WKG.Target) in g
    assert (x, WKG.successor, rdflib.URIRef(BASE + "/id/commitment/y")) in g
    assert (x, WKG.rank, rdflib.Literal(3)) in g
    assert (x, WKG.targetValue, rdflib.Literal("12.5", datatype=rdflib.XSD.decimal)) in g


def test_compaction_round_trips_awkward_values(kg):
    """Values a term's coercion cannot carry fall back to compact-IRI keys, and nothing is lost."""
    s, shared = ox.NamedNode(BASE + "/id/commitment/x"), ox.BlankNode()
    p = lambda name: ox.NamedNode(BASE + "/def/" + name)  # noqa: E731
    triples = [
        ox.Triple(s, p("value"), ox.Literal("not a number")),  # wkg:value is typed xsd:decimal
        ox.Triple(s, p("value"), ox.Literal("4.50", datatype=ox.NamedNode(describe.XSD + "decimal"))),
        ox.Triple(s, p("successor"), ox.Literal("a literal where an IRI belongs")),
        ox.Triple(s, ox.NamedNode(describe.SKOS + "prefLabel"), ox.Literal("Gàidhlig", language="gd")),
        ox.Triple(s, ox.NamedNode(describe.SKOS + "prefLabel"), ox.Literal("no language")),
        ox.Triple(s, p("rank"), ox.Literal("007", datatype=ox.NamedNode(describe.XSD + "integer"))),
        ox.Triple(
            s,
            ox.NamedNode("http://example.org/flag"),
            ox.Literal("true", datatype=ox.NamedNode(describe.XSD + "boolean")),
        ),
        ox.Triple(s, p("citation"), shared),
        ox.Triple(ox.NamedNode(BASE + "/id/commitment/y"), p("citation"), shared),
        ox.Triple(shared, p("quote"), ox.Literal("shared quote")),
    ]
    body = describe.serialize(kg, triples, "application/ld+json")
    doc = json.loads(body)
    assert len(doc["@graph"]) == 3  # x, y and the blank node both point to
    expected = rdflib.Graph().parse(data=describe.serialize(kg, triples, "application/n-triples"), format="nt")
    assert isomorphic(rdflib.Graph().parse(data=body, format="json-ld"), expected)


# -- the rest of the service is not shadowed ---------------------------------------------------------


def test_other_routes_still_answer(client):
    assert client.get("/healthz").json()["status"] == "ok"
    assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True
    assert client.get("/ontology", headers={"accept": "text/turtle"}).status_code == 200


# -- over real HTTP ----------------------------------------------------------------------------------


def test_live_server_dereferences_with_real_clients(live_server, kg):
    """rdflib follows the 303 with its own Accept header; urllib reads the dump and the VoID."""
    import urllib.request

    g = rdflib.Graph().parse(live_server.url + "/id/commitment/nurses-50k")
    assert NURSES_QUOTE in {str(q) for q in g.objects(None, WKG.quote)}
    request = urllib.request.Request(live_server.url + "/id/organisation/hee", headers=HTML)
    with urllib.request.urlopen(request, timeout=10) as r:
        assert r.url.endswith("/doc/organisation/hee") and ">NHS England</a>" in r.read().decode()
    with urllib.request.urlopen(live_server.url + "/dump.nq", timeout=30) as r:
        assert len(list(ox.parse(r.read(), format=ox.RdfFormat.N_QUADS))) == len(kg)
    void = rdflib.Graph().parse(live_server.url + "/.well-known/void", format="turtle")
    assert (None, VOID.sparqlEndpoint, rdflib.URIRef(live_server.url + "/sparql")) in void


def test_rdf_lists_render_in_order(client):
    page = client.get("/def/rating/order", headers=HTML).text
    items = re.search(r"<ol>(.*?)</ol>", page).group(1)
    labels = re.findall(r">([^<>]+)</a>", items)
    assert labels == ["Inadequate", "Requires improvement", "Good", "Outstanding"]
