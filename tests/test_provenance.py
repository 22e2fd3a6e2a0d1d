"""Every quote is verbatim in its source, inside the segment its locator names; every fact is cited."""

from __future__ import annotations

import pytest
from rdflib import BNode, Graph, Literal, URIRef

from workforce_kg.provenance import citations as provenance
from workforce_kg.provenance import sources
from workforce_kg.provenance.citations import WKG


def test_every_citation_is_verified(graph, sources_dir):
    count, problems = provenance.check_citations(graph, sources_dir)
    assert count > 300, "suspiciously few citations: is the graph loaded?"
    assert not problems, "\n".join(f"{p.subject} [{p.locator}] {p.quote[:60]!r}: {p.problem}" for p in problems[:30])


def test_every_fact_node_has_a_verified_quote(graph, sources_dir):
    verified, total, _ = provenance.verified_share(graph, sources_dir)
    assert total > 200
    assert verified == total


def test_every_document_file_exists(graph, sources_dir):
    docs = provenance.documents(graph)
    assert len(docs) == 5
    for doc in docs.values():
        assert (sources_dir / doc.file_name).is_file(), doc.file_name
        assert doc.scheme in sources.SCHEMES


def _with_citation(graph: Graph, locator: str, quote: str) -> Graph:
    g = Graph()
    g += graph
    node = URIRef("https://w3id.org/workforce-kg/id/commitment/test-mutant")
    c = BNode()
    g.add((node, WKG.citation, c))
    g.add((c, WKG.document, URIRef("https://w3id.org/workforce-kg/id/document/hscc-expert-panel-govt-response-2023")))
    g.add((c, WKG.locator, Literal(locator)))
    g.add((c, WKG.quote, Literal(quote)))
    return g


@pytest.mark.parametrize(
    "locator, quote, expected",
    [
        ("19", "The integration of HEE with NHSE from April 2023", None),
        ("19", "The integration of HEE with NHS England from April 2023", "does not occur"),
        ("18", "The integration of HEE with NHSE from April 2023", "not under locator"),
        ("999", "The integration of HEE with NHSE from April 2023", "does not exist"),
    ],
)
def test_checker_catches_wrong_quotes_and_locators(graph, sources_dir, locator, quote, expected):
    _, problems = provenance.check_citations(_with_citation(graph, locator, quote), sources_dir)
    mine = [p for p in problems if p.subject.endswith("test-mutant")]
    if expected is None:
        assert not mine
    else:
        assert len(mine) == 1 and expected in mine[0].problem


def test_uncited_fact_is_reported(graph, sources_dir):
    g = Graph()
    g += graph
    node = URIRef("https://w3id.org/workforce-kg/id/programme/uncited")
    g.add((node, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), WKG.Programme))
    _, problems = provenance.check_citations(g, sources_dir)
    assert any(p.subject == str(node) and "no citation" in p.problem for p in problems)


@pytest.mark.parametrize(
    "text, quote, ok",
    [
        ("a  b\n c", "a b c", True),
        ("<p>Inadequate</p>\t<p>Good</p>", "Inadequate Good", True),
        ("**Bold** words", "Bold words", True),
        ("A&amp;E", "A&E", True),
        ("it’s", "it's", False),  # typographic apostrophes stay as they are
    ],
)
def test_normalise(text, quote, ok):
    assert (sources.normalise(quote) in sources.normalise(text)) is ok


def test_segmenters():
    numbered = sources.segments(
        "### Heading\nintro\n1. One.\n - bullet\n2. Two.\n## Next\n3. Three.", "numbered-paragraph"
    )
    assert numbered["1"] == "1. One. - bullet"
    assert numbered["Heading"] == "Heading intro"
    assert numbered["3"] == "3. Three."
    hp = sources.segments(
        "Title\n\nFirst para.\n\nSecond para.\nSection\nThird.", "heading-paragraph", {"Title", "Section"}
    )
    assert hp["Title ¶2"] == "Second para."
    assert hp["Section ¶1"] == "Third."
    minutes = sources.segments("Intro\n·  One\n·  Two\n1)  Resolved.", "minutes")
    assert (
        minutes["bullet 2"] == "· Two"
        and minutes["resolution 1"] == "1) Resolved."
        and minutes["paragraph 1"] == "Intro"
    )
    sentences = sources.segments("First one. Second “quoted” one. Third", "sentence")
    assert sentences["sentence 2"] == "Second “quoted” one."
    with pytest.raises(ValueError):
        sources.segments("x", "no-such-scheme")
