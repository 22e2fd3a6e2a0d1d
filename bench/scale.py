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
import itertools
import json
import math
import os
import platform
import queue
import re
import resource
import shutil
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
from common import free_port, stop  # noqa: E402
from workforce_kg import cq as queries
from workforce_kg.config import DEFAULT_BASE_IRI as BASE  # noqa: E402
from workforce_kg.store import local as store  # noqa: E402
from workforce_kg.store import rules
from workforce_kg.store.kg import KnowledgeGraph  # noqa: E402

OUT = HERE / "RESULTS-scale.md"
CLIENTS = (1, 4, 16)
GROWTH_LIMIT = 15  # a query whose time grows more than this from 10× to 100× has a worse-than-linear plan
ID = f"{BASE}/id"
ANALYSIS = "<!-- written by hand below this line; bench/scale.py keeps it when it rewrites the figures above -->"
TRIVIAL = "ASK { }"
#: A linear reference: its growth from scale to scale is what a linear plan shows on this machine
#: (caches, memory), to compare the competency questions' growth with.
SCAN = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"  # its time over HTTP is the cost of the round trip itself

#: The fixed query mixes of the throughput runs. "lookups": reads anchored on one entity, as a page or
#: API call makes them; "competency": every competency question in turn (whole-graph reports).
LOOKUPS = {
    "lookup": "SELECT ?label WHERE "
    f"{{ <{ID}/commitment/nurses-50k> <http://www.w3.org/2004/02/skos/core#prefLabel> ?label }}",
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


def sample(fn, budget: float, most: int = 50, least: int = 3, warm: int = 1, once: float = 5.0) -> list[float]:
    """Times of ``fn()`` after ``warm`` warm-up runs: at least ``least`` runs, more while within ``budget``
    seconds. A call slower than ``budget`` is timed once more (warm) and that is the sample; one slower
    than ``once`` seconds is not repeated (its first, cold, time is the sample)."""
    t = time.perf_counter()
    fn()
    first = time.perf_counter() - t
    if first > once:
        return [first]
    if first > budget:
        t = time.perf_counter()
        fn()
        return [time.perf_counter() - t]
    for _ in range(warm - 1):
        fn()
    times: list[float] = []
    start = time.perf_counter()
    while len(times) < least or (len(times) < most and time.perf_counter() - start < budget):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return times


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

    ``ours``: bulk load, derived triples (workforce_kg.store.rules, bulk), optimise, marker: a store
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
    derived = rules.apply(st, store.graph_iri(BASE, "derived"), BASE, bulk=True)
    t_derive = time.perf_counter()
    st.optimize()
    st.flush()
    t_end = time.perf_counter()
    quads = len(st)
    del st
    (path / store.MARKER).write_text(BASE + "\n", encoding="utf-8")
    disk = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    return {
        "seconds": t_end - t0,
        "load": t_load - t0,
        "derive": t_derive - t_load,
        "optimize": t_end - t_derive,
        "derived": derived,
        "quads": quads,
        "disk_mib": disk / 2**20,
        "peak_mib": peak_mib(),
    }


def runner(kg: KnowledgeGraph, query: str):
    """The KnowledgeGraph method for ``query``: ``ask`` for an ASK query, else ``rows``."""
    return kg.ask if re.search(r"\bASK\s*(WHERE\s*)?\{", query, re.IGNORECASE) else kg.rows


def task_lookups(path: str, duration: float) -> dict:
    """The floor of the lookups mix: lookups per second in process, one thread, KnowledgeGraph and raw."""
    kg = KnowledgeGraph.load(path)
    mix = lookup_queries()
    out = {}
    for kind, run in (
        ("ours", lambda q: runner(kg, q)(q)),
        ("raw", lambda q: consume(kg.store.query(q, use_default_graph_as_union=True))),
    ):
        n, end = 0, time.perf_counter() + duration
        t0 = time.perf_counter()
        while time.perf_counter() < end:
            run(mix[n % len(mix)])
            n += 1
        out[kind] = n / (time.perf_counter() - t0)
    return out


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
    by_name = {cq.name: cq.sparql for cq in cqs()} | {"reference_scan": SCAN}
    for name in names:
        q = by_name[name]
        run = runner(kg, q)
        t = time.perf_counter()
        answer = run(q)
        first = time.perf_counter() - t
        rows = 1 if isinstance(answer, bool) else len(answer)
        ours = [first]
        if budget < first <= 5:  # as sample() does: a slow query is timed once more, warm
            t = time.perf_counter()
            run(q)
            ours = [time.perf_counter() - t]
        elif first <= budget:
            ours = sample(lambda run=run, q=q: run(q), budget)
        print(json.dumps({"name": name, "phase": "ours", "samples": ours, "rows": rows}), flush=True)
        raw = sample(lambda q=q: consume(kg.store.query(q, use_default_graph_as_union=True)), budget)
        print(json.dumps({"name": name, "phase": "raw", "samples": raw}), flush=True)


def inproc(path: Path, budget: float, limit: float) -> dict:
    """Run :func:`task_inproc` in a child; a query still running after ``limit`` s (one phase: first run
    plus repeats) is recorded as such, the child killed and a new one started at the next query.
    pyoxigraph cannot cancel a query, so this is the only way to bound a quadratic one."""
    names = [cq.name for cq in cqs()] + ["reference_scan"]
    out = {n: {"ours": "not run", "raw": "not run", "rows": None} for n in names}
    while names:
        cmd = [
            sys.executable,
            __file__,
            "--child",
            "inproc",
            "--args",
            json.dumps({"path": str(path), "budget": budget, "names": names}),
        ]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        lines: queue.Queue = queue.Queue()
        threading.Thread(
            target=lambda proc=proc, lines=lines: [lines.put(x) for x in proc.stdout] + [lines.put(None)], daemon=True
        ).start()
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

    from workforce_kg.validation import report as validation

    t0 = time.perf_counter()
    data = rdflib_data(nq)
    onto = store.rdflib_graph(ontology_files())
    shapes = validation.shapes_graph()
    t_parse = time.perf_counter()
    if kind == "ours":
        report = validation.validate_graph(data, onto, shapes)
        conforms, violations = report.conforms, report.violations
    else:
        conforms, _, _ = shacl_validate(
            data, shacl_graph=shapes, ont_graph=onto, inference="rdfs", advanced=True, allow_warnings=True
        )
        violations = None
    t_end = time.perf_counter()
    return {
        "parse": t_parse - t0,
        "validate": t_end - t_parse,
        "triples": len(data),
        "conforms": bool(conforms),
        "violations": violations,
        "peak_mib": peak_mib(),
    }


def task_export(path: str) -> dict:
    """GraphML of the whole accountability network, and (the floor) an N-Quads dump of the store."""
    from workforce_kg.analysis import export

    kg = KnowledgeGraph.load(path)
    t0 = time.perf_counter()
    body = export.export(kg, "graphml").content
    t1 = time.perf_counter()
    dump = kg.store.dump(format=ox.RdfFormat.N_QUADS)
    t2 = time.perf_counter()
    return {
        "graphml": t1 - t0,
        "graphml_mib": len(body) / 2**20,
        "dump": t2 - t1,
        "dump_mib": len(dump) / 2**20,
        "peak_mib": peak_mib(),
    }


def task_dump(path: str, out: str) -> dict:
    """Write a built store (ontology, data, derived triples) to N-Quads, for the rdflib-endpoint baseline."""
    st = ox.Store.read_only(str(Path(path) / "oxigraph"))
    st.dump(output=out, format=ox.RdfFormat.N_QUADS)
    return {"quads": len(st)}


TASKS = {
    "build": task_build,
    "startup": task_startup,
    "lookups": task_lookups,
    "inproc": task_inproc,
    "validate": task_validate,
    "export": task_export,
    "dump": task_dump,
}


# -- HTTP --------------------------------------------------------------------------------------------


class Server:
    """A server process on a loopback port: ``workforce-kg serve`` or rdflib-endpoint."""

    def __init__(self, kind: str, data: Path, env: dict[str, str] | None = None):
        self.kind, self.data, self.env = kind, data, {**os.environ, **(env or {})}
        self.path = "/sparql" if kind == "ours" else "/"
        self.start()

    def start(self) -> None:
        """Start the process and wait until it answers a query; ``ready`` is how long that took."""
        self.port = free_port()
        if self.kind == "ours":
            cmd = [sys.executable, "-m", "workforce_kg", "serve", "--store", str(self.data), "--port", str(self.port)]
        else:
            cmd = [
                str(Path(sys.executable).with_name("rdflib-endpoint")),
                "serve",
                str(self.data),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ]
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=self.env)
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
                    raise RuntimeError(f"{self.kind} server did not start") from None
                time.sleep(0.2)
        self.ready = time.perf_counter() - t0

    def get(self, query: str, conn: http.client.HTTPConnection | None = None, timeout: float = 60) -> bytes:
        own = conn is None
        conn = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(
                "GET",
                f"{self.path}?{urllib.parse.urlencode({'query': query})}",
                headers={"Accept": "application/sparql-results+json"},
            )
            r = conn.getresponse()
            body = r.read()
            if r.status != 200:
                raise RuntimeError(f"HTTP {r.status}: {body[:200]!r}")
            if r.getheader("X-SQL-State") == "S1TAT":  # Virtuoso at MaxQueryExecutionTime: a partial answer
                raise TimeoutError("Virtuoso stopped the query at its time limit")
            return body
        finally:
            if own:
                conn.close()

    def restart(self) -> None:
        self.stop()
        self.start()

    def stop(self) -> None:
        stop(self.proc)


def http_suite(server: Server, budget: float, timeout: float, limit: float | None = None) -> dict:
    """Each competency question over HTTP, one client. A query running past ``timeout`` (or stopped by the
    server at its own time ``limit``) is recorded as such and the server restarted (rdflib-endpoint
    evaluates in its event loop and cannot be interrupted)."""
    out = {}
    for cq in cqs():
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
        try:
            warm = 4 if server.kind == "ours" else 1  # one run per query worker process: each has its own cache
            out[cq.name] = sample(lambda cq=cq, conn=conn: server.get(cq.sparql, conn), budget, least=2, warm=warm)
        except TimeoutError:
            out[cq.name] = f"> {limit or timeout:.0f} s"
            server.restart()
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
    return {
        "requests": len(latencies),
        "per_s": len(latencies) / elapsed,
        "errors": errors[0],
        "p50": pct(latencies, 50) if latencies else None,
        "p99": pct(latencies, 99) if latencies else None,
    }


def http_bench(kind: str, data: Path, budget: float, duration: float, timeout: float) -> dict:
    """The suite over HTTP, a trivial query (the round trip's own cost), and the throughput of both mixes."""
    server = Server(kind, data)
    try:
        result = {
            "ready": server.ready,
            "suite": http_suite(server, budget, timeout),
            "round_trip": sample(lambda: server.get(TRIVIAL), budget, least=20, warm=4),
        }
        answered = [cq.sparql for cq in cqs() if isinstance(result["suite"][cq.name], list)]
        mixes = {"lookups": lookup_queries(), "competency": answered}
        result["throughput"] = {
            m: {c: throughput(server, q, c, duration, timeout) for c in CLIENTS} for m, q in mixes.items()
        }
    finally:
        server.stop()
    return result


def one_worker_lookups(path: Path, duration: float) -> dict:
    """Throughput of the lookups mix on ``workforce-kg serve`` with a single query worker process."""
    server = Server("ours", path, env={"WORKFORCE_KG_QUERY_WORKERS": "1"})
    try:
        return {c: throughput(server, lookup_queries(), c, duration, 60) for c in CLIENTS}
    finally:
        server.stop()


class VirtuosoServer(Server):
    """Virtuoso 7 (Debian's virtuoso-opensource) started by the bench as the tests start it
    (tests/virtuoso.py: own database folder, loopback ports), its memory and time limit set for the bench,
    and loaded with an N-Quads file by its bulk loader. ``ready`` is start-up plus load."""

    SETTINGS = {
        ("Parameters", "NumberOfBuffers"): "340000",  # 2.6 GiB of page buffers: the data stays in memory
        ("Parameters", "MaxDirtyBuffers"): "250000",
    }

    def __init__(self, data: Path, timeout: float):
        self.kind, self.data, self.path, self.timeout = "virtuoso", data, "/sparql", timeout
        self.start()

    def start(self) -> None:
        sys.path.insert(0, str(HERE.parent / "tests"))
        import virtuoso

        if not virtuoso.available():
            raise RuntimeError("virtuoso-opensource is not installed")
        t0 = time.perf_counter()
        self.server = virtuoso.Virtuoso(
            Path(tempfile.mkdtemp(prefix="virtuoso-", dir=self.data.parent)),
            {**self.SETTINGS, ("SPARQL", "MaxQueryExecutionTime"): f"{self.timeout:.0f}"},
        )
        self.port = self.server.http_port
        t1 = time.perf_counter()
        try:
            self.server.isql(f"ld_dir('{self.data.parent}', '{self.data.name}', '{BASE}/graph/unnamed');")
            self.server.isql("rdf_loader_run();")
            self.server.isql("checkpoint;")
            failed = self.server.isql("SELECT ll_file, ll_error FROM DB.DBA.LOAD_LIST WHERE ll_error IS NOT NULL;")
            if "0 Rows" not in failed:
                raise RuntimeError(f"Virtuoso's bulk loader failed: {failed[-500:]}")
        except BaseException:
            self.stop()
            raise
        t2 = time.perf_counter()
        self.started, self.load, self.ready = t1 - t0, t2 - t1, t2 - t0
        self.quads = int(
            json.loads(
                self.get(
                    f'SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{BASE}/")) }}'
                )
            )["results"]["bindings"][0]["n"]["value"]
        )

    def restart(self) -> None:
        """Nothing to do: Virtuoso stops a query at its own time limit and goes on serving."""

    def stop(self) -> None:
        self.server.stop()


def virtuoso_bench(data: Path, budget: float, timeout: float) -> dict:
    """The competency suite over HTTP on Virtuoso, loaded with the same quads as our store (one client).
    A query Virtuoso stops at its time limit counts as not answered; the server is not restarted for it."""
    try:
        server = VirtuosoServer(data, timeout)
    except RuntimeError as exc:
        return {"error": str(exc)[:300]}
    try:
        suite = http_suite(server, budget, timeout + 30, limit=timeout)
        return {"started": server.started, "load": server.load, "quads": server.quads, "suite": suite}
    finally:
        server.stop()


# -- the run -----------------------------------------------------------------------------------------


def run_scale(n: int, args, log) -> dict:
    work = args.workdir
    nq = work / f"scale-{n}-seed-{args.seed}.nq"
    r: dict = {"scale": n, "loadavg_start": os.getloadavg()}  # the machine is shared: how busy it was
    started = time.perf_counter()
    t = time.perf_counter()
    r["file_quads"] = generate.write(n, args.seed, nq)
    r["generate"] = time.perf_counter() - t
    r["file_mib"] = nq.stat().st_size / 2**20
    log(f"{n}×: generated {r['file_quads']} quads in {r['generate']:.1f} s")

    path = work / f"store-{n}"
    if n <= args.floor_max:  # above, the load phase of our build (the same bulk_load) stands for the floor
        r["build_floor"] = child("build", 3600, nq=str(nq), path=str(work / f"floor-{n}"), kind="floor")
        shutil.rmtree(work / f"floor-{n}", ignore_errors=True)
    else:
        r["build_floor"] = {"error": "not run (the load phase of the build is the same bulk_load)"}
    if n <= args.library_max:
        r["build_library"] = child("build", 3600, nq=str(nq), path=str(work / f"library-{n}"), kind="library")
        shutil.rmtree(work / f"library-{n}", ignore_errors=True)
    r["build"] = child("build", 3600, nq=str(nq), path=str(path), kind="ours")
    log(f"{n}×: built in {r['build'].get('seconds', 0):.1f} s ({r['build']})")

    r["startup"] = {k: [child("startup", 300, path=str(path), kind=k) for _ in range(3)] for k in ("ours", "floor")}
    r["inproc"] = inproc(path, args.budget, args.query_timeout if n < 1000 else args.query_timeout_1000)
    r["scan"] = r["inproc"].pop("reference_scan")
    log(f"{n}×: in-process suite done")

    if n <= args.validate_max:
        r["validate"] = child("validate", args.validate_timeout, nq=str(nq), kind="ours")
        if n <= args.baseline_validate_max:
            r["validate_baseline"] = child("validate", args.validate_timeout, nq=str(nq), kind="pyshacl")
        log(f"{n}×: validation {r['validate']}")
    r["export"] = child("export", args.export_timeout, path=str(path))
    log(f"{n}×: export {r['export']}")

    r["http"] = http_bench("ours", path, args.budget, args.duration, timeout=120)
    r["lookups_inproc"] = child("lookups", 120, path=str(path), duration=args.duration)
    if n == 1:
        r["one_worker"] = one_worker_lookups(path, args.duration)
    log(f"{n}×: HTTP done")
    full = work / f"full-{n}.nq"  # the whole store (ontology, data, derived triples) for the other servers
    if n in args.rdflib_scales | args.virtuoso_scales:
        child("dump", 600, path=str(path), out=str(full))
    if n in args.rdflib_scales:
        try:
            r["http_rdflib"] = http_bench("rdflib", full, args.budget, args.duration, timeout=args.rdflib_timeout)
        except RuntimeError as exc:
            r["http_rdflib"] = {"error": str(exc)}
        log(f"{n}×: rdflib-endpoint done")
    if n in args.virtuoso_scales:
        r["virtuoso"] = virtuoso_bench(full, args.budget, args.query_timeout)
        log(f"{n}×: Virtuoso done")
    full.unlink(missing_ok=True)
    if not args.keep:
        nq.unlink()
    r["loadavg_end"] = os.getloadavg()
    r["took"] = time.perf_counter() - started
    return r


# -- report ------------------------------------------------------------------------------------------


def ms(x: float | None) -> str:
    return "–" if x is None else f"{x * 1000:.1f}" if x < 10 else f"{x * 1000:.0f}"


def s(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}" if x < 10 else f"{x:.1f}"


def mib(d: dict) -> str:
    return f"{d['peak_mib']:.0f}" if "peak_mib" in d else "–"


def err(d: dict | None) -> str | None:
    return d.get("error") if isinstance(d, dict) else "not run"


def pkg(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def commit() -> str:
    """The commit of the code that ran (a copy made with ``git archive`` names it in BENCH_COMMIT)."""
    done = subprocess.run(["git", "-C", str(HERE), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else os.environ.get("BENCH_COMMIT", "unknown")


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem = next(
        (
            int(line.split()[1]) / 2**20
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    return f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB RAM, {platform.system()} {platform.release()}"


def loadavg(x) -> str:
    return ", ".join(f"{v:.1f}" for v in x)


def at(results: list[dict], n: int) -> dict | None:
    return next((r for r in results if r["scale"] == n), None)


def p50s(samples: dict) -> dict[str, float]:
    """Per query p50 of the answered queries."""
    return {k: statistics.median(v) for k, v in samples.items() if isinstance(v, list) and v}


def common_totals(*runs: dict) -> tuple[list[str], list[float]]:
    """The queries every run answered, and each run's sum of their p50."""
    meds = [p50s(r) for r in runs]
    names = [n for n in meds[0] if all(n in m for m in meds)]
    return names, [sum(m[n] for n in names) for m in meds]


def verdict(ok: bool | None) -> str:
    return "not measured" if ok is None else "met" if ok else "**not met**"


def targets(results: list[dict]) -> list[tuple]:
    """(id, scale, target, figure, baseline from the same run, met?) for each target of the issue."""
    out = []
    one, hundred, thousand = at(results, 1), at(results, 100), at(results, 1000)
    if one and "suite" in one["http"]:
        h = one["http"]
        st = suite_stats(h["suite"])
        slow = sum(v > 0.005 for v in st["per_query"].values())
        rd = suite_stats(one["http_rdflib"]["suite"]) if "suite" in one.get("http_rdflib", {}) else None
        out.append(
            (
                "T1",
                "1×",
                "competency suite over HTTP: p50 ≤ 5 ms per query",
                f"median of the per-query p50s {ms(st['p50'])} ms; {slow} of {len(st['per_query'])} queries above 5 ms",
                f"rdflib-endpoint {ms(rd['p50'])} ms" if rd else "–",
                st["p50"] <= 0.005,
            )
        )
        w = one.get("one_worker", {})
        best = max((x["per_s"] for x in w.values()), default=0)
        floor = one.get("lookups_inproc", {})
        out.append(
            (
                "T2",
                "1×",
                "≥ 1,000 lookups/s on one worker",
                f"{best:.0f}/s (1, 4, 16 clients: " + ", ".join(f"{x['per_s']:.0f}" for x in w.values()) + ")",
                f"in process, one thread: raw pyoxigraph {floor.get('raw', 0):.0f}/s, KnowledgeGraph "
                f"{floor.get('ours', 0):.0f}/s; rdflib-endpoint (one process) "
                + (
                    ", ".join(f"{x['per_s']:.0f}" for x in one["http_rdflib"]["throughput"]["lookups"].values())
                    if rd
                    else "–"
                )
                + "/s",
                best >= 1000 if w else None,
            )
        )
        if rd:
            ratios = [
                h["throughput"]["competency"][c]["per_s"]
                / max(one["http_rdflib"]["throughput"]["competency"][c]["per_s"], 1e-9)
                for c in h["throughput"]["competency"]
            ]
            out.append(
                (
                    "T3",
                    "1×",
                    "≥ 10× rdflib-endpoint's throughput on the competency mix",
                    "1, 4, 16 clients: " + ", ".join(f"{x:.0f}×" for x in ratios),
                    "rdflib-endpoint: "
                    + ", ".join(f"{x['per_s']:.0f}" for x in one["http_rdflib"]["throughput"]["competency"].values())
                    + " requests/s (its mix leaves out the queries it did not answer)",
                    min(ratios) >= 10,
                )
            )
        floor_q = p50s({k: v["raw"] for k, v in one["inproc"].items()})
        rt = statistics.median(h["round_trip"])
        within = [k for k, v in st["per_query"].items() if k in floor_q and v <= 2 * (floor_q[k] + rt)]
        names, (tot_h, tot_f) = common_totals(h["suite"], {k: v["raw"] for k, v in one["inproc"].items()})
        out.append(
            (
                "T4",
                "1×",
                "within 2× of raw in-process pyoxigraph time per query plus HTTP",
                f"{len(within)} of {len(st['per_query'])} queries; suite over HTTP {ms(tot_h)} ms = "
                f"{tot_h / (tot_f + len(names) * rt):.2f}× (floor + round trip)",
                f"floor in process {ms(tot_f)} ms; HTTP round trip of `{TRIVIAL}` {ms(rt)} ms",
                len(within) == len(st["per_query"]),
            )
        )
    if hundred and "error" not in hundred["inproc"]:
        o = p50s({k: v["ours"] for k, v in hundred["inproc"].items()})
        f = p50s({k: v["raw"] for k, v in hundred["inproc"].items()})
        over = sorted((k for k, v in o.items() if v > 0.1), key=lambda k: -o[k])
        missing = len(hundred["inproc"]) - len(o)
        out.append(
            (
                "T5",
                "100×",
                "every competency query ≤ 100 ms in process",
                f"slowest {ms(max(o.values()))} ms; {len(over) + missing} of {len(hundred['inproc'])} above"
                + (f": {', '.join(k.split('_')[0] for k in over)}" if over else ""),
                f"floor (raw pyoxigraph): slowest {ms(max(f.values()))} ms",
                not over and not missing,
            )
        )
        ten = at(results, 10)
        if ten and "error" not in ten["inproc"]:
            o10 = p50s({k: v["ours"] for k, v in ten["inproc"].items()})
            growth = {k: o[k] / o10[k] for k in o if k in o10}
            worse = sorted((k for k, g in growth.items() if g > GROWTH_LIMIT), key=lambda k: -growth[k])
            out.append(
                (
                    "T6",
                    "10→100×",
                    f"no quadratic plan: each query's p50 grows < {GROWTH_LIMIT}× from 10× to 100×",
                    f"largest growth {max(growth.values()):.1f}×; {len(worse)} above"
                    + (": " + ", ".join(f"{k.split('_')[0]} {growth[k]:.0f}×" for k in worse) if worse else ""),
                    f"suite total {sum(o.values()) / sum(o10[k] for k in o):.1f}×",
                    not worse,
                )
            )
        v = hundred.get("virtuoso")
        if v and "suite" in v:
            names, (ours_h, ours_i, virt) = common_totals(
                hundred["http"]["suite"], {k: x["ours"] for k, x in hundred["inproc"].items()}, v["suite"]
            )
            out.append(
                (
                    "T7",
                    "100×",
                    "suite total below Virtuoso's on the same data",
                    f"ours over HTTP {ms(ours_h)} ms, in process {ms(ours_i)} ms ({len(names)} queries both answered)",
                    f"Virtuoso over HTTP {ms(virt)} ms",
                    ours_h < virt,
                )
            )
    if thousand:
        b, fl = thousand["build"], thousand["build_floor"]
        floor = (
            f"floor: raw `bulk_load` {s(fl['seconds'])} s"
            if "seconds" in fl
            else f"floor: the load phase (raw `bulk_load`) {s(b.get('load'))} s"
        )
        out.append(
            (
                "T8",
                "1000×",
                "build ≤ 60 s",
                f"{s(b.get('seconds'))} s (load {s(b.get('load'))} + derive "
                f"{s(b.get('derive'))} + optimise {s(b.get('optimize'))})"
                if "seconds" in b
                else err(b),
                floor,
                b.get("seconds", 1e9) <= 60,
            )
        )
        opening = max((x.get("peak_mib", 0) for x in thousand["startup"]["ours"]), default=0)
        exported = thousand["export"]
        out.append(
            (
                "T9",
                "1000×",
                "peak memory ≤ 3 GiB",
                f"build {b.get('peak_mib', 0):.0f} MiB; opening the store "
                f"{opening:.0f} MiB; whole-graph GraphML export "
                + (f"{exported['peak_mib']:.0f} MiB" if "peak_mib" in exported else err(exported)),
                f"floor: raw `bulk_load` {fl['peak_mib']:.0f} MiB" if "peak_mib" in fl else "–",
                b.get("peak_mib", 1e9) <= 3 * 1024,
            )
        )
        if "error" not in thousand["inproc"]:
            o = suite_stats({k: x["ours"] for k, x in thousand["inproc"].items()})
            f = suite_stats({k: x["raw"] for k, x in thousand["inproc"].items()})
            hs = suite_stats(thousand["http"]["suite"]) if "suite" in thousand["http"] else None
            out.append(
                (
                    "T10",
                    "1000×",
                    "competency suite p50 ≤ 250 ms",
                    f"median of the per-query p50s in process {ms(o['p50'])} ms"
                    + (f", over HTTP {ms(hs['p50'])} ms" if hs else ""),
                    f"floor (raw pyoxigraph) {ms(f['p50'])} ms",
                    o["p50"] <= 0.25,
                )
            )
        opened = [x["open"] for x in thousand["startup"]["ours"] if "open" in x]
        ready = thousand["http"].get("ready")
        out.append(
            (
                "T11",
                "1000×",
                "start-up ≤ 2 s with an existing store",
                f"`workforce-kg serve` to first answer {s(ready)} s; `KnowledgeGraph.load` "
                f"{ms(statistics.median(opened)) if opened else '–'} ms",
                "floor `Store.read_only`: "
                + ms(statistics.median(x["open"] for x in thousand["startup"]["floor"] if "open" in x))
                + " ms",
                ready is not None and ready <= 2,
            )
        )
    return out


def targets_table(results: list[dict]) -> list[str]:
    L = [
        "## Targets",
        "",
        "Each target of the issue with the figure of this run, the baseline measured beside it, and whether it is "
        "met; the causes of the gaps, with the measurements that show them, are under "
        "[Gaps](#gaps-causes-and-profiles).",
        "",
        "| id | scale | target | figure | baseline (same run) | verdict |",
        "|---|---|---|---|---|---|",
    ]
    L += [f"| {i} | {n} | {what} | {fig} | {base} | {verdict(ok)} |" for i, n, what, fig, base, ok in targets(results)]
    return L + [""]


def growth_table(results: list[dict]) -> list[str]:
    """How each cost grows with the data: the figure at each scale and its ratio to the previous scale."""

    def inproc(r, key, what):
        return None if "error" in r["inproc"] else suite_stats({k: v[key] for k, v in r["inproc"].items()})[what]

    def http(r, what):
        return suite_stats(r["http"]["suite"])[what] if "suite" in r.get("http", {}) else None

    def tput(r, mix, c):
        runs = r.get("http", {}).get("throughput", {}).get(mix, {})
        run = runs.get(c) or runs.get(str(c))  # keys are strings once read back from results.json
        return run["per_s"] if run else None

    def startup(r):
        xs = [x["open"] for x in r["startup"]["ours"] if "open" in x]
        return statistics.median(xs) if xs else None

    metrics = [
        ("quads in the store", lambda r: r["build"].get("quads"), "{:,.0f}"),
        ("build s", lambda r: r["build"].get("seconds"), "{:.2f}"),
        ("floor: raw bulk_load s", lambda r: r["build_floor"].get("seconds"), "{:.2f}"),
        ("build peak MiB", lambda r: r["build"].get("peak_mib"), "{:.0f}"),
        ("store on disk MiB", lambda r: r["build"].get("disk_mib"), "{:.0f}"),
        ("KnowledgeGraph.load ms", lambda r: startup(r) and startup(r) * 1000, "{:.1f}"),
        ("serve: start to first answer s", lambda r: r["http"].get("ready"), "{:.2f}"),
        ("suite in process, sum of p50 ms", lambda r: (x := inproc(r, "ours", "total")) and x * 1000, "{:.0f}"),
        ("floor: suite raw pyoxigraph ms", lambda r: (x := inproc(r, "raw", "total")) and x * 1000, "{:.0f}"),
        ("median query p50 in process ms", lambda r: (x := inproc(r, "ours", "p50")) and x * 1000, "{:.1f}"),
        ("suite over HTTP, sum of p50 ms", lambda r: (x := http(r, "total")) and x * 1000, "{:.0f}"),
        ("lookups/s over HTTP, 1 client", lambda r: tput(r, "lookups", 1), "{:.0f}"),
        ("competency mix requests/s, 4 clients", lambda r: tput(r, "competency", 4), "{:.1f}"),
        ("SHACL validation s (ours)", lambda r: (r.get("validate") or {}).get("validate"), "{:.1f}"),
        ("GraphML export s", lambda r: r["export"].get("graphml"), "{:.2f}"),
    ]
    L = [
        "## Growth with size",
        "",
        "Each figure at each scale, and in brackets its ratio to the previous scale (×10 is linear for a 10× step). "
        "Why a cost grows worse than linearly is under [Gaps](#gaps-causes-and-profiles).",
        "",
        "| figure | " + " | ".join(f"{r['scale']}×" for r in results) + " |",
        "|---|" + "---:|" * len(results),
    ]
    for label, get, fmt in metrics:
        cells, prev = [], None
        for r in results:
            try:
                v = get(r)
            except (KeyError, TypeError):
                v = None
            cells.append("–" if v is None else fmt.format(v) + (f" (×{v / prev:.1f})" if prev else ""))
            prev = v
        L.append(f"| {label} | " + " | ".join(cells) + " |")
    return L + [""]


def virtuoso_table(results: list[dict]) -> list[str]:
    runs = [r for r in results if "virtuoso" in r]
    if not runs:
        return []
    L = [
        "## Virtuoso on the same data",
        "",
        "Virtuoso 7 (Debian's `virtuoso-opensource`) started by the bench as the tests start it (tests/virtuoso.py: "
        "its own database folder, 127.0.0.1), with 2.6 GiB of page buffers and its query time limit set to the "
        "bench's; loaded with the same quads as our store (ontology, data, derived triples) by its bulk loader "
        "(`ld_dir`, `rdf_loader_run`, `checkpoint`). The competency suite runs over HTTP with one client, as for "
        "our server; its default graph is the union of all graphs, as in our store. Totals are over the queries "
        "both answered.",
        "",
        "| scale | Virtuoso start s | Virtuoso bulk load s | ours: build s | queries | Virtuoso suite ms | ours over "
        "HTTP ms "
        "| ours in process ms | ours HTTP ÷ Virtuoso | not answered by Virtuoso |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in runs:
        v = r["virtuoso"]
        if "error" in v:
            L.append(f"| {r['scale']}× | {v['error']} |||||||||")
            continue
        names, (virt, ours_h, ours_i) = common_totals(
            v["suite"], r["http"]["suite"], {k: x["ours"] for k, x in r["inproc"].items()}
        )
        failed = ", ".join(f"{k.split('_')[0]} ({x})" for k, x in v["suite"].items() if not isinstance(x, list)) or "–"
        L.append(
            f"| {r['scale']}× | {s(v['started'])} | {s(v['load'])} | {s(r['build'].get('seconds'))} | {len(names)} | "
            f"{ms(virt)} | {ms(ours_h)} | {ms(ours_i)} | {ours_h / virt:.2f} | {failed} |"
        )
    L += [
        "",
        "### Per query (p50 ms over HTTP)",
        "",
        "| query | " + " | ".join(f"ours {r['scale']}× | Virtuoso {r['scale']}×" for r in runs) + " |",
        "|---|" + "---:|" * (2 * len(runs)),
    ]
    for cq in cqs():
        cells = []
        for r in runs:
            cells += [
                cell(r["http"]["suite"][cq.name]) if "suite" in r["http"] else "–",
                cell(r["virtuoso"]["suite"][cq.name]) if "suite" in r["virtuoso"] else "–",
            ]
        L.append(f"| {cq.name} | " + " | ".join(cells) + " |")
    return L + [""]


def report(results: list[dict], args, took: float) -> str:
    scales = [r["scale"] for r in results]
    bundled = len(store.memory_store())
    L = [
        "# Scale benchmark results",
        "",
        f"Command: `{args.command}` (from the repository root). Date: {date.today().isoformat()}. "
        f"Took {took / 60:.1f} min.",
        f"Code: commit {commit()}.",
        f"Machine: {machine()}.",
        f"Versions: Python {platform.python_version()}, pyoxigraph {pkg('pyoxigraph')}, rdflib {pkg('rdflib')}, "
        f"pyshacl {pkg('pyshacl')}, fastapi {pkg('fastapi')}, uvicorn {pkg('uvicorn')}, networkx {pkg('networkx')}, "
        f"rdflib-endpoint {pkg('rdflib-endpoint')}.",
        f"Data: `bench/generate.py --seed {args.seed}`; the N× store is the ontology, the generated N-Quads "
        f"(bundled data graph + N−1 synthetic replicas) and the derived triples. Bundled store: {bundled} quads.",
        "Every figure sits beside its baseline from the same run: raw pyoxigraph in process (the floor) and a plain "
        "rdflib-endpoint server (rdflib's own engine behind FastAPI) on the same data. Times are wall-clock; "
        "p99 is the nearest-rank percentile, i.e. the maximum when a query has fewer than 100 samples.",
        "",
    ]

    L += ["| scale | load average (1, 5, 15 min) at start | at end | took min |", "|---:|---|---|---:|"]
    L += [
        f"| {r['scale']}× | {loadavg(r['loadavg_start'])} | {loadavg(r['loadavg_end'])} | {r['took'] / 60:.1f} |"
        for r in results
    ]
    L += [
        "",
        "The 2 cores are shared with other work (load average above 2 means processes waited for a core): "
        "compare figures with the baselines of the same scale rather than across runs.",
        "",
    ]
    L += targets_table(results) + growth_table(results)
    L += [
        "## Data and build",
        "",
        "| scale | quads in file | quads in store | ÷ (N × bundled) | file MiB | generate s | build s (load + derive "
        "+ optimise) "
        "| build peak MiB | floor: raw `bulk_load` s | floor peak MiB | library path s (parse + per-triple check) "
        "| library peak MiB | store on disk MiB |",
        "|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        b, f, lib = r["build"], r["build_floor"], r.get("build_library") or {"error": "not run"}
        built = (
            f"{s(b['seconds'])} ({s(b['load'])} + {s(b['derive'])} + {s(b['optimize'])})" if "seconds" in b else err(b)
        )
        L.append(
            f"| {r['scale']}× | {r['file_quads']:,} | {b.get('quads', 0):,} | "
            f"{b.get('quads', 0) / (r['scale'] * bundled):.2f} | {r['file_mib']:.0f} | {s(r['generate'])} | {built} | "
            f"{b.get('peak_mib', 0):.0f} | {s(f.get('seconds')) if 'seconds' in f else err(f)} | "
            f"{mib(f)} | {s(lib.get('seconds')) if 'seconds' in lib else err(lib)} | "
            f"{mib(lib)} | {b.get('disk_mib', 0):.0f} |"
        )
    L += ["", "Build and load each ran in a fresh process (peak memory = its maximum resident set).", ""]

    L += [
        "## Start-up of an existing store",
        "",
        "| scale | `KnowledgeGraph.load(path)` ms | + first query ms | floor: `Store.read_only` ms | + first query ms "
        "| `workforce-kg serve` ready s (process start to first answer) |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        o = [x for x in r["startup"]["ours"] if "open" in x]
        f = [x for x in r["startup"]["floor"] if "open" in x]
        med = lambda xs, k: statistics.median(x[k] for x in xs) if xs else None  # noqa: E731
        ready = r["http"]["ready"] if "ready" in r.get("http", {}) else None
        L.append(
            f"| {r['scale']}× | {ms(med(o, 'open'))} | {ms(med(o, 'first_query'))} | {ms(med(f, 'open'))} | "
            f"{ms(med(f, 'first_query'))} | {s(ready)} |"
        )
    L += ["", "Median of three fresh processes each (the OS file cache is warm).", ""]

    L += suite_tables(results, scales)
    L += validation_table(results)
    L += [
        "## Export (GraphML of the whole accountability network)",
        "",
        '| scale | `export.export(kg, "graphml")` s | GraphML MiB | floor: N-Quads dump of the store s | dump MiB | '
        "peak MiB |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        e = r["export"]
        if "graphml" in e:
            L.append(
                f"| {r['scale']}× | {s(e['graphml'])} | {e['graphml_mib']:.1f} | {s(e['dump'])} | "
                f"{e['dump_mib']:.0f} | {e['peak_mib']:.0f} |"
            )
        else:
            L.append(f"| {r['scale']}× | {err(e)} | | | | |")
    L += [""]
    L += http_tables(results, args)
    L += virtuoso_table(results)
    return "\n".join(L) + "\n"


def suite_stats(samples: dict) -> dict:
    """Suite figures from per-query samples (a string instead of samples says why a query has none):
    total of the per-query medians, median of them, worst p99, and the queries without an answer."""
    ok = {k: v for k, v in samples.items() if isinstance(v, list) and v}
    p50 = {k: statistics.median(v) for k, v in ok.items()}
    return {
        "total": sum(p50.values()),
        "p50": statistics.median(p50.values()) if p50 else None,
        "p99": max(pct(v, 99) for v in ok.values()) if ok else None,
        "per_query": p50,
        "failed": {k: v for k, v in samples.items() if k not in ok},
    }


def cell(samples) -> str:
    """A query's p50 in ms, or why it has none."""
    return ms(statistics.median(samples)) if isinstance(samples, list) and samples else str(samples or "–")


def args_limit(reason: str) -> float | None:
    """The time limit in a "> 30 s" reason, in seconds (None for other reasons)."""
    return float(reason.split()[1]) if reason.startswith("> ") else None


def suite_tables(results: list[dict], scales: list[int]) -> list[str]:
    names = [cq.name for cq in cqs()]
    L = [
        "## Competency-question suite in process",
        "",
        f"{len(names)} queries. *Ours*: `KnowledgeGraph.rows()` / `.ask()` (rows as Python dicts); *floor*: raw "
        "`pyoxigraph.Store.query` with every term of every row materialised. Per query: one warm-up run, then "
        "repeated (3–50 times) within a time budget.",
        "",
        "| scale | suite total (sum of p50) ms | floor total ms | ours ÷ floor | median query p50 ms | floor | "
        "worst query p99 ms | floor | slowest queries (p50 ms) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        inp = r["inproc"]
        if "error" in inp:
            L.append(f"| {r['scale']}× | {inp['error']} |||||||")
            continue
        o = suite_stats({k: v["ours"] for k, v in inp.items()})
        f = suite_stats({k: v["raw"] for k, v in inp.items()})
        slow = sorted(o["per_query"].items(), key=lambda kv: -kv[1])[:3]
        L.append(
            f"| {r['scale']}× | {ms(o['total'])} | {ms(f['total'])} | {o['total'] / f['total']:.2f} | "
            f"{ms(o['p50'])} | {ms(f['p50'])} | {ms(o['p99'])} | {ms(f['p99'])} | "
            + ", ".join(f"{k.split('_')[0]} {ms(v)}" for k, v in slow)
            + " |"
        )
    L += [""]

    ok = [r for r in results if "error" not in r["inproc"]]
    cols = " | ".join(f"{r['scale']}× p50 | p99" for r in ok)
    growth = [(a, b) for a, b in itertools.pairwise(ok)]
    gcols = " | ".join(f"{a['scale']}→{b['scale']}×" for a, b in growth)
    L += [
        "### Per query (in process, ours; ms) and growth of p50 between scales",
        "",
        f"Flag ⚠ = p50 grew more than {GROWTH_LIMIT}× for a data set 10× larger (linear growth is 10×); "
        '"> N s": stopped after the time limit (pyoxigraph cannot cancel a query; the benchmark kills its '
        "process). Rows = result rows at the largest scale.",
        "",
        f"| query | {cols} | floor p50 at {ok[-1]['scale']}× | rows | {gcols}".rstrip(" |") + " |",
        "|---|" + "---:|" * (2 * len(ok) + 2 + len(growth)),
    ]
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
    scan = [r.get("scan", {}).get("ours") for r in ok]
    scan_g = [
        f"{statistics.median(b) / statistics.median(a):.1f}×" if isinstance(a, list) and isinstance(b, list) else "–"
        for a, b in itertools.pairwise(scan)
    ]
    L.append(
        " | ".join(
            [
                "| *reference: `" + SCAN + "`*",
                *[x for v in scan for x in (cell(v), "")],
                cell(ok[-1].get("scan", {}).get("raw")),
                "1",
                *scan_g,
            ]
        )
        + " |"
    )
    L += [
        "",
        "The reference row is a plain linear scan of every triple: its growth is what a linear plan shows on "
        "this machine between two scales (memory and caches), to read the queries' growth against.",
        "",
    ]
    return L


def validation_table(results: list[dict]) -> list[str]:
    L = [
        "## SHACL validation",
        "",
        "*Ours*: `validation.validate_graph` (one-pass RDFS entailment, then pySHACL without inference); *baseline*: "
        'pySHACL with `inference="rdfs"` and the ontology as `ont_graph` (as in bench/run.py). Both on the '
        "generated data (union of its named graphs) plus the ontology; parse = N-Quads into an rdflib Graph.",
        "",
        "| scale | triples | parse s | ours: validate s | conforms | peak MiB | baseline: pySHACL RDFS s | baseline "
        "peak MiB |",
        "|---:|---:|---:|---:|---|---:|---:|---:|",
    ]
    for r in results:
        v, b = r.get("validate"), r.get("validate_baseline")
        if v is None:
            L.append(f"| {r['scale']}× | not run (see --validate-max) |||||||")
            continue
        if "error" in v:
            L.append(f"| {r['scale']}× | {v['error']} |||||||")
            continue
        base = (s(b["validate"]), f"{b['peak_mib']:.0f}") if b and "validate" in b else (err(b), "")
        L.append(
            f"| {r['scale']}× | {v['triples']:,} | {s(v['parse'])} | {s(v['validate'])} | {v['conforms']} | "
            f"{v['peak_mib']:.0f} | {base[0]} | {base[1]} |"
        )
    return L + [""]


def http_tables(results: list[dict], args) -> list[str]:
    servers = (("workforce-kg serve", "http"), ("rdflib-endpoint", "http_rdflib"))
    L = [
        "## Over HTTP (`workforce-kg serve` on 127.0.0.1; baseline rdflib-endpoint)",
        "",
        "Server: `workforce-kg serve` with its defaults (one uvicorn process, 4 query worker processes); "
        "rdflib-endpoint serves an N-Quads dump of the same store (ontology, data and derived triples) with "
        "rdflib's engine. Clients: Python threads in the bench process, one keep-alive connection each, GET with "
        "`Accept: application/sparql-results+json`; clients and server share the 2 cores.",
        "",
        "### Competency-question suite, one client",
        "",
        "| scale | server | suite total (sum of p50) ms | median query p50 ms | worst query p99 ms | not answered |",
        "|---:|---|---:|---:|---:|---|",
    ]
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
            L.append(
                f"| {r['scale']}× | {label} | {ms(st['total'])}{extra} | {ms(st['p50'])} | {ms(st['p99'])} | {failed} |"
            )
            for mix, runs in h["throughput"].items():
                for c, t in runs.items():
                    rows_t.append(
                        f"| {r['scale']}× | {label} | {mix} | {c} | {t['per_s']:.0f} | {ms(t['p50'])} | "
                        f"{ms(t['p99'])} | {t['requests']} | {t['errors']} |"
                    )
    L += [
        "",
        f"### Throughput, {args.duration:g} s per run",
        "",
        f"Mixes, each query in turn: *lookups* = {', '.join(LOOKUPS)} (reads anchored on one entity, as pages and "
        "API calls make them); *competency* = every competency question the server answered in the suite.",
        "",
        "| scale | server | mix | clients | requests/s | p50 ms | p99 ms | requests | errors |",
        "|---:|---|---|---:|---:|---:|---:|---:|---:|",
        *rows_t,
        "",
    ]

    ok = [r for r in results if "suite" in r.get("http", {})]
    rd = [r for r in results if "suite" in r.get("http_rdflib", {})]
    if ok:
        L += [
            "### Per query over HTTP (p50 ms)",
            "",
            "| query | "
            + " | ".join([f"{r['scale']}×" for r in ok] + [f"rdflib-endpoint {r['scale']}×" for r in rd])
            + " |",
            "|---|" + "---:|" * (len(ok) + len(rd)),
        ]
        for cq in cqs():
            cells = [cell(r["http"]["suite"][cq.name]) for r in ok] + [
                cell(r["http_rdflib"]["suite"][cq.name]) for r in rd
            ]
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
    parser.add_argument(
        "--duration", type=float, default=5, help="seconds per throughput run (≤ 20; default %(default)s)"
    )
    parser.add_argument("--validate-max", type=int, default=100, help="largest scale to validate (default %(default)s)")
    parser.add_argument("--baseline-validate-max", type=int, default=10)
    parser.add_argument("--validate-timeout", type=float, default=300)
    parser.add_argument("--export-timeout", type=float, default=600)
    parser.add_argument("--floor-max", type=int, default=100, help="largest scale for the separate raw bulk_load")
    parser.add_argument("--library-max", type=int, default=10, help="largest scale for the per-triple load path")
    parser.add_argument("--rdflib-scales", default="1", help="scales served by rdflib-endpoint (default %(default)s)")
    parser.add_argument("--virtuoso-scales", default="10,100", help="scales loaded into Virtuoso (default %(default)s)")
    parser.add_argument("--rdflib-timeout", type=float, default=10, help="seconds before an rdflib query is given up")
    parser.add_argument(
        "--query-timeout",
        type=float,
        default=30,
        help="seconds before an in-process query is given up (as the server's default timeout)",
    )
    parser.add_argument(
        "--query-timeout-1000",
        type=float,
        default=15,
        help="the same at 1000× (46 queries × 2 runs must fit the run's time)",
    )
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
    args.virtuoso_scales = {int(x) for x in args.virtuoso_scales.split(",") if x.strip()}
    args.command = ".venv/bin/python bench/scale.py" + "".join(f" {a}" for a in (argv or sys.argv[1:]))
    args.workdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()

    def log(msg: str) -> None:
        print(f"[{time.perf_counter() - started:6.0f} s] {msg}", flush=True)

    results = []
    for n in scales:
        results.append(run_scale(n, args, log))
        (args.workdir / "results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    kept = args.out.read_text(encoding="utf-8").partition(ANALYSIS)[2] if args.out.exists() else ""
    args.out.write_text(report(results, args, time.perf_counter() - started) + "\n" + ANALYSIS + kept, encoding="utf-8")
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
