"""Shape tests are data: tests/shapes/valid/*.ttl conform; each tests/shapes/invalid/*.ttl breaks one
rule and declares, in comment lines at its top, the node shape it exercises and every result it expects:

    # expect-shape: shp:FundingShape
    # expect: fund:t schema:value sh:MinInclusiveConstraintComponent

one ``# expect:`` line per result: focus node, path (``^p`` inverse, ``-`` none) and constraint component,
in the case's own prefixes. A blank focus node is named by the triple that reaches it: ``prog:t/wkg:citation``
is the object of ``prog:t wkg:citation``. The report must hold exactly these results (as a multiset)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
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


def load(path: Path, context) -> Graph:
    """The case's data with the reference data it uses."""
    _, ref, _ = context
    data = Graph()
    data += ref
    data.parse(path, format="turtle")
    return data


def run(path: Path, context) -> validation.Report:
    onto, _, shapes = context
    return validation.validate_graph(load(path, context), onto, shapes)


def expectations(path: Path) -> tuple[str, list[tuple[str, str, str]]]:
    """The node shape a case exercises and its expected results as (focus, path, component) in its prefixes."""
    text = path.read_text()
    shape = re.search(r"^# expect-shape: (\S+)", text, re.M).group(1)
    expected = re.findall(r"^# expect: (\S+) (\S+) (\S+)[ \t]*$", text, re.M)
    return shape, expected


def resolved(path: Path, data: Graph, expected: list[tuple[str, str, str]]) -> Counter:
    """The expected results as the report writes them: focus as the full IRI (or the blank node's id), path
    as :func:`validation.short_name` renders it in ``data``, component by its local name."""
    prefixes = dict(re.findall(r"^@prefix (\w*):\s*<([^>]*)>", path.read_text(), re.M))

    def iri(curie: str) -> URIRef:
        prefix, local = curie.split(":", 1)
        return URIRef(prefixes[prefix] + local)

    out: Counter = Counter()
    for focus, prop, component in expected:
        if "/" in focus:  # the blank node that subject/predicate leads to
            subject, predicate = focus.split("/")
            (node,) = data.objects(iri(subject), iri(predicate))
        else:
            node = iri(focus)
        shown = (
            ""
            if prop == "-"
            else ("^" if prop.startswith("^") else "") + validation.short_name(data, iri(prop.removeprefix("^")))
        )
        out[(str(node), shown, component.removeprefix("sh:"))] += 1
    return out


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


def test_expectations_are_complete():
    """Every invalid case declares its results; none keeps the old count-only header."""
    for path in INVALID:
        shape, expected = expectations(path)
        assert expected, f"{path.name}: no '# expect:' line"
        assert "# expect-count:" not in path.read_text(), path.name


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_cases_are_caught(path, context):
    onto, _, shapes = context
    shape, expected = expectations(path)
    data = load(path, context)
    report = validation.validate_graph(data, onto, shapes)
    got = Counter((r.focus, r.path, r.component) for r in report.results)
    assert got == resolved(path, data, expected), report.as_text()
    assert any(r.node_shape == shape for r in report.results), f"no result from {shape}:\n{report.as_text()}"
