"""OWL reasoning with owlready2 and HermiT: consistency, and the types the reasoner infers.

owlready2 does not read Turtle, so the graph is converted with rdflib to RDF/XML first. Literals
whose datatype is outside the OWL 2 datatype map (``xsd:date``, ``xsd:gYear``, ``xsd:gYearMonth``), and
range axioms naming those datatypes, are left out of what the reasoner sees and counted in the report:
HermiT rejects them, and SHACL checks those values instead.
"""

from __future__ import annotations

import io
import shutil
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, XSD

NOT_IN_OWL2_DATATYPE_MAP = {XSD.gYear, XSD.gYearMonth, XSD.gMonth, XSD.gDay, XSD.gMonthDay, XSD.date, XSD.duration}


class ReasonerUnavailable(RuntimeError):
    """Java (needed by HermiT) is not on the PATH."""


@dataclass
class ReasoningReport:
    """What the reasoner found."""

    consistent: bool
    inferred_types: list[tuple[str, str]] = field(default_factory=list)  # (individual IRI, class IRI)
    dropped_literals: int = 0
    explanation: str = ""


def reasoner_graph(graph: Graph) -> tuple[Graph, int]:
    """The part of ``graph`` HermiT can take, and how many literals were left out."""
    out = Graph()
    dropped = 0
    for s, p, o in graph:
        if (isinstance(o, Literal) and o.datatype in NOT_IN_OWL2_DATATYPE_MAP) or o in NOT_IN_OWL2_DATATYPE_MAP:
            dropped += 1
            continue
        out.add((s, p, o))
    return out, dropped


def _asserted_types(graph: Graph) -> set[tuple[str, str]]:
    return {(str(s), str(o)) for s, o in graph.subject_objects(RDF.type) if isinstance(s, URIRef)}


def reason(graph: Graph) -> ReasoningReport:
    """Run HermiT over ``graph`` (ontology plus data) and report consistency and inferred types."""
    if shutil.which("java") is None:
        raise ReasonerUnavailable("HermiT needs Java on the PATH (install a JRE, e.g. openjdk-17-jre)")
    import owlready2

    owlready2.JAVA_EXE = shutil.which("java")
    send, dropped = reasoner_graph(graph)
    data = send.serialize(format="xml").encode("utf-8")
    world = owlready2.World()
    onto = world.get_ontology("http://workforce-kg.invalid/reasoning-input.owl")
    onto.load(fileobj=io.BytesIO(data))
    try:
        with onto:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    except owlready2.OwlReadyInconsistentOntologyError as exc:
        return ReasoningReport(
            False, [], dropped, str(exc).strip().splitlines()[0] if str(exc).strip() else "inconsistent"
        )
    before = _asserted_types(graph)
    inferred = []
    for ind in world.individuals():
        for cls in ind.is_a:
            iri = getattr(cls, "iri", None)
            if iri and iri != str(OWL.Thing) and (ind.iri, iri) not in before:
                inferred.append((ind.iri, iri))
    return ReasoningReport(True, sorted(inferred), dropped)
