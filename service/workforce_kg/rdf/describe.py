"""Describe one resource of the graph, and the dataset as a whole, without any web framework.

- :func:`describe` gathers what an entity page shows: label, types, every property with its values,
  incoming links and the provenance citations (document, locator, verbatim quote).
- :func:`cbd` and :func:`serialize` give the resource's RDF: its own triples plus, recursively, those of
  the blank nodes it points to (a Concise Bounded Description without reification,
  https://www.w3.org/submission/CBD/), so each citation travels with the fact it supports.
- :func:`jsonld_context` derives a JSON-LD ``@context`` from the ontology in the store, and
  :func:`compact_jsonld` writes triples as JSON-LD that reads as plain JSON under that context.
- :func:`dataset_description` builds the VoID + DCAT description served at ``/.well-known/void``.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from workforce_kg.rdf import display
from workforce_kg.rdf.scale import concept_class
from workforce_kg.store.kg import KnowledgeGraph
from workforce_kg.store.labels import relation_label
from workforce_kg.vocab import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, SCHEMA, SKOS, VOID, XSD

RDF_TYPE = ox.NamedNode(RDF + "type")
#: ``wkg:`` properties pages leave out (the RDF keeps them): internal file names
HIDDEN = ("fileName",)
#: a repository-relative file path given as a literal (``shared/reference/organisations.csv``): not shown
INTERNAL_PATH = re.compile(r"(?![A-Za-z][A-Za-z0-9+.-]*:)[\w.-]+(?:/[\w.-]+)*\.[A-Za-z0-9]{2,5}")
LABEL_PROPERTIES = [SKOS + "prefLabel", RDFS + "label", DCTERMS + "title", SKOS + "notation"]

# Labels for common reused terms the graph does not label itself.
KNOWN_LABELS = {
    RDF + "type": "type",
    RDFS + "label": "label",
    RDFS + "comment": "comment",
    RDFS + "subClassOf": "subclass of",
    RDFS + "subPropertyOf": "subproperty of",
    RDFS + "domain": "domain",
    RDFS + "range": "range",
    RDFS + "isDefinedBy": "defined by",
    SKOS + "prefLabel": "preferred label",
    SKOS + "altLabel": "alternative label",
    SKOS + "definition": "definition",
    SKOS + "notation": "notation",
    SKOS + "inScheme": "in scheme",
    SKOS + "topConceptOf": "top concept of",
    SKOS + "hasTopConcept": "has top concept",
    SKOS + "broader": "broader",
    SKOS + "narrower": "narrower",
    SKOS + "example": "example",
    DCTERMS + "title": "title",
    DCTERMS + "description": "description",
    DCTERMS + "source": "source",
    DCTERMS + "date": "date",
}

RDF_MEDIA = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}


# -- the description of one resource -----------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """A resource named by IRI (or blank node id), with a human label."""

    iri: str
    label: str
    is_blank: bool = False
    css: str | None = None  # CSS classes: a value of an ordered scale is coloured by its rank (rdf.scale)


@dataclass
class Value:
    """One value of a property: a link, a literal, or a nested blank node (its own properties)."""

    link: Link | None = None
    literal: str | None = None
    language: str | None = None
    datatype: str | None = None  # compact form, e.g. "xsd:date"; None for plain strings, numbers and dates
    text: str | None = None  # the literal as a page shows it: 50,000; 30 September 2019; £55 million
    nested: list[Property] | None = None
    items: list[Value] | None = None  # an RDF list (rdf:first/rdf:rest), in order


@dataclass
class Property:
    predicate: Link
    values: list[Value]


@dataclass
class Citation:
    """Where a fact is written: the document, the locator in it and the verbatim quote."""

    document: Link | None
    locator: str | None
    quote: str | None


@dataclass
class Incoming:
    """A link into the resource: ``subject predicate resource`` (``via`` names a blank node hop)."""

    subject: Link
    predicate: Link
    via: Link | None = None


@dataclass
class IncomingGroup:
    """The links into the resource by one relation (``via`` a blank node hop, or directly): how many
    there are in all, and those shown."""

    predicate: Link
    via: Link | None
    count: int
    links: list[Incoming] = field(default_factory=list)


@dataclass
class Description:
    iri: str
    label: str
    types: list[Link] = field(default_factory=list)
    properties: list[Property] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    incoming: list[Incoming] = field(default_factory=list)
    incoming_total: int = 0
    incoming_groups: list[IncomingGroup] = field(default_factory=list)


def _triples(kg: KnowledgeGraph, s=None, p=None, o=None) -> list[ox.Triple]:
    """Distinct triples of the union of all graphs matching a pattern."""
    seen: dict[tuple, ox.Triple] = {}
    for q in kg.store.quads_for_pattern(s, p, o, None):
        seen.setdefault((q.subject, q.predicate, q.object), ox.Triple(q.subject, q.predicate, q.object))
    return list(seen.values())


def exists(kg: KnowledgeGraph, iri: str) -> bool:
    """Whether ``iri`` occurs in the graph as a subject or an object."""
    node = ox.NamedNode(iri)
    return (
        next(kg.store.quads_for_pattern(node, None, None, None), None) is not None
        or next(kg.store.quads_for_pattern(None, None, node, None), None) is not None
    )


def compact_iri(kg: KnowledgeGraph, iri: str) -> str:
    """``prefix:local`` with the longest matching known namespace, else the IRI itself."""
    best = max(((p, ns) for p, ns in kg.prefixes.items() if iri.startswith(ns)), key=lambda x: len(x[1]), default=None)
    if best is None or not re.fullmatch(r"[\w.-]*", iri[len(best[1]) :]):
        return iri
    return f"{best[0]}:{iri[len(best[1]) :]}"


def label(kg: KnowledgeGraph, term) -> str:
    """The best human label of a term: an English (or untagged) preferred label, else a compact IRI."""
    if isinstance(term, ox.Literal):
        return term.value
    if isinstance(term, ox.BlankNode):
        return "(blank node)"
    for prop in LABEL_PROPERTIES:
        found = [
            q.object
            for q in kg.store.quads_for_pattern(term, ox.NamedNode(prop), None, None)
            if isinstance(q.object, ox.Literal)
        ]
        if found:
            found.sort(key=lambda lit: (lit.language not in ("en", None), lit.language is not None, lit.value))
            return found[0].value
    return KNOWN_LABELS.get(term.value) or relation_label(kg.store, term, kg.base) or compact_iri(kg, term.value)


def _link(kg: KnowledgeGraph, term) -> Link:
    if isinstance(term, ox.BlankNode):
        return Link(term.value, label(kg, term), is_blank=True)
    return Link(term.value, label(kg, term), css=concept_class(kg, term.value))


def _value(kg: KnowledgeGraph, term, depth: int) -> Value:
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        plain = term.language or dt in display.PLAIN
        return Value(
            literal=term.value,
            language=term.language or None,
            datatype=None if plain else compact_iri(kg, dt),
            text=term.value if term.language else display.literal_text(term.value, dt),
        )
    if isinstance(term, ox.BlankNode):
        members = rdf_list(kg, term)
        if members is not None:
            return Value(link=_link(kg, term), items=[_value(kg, m, depth + 1) for m in members])
        nested = _properties(kg, term, depth + 1, skip=()) if depth < 3 else []
        return Value(link=_link(kg, term), nested=nested)
    return Value(link=_link(kg, term))


def rdf_list(kg: KnowledgeGraph, head) -> list | None:
    """The members of the RDF list starting at ``head``, or None if it is not a well-formed list."""
    first, rest, nil = ox.NamedNode(RDF + "first"), ox.NamedNode(RDF + "rest"), ox.NamedNode(RDF + "nil")
    members, seen = [], set()
    while head != nil:
        if head in seen or not isinstance(head, ox.BlankNode):
            return None
        seen.add(head)
        item, nxt = _one(kg, head, first.value), _one(kg, head, rest.value)
        if item is None or nxt is None:
            return None
        members.append(item)
        head = nxt
    return members


def _sort_key(v: Value):
    return (v.literal is None, (v.link.label if v.link else v.literal or "").lower())


def _properties(kg: KnowledgeGraph, subject, depth: int = 0, skip=(RDF + "type",)) -> list[Property]:
    grouped: dict[str, list] = defaultdict(list)
    for t in _triples(kg, subject):
        if t.predicate.value not in skip:
            grouped[t.predicate.value].append(t.object)
    props = [
        Property(_link(kg, ox.NamedNode(p)), sorted((_value(kg, o, depth) for o in objs), key=_sort_key))
        for p, objs in grouped.items()
    ]
    return sorted(props, key=lambda p: (p.predicate.label.lower(), p.predicate.iri))


def _one(kg: KnowledgeGraph, subject, prop: str):
    return next((q.object for q in kg.store.quads_for_pattern(subject, ox.NamedNode(prop), None, None)), None)


def _locator_key(locator: str | None):
    return [int(x) if x.isdigit() else x for x in re.split(r"(\d+)", locator or "")]


def citations(kg: KnowledgeGraph, iri: str) -> list[Citation]:
    """The resource's ``wkg:citation`` nodes as (document, locator, quote), in document and locator order."""
    wkg = kg.prefixes["wkg"]
    out = []
    for t in _triples(kg, ox.NamedNode(iri), ox.NamedNode(wkg + "citation")):
        doc = _one(kg, t.object, wkg + "document")
        locator = _one(kg, t.object, wkg + "locator")
        quote = _one(kg, t.object, wkg + "quote")
        title = _one(kg, doc, DCTERMS + "title") if isinstance(doc, ox.NamedNode) else None
        doc_link = None
        if isinstance(doc, ox.NamedNode):
            doc_link = Link(doc.value, title.value if isinstance(title, ox.Literal) else label(kg, doc))
        out.append(Citation(doc_link, locator.value if locator else None, quote.value if quote else None))
    return sorted(out, key=lambda c: (c.document.label if c.document else "", _locator_key(c.locator), c.quote or ""))


def incoming(kg: KnowledgeGraph, iri: str, limit: int) -> tuple[list[Incoming], int]:
    """Links into ``iri`` (a blank-node subject is replaced by the resources pointing to it); at most ``limit``."""
    rows: dict[tuple, Incoming] = {}
    for t in _triples(kg, None, None, ox.NamedNode(iri)):
        if isinstance(t.subject, ox.BlankNode):
            for owner in _triples(kg, None, None, t.subject):
                key: tuple[str, str, str | None] = (str(owner.subject), owner.predicate.value, t.predicate.value)
                if key not in rows:
                    rows[key] = Incoming(
                        _link(kg, owner.subject), _link(kg, t.predicate), via=_link(kg, owner.predicate)
                    )
        else:
            key = (str(t.subject), t.predicate.value, None)
            if key not in rows:
                rows[key] = Incoming(_link(kg, t.subject), _link(kg, t.predicate))
    found = sorted(rows.values(), key=lambda r: (r.predicate.label.lower(), r.subject.label.lower()))
    return found[:limit], len(found)


def incoming_groups(everything: list[Incoming], shown: int) -> list[IncomingGroup]:
    """Links into a resource (all of :func:`incoming`) grouped by relation (predicate, and the blank-node hop
    if any), each group with its full count and its links among the first ``shown``; largest group first."""
    groups: dict[tuple, IncomingGroup] = {}
    for i, r in enumerate(everything):
        g = groups.setdefault((r.predicate.iri, r.via.iri if r.via else None), IncomingGroup(r.predicate, r.via, 0))
        g.count += 1
        if i < shown:
            g.links.append(r)
    return sorted(groups.values(), key=lambda g: (-g.count, g.predicate.label.lower(), g.via.label if g.via else ""))


def describe(kg: KnowledgeGraph, iri: str, max_incoming: int = 500) -> Description | None:
    """Everything an entity page shows about ``iri``; None if the graph does not mention it."""
    if not exists(kg, iri):
        return None
    node = ox.NamedNode(iri)
    wkg = kg.prefixes["wkg"]
    types = sorted((_link(kg, t.object) for t in _triples(kg, node, RDF_TYPE)), key=lambda link: link.label.lower())
    everything, total = incoming(kg, iri, 10**9)
    properties = _properties(kg, node, skip=(RDF + "type", wkg + "citation", *(wkg + p for p in HIDDEN)))
    for prop in properties:  # internal file paths stay in the RDF, off the page
        prop.values = [v for v in prop.values if v.literal is None or not INTERNAL_PATH.fullmatch(v.literal)]
    properties = [p for p in properties if p.values]
    currency = _one(kg, node, SCHEMA + "currency")
    for prop in properties:  # a sum of money reads as one: £55 million
        if prop.predicate.iri == SCHEMA + "value" and isinstance(currency, ox.Literal):
            for v in prop.values:
                if v.literal is not None and v.datatype is None and not v.language:
                    v.text = display.money(v.literal, currency.value)
    return Description(
        iri=iri,
        label=label(kg, node),
        types=types,
        properties=properties,
        citations=citations(kg, iri),
        incoming=everything[:max_incoming],
        incoming_total=total,
        incoming_groups=incoming_groups(everything, max_incoming),
    )


# -- RDF of one resource -----------------------------------------------------------------------------


def cbd(kg: KnowledgeGraph, iri: str) -> list[ox.Triple]:
    """The resource's triples plus, recursively, those of the blank nodes it points to (its citations)."""
    out: list[ox.Triple] = []
    todo: list[ox.NamedNode | ox.BlankNode] = [ox.NamedNode(iri)]
    seen = set()
    while todo:
        subject = todo.pop()
        if subject in seen:
            continue
        seen.add(subject)
        for t in _triples(kg, subject):
            out.append(t)
            if isinstance(t.object, ox.BlankNode):
                todo.append(t.object)
    return out


def used_prefixes(prefixes: dict[str, str], triples: list[ox.Triple]) -> dict[str, str]:
    """The prefixes whose namespace starts some IRI of ``triples`` (so Turtle output lists only those)."""
    iris = set()
    for t in triples:
        for term in (t.subject, t.predicate, t.object):
            if isinstance(term, ox.NamedNode):
                iris.add(term.value)
            elif isinstance(term, ox.Literal):
                iris.add(term.datatype.value)
    return {p: ns for p, ns in prefixes.items() if any(i.startswith(ns) for i in iris)}


def _triple_order(t: ox.Triple):
    return (
        isinstance(t.subject, ox.BlankNode),
        str(t.subject),
        t.predicate != RDF_TYPE,
        t.predicate.value,
        str(t.object),
    )


def serialize(
    kg: KnowledgeGraph, triples: list[ox.Triple], media: str, context: dict | None = None, prefixes: dict | None = None
) -> bytes:
    """Triples in ``media`` (a key of :data:`RDF_MEDIA`), grouped by subject.

    JSON-LD is compacted with the flat ``context`` (default: :func:`jsonld_context`); Turtle and
    RDF/XML use ``prefixes`` (default: the graph's) that occur in the triples.
    """
    triples = sorted(triples, key=_triple_order)
    if media == "application/ld+json":
        ctx = context if context is not None else jsonld_context(kg)["@context"]
        return json.dumps(compact_jsonld(triples, ctx), ensure_ascii=False, indent=2).encode("utf-8")
    used = None
    if media in ("text/turtle", "application/rdf+xml"):
        used = used_prefixes(prefixes if prefixes is not None else kg.prefixes, triples)
    body = ox.serialize(triples, format=RDF_MEDIA[media], prefixes=used)
    assert body is not None  # serialised to bytes, not to a file
    return body


# -- JSON-LD -----------------------------------------------------------------------------------------

# Reused annotation terms that get a short name; their values are English.
LABEL_TERMS = {
    "prefLabel": SKOS + "prefLabel",
    "altLabel": SKOS + "altLabel",
    "definition": SKOS + "definition",
    "label": RDFS + "label",
    "comment": RDFS + "comment",
    "title": DCTERMS + "title",
    "description": DCTERMS + "description",
}


def jsonld_context(kg: KnowledgeGraph) -> dict:
    """A JSON-LD context for the ontology, derived from the ontology graph in the store.

    Prefixes of every known namespace (except those whose name is also a term, e.g. ``body``, which
    is the property ``wkg:body``; IRIs there stay absolute); a term per class and property of
    ``wkg:`` — object properties with ``"@type": "@id"``, datatype properties with their ``xsd``
    range — and ``id``/``type`` for ``@id``/``@type``.
    """
    wkg = kg.prefixes["wkg"]
    rows = kg.rows(
        f"""SELECT ?t ?kind (SAMPLE(?r) AS ?range) (COUNT(DISTINCT ?r) AS ?ranges) WHERE {{
              ?t a ?kind .
              FILTER(?kind IN (owl:Class, owl:ObjectProperty, owl:DatatypeProperty, owl:AnnotationProperty))
              FILTER(STRSTARTS(STR(?t), "{wkg}"))
              OPTIONAL {{ ?t rdfs:range ?r }}
            }} GROUP BY ?t ?kind ORDER BY ?t"""
    )
    terms: dict = {}
    for row in rows:
        name = row["t"][len(wkg) :]
        if not re.fullmatch(r"[A-Za-z][\w-]*", name) or name in terms:
            continue
        curie = f"wkg:{name}"
        kind = row["kind"]
        if kind == OWL + "ObjectProperty":
            terms[name] = {"@id": curie, "@type": "@id"}
        elif (
            kind == OWL + "DatatypeProperty"
            and row["ranges"] == 1
            and row["range"].startswith(XSD)
            and row["range"] != XSD + "string"
        ):
            terms[name] = {"@id": curie, "@type": "xsd:" + row["range"][len(XSD) :]}
        else:
            terms[name] = curie
    context: dict = {"id": "@id", "type": "@type"}
    context.update({p: ns for p, ns in kg.prefixes.items() if p not in terms and p not in LABEL_TERMS})
    context.update({name: {"@id": iri, "@language": "en"} for name, iri in LABEL_TERMS.items()})
    context.update(terms)
    return {"@context": context}


class _Context:
    """The parts of a flat JSON-LD context that compaction needs."""

    def __init__(self, ctx: dict):
        self.ctx = ctx
        self.id_key = next((k for k, v in ctx.items() if v == "@id"), "@id")
        self.type_key = next((k for k, v in ctx.items() if v == "@type"), "@type")
        self.prefixes = {
            k: v for k, v in ctx.items() if isinstance(v, str) and not v.startswith("@") and v.endswith(("/", "#"))
        }
        self.terms: dict[str, tuple[str, dict]] = {}  # expanded IRI -> (term, definition)
        for k, v in ctx.items():
            if k in self.prefixes or (isinstance(v, str) and v.startswith("@")):
                continue
            definition = v if isinstance(v, dict) else {"@id": v}
            self.terms.setdefault(self.expand(definition["@id"]), (k, definition))
        self.used: set[str] = set()

    def expand(self, value: str) -> str:
        prefix, sep, rest = value.partition(":")
        if sep and prefix in self.prefixes and not rest.startswith("//"):
            return self.prefixes[prefix] + rest
        return value

    def curie(self, iri: str) -> str:
        """Prefix-compacted IRI (usable wherever IRIs expand), else the IRI."""
        best = max(
            (p for p, ns in self.prefixes.items() if iri.startswith(ns)),
            key=lambda p: len(self.prefixes[p]),
            default=None,
        )
        if best is None:
            return iri
        rest = iri[len(self.prefixes[best]) :]
        if not rest or rest.startswith("//") or not re.fullmatch(r"[\w.~-]+", rest):
            return iri
        self.used.add(best)
        return f"{best}:{rest}"

    def vocab(self, iri: str) -> str:
        """A class or datatype IRI as a term when one names it plainly, else compacted."""
        term = self.terms.get(iri)
        if term and "@type" not in term[1] and "@language" not in term[1]:
            self.used.add(term[0])
            return term[0]
        return self.curie(iri)

    def subset(self) -> dict:
        """The context reduced to what compaction used (and what those terms need)."""
        keep = set(self.used)
        for name in list(keep):
            definition = self.ctx.get(name)
            values = definition.values() if isinstance(definition, dict) else [definition]
            keep.update(v.partition(":")[0] for v in values if isinstance(v, str) and ":" in v)
        return {k: v for k, v in self.ctx.items() if k in keep or v in ("@id", "@type")}


def _literal(lit: ox.Literal, c: _Context):
    dt = lit.datatype.value
    if lit.language:
        return {"@value": lit.value, "@language": lit.language}
    if dt == XSD + "string":
        return lit.value
    if dt == XSD + "integer" and re.fullmatch(r"-?[1-9]\d*|0", lit.value):
        return int(lit.value)
    if dt == XSD + "boolean" and lit.value in ("true", "false"):
        return lit.value == "true"
    return {"@value": lit.value, "@type": c.vocab(dt)}


def _coerced(obj, definition: dict, c: _Context, node):
    """``obj`` as the term's coercion allows, or None when the term cannot carry it."""
    coerce, language = definition.get("@type"), definition.get("@language")
    if coerce == "@id":
        if isinstance(obj, ox.NamedNode):
            return c.curie(obj.value)
        return node(obj) if isinstance(obj, ox.BlankNode) else None
    if not isinstance(obj, ox.Literal):
        return (
            None
            if (coerce or language)
            else ({c.id_key: c.curie(obj.value)} if isinstance(obj, ox.NamedNode) else node(obj))
        )
    if coerce:
        if obj.language or c.expand(coerce) != obj.datatype.value:
            return None
        value = _literal(obj, c)
        return value if not isinstance(value, dict) else obj.value
    if language:
        return obj.value if obj.language == language else None
    return _literal(obj, c)


def compact_jsonld(triples: list[ox.Triple], context: dict) -> dict:
    """Triples as JSON-LD under a flat ``context``; the document embeds only the part of it it uses.

    Blank nodes referenced once are embedded in their referrer (so a citation sits inside the fact it
    supports); other subjects are top-level nodes (one node, or an ``@graph`` of several).
    A value the term's coercion cannot carry goes under the predicate's compact IRI instead.
    """
    c = _Context(context)
    by_subject: dict = defaultdict(list)
    for t in triples:
        by_subject[t.subject].append(t)
    refs = Counter(t.object for t in triples if isinstance(t.object, ox.BlankNode))
    emitted: set = set()

    def node(subject) -> dict:
        if subject in emitted or subject not in by_subject:
            return {c.id_key: f"_:{subject.value}" if isinstance(subject, ox.BlankNode) else c.curie(subject.value)}
        emitted.add(subject)
        out: dict = {}
        if isinstance(subject, ox.NamedNode):
            out[c.id_key] = c.curie(subject.value)
        elif refs[subject] != 1:
            out[c.id_key] = f"_:{subject.value}"
        types, props = [], defaultdict(list)
        for t in by_subject[subject]:
            if t.predicate == RDF_TYPE and isinstance(t.object, ox.NamedNode):
                types.append(c.vocab(t.object.value))
                continue
            term = c.terms.get(t.predicate.value)
            value = _coerced(t.object, term[1], c, embed) if term else None
            if term is not None and value is not None:
                c.used.add(term[0])
                props[term[0]].append(value)
            else:
                props[c.curie(t.predicate.value)].append(_coerced(t.object, {}, c, embed))
        if types:
            out[c.type_key] = sorted(types)[0] if len(types) == 1 else sorted(types)
        for key in sorted(props):
            values = props[key]
            out[key] = values[0] if len(values) == 1 else values
        return out

    def embed(bnode) -> dict:
        return node(bnode) if refs[bnode] == 1 else {c.id_key: f"_:{bnode.value}"}

    top = [s for s in by_subject if not (isinstance(s, ox.BlankNode) and refs[s] == 1)]
    nodes = [node(s) for s in top]
    nodes += [node(s) for s in by_subject if s not in emitted]  # blank nodes only reachable in a cycle
    doc: dict = {"@context": c.subset()}
    if len(nodes) == 1:
        doc.update(nodes[0])
    else:
        doc["@graph"] = nodes
    return doc


# -- the dataset -------------------------------------------------------------------------------------


def _count(kg: KnowledgeGraph, where: str) -> int:
    return int(kg.rows(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")[0]["n"])


def namespace(iri: str) -> str:
    """The namespace of a term IRI: up to its last ``#`` or ``/``."""
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1]


def licence(kg: KnowledgeGraph) -> str | None:
    """The IRI of the licence the ontology declares (``dcterms:license``), if any."""
    rows = kg.rows("SELECT ?l WHERE { ?o a owl:Ontology ; dcterms:license ?l FILTER isIRI(?l) } ORDER BY ?l LIMIT 1")
    return rows[0]["l"] if rows else None


def dataset_description(kg: KnowledgeGraph, server: str) -> list[ox.Triple]:
    """VoID and DCAT triples describing the dataset (https://www.w3.org/TR/void/, https://www.w3.org/TR/vocab-dcat-3/).

    Args:
        kg: the knowledge graph.
        server: absolute URL of this service's root (ending in ``/``), for the endpoint and dump links.
    """
    base = kg.base
    doc = f"{base}/.well-known/void"
    ds = ox.NamedNode(doc + "#dataset")
    service = ox.NamedNode(doc + "#sparql")
    N, L = ox.NamedNode, ox.Literal

    def integer(n: int) -> ox.Literal:
        return L(str(n), datatype=N(XSD + "integer"))

    triples = [
        ox.Triple(N(doc), RDF_TYPE, N(VOID + "DatasetDescription")),
        ox.Triple(N(doc), N(FOAF + "primaryTopic"), ds),
        ox.Triple(ds, RDF_TYPE, N(VOID + "Dataset")),
        ox.Triple(ds, RDF_TYPE, N(DCAT + "Dataset")),
        ox.Triple(
            ds, N(DCTERMS + "title"), L("workforce-kg: UK health and social care workforce commitments", language="en")
        ),
        ox.Triple(
            ds,
            N(DCTERMS + "description"),
            L(
                "Who in UK health and social care owns which workforce commitment, what it is funded with, how it was "
                "rated, and where each fact is written (document, locator and verbatim quote).",
                language="en",
            ),
        ),
        ox.Triple(ds, N(VOID + "uriSpace"), L(f"{base}/")),
        ox.Triple(ds, N(VOID + "sparqlEndpoint"), N(server + "sparql")),
        ox.Triple(ds, N(VOID + "triples"), integer(_count(kg, "SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }"))),
        ox.Triple(
            ds, N(VOID + "entities"), integer(_count(kg, "SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER isIRI(?s) }"))
        ),
        ox.Triple(ds, N(VOID + "distinctSubjects"), integer(_count(kg, "SELECT DISTINCT ?s WHERE { ?s ?p ?o }"))),
        ox.Triple(ds, N(VOID + "properties"), integer(_count(kg, "SELECT DISTINCT ?p WHERE { ?s ?p ?o }"))),
        ox.Triple(ds, N(VOID + "distinctObjects"), integer(_count(kg, "SELECT DISTINCT ?o WHERE { ?s ?p ?o }"))),
    ]
    licence_iri = licence(kg)
    if licence_iri:
        triples.append(ox.Triple(ds, N(DCTERMS + "license"), N(licence_iri)))

    classes = kg.rows("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER isIRI(?c) } GROUP BY ?c ORDER BY ?c")
    triples.append(ox.Triple(ds, N(VOID + "classes"), integer(len(classes))))
    for i, row in enumerate(classes):
        part = ox.BlankNode(f"class{i}")
        triples += [
            ox.Triple(ds, N(VOID + "classPartition"), part),
            ox.Triple(part, N(VOID + "class"), N(row["c"])),
            ox.Triple(part, N(VOID + "entities"), integer(row["n"])),
        ]

    terms = [r["t"] for r in kg.rows("SELECT DISTINCT ?t WHERE { { ?s ?t ?o } UNION { ?s a ?t FILTER isIRI(?t) } }")]
    for vocabulary in sorted({namespace(t) for t in terms} - {""}):
        triples.append(ox.Triple(ds, N(VOID + "vocabulary"), N(vocabulary)))

    for name, ext, media, fmt in (
        ("nquads", "nq", "application/n-quads", "http://www.w3.org/ns/formats/N-Quads"),
        ("trig", "trig", "application/trig", "http://www.w3.org/ns/formats/TriG"),
    ):
        dump = N(server + f"dump.{ext}")
        dist = N(f"{doc}#dump-{name}")
        triples += [
            ox.Triple(ds, N(VOID + "dataDump"), dump),
            ox.Triple(ds, N(DCAT + "distribution"), dist),
            ox.Triple(dist, RDF_TYPE, N(DCAT + "Distribution")),
            ox.Triple(dist, N(DCTERMS + "title"), L(f"Full dump, all named graphs ({ext})", language="en")),
            ox.Triple(dist, N(DCAT + "downloadURL"), dump),
            ox.Triple(dist, N(DCAT + "accessURL"), dump),
            ox.Triple(dist, N(DCAT + "mediaType"), N(f"https://www.iana.org/assignments/media-types/{media}")),
            ox.Triple(dist, N(DCTERMS + "format"), N(fmt)),
        ]
        if licence_iri:
            triples.append(ox.Triple(dist, N(DCTERMS + "license"), N(licence_iri)))

    triples += [
        ox.Triple(service, RDF_TYPE, N(DCAT + "DataService")),
        ox.Triple(service, N(DCTERMS + "title"), L("SPARQL 1.1 endpoint", language="en")),
        ox.Triple(service, N(DCAT + "endpointURL"), N(server + "sparql")),
        ox.Triple(service, N(DCAT + "endpointDescription"), N(server + "sparql")),
        ox.Triple(service, N(DCAT + "servesDataset"), ds),
        ox.Triple(service, N(DCTERMS + "conformsTo"), N("https://www.w3.org/TR/sparql11-protocol/")),
        ox.Triple(ds, N(DCAT + "accessService"), service),
    ]

    for row in kg.rows("SELECT ?d ?t WHERE { ?d a wkg:SourceDocument OPTIONAL { ?d dcterms:title ?t } } ORDER BY ?d"):
        triples.append(ox.Triple(ds, N(DCTERMS + "source"), N(row["d"])))
        if row["t"]:
            triples.append(ox.Triple(N(row["d"]), N(DCTERMS + "title"), L(row["t"], language="en")))
    return triples


VOID_PREFIXES = {"void": VOID, "dcat": DCAT, "dcterms": DCTERMS, "foaf": FOAF, "xsd": XSD, "rdf": RDF}
"""Prefixes for the dataset description (with the graph's own, for classes and vocabularies)."""
