"""Benchmarks: SPARQL engine choice and SHACL validation time, each beside a baseline run in the same process.

Run from the repository root:  .venv/bin/python bench/run.py   (writes bench/RESULTS.md)
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from datetime import date
from importlib.metadata import version
from pathlib import Path

import pyoxigraph as ox
import rdflib
from pyshacl import validate as shacl_validate

from workforce_kg import cq as queries
from workforce_kg.store import local as store
from workforce_kg.store.kg import KnowledgeGraph
from workforce_kg.validation import report as validation

OUT = Path(__file__).with_name("RESULTS.md")
REPEAT = 5


def timed(fn, repeat: int = REPEAT) -> list[float]:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return times


def consume(result):
    """Materialise a pyoxigraph result (an ASK answer is a boolean, not an iterator)."""
    return bool(result) if isinstance(result, ox.QueryBoolean) else list(result)


def ms(x: float) -> str:
    return f"{x * 1000:.1f}"


def engines() -> list[str]:
    """Every competency question on rdflib's engine and on Oxigraph, same data, same process."""
    kg = KnowledgeGraph.load()
    g = rdflib.Dataset(default_union=True)
    g.parse(data=kg.store.dump(format=ox.RdfFormat.N_QUADS).decode(), format="nquads")
    ns = kg.prefixes
    lines = ["| query | rdflib (ms, median) | Oxigraph (ms, median) | rdflib / Oxigraph |", "|---|---:|---:|---:|"]
    tot_r = tot_o = 0.0
    for cq in queries.load():
        o = statistics.median(timed(lambda cq=cq: consume(kg.query(cq.sparql))))
        try:
            r = statistics.median(timed(lambda cq=cq: list(g.query(cq.sparql, initNs=ns)), repeat=1))
        except Exception as exc:  # rdflib cannot run some SPARQL 1.1 forms Oxigraph accepts
            lines.append(f"| {cq.name} | error: {exc.__class__.__name__} | {ms(o)} | – |")
            continue
        tot_r += r
        tot_o += o
        lines.append(f"| {cq.name} | {ms(r)} | {ms(o)} | {r / o:.0f}× |")
    lines.append(f"| **suite total** | **{ms(tot_r)}** | **{ms(tot_o)}** | **{tot_r / tot_o:.0f}×** |")
    return lines


def validation_times() -> list[str]:
    """Our validation path against pySHACL's general RDFS inference on the same graph and shapes."""
    files = store.bundled_files()
    onto = store.rdflib_graph([f for f in files if f.graph_name.startswith("ontology/")])
    data = store.rdflib_graph([f for f in files if not f.graph_name.startswith("ontology/")])
    shapes = validation.shapes_graph()
    ours = timed(lambda: validation.validate_graph(data, onto, shapes), repeat=3)
    parse = timed(lambda: validation.validate_files(), repeat=3)
    base = timed(
        lambda: shacl_validate(
            data, shacl_graph=shapes, ont_graph=onto, inference="rdfs", advanced=True, allow_warnings=True
        ),
        repeat=1,
    )
    return [
        "| what | seconds (median) | ratio to baseline |",
        "|---|---:|---:|",
        f'| baseline: pySHACL with `inference="rdfs"` and the ontology as `ont_graph` | {statistics.median(base):.2f} '
        "| 1.00 |",
        "| `validation.validate_graph` (our one-pass entailment, no pySHACL inference) | "
        f"{statistics.median(ours):.2f} | {statistics.median(ours) / statistics.median(base):.2f} |",
        f"| `workforce-kg validate` path incl. parsing the Turtle (`validate_files`) | {statistics.median(parse):.2f} "
        f"| {statistics.median(parse) / statistics.median(base):.2f} |",
        "",
        f"Graph: {len(data)} data triples, {len(onto)} ontology triples, {len(shapes)} shape triples.",
    ]


def main() -> None:
    started = time.time()
    sections = [
        "# Benchmark results",
        "",
        f"Command: `.venv/bin/python bench/run.py` (from the repository root). Date: {date.today().isoformat()}.",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"rdflib {version('rdflib')}, pyoxigraph {version('pyoxigraph')}, pyshacl {version('pyshacl')}.",
        "Each figure is beside a baseline measured in the same run.",
        "",
        "## SPARQL engine: rdflib vs Oxigraph on the competency questions (in process)",
        "",
        f"Oxigraph median of {REPEAT} runs; rdflib one run (it is slow). Same data (the bundled graph, union default "
        "graph).",
        "",
        *engines(),
        "",
        "Decision: Oxigraph (pyoxigraph) is the engine of the store, the endpoint and the CLI.",
        "",
        "## SHACL validation of the bundled graph",
        "",
        *validation_times(),
        "",
        f"(bench took {time.time() - started:.0f} s)",
    ]
    OUT.write_text("\n".join(sections) + "\n", encoding="utf-8")
    print(OUT.read_text())


if __name__ == "__main__":
    sys.exit(main())
