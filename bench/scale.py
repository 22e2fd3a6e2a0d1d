"""Scale benchmarks on synthetic data (bench/generate.py) at 1×, 10×, 100× (1000× on request).

Per scale: build time and peak memory of an on-disk store, start-up of an existing store, the
competency-question suite in process (p50/p99 per query), SHACL validation, GraphML export, and over
HTTP against a real ``workforce-kg serve`` on 127.0.0.1 the suite's latency and the throughput of a
fixed query mix with 1, 4 and 16 clients. Baselines measured in the same run: raw pyoxigraph in
process (the floor) and, at 1×, a plain rdflib-endpoint server on the same data.

Run from the repository root (writes bench/RESULTS-scale.md; data and stores go to --workdir):

    .venv/bin/python bench/scale.py                       # 1, 10, 100
    .venv/bin/python bench/scale.py --scales 1,10,100,1000
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import platform
import queue
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from datetime import date
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pyoxigraph as ox

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (bench/ is not a package)

from workforce_kg import queries, rules, store  # noqa: E402
from workforce_kg.config import DEFAULT_BASE_IRI as BASE  # noqa: E402
from workforce_kg.kg import KnowledgeGraph  # noqa: E402

OUT = HERE / "RESULTS-scale.md"
CLIENTS = (1, 4, 16)
GROWTH_LIMIT = 15  # a query whose time grows more than this from 10× to 100× has a worse-than-linear plan
ID = f"{BASE}/id"

#: The fixed query mixes of the throughput runs. "lookups": reads anchored on one entity, as a page or
#: API call makes them; "competency": every competency question in turn (whole-graph reports).
LOOKUPS = {
    "lookup": f"SELECT ?label WHERE {{ <{ID}/commitment/nurses-50k> <http://www.w3.org/2004/02/skos/core#prefLabel> ?label }}",
    "describe": f"SELECT ?p ?o WHERE {{ <{ID}/commitment/nurses-50k> ?p ?o }}",
    "accountability": f"""PREFIX wkg: <{BASE}/def/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?programme ?bodyLabel ?role WHERE {{
  ?programme wkg:serves <{ID}/commitment/nurses-50k> .
  ?r wkg:subject ?programme ; wkg:body ?body ; wkg:role ?role .
  ?body skos:prefLabel ?bodyLabel }}""",
    "cq34": "cq34_nhse_successor_of_hee",
    "cq44": "cq44_nurses_50k_provenance",
}


# -- helpers -----------------------------------------------------------------------------------------


def pct(xs: list[float], p: float) -> float:
    """Nearest-rank percentile (with fewer than 100 samples, p99 is the maximum)."""
    xs = sorted(xs)
    return xs[max(0, min(len(xs) - 1, math.ceil(p / 100 * len(xs)) - 1))]


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ontology_files() -> list[store.SourceFile]:
    return [f for f in store.bundled_files() if f.graph_name.startswith("ontology/")]


def cqs() -> list[queries.CompetencyQuestion]:
    return queries.load()


def lookup_queries() -> list[str]:
    by_name = {cq.name: cq.sparql for cq in cqs()}
    return [by_name.get(v, v) for v in LOOKUPS.values()]


def consume(result):
    """Materialise a raw pyoxigraph result (every term of every row)."""
    return bool(result) if isinstance(result, ox.QueryBoolean) else [tuple(s) for s in result]


def sample(fn, budget: float, most: int = 50, least: int = 3, warm: int = 1) -> list[float]:
    """Times of ``fn()`` after ``warm`` warm-up runs: at least ``least`` runs, more while within ``budget``
    seconds. A call slower than ``budget`` is run once only, and that time is the sample."""
    t = time.perf_counter()
    fn()
    first = time.perf_counter() - t
    if first > budget:
        return [first]
    for _ in range(warm - 1):
        fn()
    times: list[float] = []
    start = time.perf_counter()
    while len(times) < least or (len(times) < most and time.perf_counter() - start < budget):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return times


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def child(task: str, timeout: float, **kwargs) -> dict:
    """Run ``task`` in a fresh interpreter (own peak memory, cold start); its JSON result, or the error."""
    cmd = [sys.executable, __file__, "--child", task, "--args", json.dumps(kwargs)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"stopped after {timeout:.0f} s"}
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- child tasks (each runs in its own process) ------------------------------------------------------


def task_build(nq: str, path: str, kind: str) -> dict:
    """Build a store from the ontology and an N-Quads file.

    ``ours``: bulk load, derived triples (workforce_kg.rules), optimise, marker: a store
    ``KnowledgeGraph.load`` and ``serve`` open. ``floor``: raw pyoxigraph bulk load only.
    ``library``: the way ``store.load_files`` adds Turtle (parse, per-triple duplicate check, extend).
    """
    path = Path(path)
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    t0 = time.perf_counter()
    st = ox.Store(str(path / "oxigraph"))
    if kind == "floor":
        st.bulk_load(path=nq, format=ox.RdfFormat.N_QUADS)
        st.flush()
        return {"seconds": time.perf_counter() - t0, "peak_mib": peak_mib()}
    store.load_files(st, ontology_files(), BASE)
    if kind == "library":
        st.extend([q for q in ox.parse(path=nq, format=ox.RdfFormat.N_QUADS) if store.is_new(st, q.triple)])
    else:
        st.bulk_load(path=nq, format=ox.RdfFormat.N_QUADS)
    t_load = time.perf_counter()
    derived = rules.apply(st, store.graph_iri(BASE, "derived"), BASE)
    t_derive = time.perf_counter()
    st.optimize()
    st.flush()
    t_end = time.perf_counter()
    quads = len(st)
    del st
    (path / store.MARKER).write_text(BASE + "\n", encoding="utf-8")
    disk = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    return {"seconds": t_end - t0, "load": t_load - t0, "derive": t_derive - t_load, "optimize": t_end - t_derive,
            "derived": derived, "quads": quads, "disk_mib": disk / 2**20, "peak_mib": peak_mib()}


def task_startup(path: str, kind: str) -> dict:
    """Open an existing store and answer a first query."""
    t0 = time.perf_counter()
    if kind == "floor":
        st = ox.Store.read_only(str(Path(path) / "oxigraph"))
        t_open = time.perf_counter()
        bool(st.query("ASK { ?s ?p ?o }"))
    else:
        kg = KnowledgeGraph.load(path)
        t_open = time.perf_counter()
        kg.ask("ASK { ?s ?p ?o }")
    return {"open": t_open - t0, "first_query": time.perf_counter() - t_open, "peak_mib": peak_mib()}


def task_inproc(path: str, budget: float, names: list[str]) -> None:
    """Competency questions through KnowledgeGraph (rows as dicts) and raw pyoxigraph (every term), one JSON
    line per query and phase as soon as it is measured (the parent stops a query that runs too long)."""
    kg = KnowledgeGraph.load(path)
    by_name = {cq.name: cq.sparql for cq in cqs()}
    for name in names:
        q = by_name[name]
        run = kg.ask if re.search(r"\bASK\s*(WHERE\s*)?\{", q, re.IGNORECASE) else kg.rows
        t = time.perf_counter()
        answer = run(q)
        first = time.perf_counter() - t
        rows = 1 if isinstance(answer, bool) else len(answer)
        ours = [first] if first > budget else sample(lambda: run(q), budget)
        print(json.dumps({"name": name, "phase": "ours", "samples": ours, "rows": rows}), flush=True)
        raw = sample(lambda: consume(kg.store.query(q, use_default_graph_as_union=True)), budget)
        print(json.dumps({"name": name, "phase": "raw", "samples": raw}), flush=True)


def inproc(path: Path, budget: float, limit: float) -> dict:
    """Run :func:`task_inproc` in a child; a query still running after ``limit`` s (one phase: first run
    plus repeats) is recorded as such, the child killed and a new one started at the next query.
    pyoxigraph cannot cancel a query, so this is the only way to bound a quadratic one."""
    names = [cq.name for cq in cqs()]
    out = {n: {"ours": "not run", "raw": "not run", "rows": None} for n in names}
    while names:
        cmd = [sys.executable, __file__, "--child", "inproc", "--args",
               json.dumps({"path": str(path), "budget": budget, "names": names})]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout] + [lines.put(None)], daemon=True).start()
        phase = "ours"
        while names:
            try:
                line = lines.get(timeout=limit + 2 * budget + 5)  # + opening the store, warm-up of a fast query
            except queue.Empty:
                proc.kill()
                proc.wait()
                out[names[0]][phase] = f"> {limit:.0f} s"
                names = names[1:]
                break
            if line is None:
                raise RuntimeError(f"in-process benchmark exited with {proc.wait()} at {names[0]}")
            d = json.loads(line)
            out[d["name"]][d["phase"]] = d["samples"]
            if d["phase"] == "ours":
                out[d["name"]]["rows"] = d["rows"]
                phase = "raw"
            else:
                names, phase = names[1:], "ours"
    return out


def rdflib_data(nq: str):
    """The N-Quads file as one rdflib Graph (validation sees the union of the named graphs)."""
    import rdflib

    triples = (ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(path=nq, format=ox.RdfFormat.N_QUADS))
    return rdflib.Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")


def task_validate(nq: str, kind: str) -> dict:
    """SHACL validation of the generated data with the ontology: ours, or pySHACL with RDFS inference."""
    from pyshacl import validate as shacl_validate

    from workforce_kg import validation

    t0 = time.perf_counter()
    data = rdflib_data(nq)
    onto = store.rdflib_graph(ontology_files())
    shapes = validation.shapes_graph()
    t_parse = time.perf_counter()
    if kind == "ours":
        report = validation.validate_graph(data, onto, shapes)
        conforms, violations = report.conforms, report.violations
    else:
        conforms, _, _ = shacl_validate(data, shacl_graph=shapes, ont_graph=onto, inference="rdfs", advanced=True,
                                        allow_warnings=True)
        violations = None
    t_end = time.perf_counter()
    return {"parse": t_parse - t0, "validate": t_end - t_parse, "triples": len(data), "conforms": bool(conforms),
            "violations": violations, "peak_mib": peak_mib()}


def task_export(path: str) -> dict:
    """GraphML of the whole accountability network, and (the floor) an N-Quads dump of the store."""
    from workforce_kg import export

    kg = KnowledgeGraph.load(path)
    t0 = time.perf_counter()
    body = export.export(kg, "graphml").content
    t1 = time.perf_counter()
    dump = kg.store.dump(format=ox.RdfFormat.N_QUADS)
    t2 = time.perf_counter()
    return {"graphml": t1 - t0, "graphml_mib": len(body) / 2**20, "dump": t2 - t1, "dump_mib": len(dump) / 2**20,
            "peak_mib": peak_mib()}


def task_dump(path: str, out: str) -> dict:
    """Write a built store (ontology, data, derived triples) to N-Quads, for the rdflib-endpoint baseline."""
    st = ox.Store.read_only(str(Path(path) / "oxigraph"))
    st.dump(output=out, format=ox.RdfFormat.N_QUADS)
    return {"quads": len(st)}


TASKS = {"build": task_build, "startup": task_startup, "inproc": task_inproc, "validate": task_validate,
         "export": task_export, "dump": task_dump}


# -- HTTP --------------------------------------------------------------------------------------------


class Server:
    """A server process on a loopback port: ``workforce-kg serve`` or rdflib-endpoint."""

    def __init__(self, kind: str, data: Path):
        self.kind, self.data = kind, data
        self.path = "/sparql" if kind == "ours" else "/"
        self.start()

    def start(self) -> None:
        """Start the process and wait until it answers a query; ``ready`` is how long that took."""
        self.port = free_port()
        if self.kind == "ours":
            cmd = [sys.executable, "-m", "workforce_kg", "serve", "--store", str(self.data), "--port", str(self.port)]
        else:
            cmd = [str(Path(sys.executable).with_name("rdflib-endpoint")), "serve", str(self.data),
                   "--host", "127.0.0.1", "--port", str(self.port)]
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 600
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.kind} server exited with {self.proc.returncode}")
            try:
                self.get("ASK { ?s ?p ?o }", timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"{self.kind} server did not start")
                time.sleep(0.2)
        self.ready = time.perf_counter() - t0

    def get(self, query: str, conn: http.client.HTTPConnection | None = None, timeout: float = 60) -> bytes:
        own = conn is None
        conn = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request("GET", f"{self.path}?{urllib.parse.urlencode({'query': query})}",
                         headers={"Accept": "application/sparql-results+json"})
            r = conn.getresponse()
            body = r.read()
            if r.status != 200:
                raise RuntimeError(f"HTTP {r.status}: {body[:200]!r}")
            return body
        finally:
            if own:
                conn.close()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def http_suite(server: Server, budget: float, timeout: float) -> dict:
    """Each competency question over HTTP, one client. A query running past ``timeout`` is recorded as
    such and the server restarted (rdflib-endpoint evaluates in its event loop and cannot be interrupted)."""
    out = {}
    for cq in cqs():
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
        try:
            warm = 4 if server.kind == "ours" else 1  # one run per query worker process: each has its own cache
            out[cq.name] = sample(lambda: server.get(cq.sparql, conn), budget, least=2, warm=warm)
        except TimeoutError:
            out[cq.name] = f"> {timeout:.0f} s"
            server.stop()
            server.start()
        except (RuntimeError, http.client.HTTPException) as exc:
            out[cq.name] = str(exc).split(":", 1)[0]  # e.g. "HTTP 422"
        finally:
            conn.close()
    return out


def throughput(server: Server, mix: list[str], clients: int, duration: float, timeout: float) -> dict:
    """``clients`` threads, each with a keep-alive connection, cycling through ``mix`` for ``duration`` s."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    end = time.perf_counter() + duration

    def run(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
        mine, n = [], i
        while time.perf_counter() < end:
            t = time.perf_counter()
            try:
                server.get(mix[n % len(mix)], conn)
                mine.append(time.perf_counter() - t)
            except (OSError, RuntimeError, http.client.HTTPException):
                with lock:
                    errors[0] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
            n += 1
        conn.close()
        with lock:
            latencies.extend(mine)

    start = time.perf_counter()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    return {"requests": len(latencies), "per_s": len(latencies) / elapsed, "errors": errors[0],
            "p50": pct(latencies, 50) if latencies else None, "p99": pct(latencies, 99) if latencies else None}


def http_bench(kind: str, data: Path, budget: float, duration: float, timeout: float) -> dict:
    server = Server(kind, data)
    try:
        result = {"ready": server.ready, "suite": http_suite(server, budget, timeout)}
        answered = [cq.sparql for cq in cqs() if isinstance(result["suite"][cq.name], list)]
        mixes = {"lookups": lookup_queries(), "competency": answered}
        result["throughput"] = {m: {c: throughput(server, q, c, duration, timeout) for c in CLIENTS}
                                for m, q in mixes.items()}
    finally:
        server.stop()
    return result


# -- the run -----------------------------------------------------------------------------------------


def run_scale(n: int, args, log) -> dict:
    work = args.workdir
    nq = work / f"scale-{n}-seed-{args.seed}.nq"
    r: dict = {"scale": n}
    t = time.perf_counter()
    r["file_quads"] = generate.write(n, args.seed, nq)
    r["generate"] = time.perf_counter() - t
    r["file_mib"] = nq.stat().st_size / 2**20
    log(f"{n}×: generated {r['file_quads']} quads in {r['generate']:.1f} s")

    path = work / f"store-{n}"
    r["build_floor"] = child("build", 3600, nq=str(nq), path=str(work / f"floor-{n}"), kind="floor")
    shutil.rmtree(work / f"floor-{n}", ignore_errors=True)
    if n <= args.library_max:
        r["build_library"] = child("build", 3600, nq=str(nq), path=str(work / f"library-{n}"), kind="library")
        shutil.rmtree(work / f"library-{n}", ignore_errors=True)
    r["build"] = child("build", 3600, nq=str(nq), path=str(path), kind="ours")
    log(f"{n}×: built in {r['build'].get('seconds', 0):.1f} s ({r['build']})")

    r["startup"] = {k: [child("startup", 300, path=str(path), kind=k) for _ in range(3)] for k in ("ours", "floor")}
    r["inproc"] = inproc(path, args.budget, args.query_timeout)
    log(f"{n}×: in-process suite done")

    if n <= args.validate_max:
        r["validate"] = child("validate", args.validate_timeout, nq=str(nq), kind="ours")
        if n <= args.baseline_validate_max:
            r["validate_baseline"] = child("validate", args.validate_timeout, nq=str(nq), kind="pyshacl")
        log(f"{n}×: validation {r['validate']}")
    r["export"] = child("export", args.export_timeout, path=str(path))
    log(f"{n}×: export {r['export']}")

    r["http"] = http_bench("ours", path, args.budget, args.duration, timeout=120)
    log(f"{n}×: HTTP done")
    if n in args.rdflib_scales:
        full = work / f"full-{n}.nq"
        child("dump", 600, path=str(path), out=str(full))
        try:
            r["http_rdflib"] = http_bench("rdflib", full, args.budget, args.duration, timeout=args.rdflib_timeout)
        except RuntimeError as exc:
            r["http_rdflib"] = {"error": str(exc)}
        log(f"{n}×: rdflib-endpoint done")
    if not args.keep:
        nq.unlink()
    return r


# -- report ------------------------------------------------------------------------------------------


def ms(x: float | None) -> str:
    return "–" if x is None else f"{x * 1000:.1f}" if x < 10 else f"{x * 1000:.0f}"


def s(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}" if x < 10 else f"{x:.1f}"


def err(d: dict | None) -> str | None:
    return d.get("error") if isinstance(d, dict) else "not run"


def pkg(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next((int(line.split()[1]) / 2**20 for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), 0)
    return f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB RAM, {platform.system()} {platform.release()}"


def report(results: list[dict], args, took: float) -> str:
    scales = [r["scale"] for r in results]
    bundled = len(store.memory_store())
    L = ["# Scale benchmark results", "",
         f"Command: `{args.command}` (from the repository root). Date: {date.today().isoformat()}. "
         f"Took {took / 60:.1f} min.",
         f"Machine: {machine()}.",
         f"Versions: Python {platform.python_version()}, pyoxigraph {pkg('pyoxigraph')}, rdflib {pkg('rdflib')}, "
         f"pyshacl {pkg('pyshacl')}, fastapi {pkg('fastapi')}, uvicorn {pkg('uvicorn')}, networkx {pkg('networkx')}, "
         f"rdflib-endpoint {pkg('rdflib-endpoint')}.",
         f"Data: `bench/generate.py --seed {args.seed}`; the N× store is the ontology, the generated N-Quads "
         f"(bundled data graph + N−1 synthetic replicas) and the derived triples. Bundled store: {bundled} quads.",
         "Every figure sits beside its baseline from the same run: raw pyoxigraph in process (the floor) and a plain "
         "rdflib-endpoint server (rdflib's own engine behind FastAPI) on the same data. Times are wall-clock; "
         "p99 is the nearest-rank percentile, i.e. the maximum when a query has fewer than 100 samples.", ""]

    L += ["## Data and build", "",
          "| scale | quads in file | quads in store | ÷ (N × bundled) | file MiB | generate s | build s (load + derive + optimise) "
          "| build peak MiB | floor: raw `bulk_load` s | floor peak MiB | library path s (parse + per-triple check) "
          "| library peak MiB | store on disk MiB |",
          "|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        b, f, lib = r["build"], r["build_floor"], r.get("build_library") or {"error": "not run"}
        built = (f"{s(b['seconds'])} ({s(b['load'])} + {s(b['derive'])} + {s(b['optimize'])})"
                 if "seconds" in b else err(b))
        L.append(f"| {r['scale']}× | {r['file_quads']:,} | {b.get('quads', 0):,} | "
                 f"{b.get('quads', 0) / (r['scale'] * bundled):.2f} | {r['file_mib']:.0f} | {s(r['generate'])} | {built} | "
                 f"{b.get('peak_mib', 0):.0f} | {s(f.get('seconds')) if 'seconds' in f else err(f)} | "
                 f"{f.get('peak_mib', 0):.0f} | {s(lib.get('seconds')) if 'seconds' in lib else err(lib)} | "
                 f"{lib.get('peak_mib', 0):.0f} | {b.get('disk_mib', 0):.0f} |")
    L += ["", "Build and load each ran in a fresh process (peak memory = its maximum resident set).", ""]

    L += ["## Start-up of an existing store", "",
          "| scale | `KnowledgeGraph.load(path)` ms | + first query ms | floor: `Store.read_only` ms | + first query ms "
          "| `workforce-kg serve` ready s (process start to first answer) |", "|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        o = [x for x in r["startup"]["ours"] if "open" in x]
        f = [x for x in r["startup"]["floor"] if "open" in x]
        med = lambda xs, k: statistics.median(x[k] for x in xs) if xs else None  # noqa: E731
        ready = r["http"]["ready"] if "ready" in r.get("http", {}) else None
        L.append(f"| {r['scale']}× | {ms(med(o, 'open'))} | {ms(med(o, 'first_query'))} | {ms(med(f, 'open'))} | "
                 f"{ms(med(f, 'first_query'))} | {s(ready)} |")
    L += ["", "Median of three fresh processes each (the OS file cache is warm).", ""]

    L += suite_tables(results, scales)
    L += validation_table(results)
    L += ["## Export (GraphML of the whole accountability network)", "",
          "| scale | `export.export(kg, \"graphml\")` s | GraphML MiB | floor: N-Quads dump of the store s | dump MiB | peak MiB |",
          "|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        e = r["export"]
        if "graphml" in e:
            L.append(f"| {r['scale']}× | {s(e['graphml'])} | {e['graphml_mib']:.1f} | {s(e['dump'])} | "
                     f"{e['dump_mib']:.0f} | {e['peak_mib']:.0f} |")
        else:
            L.append(f"| {r['scale']}× | {err(e)} | | | | |")
    L += [""]
    L += http_tables(results, args)
    return "\n".join(L) + "\n"


def suite_stats(samples: dict) -> dict:
    """Suite figures from per-query samples (a string instead of samples says why a query has none):
    total of the per-query medians, median of them, worst p99, and the queries without an answer."""
    ok = {k: v for k, v in samples.items() if isinstance(v, list) and v}
    p50 = {k: statistics.median(v) for k, v in ok.items()}
    return {"total": sum(p50.values()), "p50": statistics.median(p50.values()) if p50 else None,
            "p99": max(pct(v, 99) for v in ok.values()) if ok else None, "per_query": p50,
            "failed": {k: v for k, v in samples.items() if k not in ok}}


def cell(samples) -> str:
    """A query's p50 in ms, or why it has none."""
    return ms(statistics.median(samples)) if isinstance(samples, list) and samples else str(samples or "–")


def args_limit(reason: str) -> float | None:
    """The time limit in a "> 30 s" reason, in seconds (None for other reasons)."""
    return float(reason.split()[1]) if reason.startswith("> ") else None


def suite_tables(results: list[dict], scales: list[int]) -> list[str]:
    names = [cq.name for cq in cqs()]
    L = ["## Competency-question suite in process", "",
         f"{len(names)} queries. *Ours*: `KnowledgeGraph.rows()` / `.ask()` (rows as Python dicts); *floor*: raw "
         "`pyoxigraph.Store.query` with every term of every row materialised. Per query: one warm-up run, then "
         "repeated (3–50 times) within a time budget.", "",
         "| scale | suite total (sum of p50) ms | floor total ms | ours ÷ floor | median query p50 ms | floor | "
         "worst query p99 ms | floor | slowest queries (p50 ms) |", "|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in results:
        inp = r["inproc"]
        if "error" in inp:
            L.append(f"| {r['scale']}× | {inp['error']} |||||||")
            continue
        o = suite_stats({k: v["ours"] for k, v in inp.items()})
        f = suite_stats({k: v["raw"] for k, v in inp.items()})
        slow = sorted(o["per_query"].items(), key=lambda kv: -kv[1])[:3]
        L.append(f"| {r['scale']}× | {ms(o['total'])} | {ms(f['total'])} | {o['total'] / f['total']:.2f} | "
                 f"{ms(o['p50'])} | {ms(f['p50'])} | {ms(o['p99'])} | {ms(f['p99'])} | "
                 + ", ".join(f"{k.split('_')[0]} {ms(v)}" for k, v in slow) + " |")
    L += [""]

    ok = [r for r in results if "error" not in r["inproc"]]
    cols = " | ".join(f"{r['scale']}× p50 | p99" for r in ok)
    growth = [(a, b) for a, b in zip(ok, ok[1:])]
    gcols = " | ".join(f"{a['scale']}→{b['scale']}×" for a, b in growth)
    L += ["### Per query (in process, ours; ms) and growth of p50 between scales", "",
          f"Flag ⚠ = p50 grew more than {GROWTH_LIMIT}× for a data set 10× larger (linear growth is 10×); "
          "\"> 30 s\": stopped after the time limit (pyoxigraph cannot cancel a query; the benchmark kills its "
          "process). Rows = result rows at the largest scale.", "",
          f"| query | {cols} | floor p50 at {ok[-1]['scale']}× | rows | {gcols}".rstrip(" |") + " |",
          "|---|" + "---:|" * (2 * len(ok) + 2 + len(growth))]
    for name in names:
        cells = []
        for r in ok:
            v = r["inproc"][name]["ours"]
            cells += [cell(v), ms(pct(v, 99)) if isinstance(v, list) else ""]
        g = []
        for a, b in growth:
            va, vb = a["inproc"][name]["ours"], b["inproc"][name]["ours"]
            timed_out = not isinstance(vb, list)
            if not isinstance(va, list) or (timed_out and args_limit(vb) is None):
                g.append("–")
                continue  # then the limit is a lower bound of its time
            ratio = (args_limit(vb) if timed_out else statistics.median(vb)) / statistics.median(va)
            flag = " ⚠" if b["scale"] == 10 * a["scale"] and ratio > GROWTH_LIMIT else ""
            g.append(f"{'> ' if timed_out else ''}{ratio:.1f}×{flag}")
        last = ok[-1]["inproc"][name]
        L.append(" | ".join([f"| {name}", *cells, cell(last["raw"]), str(last["rows"] or "–"), *g]) + " |")
    L += [""]
    return L


def validation_table(results: list[dict]) -> list[str]:
    L = ["## SHACL validation", "",
         "*Ours*: `validation.validate_graph` (one-pass RDFS entailment, then pySHACL without inference); *baseline*: "
         "pySHACL with `inference=\"rdfs\"` and the ontology as `ont_graph` (as in bench/run.py). Both on the "
         "generated data (union of its named graphs) plus the ontology; parse = N-Quads into an rdflib Graph.", "",
         "| scale | triples | parse s | ours: validate s | conforms | peak MiB | baseline: pySHACL RDFS s | baseline peak MiB |",
         "|---:|---:|---:|---:|---|---:|---:|---:|"]
    for r in results:
        v, b = r.get("validate"), r.get("validate_baseline")
        if v is None:
            L.append(f"| {r['scale']}× | not run (see --validate-max) |||||||")
            continue
        if "error" in v:
            L.append(f"| {r['scale']}× | {v['error']} |||||||")
            continue
        base = (s(b["validate"]), f"{b['peak_mib']:.0f}") if b and "validate" in b else (err(b), "")
        L.append(f"| {r['scale']}× | {v['triples']:,} | {s(v['parse'])} | {s(v['validate'])} | {v['conforms']} | "
                 f"{v['peak_mib']:.0f} | {base[0]} | {base[1]} |")
    return L + [""]


def http_tables(results: list[dict], args) -> list[str]:
    servers = (("workforce-kg serve", "http"), ("rdflib-endpoint", "http_rdflib"))
    L = ["## Over HTTP (`workforce-kg serve` on 127.0.0.1; baseline rdflib-endpoint)", "",
         "Server: `workforce-kg serve` with its defaults (one uvicorn process, 4 query worker processes); "
         "rdflib-endpoint serves an N-Quads dump of the same store (ontology, data and derived triples) with "
         "rdflib's engine. Clients: Python threads in the bench process, one keep-alive connection each, GET with "
         "`Accept: application/sparql-results+json`; clients and server share the 2 cores.", "",
         "### Competency-question suite, one client", "",
         "| scale | server | suite total (sum of p50) ms | median query p50 ms | worst query p99 ms | not answered |",
         "|---:|---|---:|---:|---:|---|"]
    rows_t = []
    for r in results:
        for label, key in servers:
            h = r.get(key)
            if h is None:
                continue
            if "error" in h:
                L.append(f"| {r['scale']}× | {label} | {h['error']} ||||")
                continue
            st = suite_stats(h["suite"])
            failed = ", ".join(f"{k.split('_')[0]} ({v})" for k, v in st["failed"].items()) or "–"
            extra = " (answered ones)" if st["failed"] else ""
            L.append(f"| {r['scale']}× | {label} | {ms(st['total'])}{extra} | {ms(st['p50'])} | {ms(st['p99'])} | {failed} |")
            for mix, runs in h["throughput"].items():
                for c, t in runs.items():
                    rows_t.append(f"| {r['scale']}× | {label} | {mix} | {c} | {t['per_s']:.0f} | {ms(t['p50'])} | "
                                  f"{ms(t['p99'])} | {t['requests']} | {t['errors']} |")
    L += ["", f"### Throughput, {args.duration:g} s per run", "",
          f"Mixes, each query in turn: *lookups* = {', '.join(LOOKUPS)} (reads anchored on one entity, as pages and "
          "API calls make them); *competency* = every competency question the server answered in the suite.", "",
          "| scale | server | mix | clients | requests/s | p50 ms | p99 ms | requests | errors |",
          "|---:|---|---|---:|---:|---:|---:|---:|---:|", *rows_t, ""]

    ok = [r for r in results if "suite" in r.get("http", {})]
    rd = [r for r in results if "suite" in r.get("http_rdflib", {})]
    if ok:
        L += ["### Per query over HTTP (p50 ms)", "",
              "| query | " + " | ".join([f"{r['scale']}×" for r in ok] + [f"rdflib-endpoint {r['scale']}×" for r in rd]) + " |",
              "|---|" + "---:|" * (len(ok) + len(rd))]
        for cq in cqs():
            cells = [cell(r["http"]["suite"][cq.name]) for r in ok] + [cell(r["http_rdflib"]["suite"][cq.name]) for r in rd]
            L.append(f"| {cq.name} | " + " | ".join(cells) + " |")
        L += [""]
    return L


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="1,10,100", help="comma-separated (default %(default)s)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "workforce-kg-scale")
    parser.add_argument("--keep", action="store_true", help="keep the generated N-Quads files")
    parser.add_argument("--budget", type=float, default=0.3, help="seconds of repeats per query (default %(default)s)")
    parser.add_argument("--duration", type=float, default=5, help="seconds per throughput run (≤ 20; default %(default)s)")
    parser.add_argument("--validate-max", type=int, default=100, help="largest scale to validate (default %(default)s)")
    parser.add_argument("--baseline-validate-max", type=int, default=10)
    parser.add_argument("--validate-timeout", type=float, default=300)
    parser.add_argument("--export-timeout", type=float, default=600)
    parser.add_argument("--library-max", type=int, default=10, help="largest scale for the per-triple load path")
    parser.add_argument("--rdflib-scales", default="1", help="scales served by rdflib-endpoint (default %(default)s)")
    parser.add_argument("--rdflib-timeout", type=float, default=10, help="seconds before an rdflib query is given up")
    parser.add_argument("--query-timeout", type=float, default=30,
                        help="seconds before an in-process query is given up (as the server's default timeout)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--args", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        result = TASKS[args.child](**json.loads(args.args))
        if result is not None:
            print(json.dumps(result))
        return 0
    if not 0 < args.duration <= 20:
        parser.error("--duration must be between 0 and 20 seconds")
    scales = sorted({int(x) for x in args.scales.split(",") if x.strip()})
    args.rdflib_scales = {int(x) for x in args.rdflib_scales.split(",") if x.strip()}
    args.command = ".venv/bin/python bench/scale.py" + "".join(f" {a}" for a in (argv or sys.argv[1:]))
    args.workdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()

    def log(msg: str) -> None:
        print(f"[{time.perf_counter() - started:6.0f} s] {msg}", flush=True)

    results = []
    for n in scales:
        results.append(run_scale(n, args, log))
        (args.workdir / "results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    args.out.write_text(report(results, args, time.perf_counter() - started), encoding="utf-8")
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
