"""Query execution in worker processes, so a query past its deadline can really be stopped.

pyoxigraph has no query timeout or cancellation, and a thread cannot be killed. Each worker process
opens the on-disk store read-only and answers one request at a time; when a request passes its
deadline the worker is killed and replaced, the client gets 503, and the other workers go on
serving. How runaway queries are kept from starving the others is in :class:`QueryExecutor`.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import queue
import signal
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

from workforce_kg.sizes import format_size
from workforce_kg.sparql import protocol
from workforce_kg.sparql import sandbox as sb
from workforce_kg.sparql.protocol import Outcome, SparqlRequest, error_outcome
from workforce_kg.sparql.safety import QueryPlan
from workforce_kg.store.kg import KnowledgeGraph

_ctx = mp.get_context("spawn")
sandbox_log = logging.getLogger("workforce_kg.sandbox")

LONG_AFTER = 0.25  # seconds of CPU: a query that has used more is "long" (see QueryExecutor)
LOW_PRIORITY = 19  # nice value of a worker running a long query
TICK = 0.05  # seconds between checks on a running query
CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def die_with_parent() -> None:
    """Have the kernel kill this process when its parent dies (Linux), so a ``kill -9`` of the server
    leaves no worker behind still reading, or writing, the store. The kernel means the parent *thread*:
    :meth:`Worker.start` therefore starts every worker from one thread that lives as long as the pool or
    writer that owns it (:func:`starter`; made with them, in the application's lifespan)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: workers still stop when the pipe closes
        pass


def start_confined(conn, data_limit: int | None, sandbox: str | None, read=(), write=(), connect_ports=()) -> bool:
    """Cap this worker's data segment at ``data_limit`` bytes (None: no cap), confine it
    (:func:`workforce_kg.sparql.sandbox.confine`) once it has opened what it needs, and say "ready" with the
    layers installed; whether it may go on. If not, the reason is sent in place of "ready"
    (:meth:`Worker.wait_ready` reads both) and the worker should return."""
    try:
        if data_limit:
            sb.bound_memory(data_limit)
        layers = sb.confine(read, write, mode=sandbox, connect_ports=connect_ports)
    except (sb.SandboxError, OSError, ValueError) as exc:
        conn.send(("failed", str(exc)))
        return False
    conn.send(("ready", layers))
    return True


def backstop(memory: int) -> int:
    """The hard cap on a worker's data segment (``RLIMIT_DATA``) behind the polled ``memory`` limit:
    well above it, so that the poll stops a query first, and a fast allocation cannot go far beyond."""
    return memory + max(memory // 2, 256 << 20)


def worker_main(conn, store_path: str, max_rows: int, memory: int | None = None, sandbox: str | None = None) -> None:
    """Worker loop: open the store once, confine the process, then answer requests until the pipe closes."""
    die_with_parent()
    kg = KnowledgeGraph.load(store_path)
    if not start_confined(conn, memory and backstop(memory), sandbox, read=[store_path]):
        return
    while True:
        try:
            req, accept = conn.recv()
        except (EOFError, OSError):
            return
        try:
            kg.refresh()  # a write may have published a new version of the store
            outcome = protocol.execute(kg, req, accept, max_rows)
        except MemoryError:  # past the backstop (the parent's poll usually stops the query first)
            outcome = memory_exceeded(memory) if memory else error_outcome(503, "the query ran out of memory")
        except Exception as exc:  # our bug: report it as a 500 rather than losing the worker
            outcome = error_outcome(500, f"internal error: {exc.__class__.__name__}")
        conn.send(outcome)


def starter() -> ThreadPoolExecutor:
    """The one thread from which an owner of workers (a pool, the writer) starts them; shut it down with them."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="worker-starter")


def memory_exceeded(limit: int, noun: str = "query") -> Outcome:
    """The 503 of a query (or other request, ``noun``) stopped at the memory limit."""
    return error_outcome(503, f"{noun} exceeded the memory limit of {format_size(limit)} and was stopped")


@dataclass(eq=False)
class Worker:
    process: BaseProcess
    conn: Connection
    failure: str | None = None  # why it did not start, as it said
    layers: list[str] | None = None  # the confinement it reported (see workforce_kg.sparql.sandbox)

    @classmethod
    def start(cls, *args, starter: ThreadPoolExecutor, main=worker_main) -> Worker:
        """Start ``main(conn, *args)`` in a new process; it sends "ready" once it can take requests.
        Whatever thread asks, the process is started from the owner's long-lived ``starter`` thread (see
        :func:`die_with_parent`): a worker started from a request's thread would be killed when that thread ends."""
        return starter.submit(cls._start, main, args).result()

    @classmethod
    def _start(cls, main, args) -> Worker:
        parent, child = _ctx.Pipe()
        proc = _ctx.Process(target=main, args=(child, *args), daemon=True)
        proc.start()
        child.close()
        return cls(proc, parent)

    def wait_ready(self, timeout: float) -> bool:
        """Whether it started within ``timeout`` s; if it said why not, that is in ``failure``."""
        try:
            message = self.conn.recv() if self.conn.poll(timeout) else None
        except (EOFError, OSError):  # it died while starting
            return False
        if isinstance(message, tuple) and message[0] == "failed":
            self.failure = message[1]
        if isinstance(message, tuple) and message[0] == "ready":
            self.layers, message = message[1], "ready"
        return message == "ready"

    def died_of_memory(self) -> bool:
        """Whether the process ended by an abort (a failed allocation in Rust code, past the backstop)."""
        self.process.join(1)
        return self.process.exitcode == -signal.SIGABRT

    def rss(self) -> int | None:
        """Its resident memory in bytes (Linux), or None where that cannot be read."""
        try:
            return int(Path(f"/proc/{self.process.pid}/statm").read_bytes().split()[1]) * PAGE_SIZE
        except (OSError, IndexError, ValueError):
            return None

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class PlanCache:
    """The decisions (:class:`workforce_kg.sparql.safety.QueryPlan`) that the pool's workers took on query
    texts they accepted, most recently used first, at most ``size``. A worker checks a text once per process
    (its own cache); a worker started to replace one that was stopped would parse the pool's working set
    again, tens of milliseconds a text. The pool hands it the decision another worker took on the same text
    instead. Refusals are not kept: every refused text is parsed again, by whichever worker gets it."""

    def __init__(self, size: int = 1024):
        self.size = size
        self.plans: OrderedDict[str, QueryPlan] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, text: str) -> QueryPlan | None:
        with self._lock:
            plan = self.plans.get(text)
            if plan is not None:
                self.plans.move_to_end(text)
            return plan

    def put(self, text: str, plan: QueryPlan) -> None:
        with self._lock:
            self.plans[text] = plan
            self.plans.move_to_end(text)
            while len(self.plans) > self.size:
                self.plans.popitem(last=False)


class QueryExecutor:
    """A pool of ``workers`` killable query workers over an on-disk store, scheduled so that runaway
    queries cannot starve the others:

    - at most ``max_concurrent`` requests are admitted at once (running or waiting for a worker); the
      next one gets 503 at once, with a message and ``Retry-After``;
    - a query that has used more than ``long_after`` seconds of CPU is *long* (CPU time, not time on
      the clock, so that a busy machine does not make short queries long; the clock where CPU time
      cannot be read). Its worker drops to the lowest CPU priority and leaves the pool: a fresh worker
      takes its place at once, so short queries keep all ``workers``; the long one's worker is ended
      when the query is. At most ``long_limit`` workers (half the pool, at least one) are out of the
      pool at a time;
    - a long query beyond those runs on in its pool worker (and leaves the pool when a place out of it
      frees up), but only while no request waits for a worker: when one does, and no worker is idle or
      on its way for it, the query is stopped with 503 and ``Retry-After``;
    - at ``timeout`` a query is stopped (its worker killed, 503); waiting for a worker counts towards it;
    - a worker whose resident memory passes ``memory`` bytes is killed (503 naming the limit) and
      replaced; behind that poll, its data segment is capped (:func:`backstop`), so that the server's
      memory stays bounded whatever clients send;
    - each worker is confined (:mod:`workforce_kg.sparql.sandbox`, as ``sandbox`` says): no network, no files
      but the store's and Python's;
    - workers are started, and replaced, in the background by one thread.

    The same pool runs other work given to ``main`` (``main(conn, store_path, max_rows)`` answers each
    request it receives on ``conn`` with an :class:`Outcome`): ``noun`` names a request in messages.
    """

    def __init__(
        self,
        store_path: Path | str,
        workers: int = 4,
        timeout: float = 30.0,
        max_rows: int = 100_000,
        max_concurrent: int = 32,
        long_after: float = LONG_AFTER,
        memory: int | None = None,
        sandbox: str | None = None,
        main=worker_main,
        noun: tuple[str, str] = ("query", "queries"),
    ):
        from workforce_kg.config import Settings  # here, not at the top: the workers need no pydantic

        defaults = Settings.from_env()  # WORKFORCE_KG_QUERY_MEMORY, WORKFORCE_KG_SANDBOX where not given
        self.memory = defaults.query_memory if memory is None else memory
        self.sandbox = defaults.sandbox if sandbox is None else sandbox
        self.store_path = Path(store_path)
        self.timeout = timeout
        self.max_rows = max_rows
        self.workers = workers
        self.max_concurrent = max(1, max_concurrent)
        self.long_after = long_after
        self.main, (self.one, self.many) = main, noun
        self.long_limit = max(1, workers // 2)
        self._admitted = threading.BoundedSemaphore(self.max_concurrent)
        self.plans = PlanCache()  # decisions the workers took on query texts, shared with fresh workers
        self._idle: queue.Queue[Worker] = queue.Queue()
        self._lock = threading.Lock()  # guards the collections and counts below
        self._all: list[Worker] = []
        self._out: set[Worker] = set()  # workers of long queries, out of the pool (replaced already)
        self._long = 0  # long queries running, in or out of the pool
        self._waiting = 0  # requests waiting for a worker
        self._starting = 0  # workers asked for and not yet ready
        self._closed = False
        self._starter = starter()
        self._failure: str | None = None  # why the last worker that failed to start did not
        self._confined: list[str] | None = None  # the confinement the last worker started reported
        self._to_spawn: queue.Queue[int | None] = queue.Queue()
        self._keeper = threading.Thread(target=self._keep, name="query-worker-keeper", daemon=True)
        self._keeper.start()
        for _ in range(workers):
            self._spawn()
        deadline = time.monotonic() + 60
        while self._starting:
            if self._failure or time.monotonic() > deadline:
                self.close()
                raise RuntimeError(f"a query worker did not start: {self._failure or 'timed out'}")
            time.sleep(0.02)
        sandbox_log.log(
            logging.INFO if self._confined else logging.WARNING,
            "query workers confined by: %s",
            ", ".join(self._confined or []) or "nothing",
        )

    # -- workers ----------------------------------------------------------------------------------------

    def _spawn(self, counted: bool = False) -> None:
        """Ask the keeper thread for one more worker (``counted``: already added to ``_starting``)."""
        if self._closed:
            return
        if not counted:
            with self._lock:
                self._starting += 1
        self._to_spawn.put(0)

    def _keep(self) -> None:
        """Start workers as asked (those asked together, at once) from this one long-lived thread."""
        while True:
            batch = [self._to_spawn.get()]
            while True:
                try:
                    batch.append(self._to_spawn.get_nowait())
                except queue.Empty:
                    break
            attempts = [a for a in batch if a is not None]
            if len(attempts) < len(batch) or self._closed:
                return
            if max(attempts):
                time.sleep(min(5.0, 0.2 * max(attempts)))  # workers that did not start: back off, try again
            started = []
            for attempt in attempts:
                w = Worker.start(
                    str(self.store_path),
                    self.max_rows,
                    self.memory,
                    self.sandbox,
                    main=self.main,
                    starter=self._starter,
                )
                with self._lock:
                    self._all.append(w)
                started.append((attempt, w))
            for attempt, w in started:
                if w.wait_ready(60) and not self._closed:
                    self._confined = w.layers
                    with self._lock:
                        self._idle.put(w)
                        self._starting -= 1
                else:
                    self._failure = w.failure or self._failure
                    self._retire(w)
                    if not self._closed:
                        self._to_spawn.put(attempt + 1)

    def _retire(self, worker: Worker) -> None:
        worker.kill()
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)

    def _discard(self, worker: Worker, counted: bool = False) -> None:
        """End a worker after its request; start a replacement unless one was started when it left the
        pool (``counted``: the replacement is already counted in ``_starting``)."""
        with self._lock:
            out = worker in self._out
            self._out.discard(worker)
        self._retire(worker)
        if not out:
            self._spawn(counted)

    def stats(self) -> dict:
        """Workers by state, and requests waiting for one (for tests and monitoring)."""
        with self._lock:
            return {
                "workers": len(self._all),
                "alive": sum(w.process.is_alive() for w in self._all),
                "idle": self._idle.qsize(),
                "starting": self._starting,
                "long": self._long,
                "out_of_pool": len(self._out),
                "waiting": self._waiting,
                "confinement": self._confined,
                "memory_limit": self.memory,
            }

    # -- requests ---------------------------------------------------------------------------------------

    def run(self, req: SparqlRequest | tuple[bytes, str], accept: str | None) -> Outcome:
        """Run one request within the deadline (queueing for a worker counts towards it): a query for
        :func:`worker_main`, or what another ``main`` reads (an upload and its media type for validation)."""
        if not self._admitted.acquire(blocking=False):
            return busy(f"too many {self.many} at once (at most {self.max_concurrent}); try again shortly")
        try:
            return self._run(req, accept)
        finally:
            self._admitted.release()

    def _run(self, req: SparqlRequest | tuple[bytes, str], accept: str | None) -> Outcome:
        deadline = time.monotonic() + self.timeout
        with self._lock:
            self._waiting += 1
        try:
            worker = self._idle.get(timeout=_left(deadline, self.timeout))
        except queue.Empty:
            return busy(f"all {self.one} workers are busy; try again shortly")
        finally:
            with self._lock:
                self._waiting -= 1
        long = True  # until the worker answers: a worker that fails is not used again
        query = None
        if isinstance(req, SparqlRequest) and req.query is not None:
            query = req.query
            req.plan = self.plans.get(query)
        try:
            worker.conn.send((req, accept))
            stopped, long = self._wait(worker, deadline)
            if stopped is not None:
                return stopped
            outcome = worker.conn.recv()
        except (EOFError, OSError):
            died_of_memory = worker.died_of_memory()
            self._discard(worker)
            if died_of_memory:
                return memory_exceeded(self.memory, self.one)
            return error_outcome(503, f"the {self.one} worker stopped unexpectedly; try again")
        if long:
            self._discard(worker)  # it runs at low priority and may be out of the pool
        else:
            self._idle.put(worker)
        if query is not None and isinstance(outcome, Outcome) and outcome.plan is not None:
            self.plans.put(query, outcome.plan)
        return outcome

    def _wait(self, worker: Worker, deadline: float) -> tuple[Outcome | None, bool]:
        """Wait for the worker's answer: (the 503 if the query was stopped instead, whether it became long)."""
        pid = worker.process.pid
        cpu_before, started = _cpu_seconds(pid), time.monotonic()
        long = out = False
        try:
            while not worker.conn.poll(_left(deadline, TICK)):
                if time.monotonic() >= deadline:
                    self._discard(worker)
                    return error_outcome(
                        503, f"{self.one} exceeded the time limit of {self.timeout:g} s and was stopped"
                    ), long
                if self.memory and (worker.rss() or 0) > self.memory:
                    self._discard(worker)
                    return memory_exceeded(self.memory, self.one), long
                if not long:
                    cpu_now = _cpu_seconds(pid)
                    used = (
                        cpu_now - cpu_before
                        if cpu_now is not None and cpu_before is not None
                        else time.monotonic() - started
                    )
                    long = used >= self.long_after
                    if long:
                        _set_priority(worker, LOW_PRIORITY)
                        with self._lock:
                            self._long += 1
                if long and not out:
                    out = self._leave_pool(worker)
                    if not out and self._needed():
                        self._discard(worker, counted=True)
                        return busy(
                            f"{self.one} stopped after {time.monotonic() - started:.1f} s to free its worker for "
                            f"waiting queries: {self.long_limit} others that used more than "
                            f"{self.long_after:g} s of CPU are running; try again shortly"
                        ), long
        finally:
            if long:
                with self._lock:
                    self._long -= 1
        return None, long

    def _leave_pool(self, worker: Worker) -> bool:
        """Take the worker of a long query out of the pool, starting another in its place, if fewer
        than ``long_limit`` are out; whether it could."""
        with self._lock:
            if len(self._out) >= self.long_limit:
                return False
            self._out.add(worker)
            self._starting += 1
        self._spawn(counted=True)
        return True

    def _needed(self) -> bool:
        """Whether a request waits for a worker with none idle or on its way for it; if so, the caller
        frees one, whose replacement is counted here as on its way."""
        with self._lock:
            if self._waiting <= self._starting + self._idle.qsize():
                return False
            self._starting += 1
            return True

    def close(self) -> None:
        self._closed = True
        self._to_spawn.put(None)
        with self._lock:
            workers, self._all = self._all, []
        for w in workers:
            w.kill()
        self._starter.shutdown(wait=False)


def _cpu_seconds(pid: int | None) -> float | None:
    """CPU time a process has used so far (Linux), or None where that cannot be read."""
    if pid is None:  # not started
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime
    except (OSError, IndexError, ValueError):
        return None


def _left(deadline: float, at_most: float) -> float:
    """Seconds to wait: ``at_most``, or less to stop at ``deadline``."""
    return max(0.0, min(at_most, deadline - time.monotonic()))


def busy(message: str) -> Outcome:
    outcome = error_outcome(503, message)
    outcome.headers["Retry-After"] = "1"
    return outcome


def _set_priority(worker: Worker, nice: int) -> bool:
    """Set a worker's CPU priority (nice value); whether it could."""
    pid = worker.process.pid
    if pid is None:  # not started
        return False
    try:
        os.setpriority(os.PRIO_PROCESS, pid, nice)
        return True
    except (OSError, AttributeError):  # no such process any more, no privilege to raise it, not POSIX
        return False
