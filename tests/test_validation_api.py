"""POST /validate: RDF in, SHACL report out; malformed input is a 400 with the parser's message."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from workforce_kg.config import Settings
from workforce_kg.web.app import create_app

PREFIXES = """@prefix wkg: <https://w3id.org/workforce-kg/def/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix pkind: <https://w3id.org/workforce-kg/def/programme-kind/> .
@prefix prog: <https://w3id.org/workforce-kg/id/programme/> .
@prefix doc: <https://w3id.org/workforce-kg/id/document/> .
"""
GOOD = (
    PREFIXES
    + """prog:new a wkg:Programme ; skos:prefLabel "New"@en ; wkg:programmeKind pkind:plan ;
    wkg:citation [ wkg:document doc:hscc-expert-panel-govt-response-2023 ;
                   wkg:locator "19" ; wkg:quote "The integration" ] ."""
)
BAD = PREFIXES + """prog:new a wkg:Programme ; skos:prefLabel "New"@en ; wkg:programmeKind pkind:plan ."""


@pytest.fixture(scope="module")
def client(kg, tmp_path_factory):
    with TestClient(create_app(Settings(store=tmp_path_factory.mktemp("s")), kg)) as c:
        yield c


def test_conforming_upload(client):
    r = client.post("/validate", content=GOOD, headers={"content-type": "text/turtle"})
    assert r.status_code == 200
    assert r.json()["conforms"] is True and r.json()["violations"] == 0


def test_violation_reported_for_uploaded_node(client):
    r = client.post("/validate", content=BAD, headers={"content-type": "text/turtle"})
    body = r.json()
    assert r.status_code == 200 and body["conforms"] is False
    assert {x["focus"] for x in body["results"]} == {"https://w3id.org/workforce-kg/id/programme/new"}
    assert body["results"][0]["node_shape"] == "shp:FactShape"


def test_turtle_report_by_accept(client):
    r = client.post("/validate", content=BAD, headers={"content-type": "text/turtle", "accept": "text/turtle"})
    assert r.headers["content-type"].startswith("text/turtle") and "sh:ValidationReport" in r.text


def test_ntriples_and_jsonld(client):
    nt = (
        "<https://w3id.org/workforce-kg/id/programme/x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        "<https://w3id.org/workforce-kg/def/Programme> .\n"
    )
    r = client.post("/validate", content=nt, headers={"content-type": "application/n-triples"})
    assert r.status_code == 200 and r.json()["conforms"] is False
    doc = {
        "@id": "https://w3id.org/workforce-kg/id/programme/y",
        "@type": "https://w3id.org/workforce-kg/def/Programme",
    }
    r = client.post("/validate", content=json.dumps(doc), headers={"content-type": "application/ld+json"})
    assert r.status_code == 200 and r.json()["conforms"] is False


@pytest.mark.parametrize(
    "content, ctype, words",
    [
        ("prog:x a wkg:Programme", "text/turtle", "malformed text/turtle"),
        (PREFIXES + "prog:x a ", "text/turtle", "line"),
        ("{not json", "application/ld+json", "malformed application/ld+json"),
        (
            '{"@context": "http://127.0.0.1:9/ctx.jsonld", "@id": "http://x/a"}',
            "application/ld+json",
            "never fetches or reads a context",
        ),
    ],
)
def test_malformed_is_400(client, content, ctype, words):
    r = client.post("/validate", content=content, headers={"content-type": ctype})
    assert r.status_code == 400 and words in r.json()["error"]


def test_unsupported_type_is_415(client):
    r = client.post("/validate", content="{}", headers={"content-type": "application/json"})
    assert r.status_code == 415 and "application/rdf+xml" in r.json()["error"]


def test_rdfxml_is_validated_and_entities_refused(client):
    xml = (
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:wkg="https://w3id.org/workforce-kg/def/">'
        '<wkg:Programme rdf:about="https://w3id.org/workforce-kg/id/programme/z"/></rdf:RDF>'
    )
    r = client.post("/validate", content=xml, headers={"content-type": "application/rdf+xml"})
    assert r.status_code == 200 and r.json()["conforms"] is False
    doctype = '<?xml version="1.0"?><!DOCTYPE rdf:RDF [<!ENTITY e "x">]>' + xml
    r = client.post("/validate", content=doctype, headers={"content-type": "application/rdf+xml"})
    assert r.status_code == 400 and "DOCTYPE" in r.json()["error"]


# -- bounded: a pool of killable workers, admitted and timed like queries ------------------------------


def _rss_kib(pid: int) -> int:
    from pathlib import Path

    status = Path(f"/proc/{pid}/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0])


def test_concurrent_validations_are_admitted_like_queries(built_store):
    """16 validations at once: those over the admission limit get 503 + Retry-After at once, the others
    are validated against the served store in worker processes; /healthz stays fast; the web process
    does not grow with the uploads."""
    import statistics
    import threading
    import time
    import urllib.error
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    from conftest import LiveServer

    server = LiveServer(
        built_store,
        env={
            "WORKFORCE_KG_QUERY_WORKERS": "1",
            "WORKFORCE_KG_VALIDATION_WORKERS": "2",
            "WORKFORCE_KG_MAX_CONCURRENT": "2",
        },
    )

    def health() -> float:
        started = time.monotonic()
        with urllib.request.urlopen(server.url + "/healthz", timeout=10) as r:
            assert r.status == 200
        return time.monotonic() - started

    def validate(body: str) -> tuple:
        req = urllib.request.Request(
            server.url + "/validate", data=body.encode(), headers={"Content-Type": "text/turtle"}
        )
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return r.status, r.headers, json.loads(r.read())
        except urllib.error.HTTPError as err:
            return err.code, err.headers, json.loads(err.read())

    try:
        idle = statistics.median(health() for _ in range(10))
        rss_before = _rss_kib(server.proc.pid)
        latencies: list[float] = []
        done = threading.Event()

        def poll() -> None:
            while not done.is_set():
                latencies.append(health())
                time.sleep(0.05)

        poller = threading.Thread(target=poll)
        poller.start()
        try:
            upload = BAD + "\n".join(
                f'prog:p{i} a wkg:Programme ; skos:prefLabel "P{i}"@en ; wkg:programmeKind pkind:plan .'
                for i in range(300)
            )  # ~30 kB, a second or so of validation
            with ThreadPoolExecutor(16) as pool:
                answers = list(pool.map(validate, [upload] * 16))
        finally:
            done.set()
            poller.join()
        busy = [a for a in answers if a[0] == 503]
        validated = [a for a in answers if a[0] == 200]
        # at most 2 at once: the others, sent together, are refused at once (a few may come in after the first
        # ones are done, and be validated)
        assert len(validated) + len(busy) == 16 and len(validated) >= 2 and len(busy) >= 8, [a[0] for a in answers]
        assert all(
            h.get("Retry-After") == "1" and "too many validations at once (at most 2)" in b["error"] for _, h, b in busy
        )
        # validated against the store: the upload's programme lacks its citation (as in the in-memory tests)
        assert all(b["conforms"] is False and b["violations"] == 301 for _, _, b in validated), validated
        assert len(latencies) >= 5
        assert max(latencies) < max(1.0, 20 * idle), (idle, sorted(latencies)[-3:])
        assert statistics.median(latencies) < max(0.25, 5 * idle), (idle, statistics.median(latencies))
        grown = _rss_kib(server.proc.pid) - rss_before
        print(
            f"healthz idle {idle * 1000:.1f} ms, under load median {statistics.median(latencies) * 1000:.1f} ms, "
            f"max {max(latencies) * 1000:.1f} ms ({len(latencies)} polls); web process grew {grown} KiB; "
            f"{len(validated)} validated, {len(busy)} refused"
        )
        assert grown < 30_000  # KiB
    finally:
        server.stop()


def test_validation_past_the_time_limit_is_stopped(built_store):
    """A validation that runs past the query time limit gets 503 at the limit; its worker is replaced."""
    import time

    from workforce_kg.sparql.executor import QueryExecutor
    from workforce_kg.validation.upload import validation_main

    pool = QueryExecutor(
        built_store,
        1,
        timeout=1.0,
        max_concurrent=4,
        long_after=float("inf"),
        main=validation_main,
        noun=("validation", "validations"),
    )
    try:
        many = PREFIXES + "\n".join(
            f'prog:p{i} a wkg:Programme ; skos:prefLabel "P{i}"@en ; wkg:programmeKind pkind:plan .'
            for i in range(3000)
        )
        started = time.monotonic()
        outcome = pool.run((many.encode(), "text/turtle"), "application/json")
        elapsed = time.monotonic() - started
        assert outcome.status == 503
        assert json.loads(outcome.body)["error"] == "validation exceeded the time limit of 1 s and was stopped"
        assert elapsed < 2.5
        deadline = time.monotonic() + 60
        while pool.stats()["idle"] < 1 and time.monotonic() < deadline:  # a new worker takes its place
            time.sleep(0.1)
        assert pool.stats()["idle"] == 1 and pool.stats()["alive"] == 1
    finally:
        pool.close()
