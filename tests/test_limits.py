"""Request-size limits: bodies over WORKFORCE_KG_MAX_BODY get 413 with the {"error": ...} shape on every
route that takes a body, whether Content-Length announces them or they come chunked, and the service
answers normally afterwards."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from fastapi.testclient import TestClient

from conftest import LiveServer
from workforce_kg.config import Settings
from workforce_kg.web.app import create_app

LIMIT = 1000
ROUTES = [
    ("POST", "/sparql", {"Content-Type": "application/sparql-query"}),
    ("POST", "/sparql", {"Content-Type": "application/sparql-update", "Authorization": "Bearer tok"}),
    ("POST", "/validate", {"Content-Type": "text/turtle"}),
    ("PUT", "/graph-store?graph=https://example.org/g", {"Content-Type": "text/turtle", "Authorization": "Bearer tok"}),
    ("POST", "/graph-store?graph=https://example.org/g", {"Content-Type": "text/turtle"}),
]


@pytest.fixture(scope="module")
def client(kg, tmp_path_factory):
    app = create_app(Settings(store=tmp_path_factory.mktemp("s"), max_body=LIMIT, update_token="tok"), kg)
    with TestClient(app) as c:
        yield c


def too_large(r) -> bool:
    return r.status_code == 413 and r.json() == {"error": f"request body larger than {LIMIT} bytes"}


@pytest.mark.parametrize("method, path, headers", ROUTES)
def test_body_over_the_limit_is_413(client, method, path, headers):
    r = client.request(method, path, content=b"#" * (LIMIT + 1), headers=headers)
    assert too_large(r)


@pytest.mark.parametrize("method, path, headers", ROUTES)
def test_chunked_body_over_the_limit_is_413(client, method, path, headers):
    def chunks():  # no Content-Length: the limit applies to what is read
        for _ in range(LIMIT // 100 + 1):
            yield b"#" * 100

    r = client.request(method, path, content=chunks(), headers=headers)
    assert too_large(r)


def test_body_at_the_limit_is_read(client):
    query = b"ASK {}" + b" " * (LIMIT - 6)
    r = client.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 200 and r.json()["boolean"] is True


def test_query_longer_than_the_limit_is_413(client):
    r = client.get("/sparql", params={"query": "ASK {} #" + "x" * LIMIT})
    assert r.status_code == 413 and "query longer than" in r.json()["error"]


def test_live_server_refuses_a_large_body_and_stays_healthy(built_store):
    server = LiveServer(built_store, env={"WORKFORCE_KG_MAX_BODY": "100000", "WORKFORCE_KG_QUERY_WORKERS": "1"})
    try:
        for path, ctype in [("/sparql", "application/sparql-query"), ("/validate", "text/turtle")]:
            req = urllib.request.Request(server.url + path, data=b"#" * 5_000_000, headers={"Content-Type": ctype})
            with pytest.raises(urllib.error.HTTPError) as err:
                urllib.request.urlopen(req, timeout=30)
            assert err.value.code == 413
            assert json.loads(err.value.read()) == {"error": "request body larger than 100000 bytes"}
        with urllib.request.urlopen(server.url + "/healthz", timeout=10) as r:
            assert json.loads(r.read())["status"] == "ok"
    finally:
        server.stop()


def test_declared_large_body_is_refused_before_it_is_sent(built_store):
    """A client that announces 10 MB and sends none of it gets 413 at once, and the connection is closed."""
    import socket
    import time

    server = LiveServer(built_store, env={"WORKFORCE_KG_MAX_BODY": "100000", "WORKFORCE_KG_QUERY_WORKERS": "1"})
    try:
        for path in ("/sparql", "/validate"):
            with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
                started = time.monotonic()
                sock.sendall(
                    f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: text/turtle\r\n"
                    "Content-Length: 10000000\r\n\r\n".encode()
                )
                answer = b""
                while b"\r\n\r\n" not in answer or not answer.endswith(b"}"):
                    chunk = sock.recv(4096)
                    if not chunk:
                        break
                    answer += chunk
                elapsed = time.monotonic() - started
                assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
                assert elapsed < 1.0, f"413 after {elapsed:.2f} s"
                assert answer.split(b"\r\n\r\n", 1)[1] == b'{"error":"request body larger than 100000 bytes"}'
                sock.settimeout(5)  # then the server closes the connection (after a short wait for a body)
                while sock.recv(4096):
                    pass
    finally:
        server.stop()
