"""Shared, expensive fixtures at session scope."""

from __future__ import annotations

import os
import shutil
import socket
import threading
from pathlib import Path

import pytest

from workforce_kg.provenance import sources
from workforce_kg.store import local as store
from workforce_kg.store.kg import KnowledgeGraph


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Tests marked ``java`` (HermiT through owlready2) need Java: skipped without it, a failure when CI is set."""
    if item.get_closest_marker("java") and shutil.which("java") is None:
        message = "Java not found on the PATH (HermiT needs it; install a JRE, e.g. openjdk-17-jre-headless)"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


@pytest.fixture(scope="session")
def sources_dir() -> Path:
    """The source texts; fail (not skip) when CI is set and they are missing."""
    folder = sources.sources_dir()
    if not folder.is_dir():
        message = f"source texts not found at {folder} (set WORKFORCE_KG_SOURCES)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return folder


@pytest.fixture(scope="session")
def graph():
    """Ontology and graph merged in one rdflib Graph."""
    return store.rdflib_graph()


@pytest.fixture(scope="session")
def kg() -> KnowledgeGraph:
    """The bundled graph in an in-memory Oxigraph store."""
    return KnowledgeGraph.load()


@pytest.fixture(scope="session")
def built_store(tmp_path_factory) -> Path:
    """An on-disk store built from the bundled graph."""
    from workforce_kg import docs

    path = tmp_path_factory.mktemp("store") / "store"
    store.build(path)
    docs.write_ontology_html(path)
    return path


@pytest.fixture()
def writable(built_store, tmp_path) -> Path:
    """A copy of the built store that a test may write to (the session's store stays as built)."""
    path = tmp_path / "store"
    shutil.copytree(built_store, path)
    return path


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """A real ``workforce-kg serve`` process on a loopback port."""

    def __init__(self, store_path: Path, env: dict | None = None):
        import subprocess
        import sys

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "workforce_kg", "serve", "--store", str(store_path), "--port", str(self.port)],
            env={**os.environ, **(env or {})},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.wait_ready()

    def wait_ready(self, timeout: float = 60) -> None:
        import time
        import urllib.request

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.proc.stderr.read().decode()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("server did not become ready")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except Exception:
            self.proc.kill()


@pytest.fixture(scope="session")
def live_server(built_store):
    """The service running on the bundled graph, for real clients (SPARQLWrapper, browsers, curl)."""
    server = LiveServer(built_store)
    yield server
    server.stop()


# -- Browser (Debian's Chromium driven by Playwright) ---------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


def screenshot(page, name: str, *, full_page: bool = True) -> Path:
    """Save a screenshot of ``page`` as ``test-artifacts/<name>.png`` (kept by CI for people to look at)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium; skipped when missing outside CI, a failure in CI."""
    problem = None
    if not CHROMIUM.exists():
        problem = f"{CHROMIUM} is missing (apt-get install -y chromium)"
    else:
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            problem = "the playwright Python package is missing"
    if problem:
        if os.environ.get("CI"):
            pytest.fail(problem)
        pytest.skip(problem)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh page; afterwards every request it made must have gone to our server, with no JS errors.

    ``page.evaluate`` should return plain values: an expression that returns a Cytoscape collection (e.g.
    ``edge.select()``) makes Playwright copy the whole graph object (seconds per call) — end it with ``; null``."""
    from urllib.parse import urlparse

    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    page = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    # HTTP error statuses are asserted by the tests themselves; other console errors are bugs
    page.on(
        "console",
        lambda m: (
            errors.append(m.text) if m.type == "error" and not m.text.startswith("Failed to load resource") else None
        ),
    )
    yield page
    context.close()
    ours = urlparse(live_server.url).netloc
    elsewhere = [
        u
        for u in requests
        if urlparse(u.removeprefix("blob:")).netloc != ours and not u.startswith(("data:", "about:"))
    ]
    assert not elsewhere, f"requests to other hosts: {elsewhere}"
    assert not errors, f"JavaScript errors: {errors}"


class Listener:
    """A TCP listener on loopback that counts the connections it accepts (and answers none): what the
    hostile-input, sandbox and upload tests point outbound requests at, to assert that none arrives."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:  # closed
                return
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.sock.close()
