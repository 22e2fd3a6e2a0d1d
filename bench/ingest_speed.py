"""Speed and memory of ``workforce-kg ingest`` on a 100,000-word document (issue 15: ≤ 20 s, ≤ 1 GiB, one core).

The document is generated at run time from templates of the genre (a government response with headings
and numbered paragraphs: commitments with deadlines, funding with recurrence, figures in percent,
percentage points, FTE and people, bodies that the graph knows and new ones, responsibilities), perturbed by
a seeded random choice of bodies, amounts, dates and wording. No source prose is used.

Each measurement runs in a fresh subprocess pinned to one core (``os.sched_setaffinity``); wall time is
taken around the subprocess, CPU time and peak memory (maximum resident set size) are that child's own, from
``os.wait4``. The baseline is the same text read and cut
into segments (``read_text`` + ``detect_scheme`` + ``sources.segments``) in the same kind of subprocess, so
the ratio says what extraction, linking and the draft cost on top of the reading the pipeline cannot avoid.

    PYTHONPATH=$PWD/service .venv/bin/python bench/ingest_speed.py            # writes the Speed section
    PYTHONPATH=$PWD/service .venv/bin/python bench/ingest_speed.py --words 20000 --no-write
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "RESULTS-ingest.md"
SPEED_MARK = "## Speed"
LIMIT_S, LIMIT_MIB = 20.0, 1024.0

KNOWN = [
    ("the Department of Health and Social Care", "the Department"),
    ("NHS England", "NHS England"),
    ("Skills for Care", "Skills for Care"),
    ("the Care Quality Commission (CQC)", "the CQC"),
    ("the Local Government Association", "the LGA"),
    ("NHS Employers", "NHS Employers"),
    ("the General Medical Council", "the GMC"),
    ("HM Treasury", "HM Treasury"),
]
TOWNS = ["Ashcombe", "Brierley", "Caldmoor", "Dunmere", "Eastleigh Vale", "Fernhill", "Grayford", "Holmbrook"]
KINDS = ["Integrated Care Board", "NHS Foundation Trust", "County Council", "University", "Care Association"]
PROGRAMMES = [
    "Care Workforce Pathway",
    "Retention Programme",
    "International Recruitment Fund",
    "Leadership Academy",
    "Workforce Data Set",
    "Apprenticeship Scheme",
    "Digital Skills Framework",
    "Wellbeing Hub",
]
ROLES = [
    "nurses",
    "midwives",
    "paramedics",
    "care workers",
    "GPs",
    "social workers",
    "pharmacists",
    "physician associates",
]
MONTHS = ["January", "March", "April", "June", "September", "December"]


def body(rng: random.Random) -> str:
    if rng.random() < 0.6:
        return rng.choice(KNOWN)[0]
    return f"{rng.choice(TOWNS)} {rng.choice(KINDS)}"


def money(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.4:
        return f"£{rng.randint(2, 950)} million"
    if r < 0.6:
        return f"£{rng.randint(1, 9)}.{rng.randint(1, 9)} billion"
    if r < 0.8:
        return f"£{rng.randint(1, 99) * 1000:,}"
    return f"£{rng.randint(2, 90)}m"


def sentence(rng: random.Random, year: int) -> str:
    """One sentence of the genre, chosen and filled at random."""
    y = year + rng.randint(0, 5)
    prog = rng.choice(PROGRAMMES)
    templates = [
        lambda: f"We will recruit {rng.randint(2, 60) * 500:,} more {rng.choice(ROLES)} by {rng.choice(MONTHS)} {y}.",
        lambda: f"{body(rng).capitalize()} will lead the {prog}, working with {body(rng)}.",
        lambda: f"The Government is investing {money(rng)} over {rng.randint(2, 5)} years in the {prog}.",
        lambda: f"{body(rng).capitalize()} will provide {money(rng)} a year to support the {prog}.",
        lambda: f"The vacancy rate fell to {rng.randint(30, 140) / 10}% in {y - 1}/{str(y)[2:]}.",
        lambda: f"Turnover rose by {rng.randint(1, 40) / 10} percentage points to {rng.randint(80, 190) / 10}%.",
        lambda: (
            f"There were {rng.randint(1000, 90000):,} FTE {rng.choice(ROLES)} in post, a headcount of "
            f"{rng.randint(1000, 99000):,} people."
        ),
        lambda: f"We will publish the {prog} by the end of {y}, and report on progress every year.",
        lambda: f"{body(rng).capitalize()} is responsible for the {prog} and will report to {body(rng)}.",
        lambda: f"We will consider whether to extend the {prog} to {rng.choice(ROLES)} next year.",
        lambda: f"Funding of up to £{rng.randint(1, 20) * 500:,} per learner is available through the {prog}.",
        lambda: "We agree with the Committee that the workforce needs a long-term plan.",
        lambda: f"This builds on the commitments made in {y - 3} and the evidence we received from {body(rng)}.",
        lambda: f"The {prog} was commissioned by {body(rng)} in {rng.choice(MONTHS)} {y - 1}.",
    ]
    return rng.choice(templates)()


def generate(words: int, seed: int = 0, year: int = 2025) -> str:
    """A government-response-like text of at least ``words`` words: headings and numbered paragraphs."""
    rng = random.Random(seed)
    lines = ["Government response to the Committee's report on the health and social care workforce", ""]
    n, count, section = 0, 0, 0
    while count < words:
        if n % 12 == 0:
            section += 1
            heading = (
                f"Recommendation {section}: {rng.choice(PROGRAMMES).lower()} and the {rng.choice(ROLES)} workforce"
            )
            lines += [heading, ""]
            count += len(heading.split())
        n += 1
        para = f"{n}. " + " ".join(sentence(rng, year) for _ in range(rng.randint(2, 5)))
        lines += [para, ""]
        count += len(para.split())
    return "\n".join(lines)


CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
mode, path = sys.argv[1], sys.argv[2]
from workforce_kg.provenance import sources
from workforce_kg.ingest import read_text
t_import = time.perf_counter() - t0
if mode == "baseline":
    t1 = time.perf_counter()
    text = read_text(path)
    scheme = sources.detect_scheme(text)
    headings = set(sources.detect_headings(text)) if scheme == "heading-paragraph" else None
    segs = sources.segments(text, scheme, headings)
    out = {"work": time.perf_counter() - t1, "segments": len(segs), "scheme": scheme}
else:
    from workforce_kg.ingest import ingest
    t1 = time.perf_counter()
    draft = ingest(path, "speed-test", date="2025-06-01", title="Speed test")
    t2 = time.perf_counter()
    ttl = draft.turtle()
    report = draft.report("json")
    t3 = time.perf_counter()
    out = {"work": t3 - t1, "ingest": t2 - t1, "serialise": t3 - t2, "candidates": len(draft.candidates),
           "triples": len(draft.graph), "turtle_bytes": len(ttl), "report_bytes": len(report)}
out["import"] = t_import
print(json.dumps(out))
"""


def run_child(args: list[str], cpu: int) -> dict:
    """Run ``args`` pinned to one core: wall time, CPU time and peak RSS (MiB) of that child, its output.

    ``os.wait4`` returns the resource usage of exactly this child (its own ``ru_maxrss``)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "service"), os.environ.get("PYTHONPATH", "")])}
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            args, stdout=out, stderr=err, text=True, env=env, preexec_fn=lambda: os.sched_setaffinity(0, {cpu})
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, so Popen must not wait again
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode != 0:
        raise SystemExit(f"child failed ({proc.returncode}): {stderr.strip()[-2000:]}")
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "peak_mib": usage.ru_maxrss / 1024,
        "stdout": stdout,
        "stderr": stderr,
    }


def measure(path: Path, cpu: int, repeat: int, cli: bool) -> dict:
    """Baseline first (smaller), then the ingest, each ``repeat`` times; best wall time kept."""
    res: dict = {"load": [os.getloadavg()[0]]}
    runs = [("baseline", [sys.executable, "-c", CHILD, "baseline", str(path)])]
    runs.append(("ingest", [sys.executable, "-c", CHILD, "ingest", str(path)]))
    if cli:
        base = [sys.executable, "-m", "workforce_kg", "ingest", str(path), "--document-id", "speed-test"]
        base += [
            "--date",
            "2025-06-01",
            "-o",
            str(path.with_suffix(".ttl")),
            "--report",
            str(path.with_suffix(".json")),
        ]
        runs.append(("cli-no-validate", [*base, "--no-validate"]))
        runs.append(("cli", base))
    for name, args in runs:
        best = None
        for _ in range(repeat):
            r = run_child(args, cpu)
            if not name.startswith("cli"):
                r.update(json.loads(r["stdout"].strip().splitlines()[-1]))
            if best is None or r["wall"] < best["wall"]:
                best = r
        res[name] = best
    res["load"].append(os.getloadavg()[0])
    return res


def verdict(r: dict) -> str:
    """The target on wall time, and on CPU time (what a quiet core would take) when the wall time misses it."""
    if r["peak_mib"] > LIMIT_MIB:
        return "**not met** (memory)"
    if r["wall"] <= LIMIT_S:
        return "met"
    return "met on CPU time, not on wall time (loaded machine)" if r["cpu"] <= LIMIT_S else "**not met**"


def render(res: dict, words: int, path: Path, command: str, cpu: int) -> str:
    b, i = res["baseline"], res["ingest"]
    lines = [
        SPEED_MARK,
        "",
        f"Command: `{command}`  ",
        f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {platform.machine()}, Python {platform.python_version()}, "
        f"pinned to CPU {cpu} (the machine has {os.cpu_count()} cores shared with other jobs; load average "
        f"{res['load'][0]:.1f} before and {res['load'][1]:.1f} after the run: with a load above the core count a "
        "process gets only part of its core, so its wall time exceeds its CPU time, and the CPU time is the "
        "figure to compare with the target).",
        "",
        f"Document: {words:,} words generated from templates of the genre (`{path.name}`, "
        f"{path.stat().st_size / 1e6:.2f} MB, scheme detected: {b.get('scheme')}, {b.get('segments'):,} segments). "
        f"Draft: {i['candidates']:,} candidates, {i['triples']:,} triples.",
        "",
        "| step | wall time (process) | CPU time | work inside | peak RSS | target |",
        "|---|---:|---:|---:|---:|---|",
        f"| baseline: read + detect scheme + segment | {b['wall']:.2f} s | {b['cpu']:.2f} s | {b['work']:.2f} s "
        f"| {b['peak_mib']:.0f} MiB | – |",
        f"| ingest (API: read … draft, Turtle and JSON report) | {i['wall']:.2f} s | {i['cpu']:.2f} s "
        f"| {i['work']:.2f} s "
        f"(ingest {i['ingest']:.2f} s + serialise {i['serialise']:.2f} s) | {i['peak_mib']:.0f} MiB | "
        f"≤ {LIMIT_S:.0f} s, ≤ {LIMIT_MIB:.0f} MiB: {verdict(i)} |",
    ]
    for name, what in (
        ("cli-no-validate", "`workforce-kg ingest … -o … --report ….json --no-validate`"),
        ("cli", "`workforce-kg ingest … -o … --report ….json` (validates the draft with the graph: pySHACL)"),
    ):
        if name in res:
            c = res[name]
            lines.append(
                f"| {what} | {c['wall']:.2f} s | {c['cpu']:.2f} s | – | {c['peak_mib']:.0f} MiB | {verdict(c)} |"
            )
    lines += [
        "",
        f"Ratio against the baseline: wall time {i['wall'] / b['wall']:.1f}×, CPU time {i['cpu'] / b['cpu']:.1f}×, "
        f"work inside the process "
        f"{i['work'] / b['work']:.0f}× (reading and segmenting take {b['work']:.2f} s of it); the process start "
        f"and imports take {b['import']:.2f} s (baseline) and {i['import']:.2f} s (ingest). Peak RSS is each "
        "process's own maximum resident set size (os.wait4).",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--words", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=1, help="runs per step; the fastest is kept")
    ap.add_argument("--cpu", type=int, default=0, help="the core to pin the children to")
    ap.add_argument("--cli", action="store_true", help="also time the CLI command")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "speed-100k.txt"
        path.write_text(generate(args.words, args.seed), encoding="utf-8")
        words = len(path.read_text(encoding="utf-8").split())
        res = measure(path, args.cpu, args.repeat, args.cli)
        command = (
            "PYTHONPATH=$PWD/service .venv/bin/python bench/ingest_speed.py"
            + (" " + " ".join(argv if argv is not None else sys.argv[1:])).rstrip()
        )
        text = render(res, words, path, command, args.cpu)
    print(text)
    if args.no_write:
        return 0
    old = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    head = (
        old[: old.index(SPEED_MARK)].rstrip() + "\n\n" if SPEED_MARK in old else (old.rstrip() + "\n\n" if old else "")
    )
    RESULTS.write_text(head + text, encoding="utf-8")
    print(f"wrote {RESULTS}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
