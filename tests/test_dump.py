"""dump → restore into an empty store → the identical dataset (canonicalised, so blank nodes compare)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from workforce_kg.cli import app
from workforce_kg.store import local as store

runner = CliRunner()


def canonical(path) -> ox.Dataset:
    ds = ox.Dataset(store.open_store(path).quads_for_pattern(None, None, None, None))
    ds.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return ds


@pytest.mark.parametrize("fmt", ["nquads", "trig"])
def test_dump_restore_round_trip(built_store, tmp_path, fmt):
    dump = tmp_path / f"kg.{fmt}"
    result = runner.invoke(app, ["dump", "--store", str(built_store), "-o", str(dump), "-f", fmt])
    assert result.exit_code == 0, result.output
    target = tmp_path / "restored"
    result = runner.invoke(app, ["restore", str(dump), "--store", str(target), "-f", fmt])
    assert result.exit_code == 0, result.output
    assert store.store_base(target) == store.store_base(built_store)
    original, restored = canonical(built_store), canonical(target)
    assert len(original) == len(restored) > 3000
    assert set(original) == set(restored)


def test_restore_refuses_non_empty_location(built_store, tmp_path):
    dump = tmp_path / "kg.nq"
    runner.invoke(app, ["dump", "--store", str(built_store), "-o", str(dump)])
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "keep.txt").write_text("keep")
    result = runner.invoke(app, ["restore", str(dump), "--store", str(tmp_path / "busy")])
    assert result.exit_code == 1 and (tmp_path / "busy" / "keep.txt").read_text() == "keep"


def test_restore_of_malformed_dump_leaves_nothing(tmp_path):
    bad = tmp_path / "bad.nq"
    bad.write_text("<a> <b> .\n")
    result = runner.invoke(app, ["restore", str(bad), "--store", str(tmp_path / "st")])
    assert result.exit_code == 1
    assert not (tmp_path / "st").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["bad.nq"]


def test_dump_unknown_format_is_usage_error(tmp_path):
    result = runner.invoke(app, ["dump", "-o", str(tmp_path / "x"), "-f", "xml"])
    assert result.exit_code == 2
