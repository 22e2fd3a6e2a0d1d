"""Selecting a link in the graph view, timed inside headless Chromium (issue 16's "7-24 s per selection").

For each focus: load /graph, expand every collapsed group, then click buttons of the links table (which
select their link and fill the quote panel) and time, with ``performance.now()`` in the page, the click
handler and the two animation frames after it (the redraw). Beside it, the cost that was mistaken for the
page's: a ``page.evaluate`` that returns a Cytoscape collection (as ``cy.edges()[0].select()`` or
``edge.emit('tap')`` do), which Playwright serialises object by object — the whole graph with its renderer.

    PYTHONPATH=$PWD/service .venv/bin/python -m workforce_kg serve --port 8765 &
    .venv/bin/python bench/graph_select.py --url http://127.0.0.1:8765

Prints a Markdown table; the tests assert no timings.
"""

from __future__ import annotations

import argparse
import statistics
import time

from playwright.sync_api import sync_playwright

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
CLICK = """i => { const b = document.querySelectorAll('#edge-table tbody button')[i];
    const t0 = performance.now(); b.click(); const t1 = performance.now();
    return new Promise(res => requestAnimationFrame(() => requestAnimationFrame(() =>
        res([t1 - t0, performance.now() - t1, cy.edges(':selected').length]))));
}"""


def measure(page, url: str, focus: str, clicks: int) -> dict:
    """Times for one focus: expanding the groups, table clicks, and evaluate returning null vs a collection."""
    page.goto(f"{url}/graph?focus={focus}")
    page.wait_for_selector("#cy[data-state=ready]", timeout=120_000)
    expand = []
    while page.evaluate("cy.nodes('.summary').length"):
        expand.append(
            page.evaluate(
                "() => { const t = performance.now(); cy.nodes('.summary')[0].emit('tap'); "
                "return performance.now() - t; }"
            )
        )
    size = page.evaluate("[cy.nodes().length, cy.edges().length]")
    n = page.evaluate("document.querySelectorAll('#edge-table tbody button').length")
    handler, frames = [], []
    for k in range(clicks):
        js, redraw, selected = page.evaluate(CLICK, k * n // clicks)
        assert selected == 1, "a table button did not select its link"
        handler.append(js)
        frames.append(redraw)
    t = time.perf_counter()
    page.evaluate("cy.edges()[0].select(); null")
    as_null = time.perf_counter() - t
    t = time.perf_counter()
    page.evaluate("cy.edges()[1].select()")  # returns the collection: serialised by Playwright
    as_collection = time.perf_counter() - t
    return {
        "focus": focus,
        "size": size,
        "expand": max(expand, default=0),
        "handler": handler,
        "frames": frames,
        "null": as_null,
        "collection": as_collection,
    }


def main() -> None:
    """Measure each focus in a fresh page and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", required=True, help="a running `workforce-kg serve`")
    ap.add_argument("--focus", action="append", help="repeatable (default: body:hee, body:dhsc, depth 3)")
    ap.add_argument("--clicks", type=int, default=8)
    a = ap.parse_args()
    foci = a.focus or ["body:hee", "body:dhsc", "body:dhsc&depth=3"]
    print(
        "| focus | nodes, edges drawn | slowest group expansion | click handler median / max | redraw median /"
        " max | evaluate → null | evaluate → collection |\n|---|---|---|---|---|---|---|"
    )
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for focus in foci:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            r = measure(page, a.url.rstrip("/"), focus, a.clicks)
            page.close()
            print(
                f"| `{r['focus']}` | {r['size'][0]}, {r['size'][1]} | {r['expand']:.0f} ms "
                f"| {statistics.median(r['handler']):.0f} / {max(r['handler']):.0f} ms "
                f"| {statistics.median(r['frames']):.0f} / {max(r['frames']):.0f} ms "
                f"| {r['null'] * 1000:.0f} ms | {r['collection']:.1f} s |",
                flush=True,
            )
        browser.close()


if __name__ == "__main__":
    main()
