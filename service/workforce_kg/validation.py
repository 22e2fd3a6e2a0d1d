"""SHACL validation with pySHACL, returning a typed report; the data graph is never modified.

Validation sees the ontology plus the data plus the RDFS types they entail (the superclasses of
every asserted type, and the range type of citation nodes), so an instance of a subclass satisfies
``sh:class`` of its superclass. The entailment is computed here in one pass rather than by pySHACL's
general RDFS reasoner, which is some twenty times slower on this graph and adds nothing the shapes use.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, SH, SKOS

from . import store as stores
from .paths import SHAPES_DIR, turtle_files

WKG = Namespace("https://w3id.org/workforce-kg/def/")


@dataclass(frozen=True)
class Result:
    """One validation result."""

    focus: str
    label: str
    document: str
    shape: str
    path: str
    value: str
    message: str
    severity: str  # Violation, Warning or Info
    component: str
    node_shape: str = ""  # the node shape the result belongs to (the parent of a property shape)

    def as_dict(self) -> dict:
        return self.__dict__.copy()


@dataclass
class Report:
    """A validation report: conforms unless there is a Violation; warnings are listed."""

    conforms: bool
    results: list[Result] = field(default_factory=list)
    graph: Graph = field(default_factory=Graph)

    @property
    def violations(self) -> int:
        return sum(r.severity == "Violation" for r in self.results)

    @property
    def warnings(self) -> int:
        return sum(r.severity == "Warning" for r in self.results)

    def by_focus(self) -> dict[str, list[Result]]:
        groups: dict[str, list[Result]] = defaultdict(list)
        for r in sorted(self.results, key=lambda r: (r.severity != "Violation", r.focus, r.path)):
            groups[r.focus].append(r)
        return dict(groups)

    def as_json(self) -> dict:
        return {
            "conforms": self.conforms,
            "violations": self.violations,
            "warnings": self.warnings,
            "results": [r.as_dict() for r in self.results],
        }

    def as_text(self) -> str:
        lines = [
            f"{'Conforms' if self.conforms else 'Does not conform'}: "
            f"{self.violations} violation(s), {self.warnings} warning(s)"
        ]
        for focus, results in self.by_focus().items():
            first = results[0]
            where = f" [{first.document}]" if first.document else ""
            lines.append(f"\n{first.label or focus}  <{focus}>{where}")
            for r in results:
                value = f" value {r.value}" if r.value else ""
                path = f" {r.path}" if r.path else ""
                lines.append(f"  {r.severity}:{path}{value}: {r.message}  ({r.shape})")
        return "\n".join(lines)


def shapes_graph(shapes_dir: Path = SHAPES_DIR) -> Graph:
    g = Graph()
    for path in turtle_files(shapes_dir):
        g.parse(path, format="turtle")
    return g


def _short(graph: Graph, node) -> str:
    if node is None:
        return ""
    if isinstance(node, URIRef):
        try:
            return graph.namespace_manager.normalizeUri(node)
        except Exception:  # pragma: no cover - odd IRIs
            return str(node)
    if isinstance(node, Literal):
        return repr(str(node)) if node.datatype is None else f'"{node}"^^{_short(graph, node.datatype)}'
    return str(node)


def _document_of(data: Graph, node) -> str:
    for citation in data.objects(node, WKG.citation):
        doc = data.value(citation, WKG.document)
        if doc is not None:
            return str(data.value(doc, WKG.fileName) or doc)
    return ""


def superclasses(ontology: Graph) -> dict:
    """Each class of ``ontology`` mapped to all its (transitive) superclasses."""
    direct: dict = defaultdict(set)
    for sub, sup in ontology.subject_objects(RDFS.subClassOf):
        if isinstance(sup, URIRef):
            direct[sub].add(sup)
    closure = {}
    for cls in direct:
        seen, todo = set(), list(direct[cls])
        while todo:
            c = todo.pop()
            if c not in seen:
                seen.add(c)
                todo.extend(direct.get(c, ()))
        closure[cls] = seen
    return closure


def entailed(data: Graph, ontology: Graph | None) -> Graph:
    """A new graph: ontology + data + the RDFS types the shapes rely on (``data`` is not modified)."""
    out = Graph()
    for prefix, ns in data.namespaces():
        out.bind(prefix, ns, override=False)
    if ontology is not None:
        out += ontology
    out += data
    closure = superclasses(out)
    for node, cls in list(out.subject_objects(RDF.type)):
        for sup in closure.get(cls, ()):
            out.add((node, RDF.type, sup))
    for citation in set(out.objects(None, WKG.citation)):
        out.add((citation, RDF.type, WKG.Citation))
    return out


def validate_graph(data: Graph, ontology: Graph | None = None, shapes: Graph | None = None) -> Report:
    """Validate ``data`` (with ``ontology`` for RDFS inference) against ``shapes``."""
    shapes = shapes_graph() if shapes is None else shapes
    if len(shapes) == 0:
        return Report(True)
    conforms, report_graph, _ = shacl_validate(
        entailed(data, ontology),
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=True,
        inplace=True,
    )
    results = []
    for res in report_graph.subjects(RDF.type, SH.ValidationResult):
        focus = report_graph.value(res, SH.focusNode)
        source = report_graph.value(res, SH.sourceShape)
        parent = source if (source, RDF.type, SH.NodeShape) in shapes else shapes.value(None, SH.property, source)
        severity = report_graph.value(res, SH.resultSeverity)
        results.append(
            Result(
                focus=str(focus),
                label=str(data.value(focus, SKOS.prefLabel) or ""),
                document=_document_of(data, focus),
                shape=_short(shapes, parent if isinstance(source, BNode) and parent is not None else source),
                path=_short(data, report_graph.value(res, SH.resultPath)),
                value=_short(data, report_graph.value(res, SH.value)),
                message=str(report_graph.value(res, SH.resultMessage) or ""),
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                component=str(report_graph.value(res, SH.sourceConstraintComponent) or "").rsplit("#", 1)[-1],
                node_shape=_short(shapes, parent),
            )
        )
    return Report(bool(conforms), results, report_graph)


def validate_files(files: list[stores.SourceFile] | None = None, shapes_dir: Path = SHAPES_DIR) -> Report:
    """Validate Turtle files (default: the bundled ontology and graph)."""
    files = stores.bundled_files() if files is None else files
    ontology = stores.rdflib_graph([f for f in files if f.graph_name.startswith("ontology/")])
    data = stores.rdflib_graph([f for f in files if not f.graph_name.startswith("ontology/")])
    return validate_graph(data, ontology, shapes_graph(shapes_dir))
