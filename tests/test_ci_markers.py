"""Tests that need something outside Python (Java for HermiT) skip on a developer's machine without it,
but fail when ``CI`` is set, so CI never passes by skipping them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent


@pytest.mark.parametrize(("ci", "outcome"), [("1", "1 error"), ("", "1 skipped")])
def test_java_tests_without_java(tmp_path, ci, outcome):
    """A PATH with no ``java`` on it: the reasoning tests error under CI and skip outside it."""
    no_java = tmp_path / "bin"
    no_java.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env.update(PATH=str(no_java), **({"CI": ci} if ci else {}))
    target = f"{HERE / 'test_reasoning.py'}::test_reason_cli_exit_codes"
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", target],
        cwd=HERE.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert outcome in run.stdout, run.stdout + run.stderr
    assert "Java not found" in run.stdout or not ci, run.stdout
    assert (run.returncode != 0) == bool(ci), run.stdout
