"""Score the test documents of ``tests/ingest_docs`` (all, or those named) in one or all four formats.

Uses the scorer and inventories of ``tests/test_ingest_docs.py``; prints found/expected per kind, the
totals, and (``--misses``) what was missed. Used to measure the held-out documents before and after a
change to the extractor::

    PYTHONPATH=$PWD/service .venv/bin/python bench/ingest_docs_score.py icb-board-paper ni-workforce-plan \
        trust-board-minutes --formats all --misses
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, os.environ.get("INGEST_SERVICE", str(REPO / "service")))  # another checkout's code, to compare
sys.path.insert(0, str(REPO / "tests"))


def main(argv: list[str] | None = None) -> int:
    import test_ingest_docs as t
    from workforce_kg import store
    from workforce_kg.ingest import ingest

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("names", nargs="*", help="document names (default: all)")
    ap.add_argument("--formats", default="native", help="native | all | comma-separated list")
    ap.add_argument("--misses", action="store_true", help="list the missed items")
    ap.add_argument(
        "--min-confidence",
        type=float,
        default=0.0,
        help="score only candidates at or above this confidence (as `review --min-confidence` keeps)",
    )
    args = ap.parse_args(argv)
    names = args.names or sorted(t.EXPECTED)
    graph = store.rdflib_graph()
    totals: dict[str, list[int]] = {}
    kinds: list[str] = []
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            fmts = (
                [t.native_format(name)]
                if args.formats == "native"
                else list(t.FORMATS)
                if args.formats == "all"
                else args.formats.split(",")
            )
            for fmt in fmts:
                path = t.render(name, fmt, Path(tmp))
                draft = ingest(path, **t.EXPECTED[name]["options"], graph=graph)
                g = draft.graph
                if args.min_confidence:
                    low = [
                        s
                        for s, c in g.subject_objects(t.WKG.confidence)
                        if float(c) < args.min_confidence and (s, t.RDF.type, None) in g
                    ]
                    for s in low:
                        g.remove((s, None, None))
                scores = t.Scorer(g, graph, draft.report("json")).score(t.EXPECTED[name])
                kinds = [*scores, "commitments right/drafted", "responsibilities right/drafted"]
                cells = []
                for kind, (found, total, missed) in scores.items():
                    acc = totals.setdefault(kind, [0, 0])
                    acc[0] += found
                    acc[1] += total
                    cells.append(f"{found}/{total}" if total else "–")
                    if args.misses and missed:
                        print(f"  {name}.{fmt} {kind} missed: {missed}", file=sys.stderr)
                for kind, classes in (
                    ("commitments", t.COMMITMENT_CLASSES),
                    ("responsibilities", {t.WKG.Responsibility}),
                ):
                    drafted = len({n for c in classes for n in g.subjects(t.RDF.type, c)})
                    acc = totals.setdefault(f"{kind} drafted", [0, 0])
                    acc[0] += scores[kind][0]
                    acc[1] += drafted
                    cells.append(f"{scores[kind][0]}/{drafted}")
                rows.append(f"| {name}.{fmt} | " + " | ".join(cells) + " |")
    print("| document | " + " | ".join(kinds) + " |")
    print("|---|" + "---|" * len(kinds))
    print("\n".join(rows))
    print("| **all** | " + " | ".join(f"**{a}/{b}**" if b else "–" for a, b in totals.values()) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
