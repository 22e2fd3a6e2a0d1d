"""Load test: a real ``workforce-kg serve`` on loopback, 16 clients running the competency questions.

Two phases of the same length:

1. clean — ``--clients`` threads, each with its own keep-alive connection, send the competency
   questions (``service/workforce_kg/queries/*.rq``) one after another as fast as answers come;
2. runaways — the same, plus one runaway query per second (a cartesian product that only the
   server's query time limit stops; the server runs with ``WORKFORCE_KG_QUERY_TIMEOUT=2``).

Each phase is taken in ``--rounds`` stretches, alternating (clean, runaways, clean, runaways), so that
other work on a shared machine weighs on both phases alike.

Checked: no errors among the competency questions (every answer 200 with the expected number of
result rows), every runaway answered 503, ``/healthz`` answers afterwards, and the p99 latency of
the competency questions with runaways stays within 2× of the clean run's.

Run from the repository root (under 60 s; writes the "Load test" section of bench/RESULTS.md):

    .venv/bin/python bench/load.py

``--duration`` sets each phase's seconds, ``--url`` uses a running server instead of starting one
(its time limit must then be short), ``--no-write`` leaves RESULTS.md alone, ``--json`` prints the figures.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from common import free_port, stop  # noqa: E402  (bench/common.py)

RESULTS = ROOT / "bench" / "RESULTS.md"
START = "<!-- load-test:start (written by bench/load.py; edit there) -->"
END = "<!-- load-test:end -->"

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
ACCEPT = "application/sparql-results+json"
SERVER_TIMEOUT = 2.0  # seconds: WORKFORCE_KG_QUERY_TIMEOUT of the server this script starts
P99_RATIO_LIMIT = 2.0


# -- the server ---------------------------------------------------------------------------------------


class Server:
    """``workforce-kg serve`` in a subprocess on a free loopback port."""

    def __init__(self, store: Path, env: dict[str, str] | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "workforce_kg", "serve", "--store", str(store), "--port", str(self.port)],
            env={**os.environ, **(env or {})},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while not healthy(self.url):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the server did not start")
            time.sleep(0.2)

    def stop(self) -> None:
        stop(self.proc)


def healthy(url: str, timeout: float = 5) -> bool:
    try:
        status, body = request(url, "/healthz", timeout=timeout)
    except OSError:
        return False
    return status == 200 and json.loads(body).get("status") == "ok"


def request(
    url: str,
    path: str,
    timeout: float = 30,
    conn: http.client.HTTPConnection | None = None,
    headers: dict | None = None,
) -> tuple[int, bytes]:
    own = conn is None
    if own:
        parts = urllib.parse.urlsplit(url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        if own:
            conn.close()


# -- the clients --------------------------------------------------------------------------------------


@dataclass
class Sample:
    started: float
    seconds: float
    ok: bool
    status: int
    detail: str = ""


@dataclass
class PhaseResult:
    name: str
    seconds: float
    requests: int
    errors: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    per_second: float
    runaways: int = 0
    runaway_statuses: dict = field(default_factory=dict)
    runaway_p50_s: float = 0.0
    load_before: float = 0.0
    load_after: float = 0.0
    error_examples: list = field(default_factory=list)


def quantile(values: list[float], q: float) -> float:
    """The q-quantile (nearest rank) of ``values``."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(q * len(ordered) + 0.5)) - 1))]


def workload() -> list[tuple[str, str, int]]:
    """(name, request path, expected row count) for each competency question."""
    from workforce_kg import cq as queries

    out = []
    for cq in queries.load():
        expected = queries.expected(cq)
        rows = len(expected["results"]["bindings"]) if "results" in expected else -1
        out.append((cq.name, "/sparql?" + urllib.parse.urlencode({"query": cq.sparql}), rows))
    return out


def check_answer(status: int, body: bytes, rows: int) -> str:
    """Why an answer is wrong, or '' when it is right."""
    if status != 200:
        return f"HTTP {status}: {body[:200]!r}"
    try:
        doc = json.loads(body)
    except ValueError:
        return "not JSON"
    got = len(doc["results"]["bindings"]) if "results" in doc else -1
    if got != rows:
        return f"{got} rows, expected {rows}"
    return ""


def client(url: str, mix: list, offset: int, stop: threading.Event, samples: list[Sample]) -> None:
    """One client: its own keep-alive connection, the mix in order from ``offset``, until ``stop``."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    i = offset
    while not stop.is_set():
        name, path, rows = mix[i % len(mix)]
        i += 1
        started = time.perf_counter()
        try:
            status, body = request(url, path, conn=conn, headers={"Accept": ACCEPT})
            problem = check_answer(status, body, rows)
        except (OSError, http.client.HTTPException) as exc:
            status, problem = 0, f"{exc.__class__.__name__}: {exc}"
            conn.close()
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        elapsed = time.perf_counter() - started
        samples.append(Sample(started, elapsed, not problem, status, f"{name}: {problem}" if problem else ""))
    conn.close()


def runaway_once(url: str, results: list[Sample]) -> None:
    started = time.perf_counter()
    try:
        status, body = request(
            url, "/sparql?" + urllib.parse.urlencode({"query": RUNAWAY}), timeout=60, headers={"Accept": ACCEPT}
        )
        detail = body[:200].decode("utf-8", "replace")
    except (OSError, http.client.HTTPException) as exc:
        status, detail = 0, f"{exc.__class__.__name__}: {exc}"
    results.append(Sample(started, time.perf_counter() - started, status == 503, status, detail))


@dataclass
class Part:
    """The samples of one stretch of a phase."""

    samples: list[Sample]
    runaways: list[Sample]
    seconds: float
    load_before: float
    load_after: float


def measure(url: str, seconds: float, clients: int = 16, runaway_rate: float = 0.0, warmup: float = 1.0) -> Part:
    """``clients`` clients for ``warmup`` + ``seconds`` (and runaways at ``runaway_rate`` a second); the
    samples of the last ``seconds``. Returns once every runaway has been answered."""
    mix = workload()
    load_before = load_average()
    samples: list[Sample] = []
    stop = threading.Event()
    threads = [
        threading.Thread(target=client, args=(url, mix, i * 3, stop, samples), daemon=True) for i in range(clients)
    ]
    for t in threads:
        t.start()
    time.sleep(warmup)
    counted_from = time.perf_counter()
    runaways: list[Sample] = []
    runaway_threads = []
    if runaway_rate > 0:
        period = 1.0 / runaway_rate
        next_at = counted_from
        while time.perf_counter() < counted_from + seconds:
            now = time.perf_counter()
            if now >= next_at:
                t = threading.Thread(target=runaway_once, args=(url, runaways), daemon=True)
                t.start()
                runaway_threads.append(t)
                next_at += period
            time.sleep(min(0.05, max(0.0, next_at - time.perf_counter())))
    else:
        time.sleep(seconds)
    counted_to = time.perf_counter()
    stop.set()
    for t in threads:
        t.join(60)
    for t in runaway_threads:
        t.join(60)
    counted = [s for s in samples if counted_from <= s.started < counted_to]
    return Part(counted, runaways, counted_to - counted_from, load_before, load_average())


def summarise(name: str, parts: list[Part]) -> PhaseResult:
    counted = [s for p in parts for s in p.samples]
    runaways = [r for p in parts for r in p.runaways]
    seconds = sum(p.seconds for p in parts)
    latencies = [s.seconds * 1000 for s in counted if s.ok]
    errors = [s for s in counted if not s.ok]
    statuses: dict[str, int] = {}
    for r in runaways:
        statuses[str(r.status)] = statuses.get(str(r.status), 0) + 1
    return PhaseResult(
        name=name,
        seconds=round(seconds, 1),
        requests=len(counted),
        errors=len(errors),
        p50_ms=round(quantile(latencies, 0.50), 1),
        p90_ms=round(quantile(latencies, 0.90), 1),
        p99_ms=round(quantile(latencies, 0.99), 1),
        max_ms=round(max(latencies, default=float("nan")), 1),
        per_second=round(len(counted) / seconds, 1),
        runaways=len(runaways),
        runaway_statuses=statuses,
        runaway_p50_s=round(quantile([r.seconds for r in runaways], 0.5), 2) if runaways else 0.0,
        load_before=parts[0].load_before,
        load_after=parts[-1].load_after,
        error_examples=[e.detail for e in errors[:5]],
    )


def run(url: str, seconds: float, clients: int = 16, runaway_rate: float = 1.0, rounds: int = 2) -> dict:
    """Both phases against the server at ``url``, ``seconds`` each, taken in ``rounds`` alternating
    stretches (clean, runaways, clean, ...) so that other work on the machine weighs on both alike;
    the figures and whether the checks hold."""
    clean, mixed = [], []
    for _ in range(rounds):
        clean.append(measure(url, seconds / rounds, clients))
        mixed.append(measure(url, seconds / rounds, clients, runaway_rate))
    clean_result, mixed_result = summarise("clean", clean), summarise("with runaways", mixed)
    ratio = mixed_result.p99_ms / clean_result.p99_ms if clean_result.p99_ms else float("inf")
    return {
        "clients": clients,
        "runaway_rate": runaway_rate,
        "rounds": rounds,
        "clean": asdict(clean_result),
        "runaways": asdict(mixed_result),
        "p99_ratio": round(ratio, 2),
        "healthy_after": healthy(url),
    }


# -- report -------------------------------------------------------------------------------------------


def failures(result: dict, ratio_limit: float = P99_RATIO_LIMIT) -> list[str]:
    out = []
    for phase in ("clean", "runaways"):
        if result[phase]["errors"]:
            out.append(f"{result[phase]['errors']} errors in the {phase} phase: {result[phase]['error_examples']}")
    mixed = result["runaways"]
    if mixed["runaways"] == 0 or set(mixed["runaway_statuses"]) != {"503"}:
        out.append(f"runaway queries should all get 503: {mixed['runaway_statuses']}")
    if not result["healthy_after"]:
        out.append("/healthz does not answer ok after the run")
    if result["p99_ratio"] > ratio_limit:
        out.append(f"p99 with runaways is {result['p99_ratio']}× the clean p99 (limit {ratio_limit}×)")
    return out


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores ({cpu})"


def load_average() -> float:
    """The machine's 1-minute load average (other work on it disturbs the figures)."""
    return round(os.getloadavg()[0], 1) if hasattr(os, "getloadavg") else float("nan")


def markdown(result: dict, command: str, settings: str, host: str) -> str:
    c, r = result["clean"], result["runaways"]
    verdict = failures(result)
    lines = [
        START,
        "## Load test",
        "",
        f"Command: `{command}` (from the repository root). Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.",
        f"Machine: {host}; Python {platform.python_version()}, workforce-kg {version('workforce-kg')}, "
        f"pyoxigraph {version('pyoxigraph')}, fastapi {version('fastapi')}, uvicorn {version('uvicorn')}.",
        f"Server: `workforce-kg serve` on loopback, {settings}. Clients: {result['clients']} threads in one process "
        "on the same machine, each with a keep-alive connection, sending the competency questions "
        "(`GET /sparql`, SPARQL JSON) back to back; an answer counts as an error unless it is 200 with the expected "
        f"number of rows. Latencies are of the competency questions only. Each phase was taken in {result['rounds']} "
        "alternating stretches (clean, runaways, clean ...), each after 1 s of warm-up, so that other work on the "
        "machine weighs on both alike. The load average (1 minute, "
        "`os.getloadavg()`) includes the test itself and any other work on the machine. "
        f"Runaway query: `{RUNAWAY}` (a cartesian product only the time limit stops).",
        "",
        "| phase | seconds | requests | req/s | errors | p50 ms | p90 ms | p99 ms | max ms | runaway queries | load "
        "average before → after |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for p in (c, r):
        runaway = "–"
        if p["runaways"]:
            statuses = ", ".join(f"{n}× {s}" for s, n in sorted(p["runaway_statuses"].items()))
            runaway = f"{p['runaways']} ({statuses}; median {p['runaway_p50_s']} s)"
        lines.append(
            f"| {p['name']} | {p['seconds']} | {p['requests']} | {p['per_second']} | {p['errors']} | "
            f"{p['p50_ms']} | {p['p90_ms']} | {p['p99_ms']} | {p['max_ms']} | {runaway} | "
            f"{p['load_before']} → {p['load_after']} |"
        )
    lines += [
        "",
        f"p99 with runaways / clean p99: **{result['p99_ratio']}×** (limit {P99_RATIO_LIMIT}×). "
        f"`/healthz` after the run: {'ok' if result['healthy_after'] else 'FAILED'}. "
        + ("All checks hold." if not verdict else "Failed: " + "; ".join(verdict)),
        END,
    ]
    return "\n".join(lines)


def write_section(text: str, path: Path = RESULTS) -> None:
    """Replace the delimited load-test section of ``path`` (or append it); the rest stays as it is."""
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    if START.split(" (")[0] in old and END in old:
        head = old[: old.index(START.split(" (")[0])]
        tail = old[old.index(END) + len(END) :]
        new = head + text + tail
    else:
        new = old.rstrip("\n") + "\n\n" + text + "\n"
    path.write_text(new, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--duration", type=float, default=20, help="seconds per phase (default 20)")
    ap.add_argument("--rounds", type=int, default=2, help="alternating stretches per phase (default 2)")
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--runaway-rate", type=float, default=1.0, help="runaway queries per second (default 1)")
    ap.add_argument("--store", type=Path, help="an on-disk store (default: build one in a temporary folder)")
    ap.add_argument("--url", help="a running server (its query time limit should be ~2 s)")
    ap.add_argument("--no-write", action="store_true", help="do not write bench/RESULTS.md")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)

    started = time.monotonic()
    host = machine()
    tmp = None
    server = None
    env = {"WORKFORCE_KG_QUERY_TIMEOUT": str(SERVER_TIMEOUT)}
    try:
        if args.url:
            url = args.url.rstrip("/")
            settings = "a server started elsewhere"
        else:
            store = args.store
            if store is None:
                from workforce_kg.store import local as stores

                tmp = tempfile.mkdtemp(prefix="workforce-kg-load-")
                store = Path(tmp) / "store"
                stores.build(store)
            server = Server(store, env)
            url = server.url
            from workforce_kg.config import Settings

            s = Settings.from_env(query_timeout=SERVER_TIMEOUT)  # what the server was given in env
            settings = (
                f"query time limit {s.query_timeout:g} s, {s.query_workers} query workers, "
                f"at most {s.max_concurrent} concurrent queries"
            )
        result = run(url, args.duration, args.clients, args.runaway_rate, args.rounds)
    finally:
        if server is not None:
            server.stop()
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    command = ".venv/bin/python bench/load.py" + (
        "" if argv is None and len(sys.argv) == 1 else " " + " ".join(sys.argv[1:] if argv is None else argv)
    )
    text = markdown(result, command, settings, host)
    if not args.no_write:
        write_section(text)
    print(json.dumps(result, indent=1) if args.json else text)
    print(f"(load test took {time.monotonic() - started:.0f} s)", file=sys.stderr)
    return 1 if failures(result) else 0


if __name__ == "__main__":
    sys.exit(main())
