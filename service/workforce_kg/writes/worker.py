"""The writer process of a service (:class:`Writer`): one write at a time, confined, past its deadline stopped.

The process runs :func:`writer_main`, which carries out each write with
:func:`workforce_kg.writes.change.perform` (an on-disk store) or
:func:`workforce_kg.writes.remote.perform_remote` (a ``remote:`` target).
"""

from __future__ import annotations

import threading
from pathlib import Path
from urllib.parse import urlsplit

from workforce_kg.sizes import format_size
from workforce_kg.sparql.executor import Worker, die_with_parent, start_confined, starter
from workforce_kg.store.remote import is_remote, parse_target
from workforce_kg.validation import report as validation
from workforce_kg.writes import change, remote
from workforce_kg.writes.change import WriteError, WriteRequest

#: What a writer to a remote store reads besides its own files: name resolution and TLS certificates.
NETWORK_FILES = (
    "/etc/hosts",
    "/etc/resolv.conf",
    "/etc/nsswitch.conf",
    "/etc/host.conf",
    "/etc/gai.conf",
    "/etc/ssl",
    "/usr/share/ca-certificates",
    "/etc/ca-certificates",
)


def writer_main(
    conn,
    store_path: str,
    sources: str | None,
    timeout: float = 60.0,
    memory: int | None = None,
    sandbox: str | None = None,
) -> None:
    """Writer loop: one write at a time until the pipe closes; the shapes are parsed once.
    ``store_path`` is an on-disk store or a ``remote:`` target (:mod:`workforce_kg.writes.remote`).

    The process is confined (:mod:`workforce_kg.sparql.sandbox`): it reads and writes the store's folder, reads
    the sources folder, and opens no socket; writing to a remote store, it may connect to the remote's
    TCP ports only (an update's ``SERVICE`` could still reach another host on those ports: the parse
    of the update refuses it first)."""
    die_with_parent()
    shapes = validation.shapes_graph()
    read = [sources] if sources else []
    if is_remote(store_path):
        urls = [urlsplit(u) for u in parse_target(store_path)]
        ports = {u.port or (443 if u.scheme == "https" else 80) for u in urls}
        allowed = start_confined(conn, memory, sandbox, read=[*read, *NETWORK_FILES], connect_ports=ports)
    else:
        allowed = start_confined(conn, memory, sandbox, read=read, write=[store_path])
    if not allowed:
        return
    while True:
        try:
            req = conn.recv()
        except (EOFError, OSError):
            return
        try:
            folder = Path(sources) if sources else None
            if is_remote(store_path):
                conn.send(("ok", remote.perform_remote(store_path, req, shapes, folder, timeout)))
            else:
                conn.send(("ok", change.perform(Path(store_path), req, shapes, folder)))
        except WriteError as exc:
            conn.send(("error", exc.status, exc.message, exc.report))
        except MemoryError:
            conn.send(
                (
                    "error",
                    503,
                    f"the write exceeded the writer's memory limit of {format_size(memory or 0)} "
                    "and was stopped; nothing was changed",
                    None,
                )
            )
        except Exception as exc:  # our bug or a disk problem: the store is unchanged; say what happened
            conn.send(("error", 500, f"the write failed ({exc.__class__.__name__}: {exc}); nothing was changed", None))


class Writer:
    """The writer process of a service: writes queue for it; one past its deadline is stopped.

    The process is confined as :func:`writer_main` says and its data segment is capped at ``memory``
    bytes (default: twice ``WORKFORCE_KG_QUERY_MEMORY``); a write past it is stopped with 503.
    A writer found dead (killed, or out of memory) is started again before the next write."""

    def __init__(
        self,
        store_path: Path | str,
        timeout: float = 60.0,
        sources: Path | None = None,
        memory: int | None = None,
        sandbox: str | None = None,
    ):
        self.store_path, self.timeout, self.sources = str(store_path), timeout, sources
        from workforce_kg.config import Settings  # here, not at the top: the workers need no pydantic

        defaults = Settings.from_env()  # WORKFORCE_KG_QUERY_MEMORY, WORKFORCE_KG_SANDBOX where not given
        self.memory = 2 * defaults.query_memory if memory is None else memory
        self.sandbox = defaults.sandbox if sandbox is None else sandbox
        self._lock = threading.Lock()
        self._starter = starter()
        self._worker = self._start()

    def _start(self) -> Worker:
        worker = Worker.start(
            self.store_path,
            str(self.sources) if self.sources else None,
            self.timeout,
            self.memory,
            self.sandbox,
            main=writer_main,
            starter=self._starter,
        )
        if not worker.wait_ready(60):
            worker.kill()
            raise RuntimeError(f"the writer process did not start: {worker.failure or 'timed out'}")
        return worker

    def run(self, req: WriteRequest) -> dict:
        """Carry out ``req`` in the writer process; raises WriteError (503 when stopped at the deadline,
        out of memory, or when the writer process stopped during the write)."""
        if not self._lock.acquire(timeout=self.timeout):
            raise WriteError(503, "another write is still running; try again shortly")
        try:
            if not self.alive():  # killed, or out of memory, since the last write: start it again first
                self._restart()
            try:
                self._worker.conn.send(req)
                answered = self._worker.conn.poll(self.timeout)
                reply = self._worker.conn.recv() if answered else None
            except (OSError, EOFError):  # it died during this write
                out_of_memory = self._worker.died_of_memory()
                self._restart()
                if out_of_memory:
                    raise WriteError(
                        503,
                        f"the write exceeded the writer's memory limit of {format_size(self.memory)} "
                        "and was stopped; nothing was changed",
                    ) from None
                raise WriteError(
                    503, "the writer process stopped during the write and was restarted; nothing was changed; try again"
                ) from None
            if not answered:
                self._restart()
                raise WriteError(
                    503, f"the write took longer than {self.timeout:g} s and was stopped; nothing was changed"
                )
        finally:
            self._lock.release()
        assert reply is not None  # answered
        if reply[0] == "ok":
            return reply[1]
        raise WriteError(reply[1], reply[2], reply[3])

    def alive(self) -> bool:
        """Whether the writer process is running (a write restarts it if not)."""
        return self._worker.process.is_alive()

    def _restart(self) -> None:
        self._worker.kill()
        self._worker = self._start()

    def close(self) -> None:
        self._worker.kill()
        self._starter.shutdown(wait=False)
