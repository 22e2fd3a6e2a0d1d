"""The package's architecture holds: layers, the web framework in one subpackage, no import cycle, no
private name used across modules.

The contracts live in ``pyproject.toml`` (``[tool.importlinter]``) and are checked here with
import-linter, whose import graph (grimp) counts imports inside functions too; the cycle and private-name
checks below are made directly on that graph and on the package's syntax trees.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grimp
import networkx as nx
import pytest

import workforce_kg

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = Path(workforce_kg.__file__).resolve().parent


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("workforce_kg", include_external_packages=True, cache_dir=None)


def test_the_package_under_test_is_this_checkout():
    assert PACKAGE == ROOT / "service" / "workforce_kg"


def test_import_linter_contracts_are_kept():
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())",
            "--no-cache",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


def test_grimp_sees_imports_inside_functions(graph):
    # `workforce-kg serve` imports the web app inside the command's function only
    assert graph.direct_import_exists(importer="workforce_kg.cli.serve", imported="workforce_kg.web.app")


def test_no_import_cycle_between_modules(graph):
    edges = nx.DiGraph()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            edges.add_edge(module, imported)
    cycles = [c for c in nx.simple_cycles(edges) if len(c) > 1]
    assert cycles == []


def test_web_framework_only_under_web(graph):
    for framework in ("fastapi", "starlette"):
        importers = {
            m
            for m in graph.modules
            if m.startswith("workforce_kg.")
            and any(i.split(".")[0] == framework for i in graph.find_modules_directly_imported_by(m))
        }
        assert importers, framework  # the graph holds external packages
        assert {m for m in importers if not m.startswith("workforce_kg.web.")} == set()


def _private_imports(path: Path) -> list[str]:
    """``from workforce_kg... import _name`` and ``module._name`` uses of our modules in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    ours = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("workforce_kg")
        for alias in node.names
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("workforce_kg"):
            found += [
                f"{node.module}.{a.name}" for a in node.names if a.name.startswith("_") and not a.name.startswith("__")
            ]
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in ours
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
        ):
            found.append(f"{node.value.id}.{node.attr}")
    return found


def test_no_private_name_used_outside_its_module():
    uses = {
        str(p.relative_to(ROOT)): found
        for p in [*PACKAGE.rglob("*.py"), *(ROOT / "tests").glob("*.py"), *(ROOT / "bench").glob("*.py")]
        if (found := _private_imports(p))
    }
    assert uses == {}


def test_worker_processes_do_not_import_pydantic():
    """Query, validation and write workers are spawned afresh (and again after each kill); the modules
    they run import no pydantic (the settings are read in the parent and passed to them)."""
    code = (
        "import sys, workforce_kg.sparql.executor, workforce_kg.writes.worker, workforce_kg.validation.upload;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'pydantic_settings', 'fastapi')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
