"""Incremental validation: validating a new document against an N× store, against validating the whole graph.

For each scale N (default 1, 10, 100): generate the N× data set with ``bench/generate.py`` (seeded),
build an on-disk store from it as the service does (ontology, bulk load, derived triples, optimise),
write a new document of about 1,050 triples into it with ``writes.perform`` (one document of a
replica the store does not have, from the generator's template: new IRIs, shape-valid; timed once),
having timed its derived triples on a copy of the store (``rules.update``, against clearing the
derived graph and ``rules.apply`` over the whole store, which must give the same triples), then time
``validation.validate_change`` of that change on the published store (median of ``--runs`` runs,
after one warm-up). The baseline is the whole graph after the change
(the generated data, the new document and the ontology, parsed into rdflib) validated with
``validation.validate_graph``, once, in the same process, for the scales up to ``--whole-max``;
where it runs, the results ``validate_change`` gives are checked to be those of the whole graph on
the nodes the change touches.

Run from the repository root (about 4 minutes; writes bench/RESULTS-validation.md):

    .venv/bin/python bench/incremental.py

``--scales 1,10`` chooses the scales; ``--whole-max 100`` validates the 100× graph whole too (the 10×
one takes some 40 s, the 100× one many minutes, so it is off by default);
``--no-write`` leaves RESULTS-validation.md alone, ``--profile`` prints a cProfile of validate_change
at the largest scale.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import platform
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # noqa: E402  (bench/generate.py)
from workforce_kg.config import DEFAULT_BASE_IRI as BASE  # noqa: E402
from workforce_kg.store import local as store
from workforce_kg.store import rules
from workforce_kg.validation import report as validation
from workforce_kg.writes import change as writes  # noqa: E402

RESULTS = ROOT / "bench" / "RESULTS-validation.md"
NEW_GRAPH = f"{BASE}/graph/graph/new-document"
TARGET = 2.0  # seconds: the target for a ~1,000-triple change against the 100× graph


def ontology_files() -> list[store.SourceFile]:
    return [f for f in store.bundled_files() if f.graph_name.startswith("ontology/")]


def build(nq: Path, path: Path) -> dict:
    """An on-disk store as ``workforce-kg build`` makes one: ontology, data, derived triples, optimised."""
    t0 = time.perf_counter()
    path.mkdir(parents=True)
    st = ox.Store(str(path / store.FIRST))
    store.load_files(st, ontology_files(), BASE)
    st.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
    t1 = time.perf_counter()
    rules.apply(st, store.graph_iri(BASE, "derived"), BASE)
    t2 = time.perf_counter()
    st.optimize()
    st.flush()
    quads = len(st)
    del st
    (path / store.MARKER).write_text(BASE + "\n", encoding="utf-8")
    return {"load": t1 - t0, "derive": t2 - t1, "build": time.perf_counter() - t0, "quads": quads}


def new_document(scale: int, seed: int) -> list[ox.Quad]:
    """One document of replica ``scale`` (the N× data set has replicas 1 … N−1): new IRIs throughout."""
    text = generate.template(BASE).document(scale, seed, graph=NEW_GRAPH)
    return list(ox.parse(text, format=ox.RdfFormat.N_QUADS))


def derive(path: Path, change: list[ox.Quad], work: Path) -> dict:
    """The derived triples of ``change`` on a copy of the store at ``path``: ``rules.update`` (as a write
    makes them), then clearing the derived graph and ``rules.apply`` over the whole store; seconds of each,
    the keys recomputed, and whether both give the same derived triples."""
    copy = work / "derive-copy"
    store.open_store(path).backup(str(copy))
    st = ox.Store(str(copy))
    derived = store.graph_iri(BASE, "derived")
    before = set(st.quads_for_pattern(None, None, None, ox.NamedNode(NEW_GRAPH)))
    st.extend(change)
    added = set(st.quads_for_pattern(None, None, None, ox.NamedNode(NEW_GRAPH))) - before
    t = time.perf_counter()
    nodes = rules.update(st, derived, added, set(), BASE)
    incremental = time.perf_counter() - t
    triples = {q.triple for q in st.quads_for_pattern(None, None, None, derived)}
    t = time.perf_counter()
    st.clear_graph(derived)
    rules.apply(st, derived, BASE)
    full = time.perf_counter() - t
    same = triples == {q.triple for q in st.quads_for_pattern(None, None, None, derived)}
    del st
    shutil.rmtree(copy, ignore_errors=True)
    return {
        "derive_update": incremental,
        "derive_full": full,
        "derive_keys": len(nodes),
        "derive_same": same,
        "derived": len(triples),
    }


def whole_graph(nq: Path, change: list[ox.Quad], shapes) -> tuple[validation.Report, float, float]:
    """Validate the generated data plus the change with the ontology; the report, parse and validation seconds."""
    from rdflib import Graph

    t0 = time.perf_counter()
    triples = [q.triple for q in ox.parse(path=str(nq), format=ox.RdfFormat.N_QUADS)] + [q.triple for q in change]
    data = Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    del triples
    onto = store.rdflib_graph(ontology_files())
    t1 = time.perf_counter()
    report = validation.validate_graph(data, onto, shapes)
    return report, t1 - t0, time.perf_counter() - t1


@contextmanager
def timing(module, name: str, seconds: dict):
    """Time the calls of ``module.name`` into ``seconds[name]`` while in the block."""
    real = getattr(module, name)

    def timed(*args, **kwargs):
        t = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - t

    setattr(module, name, timed)
    try:
        yield
    finally:
        setattr(module, name, real)


def keys(results) -> set:
    return {(r.focus, r.node_shape, r.shape, r.path, r.value, r.component, r.severity, r.message) for r in results}


def run_scale(scale: int, args, shapes, work: Path, log) -> dict:
    nq = work / f"kg-{scale}x.nq"
    t0 = time.perf_counter()
    generate.write(scale, args.seed, nq, BASE)
    out: dict = {"scale": scale, "generate": time.perf_counter() - t0}
    path = work / f"store-{scale}x"
    built = build(nq, path)
    out.update(built)
    log(f"{scale}×: {built['quads']} quads, built in {built['build']:.0f} s (derived triples {built['derive']:.0f} s)")

    change = new_document(scale, args.seed)
    out.update(derive(path, change, work))
    log(
        f"{scale}×: derived triples of the change: rules.update {out['derive_update']:.2f} s "
        f"({out['derive_keys']} keys), clear + rules.apply {out['derive_full']:.1f} s; same: {out['derive_same']}"
    )

    # the whole write, as the service makes it (POST of the document to a new graph): copy, add,
    # derived triples updated, validate_change, audit, publish
    body = ox.serialize([q.triple for q in change], format=ox.RdfFormat.N_TRIPLES)
    steps: dict = {}
    t = time.perf_counter()
    with timing(rules, "update", steps), timing(validation, "validate_change", steps):
        done = writes.perform(
            path,
            writes.WriteRequest("post", "bench", graph=NEW_GRAPH, data=body, media="application/n-triples"),
            shapes,
        )
    out.update(
        write=time.perf_counter() - t,
        write_derive=steps["update"],
        write_validate=steps["validate_change"],
        change=done["added"],
    )
    log(
        f"{scale}×: the write (POST of {done['added']} triples) took {out['write']:.1f} s: derived triples "
        f"{out['write_derive']:.1f} s, validate_change {out['write_validate']:.1f} s"
    )

    st = store.open_store(path)  # read-only, as published: the document and the derived triples
    change = list(st.quads_for_pattern(None, None, None, ox.NamedNode(NEW_GRAPH)))  # blank nodes as stored
    validation.validate_change(st, change, (), shapes)  # warm-up
    times = []
    for _ in range(args.runs):
        t = time.perf_counter()
        report = validation.validate_change(st, change, (), shapes)
        times.append(time.perf_counter() - t)
    t = time.perf_counter()
    focus = validation.touched(st, change, (), shapes)
    t_touched = time.perf_counter() - t
    t = time.perf_counter()
    reach = validation.neighbourhood(st, focus, shapes)
    t_neighbourhood = time.perf_counter() - t
    out.update(
        median=statistics.median(times),
        low=min(times),
        high=max(times),
        runs=args.runs,
        touched=t_touched,
        neighbourhood=t_neighbourhood,
        focus=len(focus.nodes),
        read=len(reach),
        conforms=report.conforms,
        violations=report.violations,
        warnings=report.warnings,
    )
    log(
        f"{scale}×: validate_change median {out['median']:.2f} s over {args.runs} runs "
        f"(focus {len(focus.nodes)} nodes, {len(reach)} triples read; {report.violations} violations)"
    )
    if args.profile and scale == max(args.scales):
        prof = cProfile.Profile()
        prof.enable()
        validation.validate_change(st, change, (), shapes)
        prof.disable()
        text = io.StringIO()
        pstats.Stats(prof, stream=text).sort_stats("cumulative").print_stats(25)
        out["profile"] = text.getvalue()
        print(out["profile"])
    del st

    if scale <= args.whole_max:
        whole, parse, seconds = whole_graph(nq, change, shapes)
        out.update(
            whole=seconds,
            whole_parse=parse,
            agree=keys(report.results) == keys(r for r in whole.results if focus.covers(r)),
            whole_violations=whole.violations,
        )
        log(
            f"{scale}×: whole graph {seconds:.1f} s (+ {parse:.1f} s parsing); same results on the focus: "
            f"{out['agree']}"
        )
    nq.unlink()
    shutil.rmtree(path, ignore_errors=True)
    return out


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    import os

    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB RAM, {platform.system()} {platform.release()}"


def report(results: list[dict], args, took: float) -> str:
    scales = ", ".join(f"{r['scale']}×" for r in results)
    lines = [
        "# Incremental validation",
        "",
        f"*Written by `bench/incremental.py`; do not edit by hand.* {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; "
        f"took {took / 60:.1f} min.",
        "",
        f"- Command (from the repository root): `{' '.join(['.venv/bin/python bench/incremental.py', *args.argv])}`",
        f"- Machine: {machine()}; shared with other work while it ran, so single runs vary.",
        f"- Python {platform.python_version()}, pySHACL {version('pyshacl')}, rdflib {version('rdflib')}, "
        f"pyoxigraph {version('pyoxigraph')}.",
        f"- Data: `bench/generate.py --seed {args.seed}` at {scales}, built into an on-disk pyoxigraph store "
        "(ontology, bulk load, derived triples, optimise).",
        "- Change: one new document, about 1,050 triples (`generate.template().document(N, seed)`: the Expert "
        "Panel evaluation of a replica the store does not have, with its description; new IRIs, shape-valid, "
        "pointing to existing organisations, concepts and commitments), written with `writes.perform`.",
        "- Write: `writes.perform` of that document (a Graph Store POST to a new graph), one run: copy of the "
        "store (checkpoint), the change, its derived triples (`rules.update`), "
        "`validate_change`, audit, flush, publish.",
        f"- `validate_change` of that change on the published store: median of {args.runs} runs after a warm-up; "
        "*touched* and *read* are its two steps before pySHACL (finding the focus, copying what the shapes read "
        "from the store).",
        "- Whole graph: `validation.validate_graph` on the generated data + the new document + the ontology, "
        "one run, in the same process; *same results* checks that `validate_change` gives exactly the whole "
        "graph's results on the focus nodes.",
        "",
        "| scale | quads in store | change | focus nodes | triples read | touched s | read s | **validate_change s** "
        "(min–max) | whole graph s (+ parse) | same results | target ≤ 2 s | the whole write s (derived triples; "
        "validate_change) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        whole = f"{r['whole']:.1f} (+ {r['whole_parse']:.1f})" if "whole" in r else "not run"
        agree = ("yes" if r["agree"] else "**no**") if "agree" in r else "–"
        target = ("met" if r["median"] <= TARGET else "**missed**") if r["scale"] >= 100 else "–"
        lines.append(
            f"| {r['scale']}× | {r['quads']:,} | {r['change']:,} | {r['focus']} | {r['read']:,} | "
            f"{r['touched']:.2f} | {r['neighbourhood']:.2f} | **{r['median']:.2f}** ({r['low']:.2f}–{r['high']:.2f}) "
            f"| {whole} | {agree} | {target} | {r['write']:.1f} ({r['write_derive']:.1f}; {r['write_validate']:.1f}) |"
        )
    lines += [
        "",
        f"The change conforms at every scale: "
        f"{all(r['conforms'] for r in results)} (violations: {', '.join(str(r['violations']) for r in results)}). "
        "Of `validate_change`, what is not *touched* or *read* is pySHACL on the copy (a few thousand triples "
        "at every scale).",
    ]
    lines += [
        "",
        "## Derived triples of a write",
        "",
        "The derived triples of the same change, on a copy of the store, one run each: `rules.update` (what a "
        "write does: the derived triples of the keys the change can affect, recomputed on a small store of what "
        "the rules read about them), against clearing the derived graph and `rules.apply` over the whole store "
        "(what a write did before); *same* checks that both leave the same derived graph. The whole write "
        "(above) uses `rules.update`.",
        "",
        "| scale | derived triples | keys recomputed | **rules.update s** | clear + rules.apply s | same | "
        "the whole write s | target < 10 s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        target = ("met" if r["write"] < 10 else "**missed**") if r["scale"] >= 100 else "–"
        lines.append(
            f"| {r['scale']}× | {r['derived']:,} | {r['derive_keys']} | **{r['derive_update']:.2f}** | "
            f"{r['derive_full']:.1f} | {'yes' if r['derive_same'] else '**no**'} | {r['write']:.1f} | {target} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="1,10,100", help="comma-separated N (default %(default)s)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=5, help="timed runs of validate_change per scale")
    parser.add_argument("--whole-max", type=int, default=10, help="largest scale validated whole (default %(default)s)")
    parser.add_argument("--profile", action="store_true", help="cProfile validate_change at the largest scale")
    parser.add_argument("--no-write", action="store_true", help=f"do not write {RESULTS.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    args.argv = sys.argv[1:] if argv is None else argv
    args.scales = [int(s) for s in args.scales.split(",")]
    started = time.perf_counter()

    def log(msg: str) -> None:
        print(f"[{time.perf_counter() - started:6.0f} s] {msg}", flush=True)

    shapes = validation.shapes_graph()
    work = Path(tempfile.mkdtemp(prefix="wkg-incremental-"))
    try:
        results = [run_scale(n, args, shapes, work, log) for n in args.scales]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = report(results, args, time.perf_counter() - started)
    print(text)
    if not args.no_write:
        RESULTS.write_text(text, encoding="utf-8")
    return 0 if all(r.get("agree", True) and r["derive_same"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
