"""Query memory is bounded: a hungry query is stopped at WORKFORCE_KG_QUERY_MEMORY (503 naming it), its
worker replaced, and the server's whole process tree stays bounded while such queries run."""

from __future__ import annotations

import contextlib
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import LiveServer

LIMIT = 256 << 20
HUNGRY = "SELECT * { ?a ?b ?c . ?d ?e ?f } ORDER BY ?a ?f"  # a sort over the square of the store
PAGE = 4096


def rss(pid: int) -> int:
    """Resident memory of a process in bytes (0 if it is gone)."""
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def children(pid: int) -> list[int]:
    """The processes started by ``pid`` (its workers and writer)."""
    kids = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            kids += [int(c) for c in (task / "children").read_text().split()]
    return kids


def tree_rss(pid: int) -> int:
    return rss(pid) + sum(rss(c) for c in children(pid))


def sparql(url: str, query: str, timeout: float = 30) -> tuple[int, dict | str]:
    data = urllib.parse.urlencode({"query": query}).encode()
    req = urllib.request.Request(f"{url}/sparql", data=data, headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


@pytest.fixture(scope="module")
def server(built_store):
    s = LiveServer(
        built_store,
        env={
            "WORKFORCE_KG_QUERY_MEMORY": "256MiB",
            "WORKFORCE_KG_QUERY_WORKERS": "2",
            "WORKFORCE_KG_QUERY_TIMEOUT": "15",
        },
    )
    yield s
    s.stop()


def test_idle_workers_are_well_under_the_default_limit(server):
    workers = children(server.proc.pid)
    assert len(workers) >= 2
    assert all(0 < rss(w) < 150 << 20 for w in workers), [rss(w) >> 20 for w in workers]  # MiB; ~45 measured


def test_hungry_queries_are_stopped_at_the_memory_limit(server):
    assert sparql(server.url, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")[0] == 200
    pid = server.proc.pid
    idle = tree_rss(pid)
    before = set(children(pid))
    answers: list = []
    threads = [threading.Thread(target=lambda: answers.append(sparql(server.url, HUNGRY))) for _ in range(2)]
    peak = 0
    started = time.monotonic()
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        peak = max(peak, tree_rss(pid))
        time.sleep(0.02)
    elapsed = time.monotonic() - started
    assert [a[0] for a in answers] == [503, 503], answers
    assert all(a[1]["error"] == "query exceeded the memory limit of 256 MiB and was stopped" for a in answers), answers
    assert elapsed < 12  # stopped at the limit, not at the 15 s time limit
    # two workers at the limit, the replacements started meanwhile, the idle tree, and a margin
    print(f"tree RSS idle {idle >> 20} MiB, peak {peak >> 20} MiB")
    assert peak < idle + 2 * LIMIT + (256 << 20), (peak >> 20, idle >> 20)
    # the workers were replaced, and the next query works
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and len(set(children(pid)) - before) < 2:
        time.sleep(0.1)
    assert len(set(children(pid)) - before) >= 2
    status, body = sparql(server.url, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
    assert status == 200 and int(body["results"]["bindings"][0]["n"]["value"]) > 1000


def test_the_backstop_stops_a_query_the_poll_misses(built_store, monkeypatch):
    """With the poll blind (as when an allocation outruns it), the worker's RLIMIT_DATA stops the query:
    the client still gets the 503 naming the limit, not "stopped unexpectedly"; the next query works."""
    from workforce_kg.sparql.executor import QueryExecutor, Worker, backstop
    from workforce_kg.sparql.protocol import SparqlRequest

    monkeypatch.setattr(Worker, "rss", lambda self: None)
    ex = QueryExecutor(built_store, workers=1, timeout=20, max_rows=1000, memory=128 << 20)
    try:
        pid = ex._all[0].process.pid
        started = time.monotonic()
        outcome = ex.run(SparqlRequest(query=HUNGRY), "application/sparql-results+json")
        assert outcome.status == 503, outcome.body
        assert json.loads(outcome.body)["error"] == "query exceeded the memory limit of 128 MiB and was stopped"
        assert time.monotonic() - started < 15 and backstop(128 << 20) < 1 << 30
        assert ex.run(SparqlRequest(query="ASK { ?s ?p ?o }"), "application/sparql-results+json").status == 200
        assert ex._all[0].process.pid != pid  # replaced
    finally:
        ex.close()


def test_a_write_past_the_writers_memory_is_stopped(built_store, tmp_path):
    """The writer's data segment is capped: an update whose WHERE is a cartesian product gets 503 naming
    the limit, nothing changes, and the next write is made by a new writer."""
    import shutil

    from workforce_kg.writes.change import WriteError, WriteRequest
    from workforce_kg.writes.worker import Writer

    store = tmp_path / "store"
    shutil.copytree(built_store, store)
    writer = Writer(store, timeout=30, memory=256 << 20)
    graph = "https://w3id.org/workforce-kg/graph/curation/memory"
    try:
        pid = writer._worker.process.pid
        with pytest.raises(WriteError) as refused:
            writer.run(
                WriteRequest(
                    "update",
                    "test",
                    update=f"INSERT {{ GRAPH <{graph}> {{ ?a <http://example.org/p> ?f }} }} "
                    "WHERE { GRAPH ?g { ?a ?b ?c } GRAPH ?h { ?d ?e ?f } }",
                )
            )
        assert refused.value.status == 503
        assert refused.value.message == (
            "the write exceeded the writer's memory limit of 256 MiB and was stopped; nothing was changed"
        )
        answer = writer.run(
            WriteRequest(
                "update",
                "test",
                update=f"INSERT DATA {{ GRAPH <{graph}> {{ "
                "<https://w3id.org/workforce-kg/id/organisation/nhse> "
                '<http://www.w3.org/2004/02/skos/core#altLabel> "after"@en } }',
            )
        )
        assert answer["added"] == 1 and writer._worker.process.pid != pid
    finally:
        writer.close()
