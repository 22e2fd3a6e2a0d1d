"""Links and headers: only http(s) IRIs become links on any page; one Content-Security-Policy on every
HTML page; nosniff and Referrer-Policy on every response, whatever its route, status or media type."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from workforce_kg.config import Settings
from workforce_kg.store.kg import KnowledgeGraph
from workforce_kg.web.app import create_app
from workforce_kg.web.middleware import CSP, linkable

BASE = "https://w3id.org/workforce-kg"
ENTITY = f"{BASE}/id/organisation/nhse"
SAME_AS = ox.NamedNode("http://schema.org/sameAs")
HOSTILE = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(document.cookie)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "javascript://example.org/%0Aalert(1)",
]
SAFE = "https://example.org/nhse"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    """The bundled graph (a copy: the session's is shared), with hostile sameAs IRIs on one body."""
    kg = KnowledgeGraph.load()
    graph = ox.NamedNode(f"{BASE}/graph/test-hostile")
    kg.store.extend([ox.Quad(ox.NamedNode(ENTITY), SAME_AS, ox.NamedNode(iri), graph) for iri in [*HOSTILE, SAFE]])
    kg.store.extend(
        [
            ox.Quad(
                ox.NamedNode(iri), ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"), ox.Literal("x"), graph
            )
            for iri in HOSTILE
        ]
    )
    with TestClient(create_app(Settings(store=tmp_path_factory.mktemp("s")), kg), raise_server_exceptions=False) as c:
        yield c


def hrefs(html: str) -> list[str]:
    return re.findall(r'(?:href|src|action)\s*=\s*"([^"]*)"', html, flags=re.I)


def test_linkable():
    assert linkable("http://example.org/") and linkable("HTTPS://example.org/")
    for iri in [*HOSTILE, " javascript:alert(1)", "\tjavascript:alert(1)", "java\nscript:alert(1)", "mailto:a@b", ""]:
        assert not linkable(iri), iri


def test_entity_page_links_only_http_iris(client):
    r = client.get("/doc/organisation/nhse", headers={"accept": "text/html"})
    assert r.status_code == 200
    targets = hrefs(r.text)
    assert SAFE in targets
    for iri in HOSTILE:
        assert iri not in targets
    assert not [t for t in targets if not re.match(r"(https?:|/|#|\.|data:,$)", t)], targets
    for iri in HOSTILE[:2]:
        assert f'title="{iri}"' in r.text  # shown, as text


HTML_ROUTES = [
    "/",
    "/query",
    "/docs",
    "/ontology",
    "/doc/organisation/nhse",
    "/graph",
    "/graph?focus=nhse",
    "/matrix",
    "/gaps",
    "/def",
    "/doc/organisation/no-such-body",
    "/graph?focus=no-such-thing",
    "/matrix?of=nothing",
]


@pytest.mark.parametrize("path", HTML_ROUTES)
def test_every_html_page_carries_the_csp(client, path):
    r = client.get(path, headers={"accept": "text/html"})
    assert r.headers["content-type"].startswith("text/html"), (path, r.status_code, r.headers["content-type"])
    assert r.headers["content-security-policy"] == CSP
    assert "frame-ancestors 'none'" in CSP and "script-src 'self'" in CSP
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert not re.search(r"<script(?![^>]*\b(src|type=\"application/(json|ld\+json)\"))[^>]*>", r.text), (
        "an inline script the CSP would block"
    )
    assert not [u for u in hrefs(r.text) if u.startswith(("http://", "https://", "//")) and "/static/" in u]


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_docs_load_swagger_and_redoc_from_this_server(client, path):
    r = client.get(path)
    assert r.status_code == 200 and "cdn" not in r.text.lower()
    for url in re.findall(r'(?:src|href)="([^"]+)"', r.text):
        if url.startswith("/"):
            assert client.get(url).status_code == 200, url


@pytest.mark.parametrize(
    "method, path, headers, status",
    [
        ("GET", "/api/funding", {}, 200),
        ("GET", "/doc/organisation/nhse", {"accept": "text/turtle"}, 200),
        ("GET", "/ontology", {"accept": "application/ld+json"}, 200),
        ("GET", "/static/query.js", {}, 200),
        ("GET", "/static/vendor/yasqe.min.css", {}, 200),
        ("GET", "/no/such/route", {}, 404),
        ("GET", "/static/nope.js", {}, 404),
        ("GET", "/api/funding?min_amount=inf", {}, 422),
        ("GET", "/sparql?query=SELEC", {}, 400),
        ("POST", "/validate", {"content-type": "text/turtle"}, 413),
        ("GET", "/healthz", {}, 200),
    ],
)
def test_every_response_carries_the_headers(client, method, path, headers, status):
    r = client.request(method, path, headers=headers, content=b"#" * 2_000_000 if method == "POST" else None)
    assert r.status_code == status
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["content-security-policy"] == CSP


def test_an_unhandled_error_carries_the_headers(tmp_path):
    app = create_app(Settings(store=tmp_path), KnowledgeGraph.load())

    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/boom")
    assert r.status_code == 500 and r.headers["x-content-type-options"] == "nosniff"
