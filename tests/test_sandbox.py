"""Query and write workers are confined by the kernel: no network, no files beyond their own.

The text checks of queries and updates are bypassed here on purpose: the worker processes are the
real ones (:func:`workforce_kg.sparql.executor.worker_main`, :func:`workforce_kg.writes.worker.writer_main`), with
their evaluation swapped for a raw one that runs whatever it is sent on pyoxigraph (``SERVICE``,
``LOAD``) or opens whatever file it is told. A listener on loopback counts the connections that reach
it; a secret file (and ``/etc/hostname``) must stay unread.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from conftest import Listener
from workforce_kg.sparql import sandbox
from workforce_kg.sparql.executor import QueryExecutor, Worker, starter
from workforce_kg.sparql.protocol import Outcome, SparqlRequest
from workforce_kg.writes.change import WriteRequest
from workforce_kg.writes.worker import Writer

pytestmark = pytest.mark.skipif(sandbox.landlock_abi() < 1, reason="the kernel has no Landlock")

B = "https://w3id.org/workforce-kg"
SECRET = "correct horse battery staple"


@pytest.fixture()
def listener():
    server = Listener()
    yield server
    server.close()


@pytest.fixture()
def secret(tmp_path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return path


# -- raw evaluation, run inside the real workers (the text checks are not called) -----------------------


def probe(command: dict, store=None) -> dict:
    """Do what ``command`` says, with no check: ``query`` (on ``store``, or an empty one), ``update``
    (on an empty in-memory store), ``open`` a file, ``connect`` to a TCP port, ``write`` a file."""
    import pyoxigraph as ox

    try:
        if "query" in command:
            target = store if store is not None else ox.Store()
            result = target.query(command["query"], use_default_graph_as_union=True)
            return {"ok": len(list(result)) if not isinstance(result, bool) else result}
        if "update" in command:
            st = ox.Store()
            st.update(command["update"])
            return {"ok": len(st)}
        if "open" in command:
            with open(command["open"]) as fh:
                return {"ok": fh.read()}
        if "connect" in command:
            with socket.create_connection(("127.0.0.1", command["connect"]), timeout=2):
                return {"ok": "connected"}
        if "write" in command:
            Path(command["write"]).write_text("x")
            return {"ok": "written"}
    except Exception as exc:  # what the kernel (through pyoxigraph or Python) said
        return {"error": f"{exc.__class__.__name__}: {exc}"}
    raise ValueError(command)


def _raw_execute(kg, req: SparqlRequest, accept, max_rows) -> Outcome:
    return Outcome(200, "application/json", json.dumps(probe(json.loads(req.query), kg.store)).encode())


def raw_query_worker(conn, store_path, max_rows, memory, mode):
    """The real query worker, with ``protocol.execute`` replaced by :func:`probe`."""
    from workforce_kg.sparql import executor, protocol

    protocol.execute = _raw_execute
    executor.worker_main(conn, store_path, max_rows, memory, mode)


def _raw_perform(path, req: WriteRequest, shapes=None, sources=None) -> dict:
    return probe(json.loads(req.update))


def raw_writer(conn, store_path, sources, timeout, memory, mode):
    """The real writer process, with ``writes.perform`` (and its remote twin) replaced by :func:`probe`."""
    from workforce_kg.writes import change as writes
    from workforce_kg.writes import remote as remote_writes
    from workforce_kg.writes import worker

    writes.perform = _raw_perform
    remote_writes.perform_remote = lambda target, req, *args: probe(json.loads(req.update))
    worker.writer_main(conn, store_path, sources, timeout, memory, mode)


STARTER = starter()  # one long-lived thread for the workers of these tests


def start(main, *args) -> Worker:
    worker = Worker.start(*args, main=main, starter=STARTER)
    assert worker.wait_ready(60), worker.failure
    return worker


def ask(worker: Worker, command: dict, writer: bool = False) -> dict:
    if writer:
        worker.conn.send(WriteRequest("update", "test", update=json.dumps(command)))
        reply = worker.conn.recv()
        assert reply[0] == "ok", reply
        return reply[1]
    worker.conn.send((SparqlRequest(query=json.dumps(command)), None))
    return json.loads(worker.conn.recv().body)


# -- network ---------------------------------------------------------------------------------------------


def test_service_in_a_query_worker_reaches_nobody(built_store, listener):
    worker = start(raw_query_worker, str(built_store), 1000, 1 << 30, "require")
    try:
        answer = ask(
            worker, {"query": f"SELECT * {{ SERVICE <http://127.0.0.1:{listener.port}/sparql> {{ ?s ?p ?o }} }}"}
        )
        assert "error" in answer and "denied" in answer["error"].lower(), answer
        answer = ask(
            worker, {"query": f"SELECT * {{ SERVICE SILENT <http://127.0.0.1:{listener.port}/> {{ ?s ?p ?o }} }}"}
        )
        assert answer == {"ok": 1}  # SILENT: one empty solution, and still no connection
        answer = ask(worker, {"connect": listener.port})
        assert "PermissionError" in answer["error"], answer
        # the store still answers
        assert ask(worker, {"query": "SELECT * { ?s a ?t } LIMIT 3"}) == {"ok": 3}
    finally:
        worker.kill()
    assert listener.connections == 0


def test_load_and_service_in_the_writer_reach_nobody(writable, listener):
    worker = start(raw_writer, str(writable), None, 20.0, 2 << 30, "require")
    try:
        for update in (
            f"LOAD <http://127.0.0.1:{listener.port}/x>",
            f"LOAD SILENT <http://127.0.0.1:{listener.port}/x> INTO GRAPH <{B}/graph/x>",
            f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/> {{ ?s ?p ?o }} }}",
        ):
            answer = ask(worker, {"update": update}, writer=True)
            assert "error" in answer or answer == {"ok": 0}, (update, answer)
        answer = ask(worker, {"connect": listener.port}, writer=True)
        assert "PermissionError" in answer["error"], answer
    finally:
        worker.kill()
    assert listener.connections == 0


@pytest.mark.skipif(sandbox.landlock_abi() < 4, reason="Landlock ABI < 4 has no network rules")
def test_a_writer_to_a_remote_store_connects_to_its_ports_only(listener, secret):
    """Writing to a remote store, the writer may open INET sockets, but Landlock lets it connect only to
    the remote's port; files stay closed as for any writer."""
    remote = Listener()  # stands for the remote store
    worker = start(raw_writer, f"remote:http://127.0.0.1:{remote.port}/sparql", None, 20.0, 2 << 30, "require")
    try:
        answer = ask(worker, {"update": f"LOAD <http://127.0.0.1:{listener.port}/x>"}, writer=True)
        assert "error" in answer, answer
        assert "PermissionError" in ask(worker, {"connect": listener.port}, writer=True)["error"]
        assert ask(worker, {"connect": remote.port}, writer=True) == {"ok": "connected"}
        assert "PermissionError" in ask(worker, {"open": str(secret)}, writer=True)["error"]
    finally:
        worker.kill()
        remote.sock.close()
    assert listener.connections == 0 and remote.connections == 1


def test_no_socket_of_any_family_in_a_confined_process(built_store):
    """seccomp refuses socket() for INET, INET6 and UNIX alike (a local daemon is out of reach too)."""
    worker = start(raw_query_worker, str(built_store), 1000, 1 << 30, "require")
    try:
        status = Path(f"/proc/{worker.process.pid}/status").read_text()
        assert "\nSeccomp:\t2" in status and "\nNoNewPrivs:\t1" in status
    finally:
        worker.kill()


# -- files -----------------------------------------------------------------------------------------------


def test_a_query_worker_reads_no_file_but_its_store(built_store, secret):
    worker = start(raw_query_worker, str(built_store), 1000, 1 << 30, "require")
    try:
        for path in (
            secret,
            "/etc/hostname",
            "/etc/passwd",
            Path.home() / ".bashrc",
            f"/proc/{worker.process.pid}/environ",
            Path(__file__).resolve().parents[1] / "pyproject.toml",
        ):  # the checkout, not Python's
            answer = ask(worker, {"open": str(path)})
            assert "error" in answer and SECRET not in json.dumps(answer), (path, answer)
            assert "PermissionError" in answer["error"] or "FileNotFoundError" in answer["error"], (path, answer)
        assert "PermissionError" in ask(worker, {"open": str(secret)})["error"]
        assert "PermissionError" in ask(worker, {"open": "/etc/hostname"})["error"]
        assert "PermissionError" in ask(worker, {"write": str(built_store / "x.txt")})["error"]  # read-only
        assert ask(worker, {"query": "SELECT * { ?s ?p ?o } LIMIT 5"}) == {"ok": 5}
        assert "ok" in ask(worker, {"open": sandbox.__file__})  # lazy imports still work
    finally:
        worker.kill()


def test_the_writer_writes_its_store_only(writable, secret, tmp_path):
    worker = start(raw_writer, str(writable), None, 20.0, 2 << 30, "require")
    try:
        assert ask(worker, {"write": str(writable / "probe.txt")}, writer=True) == {"ok": "written"}
        assert "PermissionError" in ask(worker, {"write": str(tmp_path / "outside.txt")}, writer=True)["error"]
        assert "PermissionError" in ask(worker, {"open": str(secret)}, writer=True)["error"]
        assert "PermissionError" in ask(worker, {"open": "/etc/hostname"}, writer=True)["error"]
    finally:
        worker.kill()
    assert not (tmp_path / "outside.txt").exists()


# -- the confined service still works ---------------------------------------------------------------------


def test_confined_workers_write_validate_check_quotes_and_see_new_generations(writable, sources_dir):
    """A write through the confined writer (validated with pySHACL, quotes checked against the sources)
    is seen by a confined query worker, which refreshes to the new generation."""
    executor = QueryExecutor(writable, workers=1, timeout=20, max_rows=1000, memory=1 << 30, sandbox="require")
    writer = Writer(writable, timeout=30, sources=sources_dir, memory=2 << 30, sandbox="require")
    nhse, alt = f"<{B}/id/organisation/nhse>", "<http://www.w3.org/2004/02/skos/core#altLabel>"
    query = SparqlRequest(query=f"SELECT ?l {{ {nhse} {alt} ?l }}")
    try:
        assert {"seccomp", "landlock-fs"} <= set(executor.stats()["confinement"])
        before = json.loads(executor.run(query, "application/sparql-results+json").body)["results"]["bindings"]
        answer = writer.run(
            WriteRequest(
                "update",
                "test",
                update=f'INSERT DATA {{ GRAPH <{B}/graph/curation/t> {{ {nhse} {alt} "Sandboxed"@en }} }}',
            )
        )
        assert answer["added"] == 1 and answer["generation"]
        after = json.loads(executor.run(query, "application/sparql-results+json").body)["results"]["bindings"]
        assert len(after) == len(before) + 1 and "Sandboxed" in {b["l"]["value"] for b in after}
        # a write that breaks a shape is refused by pySHACL in the confined writer
        with pytest.raises(Exception) as refused:
            writer.run(
                WriteRequest(
                    "update",
                    "test",
                    update=f"INSERT DATA {{ GRAPH <{B}/graph/curation/t> "
                    f"{{ <{B}/id/organisation/x> a <http://www.w3.org/ns/org#Organization> }} }}",
                )
            )
        assert getattr(refused.value, "status", None) == 422, refused.value
        # a citation whose quote is not in its source is refused: the sources folder is readable
        citation = json.loads(
            executor.run(
                SparqlRequest(
                    query=f"""
            PREFIX wkg: <{B}/def/>
            SELECT ?doc ?locator WHERE {{ ?f wkg:citation [ wkg:document ?doc ; wkg:locator ?locator ] }} LIMIT 1"""
                ),
                "application/sparql-results+json",
            ).body
        )["results"]["bindings"][0]
        with pytest.raises(Exception) as refused:
            writer.run(
                WriteRequest(
                    "update",
                    "test",
                    update=f"""PREFIX wkg: <{B}/def/>
                INSERT DATA {{ GRAPH <{B}/graph/curation/t> {{ <{B}/id/organisation/nhse> wkg:citation [
                wkg:document <{citation["doc"]["value"]}> ; wkg:locator "{citation["locator"]["value"]}" ;
                wkg:quote "words that are in no source at all" ] }} }}""",
                )
            )
        assert getattr(refused.value, "status", None) == 422 and "quote" in refused.value.message, refused.value
    finally:
        executor.close()
        writer.close()


def test_require_refuses_to_start_without_the_layers():
    """Where a layer cannot be installed, ``require`` refuses to start a worker; ``best-effort`` starts
    it with what there is."""
    with pytest.raises(sandbox.SandboxError, match="Landlock is not available"):
        _confine_in_child("require")
    assert _confine_in_child("best-effort") == ["seccomp"]


def _confine_in_child(mode: str) -> list[str]:
    """Run :func:`sandbox.confine` in a forked child (it cannot be undone) as if Landlock were missing."""
    import os
    import pickle

    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report what confine did, then leave at once
        os.close(read)
        try:
            sandbox.landlock_abi = lambda: 0
            result: object = sandbox.confine(mode=mode)
        except Exception as exc:
            result = exc
        os.write(write, pickle.dumps(result))
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as fh:
        data = fh.read()
    os.waitpid(pid, 0)
    result = pickle.loads(data)
    if isinstance(result, Exception):
        raise result
    return result
