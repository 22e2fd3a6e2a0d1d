"""A private Virtuoso (Debian's ``virtuoso-opensource``) for the remote-store tests.

Its database lives in a temporary folder, it listens on free loopback ports only, and it is stopped
by :meth:`Virtuoso.stop`. Run it by hand with ``python tests/virtuoso.py`` (Ctrl-C stops it).
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

SYSTEM_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")


def available() -> bool:
    return shutil.which("virtuoso-t") is not None and shutil.which("isql-vt") is not None and SYSTEM_INI.exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def configure(ini: str, settings: dict[tuple[str, str], str]) -> str:
    """``ini`` with each ``(section, key)`` of ``settings`` set (replaced in place, or added to its section)."""
    out, section, pending = [], None, dict(settings)

    def flush(sec):
        for (s, k), v in list(pending.items()):
            if s == sec:
                out.append(f"{k} = {v}")
                del pending[(s, k)]

    for line in ini.splitlines():
        header = re.match(r"\s*\[([^\]]+)\]", line)
        if header:
            flush(section)
            section = header.group(1)
            out.append(line)
            continue
        key = re.match(r"\s*([A-Za-z_0-9]+)\s*=", line)
        if key and (section, key.group(1)) in settings:
            if (section, key.group(1)) in pending:
                out.append(f"{key.group(1)} = {pending.pop((section, key.group(1)))}")
            continue  # a duplicate key: dropped
        out.append(line)
    flush(section)
    for (s, k), v in pending.items():
        out += [f"[{s}]", f"{k} = {v}"]
    return "\n".join(out) + "\n"


class Virtuoso:
    """A Virtuoso server with a fresh database (user ``dba``, password ``dba``) on 127.0.0.1.
    ``settings`` adds or overrides ``virtuoso.ini`` keys, as ``{(section, key): value}``."""

    def __init__(self, folder: Path | None = None, settings: dict[tuple[str, str], str] | None = None):
        self.folder = Path(folder or tempfile.mkdtemp(prefix="virtuoso-"))
        self.isql_port = _free_port()
        self.http_port = _free_port()
        self.url = f"http://127.0.0.1:{self.http_port}/sparql"
        db = self.folder / "db"
        db.mkdir(parents=True, exist_ok=True)
        ini = configure(
            SYSTEM_INI.read_text(encoding="utf-8"),
            {
                ("Database", "DatabaseFile"): str(db / "virtuoso.db"),
                ("Database", "ErrorLogFile"): str(db / "virtuoso.log"),
                ("Database", "LockFile"): str(db / "virtuoso.lck"),
                ("Database", "TransactionFile"): str(db / "virtuoso.trx"),
                ("Database", "xa_persistent_file"): str(db / "virtuoso.pxa"),
                ("TempDatabase", "DatabaseFile"): str(db / "virtuoso-temp.db"),
                ("TempDatabase", "TransactionFile"): str(db / "virtuoso-temp.trx"),
                ("Parameters", "ServerPort"): f"127.0.0.1:{self.isql_port}",
                ("Parameters", "DirsAllowed"): f"., /usr/share/virtuoso-opensource-7/vad, {tempfile.gettempdir()}",
                ("Parameters", "NumberOfBuffers"): "20000",
                ("Parameters", "MaxDirtyBuffers"): "15000",
                ("HTTPServer", "ServerPort"): f"127.0.0.1:{self.http_port}",
                ("SPARQL", "ResultSetMaxRows"): "1000000",
                ("SPARQL", "MaxQueryExecutionTime"): "60",
                **(settings or {}),
            },
        )
        (self.folder / "virtuoso.ini").write_text(ini, encoding="utf-8")
        self.proc = subprocess.Popen(
            ["virtuoso-t", "+configfile", "virtuoso.ini", "+foreground"],
            cwd=self.folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise

    @property
    def target(self) -> str:
        """The ``--store`` value that points workforce-kg at this server."""
        return f"remote:{self.url}"

    def log(self) -> str:
        path = self.folder / "db" / "virtuoso.log"
        return path.read_text(encoding="utf-8", errors="replace")[-3000:] if path.exists() else ""

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        probe = self.url + "?" + urllib.parse.urlencode({"query": "ASK {}"})
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"virtuoso-t exited ({self.proc.returncode}): {self.log()}")
            try:
                with urllib.request.urlopen(probe, timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"Virtuoso did not answer within {timeout:g} s: {self.log()}")

    def isql(self, sql: str) -> str:
        """Run SQL through ``isql-vt`` as dba; raise with its output when it reports an error."""
        done = subprocess.run(
            ["isql-vt", f"127.0.0.1:{self.isql_port}", "dba", "dba", f"exec={sql}"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
            raise RuntimeError(f"isql-vt: {(done.stdout + done.stderr).strip()[-2000:]}")
        return done.stdout

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        shutil.rmtree(self.folder, ignore_errors=True)


if __name__ == "__main__":
    server = Virtuoso()
    print(f"Virtuoso at {server.url} (isql 127.0.0.1:{server.isql_port}); Ctrl-C stops it")
    try:
        while server.proc.poll() is None:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
