"""The web layer's house rules: one site shell for every HTML page; the store refreshed by the routes
that read it (not by middleware); no root-logger change; nothing made at import that the lifespan owns;
no ``app.state`` read in a route."""

from __future__ import annotations

import logging
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from conftest import screenshot
from workforce_kg import docs
from workforce_kg.config import Settings
from workforce_kg.paths import PACKAGE_DIR
from workforce_kg.sparql import executor
from workforce_kg.store.kg import KnowledgeGraph
from workforce_kg.web.app import create_app
from workforce_kg.web.shell import NAV

LICENCE = "https://creativecommons.org/licenses/by/4.0/"
HTML = {"accept": "text/html,application/xhtml+xml"}


class CountingKG(KnowledgeGraph):
    """The bundled graph, counting calls of :meth:`refresh`."""

    refreshes = 0

    def refresh(self) -> bool:
        self.refreshes += 1
        return super().refresh()


@pytest.fixture(scope="module")
def counting_kg() -> CountingKG:
    loaded = KnowledgeGraph.load()
    return CountingKG(loaded.store, loaded.base)


@pytest.fixture(scope="module")
def client(counting_kg, tmp_path_factory):
    settings = Settings(store=tmp_path_factory.mktemp("s"), update_token="reviewer-token-123")
    with TestClient(create_app(settings, counting_kg)) as c:
        yield c


SHELL_PAGES = [
    ("/", 200),
    ("/query", 200),
    ("/docs", 200),
    ("/redoc", 200),
    ("/prefixes", 200),
    ("/ontology", 200),
    ("/doc/organisation/hee", 200),
    ("/def/role/lead", 200),
    ("/graph", 200),
    ("/graph?focus=body:hee", 200),
    ("/graph?focus=no-such-thing", 404),
    ("/matrix", 200),
    ("/matrix?of=nothing", 422),
    ("/ratings", 200),
    ("/ratings?theme=no-such-theme", 422),
    ("/gaps", 200),
    ("/ingest/review", 200),
    ("/doc/organisation/no-such-body", 404),
    ("/no/such/page", 404),
    ("/static/no-such-file.css", 404),
]


@pytest.mark.parametrize("path, status", SHELL_PAGES)
def test_every_html_page_is_in_the_one_shell(client, path, status):
    r = client.get(path, headers=HTML)
    assert r.status_code == status and r.headers["content-type"].startswith("text/html")
    html = r.text
    skip = re.search(r'<a class="skip-link" href="#([\w-]+)">', html)
    assert skip and f'id="{skip.group(1)}"' in html  # the skip link lands on the page's main content
    nav = re.search(r'<nav aria-label="Site">(.*?)</nav>', html, re.S)
    assert nav and re.findall(r'<a href="([^"]*)"', nav.group(1)) == [p for _, p in NAV]
    footer = re.search(r'<footer class="site">(.*?)</footer>', html, re.S)
    assert footer and 'href="/.well-known/void"' in footer.group(1) and 'href="/dump.nq"' in footer.group(1)
    assert f'<a rel="license" href="{LICENCE}">' in footer.group(1)
    assert html.count("<footer") == 1 and html.count('<nav aria-label="Site">') == 1
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    assert not re.search(r"<script(?![^>]*\b(src|type=\"application/(json|ld\+json)\"))[^>]*>", html)


@pytest.mark.parametrize(
    "path, current",
    [
        ("/", "Home"),
        ("/query", "Query"),
        ("/graph", "Graph"),
        ("/matrix", "Matrix"),
        ("/gaps", "Gaps"),
        ("/ontology", "Ontology"),
        ("/docs", "API"),
        ("/redoc", "API"),
        ("/prefixes", None),
    ],
)
def test_the_current_page_is_marked(client, path, current):
    nav = re.search(r'<nav aria-label="Site">(.*?)</nav>', client.get(path, headers=HTML).text, re.S)
    assert nav
    marked = re.findall(r'<a href="[^"]*" aria-current="page">([^<]+)</a>', nav.group(1))
    assert marked == ([current] if current else [])


def test_the_favicon_is_served_where_browsers_ask(client):
    for path in ("/favicon.ico", "/static/favicon.svg"):
        r = client.get(path)
        assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml"), path
        assert r.text.lstrip().startswith("<svg")


def test_api_docs_come_from_npm(client):
    from workforce_kg.web.routes.pages import VENDOR_FILES

    for page, vendored in (("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.standalone.js")):
        html = client.get(page, headers=HTML).text
        assert f'<script src="/static/vendor/{vendored}"></script>' in html
        assert vendored in VENDOR_FILES
        r = client.get(f"/static/vendor/{vendored}")
        assert r.status_code == 200 and len(r.content) > 100_000


def test_old_query_links_reach_the_query_page(client):
    r = client.get("/?query=ASK%20%7B%7D#frag", follow_redirects=False)
    assert r.status_code == 308 and r.headers["location"] == "/query?query=ASK%20%7B%7D"
    assert client.get("/", follow_redirects=False).status_code == 200


def test_unknown_paths_stay_json_for_api_clients(client):
    for path in ("/no/such/page", "/static/no-such-file.css", "/doc/organisation/no-such-body"):
        r = client.get(path)
        assert r.status_code == 404 and r.json()["error"], path


def test_the_store_is_refreshed_by_the_routes_that_read_it(client, counting_kg):
    before = counting_kg.refreshes
    for path in ("/static/base.css", "/api/examples", "/docs", "/openapi.json"):
        assert client.get(path).status_code == 200
    assert counting_kg.refreshes == before  # the request log and static files leave the store alone
    assert client.get("/doc/organisation/hee.ttl").status_code == 200
    assert client.get("/api/bodies/hee").status_code == 200
    assert counting_kg.refreshes == before + 2  # once per request that reads the graph


def test_ontology_docs_leave_the_root_logger_alone():
    root = logging.getLogger()
    level = root.level
    try:
        root.setLevel(logging.DEBUG)
        docs.ontology_html()
        assert root.level == logging.DEBUG
    finally:
        root.setLevel(level)


def test_no_worker_thread_pool_is_made_at_import():
    assert not [name for name, value in vars(executor).items() if isinstance(value, ThreadPoolExecutor)]


def test_routes_read_no_app_state():
    routes = sorted((PACKAGE_DIR / "web" / "routes").glob("*.py"))
    assert len(routes) >= 8
    assert [p.name for p in routes if "app.state" in p.read_text(encoding="utf-8")] == []


def test_templates_are_package_data():
    pyproject = (Path(__file__).parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    assert '"web/templates/**/*"' in pyproject
    assert (PACKAGE_DIR / "web" / "templates" / "base.html").is_file()


def test_core_errors_are_answered_by_the_exception_handlers(kg, tmp_path):
    """A route may let the core's NotFound / InvalidFilter through: the app's handlers answer 404 / 422."""
    from workforce_kg.analysis import accountability as acc

    app = create_app(Settings(store=tmp_path), kg)

    @app.get("/probe/{what}")
    def probe(what: str):
        if what == "missing":
            raise acc.NotFound("no body 'x'")
        raise acc.InvalidFilter("roles", "unknown roles 'boss'")

    with TestClient(app) as c:
        missing, bad = c.get("/probe/missing"), c.get("/probe/bad")
    assert missing.status_code == 404 and missing.json() == {"error": "no body 'x'"}
    assert bad.status_code == 422 and bad.json()["field"] == "roles"
    assert bad.json()["detail"] == [{"loc": ["query", "roles"], "msg": "unknown roles 'boss'", "type": "value_error"}]


# -- in the browser: the API docs render from the npm packages, under the one CSP ------------------------


@pytest.mark.browser
def test_redoc_renders_the_api(page, live_server):
    title = httpx.get(live_server.url + "/openapi.json").json()["info"]["title"]
    page.goto(live_server.url + "/redoc")
    heading = page.locator("#redoc h1").first
    heading.wait_for()
    assert title in heading.text_content()
    assert page.locator("#redoc").get_by_text("SPARQL 1.1 Protocol endpoint (GET)").count() >= 1
    assert page.locator('nav[aria-label="Site"] a[aria-current="page"]').text_content() == "API"
    screenshot(page, "redoc", full_page=False)


@pytest.mark.browser
def test_swagger_ui_still_renders(page, live_server):
    title = httpx.get(live_server.url + "/openapi.json").json()["info"]["title"]
    page.goto(live_server.url + "/docs")
    heading = page.locator("#swagger-ui .info .title").first
    heading.wait_for()
    assert title in heading.text_content()
    assert page.locator("#swagger-ui .opblock").count() > 10
    screenshot(page, "docs", full_page=False)
