"""Query execution in worker processes, so a query past its deadline can really be stopped.

pyoxigraph has no query timeout or cancellation, and a thread cannot be killed. Each worker process
opens the on-disk store read-only and answers one request at a time; when a request passes its
deadline the worker is killed and replaced, the client gets 503, and the other workers go on
serving. The number of workers bounds how many queries run at once; a request that finds no free
worker within the deadline also gets 503.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .protocol import Outcome, SparqlRequest, error_outcome

_ctx = mp.get_context("spawn")


def die_with_parent() -> None:
    """Have the kernel kill this process when its parent dies (Linux), so a ``kill -9`` of the server
    leaves no worker behind still reading, or writing, the store."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: workers still stop when the pipe closes
        pass


def _worker_main(conn, store_path: str, max_rows: int) -> None:
    """Worker loop: open the store once, then answer requests until the pipe closes."""
    from .kg import KnowledgeGraph
    from .protocol import execute

    die_with_parent()
    kg = KnowledgeGraph.load(store_path)
    conn.send("ready")
    while True:
        try:
            req, accept = conn.recv()
        except (EOFError, OSError):
            return
        try:
            kg.refresh()  # a write may have published a new version of the store
            outcome = execute(kg, req, accept, max_rows)
        except Exception as exc:  # our bug: report it as a 500 rather than losing the worker
            outcome = error_outcome(500, f"internal error: {exc.__class__.__name__}")
        conn.send(outcome)


@dataclass
class Worker:
    process: mp.Process
    conn: object

    @classmethod
    def start(cls, *args, main=_worker_main) -> "Worker":
        """Start ``main(conn, *args)`` in a new process; it sends "ready" once it can take requests."""
        parent, child = _ctx.Pipe()
        proc = _ctx.Process(target=main, args=(child, *args), daemon=True)
        proc.start()
        child.close()
        return cls(proc, parent)

    def wait_ready(self, timeout: float) -> bool:
        try:
            return self.conn.poll(timeout) and self.conn.recv() == "ready"
        except (EOFError, OSError):  # it died while starting
            return False

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class QueryExecutor:
    """A pool of killable query workers over an on-disk store."""

    def __init__(self, store_path: Path, workers: int = 4, timeout: float = 30.0, max_rows: int = 100_000):
        self.store_path = Path(store_path)
        self.timeout = timeout
        self.max_rows = max_rows
        self._idle: queue.Queue[Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._all: list[Worker] = []
        started = [self._spawn() for _ in range(workers)]
        for w in started:
            if not w.wait_ready(60):
                raise RuntimeError("a query worker did not start")
            self._idle.put(w)

    def _spawn(self) -> Worker:
        w = Worker.start(str(self.store_path), self.max_rows)
        with self._lock:
            self._all.append(w)
        return w

    def _replace(self, dead: Worker) -> None:
        dead.kill()
        with self._lock:
            if dead in self._all:
                self._all.remove(dead)

        def start_new() -> None:
            w = self._spawn()
            if w.wait_ready(60):
                self._idle.put(w)

        threading.Thread(target=start_new, daemon=True).start()

    def run(self, req: SparqlRequest, accept: str | None) -> Outcome:
        """Run one request within the deadline (queueing for a worker counts towards it)."""
        deadline = time.monotonic() + self.timeout
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            return error_outcome(503, "all query workers are busy; try again shortly")
        try:
            worker.conn.send((req, accept))
            remaining = max(0.0, deadline - time.monotonic())
            if worker.conn.poll(remaining):
                outcome = worker.conn.recv()
                self._idle.put(worker)
                return outcome
        except (EOFError, OSError, BrokenPipeError):
            self._replace(worker)
            return error_outcome(503, "the query worker stopped unexpectedly; try again")
        self._replace(worker)
        return error_outcome(503, f"query exceeded the time limit of {self.timeout:g} s and was stopped")

    def close(self) -> None:
        with self._lock:
            workers, self._all = self._all, []
        for w in workers:
            w.kill()
