"""Shape tests are data: tests/shapes/valid/*.ttl conform; each tests/shapes/invalid/*.ttl breaks one
rule and declares the node shape and the number of results it expects."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import RDF, SH

from workforce_kg.paths import GRAPH_DIR
from workforce_kg.store import local as store
from workforce_kg.validation import report as validation

HERE = Path(__file__).parent / "shapes"
VALID = sorted((HERE / "valid").glob("*.ttl"))
INVALID = sorted((HERE / "invalid").glob("*.ttl"))


@pytest.fixture(scope="module")
def context():
    """Ontology, shapes and the reference data (schemes, organisations, documents) the cases use."""
    files = [f for f in store.bundled_files() if f.graph_name.startswith("ontology/")]
    onto = store.rdflib_graph(files)
    ref = Graph()
    for name in ("reference/schemes.ttl", "reference/organisations.ttl", "documents.ttl"):
        ref.parse(GRAPH_DIR / name, format="turtle")
    return onto, ref, validation.shapes_graph()


def run(path: Path, context) -> validation.Report:
    onto, ref, shapes = context
    data = Graph()
    data += ref
    data.parse(path, format="turtle")
    return validation.validate_graph(data, onto, shapes)


def expectations(path: Path) -> tuple[str, int]:
    text = path.read_text()
    shape = re.search(r"^# expect-shape: (\S+)", text, re.M).group(1)
    count = int(re.search(r"^# expect-count: (\d+)", text, re.M).group(1))
    return shape, count


def test_cases_found():
    assert len(VALID) >= 1 and len(INVALID) >= 25


def test_every_node_shape_has_an_invalid_case(context):
    _, _, shapes = context
    targeted = {
        validation.short_name(shapes, s)
        for s in shapes.subjects(RDF.type, SH.NodeShape)
        if any(
            shapes.value(s, p) is not None for p in (SH.targetClass, SH.targetObjectsOf, SH.targetSubjectsOf, SH.target)
        )
    }
    covered = {expectations(p)[0] for p in INVALID}
    assert targeted <= covered, f"node shapes without an invalid case: {sorted(targeted - covered)}"


@pytest.mark.parametrize("path", VALID, ids=[p.stem for p in VALID])
def test_valid_cases_conform(path, context):
    report = run(path, context)
    assert report.conforms and report.warnings == 0, report.as_text()


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_cases_are_caught(path, context):
    shape, count = expectations(path)
    report = run(path, context)
    mine = [r for r in report.results if r.node_shape == shape]
    assert len(mine) == count, f"expected {count} result(s) from {shape}, got:\n{report.as_text()}"
