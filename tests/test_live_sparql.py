"""The endpoint over real HTTP, driven by real clients: SPARQLWrapper, rdflib's SPARQLStore, urllib."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, TSV, TURTLE, XML, SPARQLWrapper

from conftest import LiveServer

RATINGS = """PREFIX wkg: <https://w3id.org/workforce-kg/def/>
SELECT ?r ?v WHERE { ?r a wkg:Rating ; wkg:ratingValue ?v } ORDER BY ?r"""
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def wrapper(server, fmt, query=RATINGS):
    sw = SPARQLWrapper(server.url + "/sparql")
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    return sw.queryAndConvert()


def test_sparqlwrapper_json_xml_csv_tsv(live_server):
    as_json = wrapper(live_server, JSON)
    assert len(as_json["results"]["bindings"]) == 70
    xml = wrapper(live_server, XML)
    assert len(xml.getElementsByTagName("result")) == 70
    csv_text = wrapper(live_server, CSV).decode()
    assert csv_text.splitlines()[0] == "r,v" and len(csv_text.splitlines()) == 71
    tsv_text = wrapper(live_server, TSV).decode()
    assert tsv_text.splitlines()[0] == "?r\t?v" and len(tsv_text.splitlines()) == 71


def test_sparqlwrapper_construct_turtle_and_jsonld(live_server):
    q = "PREFIX wkg: <https://w3id.org/workforce-kg/def/> CONSTRUCT WHERE { ?e a wkg:Evaluation ; ?p ?o }"
    ttl = wrapper(live_server, TURTLE, q)
    g = Graph().parse(data=ttl, format="turtle")
    assert (URIRef("https://w3id.org/workforce-kg/id/evaluation/expert-panel-2022"), None, None) in g
    as_jsonld = wrapper(live_server, JSON, q)  # SPARQLWrapper sends Accept */* and expects JSON-LD
    assert len(as_jsonld) > 0


@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
def test_rdflib_sparqlstore(live_server, method):
    store = SPARQLStore(live_server.url + "/sparql", method=method, returnFormat="json")
    g = Graph(store=store)
    rows = list(g.query(RATINGS))
    assert len(rows) == 70


def test_curl_like_get_with_accept(live_server):
    url = live_server.url + "/sparql?" + urllib.parse.urlencode({"query": RATINGS})
    req = urllib.request.Request(url, headers={"Accept": "text/csv"})
    with urllib.request.urlopen(req) as r:
        assert r.headers["Content-Type"].startswith("text/csv")
        assert len(r.read().decode().splitlines()) == 71


@pytest.fixture(scope="module")
def short_timeout_server(built_store):
    server = LiveServer(built_store, env={"WORKFORCE_KG_QUERY_TIMEOUT": "2", "WORKFORCE_KG_QUERY_WORKERS": "2"})
    yield server
    server.stop()


def get_json(url: str, query: str, timeout: float = 30):
    full = url + "/sparql?" + urllib.parse.urlencode({"query": query})
    req = urllib.request.Request(full, headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_runaway_query_is_stopped_and_others_still_served(short_timeout_server):
    url = short_timeout_server.url
    result = {}

    def runaway():
        started = time.monotonic()
        result["status"], result["body"] = get_json(url, RUNAWAY)
        result["elapsed"] = time.monotonic() - started

    t = threading.Thread(target=runaway)
    t.start()
    time.sleep(0.3)
    started = time.monotonic()
    status, body = get_json(url, "ASK { ?s ?p ?o }")
    quick = time.monotonic() - started
    assert status == 200 and body["boolean"] is True
    assert quick < 1.5, f"a simple query took {quick:.2f} s while a runaway query ran"
    t.join(20)
    assert result["status"] == 503
    assert "time limit" in result["body"]["error"]
    assert result["elapsed"] < 10
    # the killed worker is replaced: the server keeps answering, repeatedly
    for _ in range(5):
        assert get_json(url, "ASK { ?s ?p ?o }")[0] == 200


def test_serve_builds_an_empty_store_location_first(tmp_path):
    location = tmp_path / "fresh"
    server = LiveServer(location)
    try:
        assert (location / "workforce-kg-store").exists()
        assert get_json(server.url, "ASK { ?r a <https://w3id.org/workforce-kg/def/Rating> }")[1]["boolean"] is True
    finally:
        server.stop()


def test_serve_refuses_a_location_that_is_not_a_store(tmp_path):
    import subprocess
    import sys

    (tmp_path / "notes.txt").write_text("not a store")
    result = subprocess.run(
        [sys.executable, "-m", "workforce_kg", "serve", "--store", str(tmp_path), "--port", "1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "neither empty nor a workforce-kg store" in result.stderr
    assert (tmp_path / "notes.txt").read_text() == "not a store"


def mutations(seed: int = 7, count: int = 120):
    """Seeded mutations of the competency questions: truncations, deletions, insertions, swaps."""
    import random

    from workforce_kg import cq as queries

    rng = random.Random(seed)
    texts = [q.sparql for q in queries.load()]
    junk = list("{}()<>?$.;,\"'#*/\\^|!=") + ["SERVICE", "FROM <file:///etc/passwd>", "LOAD", "\x00", "é", "%"]
    for _ in range(count):
        q = rng.choice(texts)
        i = rng.randrange(len(q))
        kind = rng.randrange(4)
        if kind == 0:
            yield q[:i]
        elif kind == 1:
            yield q[:i] + q[i + rng.randint(1, 8) :]
        elif kind == 2:
            yield q[:i] + " " + rng.choice(junk) + " " + q[i:]
        else:
            j = rng.randrange(len(q))
            a, b = sorted((i, j))
            yield q[:a] + q[b : b + 5] + q[a + 5 : b] + q[a : a + 5] + q[b + 5 :]


def test_sparql_fuzz_never_500_or_hang(short_timeout_server):
    """Mutated queries get 200 or 400 (503 only when one runs past the time limit), never 500 or a hang."""
    seen = set()
    for q in mutations():
        status, body = get_json(short_timeout_server.url, q, timeout=20)
        assert status in (200, 400, 403, 503), (status, q)
        if status == 503:
            assert "time limit" in body["error"] or "busy" in body["error"]
        seen.add(status)
    assert 400 in seen and 200 in seen


def test_serve_logs_one_json_line_per_request_with_its_id_and_no_token(built_store, tmp_path):
    import subprocess
    import sys

    from conftest import free_port

    port = free_port()
    out, err = (tmp_path / "stdout.log").open("w+"), (tmp_path / "stderr.log").open("w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "workforce_kg", "serve", "--store", str(built_store), "--port", str(port)],
        stdout=out,
        stderr=err,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url + "/healthz", timeout=2).close()
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        req = urllib.request.Request(
            url + "/sparql?query=" + urllib.parse.quote("ASK {}"),
            headers={"X-Request-ID": "trace-42", "Authorization": "Bearer very-secret-token"},
        )
        with urllib.request.urlopen(req, timeout=30) as r:
            assert r.headers["X-Request-ID"] == "trace-42"
    finally:
        proc.terminate()
        proc.wait(20)
    lines = [json.loads(line) for line in (tmp_path / "stdout.log").read_text().splitlines() if line.startswith("{")]
    ours = [line for line in lines if line["request_id"] == "trace-42"]
    assert len(ours) == 1 and ours[0]["path"] == "/sparql" and ours[0]["status"] == 200 and ours[0]["method"] == "GET"
    assert isinstance(ours[0]["ms"], float)
    both = (tmp_path / "stdout.log").read_text() + (tmp_path / "stderr.log").read_text()
    assert "very-secret-token" not in both
