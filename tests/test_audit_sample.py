"""bench/audit.py: the audit sample is reproducible from its seed, stratified, and later draws can
exclude earlier ones (so a held-out sample never repeats a fact used for fixing)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from workforce_kg.store import local as store

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import audit


@pytest.fixture(scope="module")
def graph():
    return store.rdflib_graph()


def test_same_seed_same_sample_other_seed_other_sample(graph):
    a = audit.draw(graph, 7, 60, 5)
    assert a == audit.draw(graph, 7, 60, 5)
    assert a != audit.draw(graph, 8, 60, 5)


def test_sample_is_stratified_and_of_the_asked_size(graph):
    sample = audit.draw(graph, 7, 60, 5)
    assert len(sample) == 60 and len({n for _, n in sample}) == 60
    sizes = {k: len(v) for k, v in audit.population(graph).items()}
    counts = {k: sum(1 for s, _ in sample if s == k) for k in sizes}
    assert all(counts[k] >= min(5, sizes[k]) for k in sizes), counts
    assert counts["responsibility"] > counts["funding"]  # proportional beyond the minimum


def test_excluded_nodes_are_never_drawn(graph):
    first = [n for _, n in audit.draw(graph, 7, 100, 5)]
    second = [n for _, n in audit.draw(graph, 8, 50, 5, exclude=first)]
    assert len(second) == 50 and not set(first) & set(second)


def test_allocation_never_exceeds_a_stratum():
    assert audit.allocate({"a": 2, "b": 100}, 50, 5) == {"a": 2, "b": 48}
    small = audit.allocate({"a": 10, "b": 10, "c": 10}, 6, 5)  # the minimum shrinks to fit the size
    assert small == {"a": 2, "b": 2, "c": 2}


def test_cli_list_and_exclude_file(tmp_path, capsys):
    assert audit.main(["--seed", "3", "--size", "20", "--format", "list"]) == 0
    listed = capsys.readouterr().out
    (tmp_path / "first.txt").write_text(listed, encoding="utf-8")
    assert (
        audit.main(["--seed", "4", "--size", "20", "--format", "list", "--exclude-file", str(tmp_path / "first.txt")])
        == 0
    )
    again = capsys.readouterr().out
    first = {line.split("\t")[1] for line in listed.splitlines()}
    assert len(first) == 20 and not first & {line.split("\t")[1] for line in again.splitlines()}


def test_text_output_shows_the_whole_segment(capsys):
    assert audit.main(["--seed", "3", "--size", "12"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# audit sample: seed 3, 12 nodes")
    assert "segment:" in out and "(segment not found)" not in out
