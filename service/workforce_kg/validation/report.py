"""SHACL validation with pySHACL, returning a typed report; the data graph is never modified.

:func:`validate_graph` validates a whole graph; :func:`validate_change` validates a change to a store,
in time that grows with the change rather than the store (writes use it).

Validation sees the ontology plus the data plus the RDFS types they entail (the superclasses of
every asserted type, and the range type of citation nodes), so an instance of a subclass satisfies
``sh:class`` of its superclass. The entailment is computed here in one pass rather than by pySHACL's
general RDFS reasoner, which is some twenty times slower on this graph and adds nothing the shapes use.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pyshacl import validate as shacl_validate
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, SH, SKOS

from workforce_kg import vocab
from workforce_kg.paths import SHAPES_DIR, turtle_files
from workforce_kg.store import local as stores
from workforce_kg.vocab import DEFAULT_BASE_IRI, prefixes

WKG = Namespace(vocab.WKG)


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


def short_name(graph: Graph, node) -> str:
    """``node`` as it reads in a report: a prefixed name where ``graph`` knows the prefix, a quoted literal."""
    if node is None:
        return ""
    if isinstance(node, URIRef):
        try:
            return graph.namespace_manager.normalizeUri(node)
        except Exception:  # pragma: no cover - odd IRIs
            return str(node)
    if isinstance(node, Literal):
        return repr(str(node)) if node.datatype is None else f'"{node}"^^{short_name(graph, node.datatype)}'
    return str(node)


def _path(report: Graph, data: Graph, path) -> str:
    """A result path: an IRI, or ``^IRI`` for an inverse path (not the blank node's random name)."""
    inverse = report.value(path, SH.inversePath) if isinstance(path, BNode) else None
    return "^" + short_name(data, inverse) if inverse is not None else short_name(data, path)


def _label_of(data: Graph, node) -> str:
    """The node's preferred label (the first in order when it has several)."""
    labels: list[Any] = list(data.objects(node, SKOS.prefLabel))
    return str(min(labels, default=""))


def _document_of(data: Graph, node) -> str:
    """The file name of a document citing ``node`` (the first by name, so that it does not depend on the
    order the graph yields its triples in)."""
    names = []
    for citation in data.objects(node, WKG.citation):
        doc = data.value(citation, WKG.document)
        if doc is not None:
            names.append(str(data.value(doc, WKG.fileName) or doc))
    return min(names, default="")


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
    return _validate(data, ontology, shapes)


def _validate(data: Graph, ontology: Graph | None, shapes: Graph | None, keep=None) -> Report:
    """:func:`validate_graph`, keeping only the results for which ``keep(result)`` is true (default: all);
    the report graph loses the others, and ``conforms`` is then about the kept results."""
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
    # the report's results; those nested under them (sh:detail: why a value fails sh:node) stay in the
    # report graph as explanations, but are not results of their own (their node is not a target)
    for res in list(report_graph.objects(None, SH.result)):
        focus = report_graph.value(res, SH.focusNode)
        source = report_graph.value(res, SH.sourceShape)
        parent = source if (source, RDF.type, SH.NodeShape) in shapes else shapes.value(None, SH.property, source)
        severity = report_graph.value(res, SH.resultSeverity)
        result = Result(
            focus=str(focus),
            label=_label_of(data, focus),
            document=_document_of(data, focus),
            shape=short_name(shapes, parent if isinstance(source, BNode) and parent is not None else source),
            path=_path(report_graph, data, report_graph.value(res, SH.resultPath)),
            value=short_name(data, report_graph.value(res, SH.value)),
            message=str(report_graph.value(res, SH.resultMessage) or ""),
            severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
            component=str(report_graph.value(res, SH.sourceConstraintComponent) or "").rsplit("#", 1)[-1],
            node_shape=short_name(shapes, parent),
        )
        if keep is None or keep(result):
            results.append(result)
        else:
            remove_result(report_graph, res)
    if keep is not None:
        conforms = not any(r.severity == "Violation" for r in results)
        for node in report_graph.subjects(RDF.type, SH.ValidationReport):
            report_graph.set((node, SH.conforms, Literal(conforms)))
    return Report(bool(conforms), results, report_graph)


def validate_files(files: list[stores.SourceFile] | None = None, shapes_dir: Path = SHAPES_DIR) -> Report:
    """Validate Turtle files (default: the bundled ontology and graph)."""
    files = stores.bundled_files() if files is None else files
    ontology = stores.rdflib_graph([f for f in files if f.graph_name.startswith("ontology/")])
    data = stores.rdflib_graph([f for f in files if not f.graph_name.startswith("ontology/")])
    return validate_graph(data, ontology, shapes_graph(shapes_dir))


# -- Validating a change -----------------------------------------------------------------------------
#
# A write changes a few nodes of a large graph. Validating the whole graph again costs time in proportion
# to its size (pySHACL took 36 s on the 100x graph); validate_change instead finds the nodes whose results
# the change can alter (touched), copies from the store what the shapes that target them read
# (neighbourhood), and validates that copy with pySHACL. What a shape targets and reads is worked out
# from the shapes graph (ShapeReach), so a new property shape needs no change here; a SPARQL-based
# shape must be described in SPARQL_SHAPES (a test checks that each one is).

#: What selects the focus nodes of each SPARQL-based shape (its target or constraint query matches only
#: nodes with a value for each of these predicates, local names in ``wkg:``), and what it reads on their
#: values. RatingUniqueShape also reads other ratings: a rating's "twins" (see :func:`_twins`).
SPARQL_SHAPES = {
    "PeriodOrderShape": ({"startDate", "endDate"}, set()),
    "DeadlineAfterMadeShape": ({"deadline", "dateMade"}, set()),
    "RatingUniqueShape": ({"evaluation", "ratedCommitment", "dimension", "citation"}, {"locator"}),
}

RDF_TYPE_IRI = str(RDF.type)
#: Constraints that read a value node's statements through another shape.
NESTING = (SH.node, SH.qualifiedValueShape, SH["or"], SH["and"], SH.xone, SH["not"])


#: Constraints that compare a property with another one of the same focus node.
PAIRS = (SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals)


def _shape_closure(shapes: Graph, shape) -> set:
    """``shape`` and the shapes under it: blank nodes (property shapes, lists, anonymous shapes) and the
    named shapes they use."""
    seen, todo = set(), [shape]
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        todo.extend(
            o
            for o in shapes.objects(node, None)
            if isinstance(o, BNode)
            or (o, RDF.type, SH.NodeShape) in shapes
            or (o, RDF.type, SH.PropertyShape) in shapes
        )
    return seen


def _paths(shapes: Graph, nodes) -> tuple[set, set]:
    """The predicates the shapes ``nodes`` read on their focus node: forward (property paths, and the
    other property of ``sh:lessThan`` …), and inverse (``sh:inversePath``)."""
    forward: set[str] = set()
    inverse: set[str] = set()
    for node in nodes:
        if (node, SH.closed, Literal(True)) in shapes:
            raise ValueError("validate_change does not handle sh:closed (it reads every predicate)")
        forward.update(str(o) for c in PAIRS for o in shapes.objects(node, c))
        for path in shapes.objects(node, SH.path):
            if isinstance(path, URIRef):
                forward.add(str(path))
            elif isinstance(shapes.value(path, SH.inversePath), URIRef):
                inverse.add(str(shapes.value(path, SH.inversePath)))
            else:
                raise ValueError(f"validate_change handles simple and inverse paths only, not {path!r}")
    return forward, inverse


def _value_reads(shapes: Graph, used) -> set:
    """The predicates read on a value node checked against the shape ``used`` (a value's type is read
    anyway). Only one level is supported: the property shapes of ``used`` may not check their own values
    against classes or other shapes."""
    props = {n for n in _shape_closure(shapes, used) if (n, SH.path, None) in shapes}
    below = {n for p in props for n in _shape_closure(shapes, p)}
    forward, inverse = _paths(shapes, below)
    if inverse or any((n, c, None) in shapes for n in below for c in (SH["class"], *NESTING)):
        raise ValueError(
            "validate_change reads one level below a value node: no sh:class, nested shape or "
            "inverse path in the property shapes of a shape that values are checked against"
        )
    return forward


@dataclass(frozen=True)
class TargetedShape:
    """A node shape with targets: what selects its focus nodes and what it reads on them (IRI strings).

    ``requires`` is set for a SPARQL-based shape: the predicates a node needs to be selected.
    ``reads`` are the predicates it reads on a focus node (its paths and those of the shapes it uses),
    ``inverse`` those it follows backwards (value → focus node).
    """

    name: str
    classes: frozenset
    subjects_of: frozenset
    objects_of: frozenset
    requires: frozenset | None
    reads: frozenset
    inverse: frozenset

    def applies(self, classes: set, outgoing: set, incoming: set) -> bool:
        """Whether a node with these types (superclasses included), outgoing and incoming predicates is
        a focus node of this shape (for a SPARQL-based shape: may be)."""
        if self.requires is not None and self.requires <= outgoing:
            return True
        return bool(self.classes & classes or self.subjects_of & outgoing or self.objects_of & incoming)


@dataclass(frozen=True)
class ShapeReach:
    """What the shapes read, found from the shapes graph (predicates as IRI strings).

    - ``shapes``: each node shape with targets (:class:`TargetedShape`);
    - ``on_values``: what constraints read on a value node: ``rdf:type`` (``sh:class``), the paths of the
      shapes a value is checked against (``sh:node``, ``sh:qualifiedValueShape``, ``sh:or`` …), and what
      the SPARQL-based shapes read on values;
    - ``forward`` and ``inverse``: the predicates of all property paths; ``objects_of``: all the
      predicates of ``sh:targetObjectsOf``.
    """

    shapes: tuple
    on_values: frozenset
    forward: frozenset
    inverse: frozenset
    objects_of: frozenset

    @classmethod
    def of(cls, shapes: Graph) -> ShapeReach:
        wkg = str(WKG)
        on_values = {RDF_TYPE_IRI}
        for prop in set(shapes.subjects(SH.path, None)):  # the shapes the values of a property are checked against
            for used in (o for c in NESTING for o in shapes.objects(prop, c)):
                on_values |= _value_reads(shapes, used)
        targeted = []
        for shape in set(shapes.subjects(RDF.type, SH.NodeShape)):
            if (shape, SH.targetNode, None) in shapes or (shape, RDF.type, RDFS.Class) in shapes:
                raise ValueError(f"validate_change does not handle sh:targetNode or implicit class targets ({shape})")
            classes = set(shapes.objects(shape, SH.targetClass))
            subjects_of, objects_of = (
                set(shapes.objects(shape, SH.targetSubjectsOf)),
                set(shapes.objects(shape, SH.targetObjectsOf)),
            )
            name = str(shape).rsplit("/", 1)[-1]
            sparql = (shape, SH.sparql, None) in shapes or (shape, SH.target, None) in shapes
            if sparql and name not in SPARQL_SHAPES:
                raise ValueError(f"validate_change does not know what the SPARQL-based shape {name} reads")
            if not (classes or subjects_of or objects_of or sparql):
                continue  # used by other shapes only
            forward, inverse = _paths(shapes, _shape_closure(shapes, shape))  # and a few read on values: harmless
            requires = None
            if sparql:
                requires = frozenset(wkg + p for p in SPARQL_SHAPES[name][0])
                forward |= requires
                on_values |= {wkg + p for p in SPARQL_SHAPES[name][1]}
            targeted.append(
                TargetedShape(
                    name,
                    frozenset(str(c) for c in classes),
                    frozenset(str(p) for p in subjects_of),
                    frozenset(str(p) for p in objects_of),
                    requires,
                    frozenset(forward | {RDF_TYPE_IRI}),
                    frozenset(inverse),
                )
            )
        forward, inverse = _paths(shapes, set(shapes.subjects(SH.path, None)))
        return cls(
            tuple(sorted(targeted, key=lambda t: t.name)),
            frozenset(on_values),
            frozenset(forward),
            frozenset(inverse),
            frozenset(p for t in targeted for p in t.objects_of),
        )


@dataclass
class Focus:
    """The nodes whose validation results a change can alter (pyoxigraph terms): see :func:`touched`."""

    nodes: set

    def __post_init__(self):
        self.names = {str(to_rdflib(n)) for n in self.nodes}

    def covers(self, result: Result) -> bool:
        """Whether ``result`` (of validating any graph) is about a node of this focus."""
        return result.focus in self.names


def _ox():
    import pyoxigraph

    return pyoxigraph


def to_rdflib(term):
    """A pyoxigraph term as rdflib parses it from Turtle (plain strings have no datatype)."""
    ox = _ox()
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == "http://www.w3.org/2001/XMLSchema#string":
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def rdflib_graph_of(triples, base: str | None = None) -> Graph:
    """pyoxigraph triples or quads (graph names dropped) as an rdflib Graph with our prefixes bound."""

    g = Graph()
    for prefix, ns in prefixes(base or DEFAULT_BASE_IRI).items():
        g.bind(prefix, ns, override=True)
    for t in triples:
        g.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return g


def touched(store, added=(), removed=(), shapes: Graph | None = None) -> Focus:
    """The nodes whose results a change to ``store`` (which holds the dataset after the change) can alter.

    - the subjects and the (non-literal) objects of the changed statements: their own statements, or
      what points to them (``sh:targetObjectsOf``, inverse paths), changed;
    - the nodes pointing to a changed blank node (a citation is part of its fact);
    - the nodes pointing, by a property path, to a node whose statements read on values changed
      (:attr:`ShapeReach.on_values`: its type for ``sh:class``, its scheme for ``sh:node`` …), and the
      nodes it points to by a path followed backwards (a commitment reads its responsibilities' roles);
    - the ratings that share an evaluation, a commitment and a dimension with a rating of the above
      (``RatingUniqueShape`` compares them), before or after the change.
    """
    ox = _ox()
    reach = ShapeReach.of(shapes_graph() if shapes is None else shapes)
    changed = [(t.subject, t.predicate, t.object) for t in (*added, *removed)]
    nodes = {s for s, _, _ in changed} | {o for _, _, o in changed if not isinstance(o, ox.Literal)}
    todo = [s for s, _, _ in changed if isinstance(s, ox.BlankNode)]
    while todo:
        for q in store.quads_for_pattern(None, None, todo.pop(), None):
            if q.subject not in nodes:
                nodes.add(q.subject)
                if isinstance(q.subject, ox.BlankNode):
                    todo.append(q.subject)
    for s in {s for s, p, _ in changed if p.value in reach.on_values}:
        nodes.update(
            q.subject for q in store.quads_for_pattern(None, None, s, None) if q.predicate.value in reach.forward
        )
        nodes.update(
            q.object for q in store.quads_for_pattern(s, None, None, None) if q.predicate.value in reach.inverse
        )
    nodes |= _twins(store, nodes, removed)
    return Focus(nodes)


def _twins(store, nodes, removed=()) -> set:
    """Ratings that share an evaluation, a rated commitment and a dimension with one of ``nodes``, in the
    store or through the ``removed`` statements (the ratings a changed rating was a twin of)."""
    ox = _ox()
    rated, evaluation, dimension = (ox.NamedNode(str(WKG[p])) for p in ("ratedCommitment", "evaluation", "dimension"))
    gone = defaultdict(set)
    for t in removed:
        gone[t.subject, t.predicate].add(t.object)

    def values(node, pred) -> set:
        return {q.object for q in store.quads_for_pattern(node, pred, None, None)} | gone[node, pred]

    out = set()
    for node in nodes:
        for commitment in values(node, rated):
            for q in store.quads_for_pattern(None, rated, commitment, None):
                if (
                    q.subject != node
                    and values(q.subject, evaluation) & values(node, evaluation)
                    and values(q.subject, dimension) & values(node, dimension)
                ):
                    out.add(q.subject)
    return out


def neighbourhood(store, focus: Focus, shapes: Graph | None = None) -> set:
    """The statements of ``store`` that validating the nodes of ``focus`` reads (pyoxigraph triples).

    For each node: its types; the statements the shapes that target it read (:class:`TargetedShape`),
    forward and backwards; on the nodes at the other end, what constraints read on a value
    (:attr:`ShapeReach.on_values`); one statement pointing to it for each ``sh:targetObjectsOf``
    predicate, so that it is a focus node of the same shapes as in the whole graph. Plus every
    ``rdfs:subClassOf`` statement, for the type entailment of :func:`entailed`.
    """
    ox = _ox()
    reach = ShapeReach.of(shapes_graph() if shapes is None else shapes)
    subclass = [q.triple for q in store.quads_for_pattern(None, ox.NamedNode(str(RDFS.subClassOf)), None, None)]
    supers = superclasses(rdflib_graph_of(subclass))
    out: set = set(subclass)
    on_values, seen = [ox.NamedNode(p) for p in reach.on_values], set()

    def value(node) -> None:
        if not isinstance(node, ox.Literal) and node not in seen:
            seen.add(node)
            out.update(q.triple for p in on_values for q in store.quads_for_pattern(node, p, None, None))

    for node in focus.nodes:
        outgoing = list(store.quads_for_pattern(node, None, None, None))
        classes = {URIRef(q.object.value) for q in outgoing if q.predicate.value == RDF_TYPE_IRI}
        class_names = {str(c) for c in classes | {s for c in classes for s in supers.get(c, ())}}
        first = [next(store.quads_for_pattern(None, ox.NamedNode(p), node, None), None) for p in reach.objects_of]
        pointing = [q for q in first if q is not None]
        applicable = [
            s
            for s in reach.shapes
            if s.applies(class_names, {q.predicate.value for q in outgoing}, {q.predicate.value for q in pointing})
        ]
        reads = {p for s in applicable for p in s.reads}
        out.update(q.triple for q in pointing)
        for q in outgoing:
            if q.predicate.value in reads:
                out.add(q.triple)
                value(q.object)
        for pred in {p for s in applicable for p in s.inverse}:
            for q in store.quads_for_pattern(None, ox.NamedNode(pred), node, None):
                out.add(q.triple)
                value(q.subject)
    return out


def validate_change(store, added=(), removed=(), shapes: Graph | None = None, base: str | None = None) -> Report:
    """Validate a change to a store: what it touches, with the results validating the whole graph gives there.

    Args:
        store: a ``pyoxigraph.Store`` holding the whole dataset *after* the change, the ontology included;
            validation sees the union of its graphs.
        added: the statements the change added (``pyoxigraph.Triple`` or ``Quad``; the graph is ignored).
        removed: the statements it removed.
        shapes: the shapes graph (default: the bundled shapes).
        base: the store's base IRI, for the prefixes in the report (default: the canonical one).

    Returns:
        A :class:`Report` with exactly the results that :func:`validate_graph` gives on the whole resulting
        graph for the nodes whose results the change can alter (:func:`touched`). ``conforms`` is false
        when one of them is a violation; results elsewhere, which the change cannot have caused or
        mended, are not reported. A change to the class hierarchy (``rdfs:subClassOf``) can alter any
        result: the whole graph is then validated.

    The cost grows with the change and what the shapes read around it, not with the graph.
    """
    shapes = shapes_graph() if shapes is None else shapes
    added, removed = list(added), list(removed)
    if any(t.predicate.value == str(RDFS.subClassOf) for t in (*added, *removed)):
        return _validate(rdflib_graph_of(store, base), None, shapes)
    focus = touched(store, added, removed, shapes)
    report = _validate(rdflib_graph_of(neighbourhood(store, focus, shapes), base), None, shapes, keep=focus.covers)
    # the label and document of a result, read from the store (the neighbourhood may lack them)
    nodes = {str(to_rdflib(n)): n for n in focus.nodes}
    report.results = [
        replace(r, label=_store_label_of(store, nodes[r.focus]), document=_store_document_of(store, nodes[r.focus]))
        for r in report.results
    ]
    return report


def _store_label_of(store, node) -> str:
    """:func:`_label_of` read from the store."""
    ox = _ox()
    labels = store.quads_for_pattern(node, ox.NamedNode(str(SKOS.prefLabel)), None, None)
    return min((q.object.value for q in labels), default="")


def _store_document_of(store, node) -> str:
    """:func:`_document_of` read from the store."""
    ox = _ox()
    citation, document, file_name = (ox.NamedNode(str(WKG[p])) for p in ("citation", "document", "fileName"))
    names = []
    for c in store.quads_for_pattern(node, citation, None, None):
        for d in store.quads_for_pattern(c.object, document, None, None):
            f = next(store.quads_for_pattern(d.object, file_name, None, None), None)
            names.append(f.object.value if f is not None else d.object.value)
    return min(names, default="")


def remove_result(graph: Graph, result) -> None:
    """Remove one result from a report graph: its statements, the link to it and its nested results
    (``sh:detail``, made for it alone). The other nodes it points to (shapes, paths, values) are left
    alone: other results may point to them too."""
    for detail in list(graph.objects(result, SH.detail)):
        remove_result(graph, detail)
    graph.remove((None, SH.result, result))
    graph.remove((None, SH.detail, result))
    graph.remove((result, None, None))
