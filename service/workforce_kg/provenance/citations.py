"""Provenance checks: every fact node has a citation, and every citation's quote is in its source."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Namespace
from rdflib.namespace import RDF, SKOS
from rdflib.term import Node

from workforce_kg import vocab
from workforce_kg.provenance import sources

WKG = Namespace(vocab.WKG)
ORG = Namespace(vocab.ORG)

#: Classes whose instances are facts and must carry at least one citation.
FACT_CLASSES = (
    WKG.Commitment,
    WKG.ManifestoCommitment,
    WKG.Target,
    WKG.Intention,
    WKG.Pledge,
    WKG.Programme,
    WKG.Funding,
    WKG.ProgressFigure,
    WKG.Responsibility,
    WKG.Rating,
    WKG.Evaluation,
    ORG.ChangeEvent,
)


@dataclass(frozen=True)
class Document:
    """A source document as the graph describes it."""

    iri: Node
    file_name: str
    scheme: str
    headings: frozenset[str]


def documents(graph: Graph) -> dict[Node, Document]:
    """The source documents described in ``graph``, keyed by IRI."""
    out = {}
    for doc in graph.subjects(RDF.type, WKG.SourceDocument):
        scheme = graph.value(doc, WKG.locatorScheme)
        out[doc] = Document(
            iri=doc,
            file_name=str(graph.value(doc, WKG.fileName) or ""),
            scheme=str(scheme).rsplit("/", 1)[-1] if scheme else "",
            headings=frozenset(str(h) for h in graph.objects(doc, WKG.sectionHeading)),
        )
    return out


def load_segments(doc: Document, folder: Path) -> dict[str, str]:
    """Segments of one document's text, keyed by locator."""
    text = sources.read_source(folder / doc.file_name)
    return sources.segments(text, doc.scheme, set(doc.headings))


def fact_nodes(graph: Graph) -> set:
    """Every node that is a fact and so needs a citation."""
    nodes: set[Node] = set()
    for cls in FACT_CLASSES:
        nodes.update(graph.subjects(RDF.type, cls))
    return nodes


def check_citations(graph: Graph, folder: Path) -> tuple[int, list[sources.QuoteProblem]]:
    """Check every citation in ``graph`` against the source texts in ``folder``.

    Returns:
        The number of citations checked and the problems found (empty when all are verified).
    """
    docs = documents(graph)
    seg_cache: dict[Node, dict[str, str]] = {}
    problems: list[sources.QuoteProblem] = []
    count = 0
    for subject, citation in graph.subject_objects(WKG.citation):
        count += 1
        doc_iri = graph.value(citation, WKG.document)
        locator = str(graph.value(citation, WKG.locator) or "")
        quote = str(graph.value(citation, WKG.quote) or "")

        def problem(text: str, subject=subject, doc_iri=doc_iri, locator=locator, quote=quote) -> None:
            problems.append(sources.QuoteProblem(str(subject), str(doc_iri), locator, quote, text))

        if doc_iri is None or doc_iri not in docs:
            problem(f"citation names no known source document ({doc_iri})")
            continue
        if doc_iri not in seg_cache:
            seg_cache[doc_iri] = load_segments(docs[doc_iri], folder)
        issue = sources.check_quote(seg_cache[doc_iri], locator, quote)
        if issue:
            problem(issue)
    for node in fact_nodes(graph):
        if graph.value(node, WKG.citation) is None:
            problems.append(sources.QuoteProblem(str(node), "", "", "", "fact has no citation"))
    return count, problems


def label(graph: Graph, node) -> str:
    """The preferred label of a node, or its IRI."""
    return str(graph.value(node, SKOS.prefLabel) or node)


def verified_share(graph: Graph, folder: Path) -> tuple[int, int, list[sources.QuoteProblem]]:
    """How many fact nodes have at least one citation and only verified ones.

    Returns:
        (verified fact nodes, all fact nodes, the problems found).
    """
    _, problems = check_citations(graph, folder)
    bad = {p.subject for p in problems}
    facts = fact_nodes(graph)
    verified = sum(1 for f in facts if str(f) not in bad and graph.value(f, WKG.citation) is not None)
    return verified, len(facts), problems
