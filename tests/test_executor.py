"""The query workers' scheduling (workforce_kg.sparql.executor.QueryExecutor), driven directly and over HTTP.

Runaway queries are cartesian products that only the time limit stops. Timings are asserted only as
generous bounds that prove a query was not blocked (answered long before a runaway's deadline).
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from conftest import LiveServer
from workforce_kg.sparql import safety
from workforce_kg.sparql.executor import QueryExecutor, Worker, starter
from workforce_kg.sparql.protocol import SparqlRequest, execute
from workforce_kg.sparql.safety import QueryPlan

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
SIMPLE = "ASK { ?s ?p ?o }"
JSON = "application/sparql-results+json"


def ask(executor: QueryExecutor, query: str = SIMPLE):
    """(outcome, seconds it took)."""
    started = time.monotonic()
    outcome = executor.run(SparqlRequest(query=query), JSON)
    return outcome, time.monotonic() - started


def in_background(executor: QueryExecutor, query: str = RUNAWAY) -> tuple[threading.Thread, dict]:
    """Run ``query`` in a thread; the dict gets its outcome and seconds."""
    result: dict = {}

    def go():
        result["outcome"], result["seconds"] = ask(executor, query)

    t = threading.Thread(target=go)
    t.start()
    return t, result


def error(outcome) -> str:
    return json.loads(outcome.body)["error"]


def wait_until(condition, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


def pids(executor: QueryExecutor) -> set[int]:
    with executor._lock:
        return {w.process.pid for w in executor._all}


def settled(executor: QueryExecutor, workers: int) -> bool:
    s = executor.stats()
    return s["workers"] == s["idle"] == workers and s["starting"] == 0


@pytest.fixture
def executor(built_store):
    ex = QueryExecutor(built_store, workers=2, timeout=3, max_rows=1000, max_concurrent=8)
    yield ex
    ex.close()


def test_runaway_is_stopped_at_the_deadline_while_simple_queries_answer(executor):
    t, runaway = in_background(executor)
    wait_until(lambda: executor.stats()["long"] == 1)  # it has used more than the "long" CPU time
    wait_until(lambda: executor.stats()["idle"] == 2)  # its worker left the pool: a fresh one took its place
    for _ in range(5):
        outcome, seconds = ask(executor)
        assert outcome.status == 200 and json.loads(outcome.body)["boolean"] is True
        assert seconds < 1.5, f"a simple query took {seconds:.2f} s while a runaway ran"
    t.join(30)
    assert runaway["outcome"].status == 503 and "time limit of 3 s" in error(runaway["outcome"])
    assert 3 <= runaway["seconds"] < 15
    wait_until(lambda: settled(executor, 2))
    assert ask(executor)[0].status == 200


def test_a_killed_worker_is_replaced_and_the_replacement_lives_on(executor):
    before = pids(executor)
    t, runaway = in_background(executor)  # the thread that asks for the replacement ends with it
    t.join(30)
    assert runaway["outcome"].status == 503
    wait_until(lambda: settled(executor, 2))
    time.sleep(0.5)  # a worker started from a thread that has ended would be killed by now
    with executor._lock:
        assert all(w.process.is_alive() for w in executor._all)
    assert len(pids(executor) - before) == 1
    assert all(ask(executor)[0].status == 200 for _ in range(4))


def test_a_worker_started_from_a_thread_that_ends_lives_on(built_store):
    """The kernel ends a worker with the thread that started it (die_with_parent); Worker.start starts
    every worker from its owner's long-lived thread, so one restarted from a request's thread (a query
    worker, the writer) outlives that thread."""
    started: dict = {}
    owner = starter()
    t = threading.Thread(target=lambda: started.update(worker=Worker.start(str(built_store), 1000, starter=owner)))
    t.start()
    t.join()
    worker = started["worker"]
    try:
        assert worker.wait_ready(60)
        time.sleep(0.5)
        assert worker.process.is_alive()
    finally:
        worker.kill()
        owner.shutdown()


def test_workers_that_die_are_replaced(executor):
    for pid in pids(executor):
        os.kill(pid, signal.SIGKILL)
    statuses = set()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # each dead worker costs one 503 "stopped unexpectedly"
        outcome, _ = ask(executor)
        statuses.add(outcome.status)
        if outcome.status == 200:
            break
        assert "stopped unexpectedly" in error(outcome)
    assert 200 in statuses
    wait_until(lambda: settled(executor, 2))
    assert all(ask(executor)[0].status == 200 for _ in range(4))


def test_beyond_max_concurrent_is_503_with_retry_after(built_store):
    ex = QueryExecutor(built_store, workers=1, timeout=2, max_rows=1000, max_concurrent=1)
    try:
        t, runaway = in_background(ex)
        wait_until(lambda: ex.stats()["long"] == 1)
        outcome, seconds = ask(ex)
        assert outcome.status == 503 and outcome.headers["Retry-After"] == "1"
        assert "too many queries at once (at most 1)" in error(outcome)
        assert seconds < 0.5  # refused at once, not queued
        t.join(30)
        assert "time limit" in error(runaway["outcome"])
        wait_until(lambda: settled(ex, 1))
        assert ask(ex)[0].status == 200
    finally:
        ex.close()


def test_long_queries_beyond_half_the_workers_run_on_until_their_worker_is_needed(built_store):
    ex = QueryExecutor(built_store, workers=2, timeout=8, max_rows=1000)
    try:
        assert ex.long_limit == 1
        first, first_result = in_background(ex)
        wait_until(lambda: ex.stats()["out_of_pool"] == 1)  # replaced in the pool by a fresh worker
        more = [in_background(ex) for _ in range(2)]  # these two hold both pool workers
        wait_until(lambda: ex.stats()["long"] == 3)
        time.sleep(1)  # nobody waits: they are left running
        assert ex.stats()["long"] == 3 and not any(result for _, result in more)
        outcome, seconds = ask(ex)  # now a request waits for a worker: one of the two gives way
        assert outcome.status == 200
        assert seconds < 5, f"a simple query waited {seconds:.2f} s for a worker"  # the deadline is 8 s
        for t, _ in more:
            t.join(30)
        stopped = [r["outcome"] for _, r in more if "to free its worker" in error(r["outcome"])]
        assert len(stopped) == 1 and stopped[0].status == 503 and stopped[0].headers["Retry-After"] == "1"
        assert sum("time limit of 8 s" in error(r["outcome"]) for _, r in more) == 1
        first.join(30)
        assert "time limit of 8 s" in error(first_result["outcome"])  # out of the pool: ran to its deadline
        assert first_result["seconds"] >= 8
        wait_until(lambda: settled(ex, 2))
    finally:
        ex.close()


def test_long_queries_all_run_to_the_deadline_when_nobody_waits(built_store):
    ex = QueryExecutor(built_store, workers=2, timeout=3, max_rows=1000)
    try:
        runs = [in_background(ex) for _ in range(3)]  # one out of the pool, two in it
        for t, _ in runs:
            t.join(30)
        for _, result in runs:
            assert "time limit of 3 s" in error(result["outcome"]) and result["seconds"] >= 3
        wait_until(lambda: settled(ex, 2))
    finally:
        ex.close()


# -- over HTTP ------------------------------------------------------------------------------------------


def http_get(url: str, query: str, timeout: float = 30):
    """(status, headers, JSON body)."""
    req = urllib.request.Request(url + "/sparql?" + urllib.parse.urlencode({"query": query}), headers={"Accept": JSON})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.headers, json.loads(r.read())
    except urllib.error.HTTPError as err:
        return err.code, err.headers, json.loads(err.read())


def test_http_max_concurrent_503_and_healthy_afterwards(built_store):
    server = LiveServer(
        built_store,
        env={"WORKFORCE_KG_QUERY_TIMEOUT": "2", "WORKFORCE_KG_QUERY_WORKERS": "2", "WORKFORCE_KG_MAX_CONCURRENT": "2"},
    )
    try:
        runaways = [threading.Thread(target=http_get, args=(server.url, RUNAWAY)) for _ in range(2)]
        for t in runaways:
            t.start()
        for _ in range(15):  # until both runaways are admitted (they run for 2 s)
            time.sleep(0.1)
            status, headers, body = http_get(server.url, SIMPLE)
            if status != 200:
                break
        assert status == 503 and headers["Retry-After"] == "1"
        assert body["error"].startswith("too many queries at once (at most 2)")
        for t in runaways:
            t.join(30)
        with urllib.request.urlopen(server.url + "/healthz", timeout=10) as r:
            assert json.loads(r.read())["status"] == "ok"
        status, _, body = http_get(server.url, SIMPLE)
        assert status == 200 and body["boolean"] is True
    finally:
        server.stop()


def test_readiness_reflects_the_store_the_workers_and_the_writer(built_store, tmp_path):
    """/readyz: 200 with details while all is well; 503 naming what is wrong when no worker or no writer
    runs; ready again once queries and writes have restarted them."""
    import os
    import shutil
    import signal

    from fastapi.testclient import TestClient

    from workforce_kg.config import Settings
    from workforce_kg.web.app import create_app

    store = tmp_path / "store"
    shutil.copytree(built_store, store)
    settings = Settings(store=store, query_workers=2, update_token="t", update_timeout=30)
    with TestClient(create_app(settings)) as c:
        ready = c.get("/readyz")
        assert ready.status_code == 200, ready.text
        body = ready.json()
        assert body["status"] == "ready" and body["store"]["answers"] and body["store"]["kind"] == "on disk"
        assert body["query_workers"]["alive"] == 2 and body["writer"]["alive"]
        assert body["validation_workers"]["alive"] == 2
        executor, writer = c.app.state.executor, c.app.state.writer
        for pid in pids(executor) | {writer._worker.process.pid}:
            os.kill(pid, signal.SIGKILL)
        wait_until(lambda: executor.stats()["alive"] == 0 and not writer.alive())
        r = c.get("/readyz")
        assert r.status_code == 503
        assert "no query worker" in r.json()["error"] and "writer" in r.json()["error"]
        assert c.get("/healthz").status_code == 200  # alive, though not ready
        for _ in range(4):  # each query that meets a dead worker gets 503 and has it replaced
            c.get("/sparql", params={"query": SIMPLE})
        c.post(
            "/sparql",
            content="CLEAR GRAPH <urn:x-nothing>",
            headers={"Authorization": "Bearer t", "Content-Type": "application/sparql-update"},
        )
        wait_until(lambda: c.get("/readyz").status_code == 200)


def test_the_pool_keeps_the_decisions_its_workers_took_on_accepted_texts(executor):
    """A text a worker accepted is remembered by the pool (so a fresh worker need not parse it again);
    a refused one is not (every worker that gets it parses and refuses it)."""
    query = "SELECT ?c WHERE { ?c a wkg:Commitment } LIMIT 3"
    assert ask(executor, query)[0].status == 200
    assert executor.plans.get(query) == QueryPlan((), ())
    refused = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"
    assert ask(executor, refused)[0].status == 400
    assert executor.plans.get(refused) is None


def test_a_request_carrying_the_pool_s_decision_is_not_parsed_again(kg, monkeypatch):
    """With ``plan`` set the worker evaluates without parsing; without it the text is parsed (and the
    decision comes back with the answer); a plan naming a graph the store lacks is still refused."""
    parsed = []
    real = safety.plan_query

    def counting(text, *args):
        parsed.append(text)
        return real.__wrapped__(text, *args)

    monkeypatch.setattr(safety, "plan_query", counting)
    query = "SELECT ?b WHERE { ?b a org:FormalOrganization } LIMIT 2"
    outcome = execute(kg, SparqlRequest(query=query, plan=QueryPlan((), ())), JSON, 10)
    assert outcome.status == 200 and len(json.loads(outcome.body)["results"]["bindings"]) == 2
    assert parsed == []
    outcome = execute(kg, SparqlRequest(query=query), JSON, 10)
    assert outcome.status == 200 and parsed and outcome.plan == QueryPlan((), ())
    stale = QueryPlan(("https://example.org/no-such-graph",), ())
    assert execute(kg, SparqlRequest(query=query, plan=stale), JSON, 10).status == 400
