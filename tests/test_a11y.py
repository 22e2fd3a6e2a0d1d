"""Phones and accessibility, in Chromium: the main pages have no horizontal overflow at 390 px wide,
and axe-core (from npm) finds no serious or critical violation on them.

axe-core is a test tool: it is read from ``web/node_modules`` and put into the page by the test
(``add_init_script``, which the browser runs outside the page's CSP), never served by the service — so
it is not in ``VENDOR_FILES`` and production pages carry none of its 500 kB.
"""

from __future__ import annotations

import os

import pytest

from conftest import screenshot
from workforce_kg.web.routes.pages import NODE_MODULES

AXE = NODE_MODULES / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}

#: (name, path, a selector present once the page is ready)
PAGES = [
    ("home", "/", "main h1"),
    ("query", "/query", ".CodeMirror"),
    ("ratings", "/ratings", "main h1"),
    ("commitment", "/doc/commitment/nurses-50k", "main h1"),
    ("rated-commitment", "/doc/commitment/ep-1-workforce-requirements", "section.glance"),
    ("body", "/doc/organisation/dhsc", "main h1"),
    ("graph", "/graph?focus=nhse", "#cy[data-state=ready]"),
    ("matrix", "/matrix", "table"),
    ("gaps", "/gaps", "main h1"),
    ("docs", "/docs", ".swagger-ui .info .title"),
    ("redoc", "/redoc", "#redoc h1"),
    ("prefixes", "/prefixes", "table.prefixes"),
    ("search", "/search?q=nurses", "main h1"),
]


def open_page(page, base_url: str, name: str, path: str, ready: str) -> None:
    response = page.goto(base_url + path)
    assert response is not None
    assert response.status == 200, (path, response.status)
    page.wait_for_selector(ready, timeout=30_000)
    page.wait_for_timeout(300)  # let scripts settle (tables, graph layout)


@pytest.mark.browser
@pytest.mark.parametrize("name, path, ready", PAGES, ids=[p[0] for p in PAGES])
def test_no_horizontal_overflow_on_a_phone(page, live_server, name, path, ready):
    page.set_viewport_size(PHONE)
    open_page(page, live_server.url, name, path, ready)
    width = page.evaluate("document.documentElement.scrollWidth")
    screenshot(page, f"phone-{name}")
    if width > PHONE["width"]:
        wide = page.evaluate(
            """(limit) => [...document.querySelectorAll("body *")]
                .filter(e => e.getBoundingClientRect().right > limit + 1 && !e.closest("[data-scrolls]"))
                .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
                  + (e.className && typeof e.className === "string" ? "." + e.className.split(" ").join(".") : ""))""",
            PHONE["width"],
        )
        pytest.fail(f"{path} is {width} px wide at {PHONE['width']} px; the widest elements: {wide}")


@pytest.mark.browser
@pytest.mark.parametrize("name, path, ready", PAGES, ids=[p[0] for p in PAGES])
def test_axe_finds_no_serious_violation(page, live_server, name, path, ready):
    if not AXE.is_file():
        problem = f"{AXE} is missing: run 'cd web && npm ci'"
        if os.environ.get("CI"):
            pytest.fail(problem)
        pytest.skip(problem)
    page.add_init_script(script=AXE.read_text(encoding="utf-8"))
    open_page(page, live_server.url, name, path, ready)
    violations = page.evaluate(
        """async () => (await axe.run(document, { resultTypes: ["violations"] })).violations.map(v => ({
              id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.slice(0, 3).map(
                n => n.target.join(" ") + ": " + n.failureSummary.split("\\n").slice(1, 2)),
              count: v.nodes.length }))"""
    )
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    report = "\n".join(
        f"- {v['impact']} {v['id']} ({v['count']}×): {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in serious
    )
    assert not serious, f"axe-core on {path}:\n{report}"
