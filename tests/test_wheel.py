"""The package works from a non-editable install: the wheel carries the Turtle and the queries."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_install_runs_stats(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)], check=True, capture_output=True
    )
    wheel = next(dist.glob("workforce_kg-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "workforce_kg/data/ontology/workforce.ttl" in names
    assert any(n.startswith("workforce_kg/data/graph/reference/") for n in names)
    assert any(n.startswith("workforce_kg/data/shapes/") for n in names)
    assert any(n.startswith("workforce_kg/queries/") and n.endswith(".rq") for n in names)
    assert any(n.startswith("workforce_kg/analysis/lint_checks/") and n.endswith(".rq") for n in names)
    assert "workforce_kg/analysis/queries/properties.rq" in names
    assert any(n.startswith("workforce_kg/web/static/") and n.endswith(".js") for n in names)
    assert {"workforce_kg/web/routes/sparql.py", "workforce_kg/store/kg.py", "workforce_kg/vocab.py"} <= set(names)
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    env = {**os.environ, "PYTHONPATH": str(target), "WORKFORCE_KG_STORE": str(tmp_path / "store")}
    where = subprocess.run(
        [sys.executable, "-c", "import workforce_kg; print(workforce_kg.__file__)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.startswith(str(target))
    stats = subprocess.run(
        [sys.executable, "-m", "workforce_kg", "stats"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert stats.returncode == 0, stats.stderr
    assert "wkg:Commitment" in stats.stdout
    gaps = subprocess.run(  # the API's own .rq files and the competency questions, read from the wheel
        [
            sys.executable,
            "-c",
            "from workforce_kg.analysis import accountability as a; from workforce_kg.store.kg import KnowledgeGraph;"
            "kg = KnowledgeGraph.load(); print(a.gaps(kg)['programmes_without_lead']['count'],"
            " a.list_commitments(kg, body='nhse')['total'])",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert gaps.returncode == 0, gaps.stderr
    without_lead, nhse_commitments = map(int, gaps.stdout.split())
    assert without_lead > 0 and nhse_commitments > 0
