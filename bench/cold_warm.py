"""The competency questions over HTTP, cold and warm: the first request for each query text pays the
safety check's rdflib parse (cached per web process after that); later ones do not.

A fresh ``workforce-kg serve`` on loopback; once it has settled (its query workers started), one client
with a keep-alive connection sends every competency question once (cold: p50 and sum), then ``--passes``
more times (warm: p50 and sum over the last passes). Also the time from process start to the first
answer. Run from the repository root:

    PYTHONPATH=$PWD/service .venv/bin/python bench/cold_warm.py [--passes 5] [--json]

Prints the figures; it writes no results file (they are copied into RESULTS.md by hand).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import free_port, stop  # noqa: E402


def texts() -> list[str]:
    """Every competency question's SPARQL text."""
    try:
        from workforce_kg import cq as queries
    except ImportError:  # the flat layout before the move into subpackages (for a before/after run)
        from workforce_kg import queries  # type: ignore[no-redef]

    return [cq.sparql for cq in queries.load()]


def get(conn: http.client.HTTPConnection, query: str) -> float:
    """Milliseconds for one GET /sparql answered 200 (raises otherwise)."""
    start = time.perf_counter()
    conn.request(
        "GET",
        "/sparql?" + urllib.parse.urlencode({"query": query}),
        headers={"Accept": "application/sparql-results+json"},
    )
    resp = conn.getresponse()
    body = resp.read()
    if resp.status != 200:
        raise RuntimeError(f"HTTP {resp.status}: {body[:200]!r}")
    return (time.perf_counter() - start) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--passes", type=int, default=5, help="warm passes after the cold one (default 5)")
    ap.add_argument("--settle", type=float, default=5, help="seconds to wait after the first answer (default 5)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    queries = texts()
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        subprocess.run(
            [sys.executable, "-m", "workforce_kg", "build", "--store", str(store)], check=True, capture_output=True
        )
        port = free_port()
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "workforce_kg", "serve", "--store", str(store), "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            while True:
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    ready = get(conn, "ASK { }") and (time.perf_counter() - started)
                    break
                except (ConnectionError, OSError):
                    if proc.poll() is not None or time.perf_counter() - started > 60:
                        raise SystemExit("the server did not start") from None
                    time.sleep(0.05)
            conn.close()
            time.sleep(args.settle)  # let every query worker finish starting before anything is timed
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            for _ in range(50):
                get(conn, "ASK { }")
            cold = [get(conn, q) for q in queries]
            warm: list[float] = []
            for i in range(args.passes):
                times = [get(conn, q) for q in queries]
                if i >= args.passes // 2:
                    warm += times
        finally:
            stop(proc)
    out = {
        "queries": len(queries),
        "serve_ready_s": round(ready, 2),
        "cold_p50_ms": round(statistics.median(cold), 1),
        "cold_sum_ms": round(sum(cold), 1),
        "warm_p50_ms": round(statistics.median(warm), 1),
        "warm_sum_per_pass_ms": round(sum(warm) / (args.passes - args.passes // 2), 1),
        "load_average": [round(x, 1) for x in os.getloadavg()],
    }
    print(json.dumps(out) if args.json else "\n".join(f"{k}: {v}" for k, v in out.items()))


if __name__ == "__main__":
    main()
