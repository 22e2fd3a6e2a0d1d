"""A draft: the candidates ingest found, as RDF in the graph's vocabulary and as a report for review."""

from __future__ import annotations

import html
import json
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from workforce_kg.vocab import prefixes

BASE = "https://w3id.org/workforce-kg"
#: The IRI path segment of each kind of candidate: ``{BASE}/id/{segment}/{slug}``.
PATH_OF_KIND = {
    "body": "organisation",
    "programme": "programme",
    "commitment": "commitment",
    "funding": "funding",
    "figure": "figure",
    "responsibility": "responsibility",
    "rating": "rating",
    "evaluation": "evaluation",
    "change": "change",
}
WKG = Namespace(f"{BASE}/def/")
ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("http://schema.org/")

#: Kinds of candidate, in report order.
KINDS = ("body", "programme", "commitment", "funding", "figure", "responsibility", "rating", "evaluation", "change")


def ns(scheme: str) -> Namespace:
    """The namespace of a controlled-value scheme (``unit``, ``recurrence``, ``role`` …) or an id kind."""
    return Namespace(prefixes(BASE)[scheme])


@dataclass
class Citation:
    """Where a candidate is stated: a locator of the document and a verbatim quote inside it."""

    locator: str
    quote: str


@dataclass
class Candidate:
    """One fact the draft proposes (a new node, or new citations of a node the graph already has)."""

    id: str
    kind: str
    iri: str
    label: str
    citations: list[Citation]
    confidence: float
    linked: str | None = None  # the existing node this candidate adds to (then iri == linked)
    flags: list[str] = field(default_factory=list)
    fields: dict = field(default_factory=dict)

    @property
    def quote(self) -> str:
        return self.citations[0].quote

    @property
    def locator(self) -> str:
        return self.citations[0].locator

    def as_json(self) -> dict:
        data = asdict(self)
        data["quote"], data["locator"] = self.quote, self.locator
        data["fields"] = {k: (str(v) if isinstance(v, Decimal) else v) for k, v in self.fields.items()}
        return data


def _date_literal(value: str) -> Literal:
    if len(value) == 4:
        return Literal(value, datatype=XSD.gYear)
    if len(value) == 7:
        return Literal(value, datatype=XSD.gYearMonth)
    return Literal(value, datatype=XSD.date)


def _dec(value) -> Literal:
    return Literal(Decimal(str(value)), datatype=XSD.decimal)


@dataclass
class Draft:
    """The result of :func:`workforce_kg.ingest.ingest`."""

    document_id: str
    document: dict
    candidates: list[Candidate]
    segments: dict[str, str]
    activity: dict
    problems: list[str] = field(default_factory=list)
    _graph: Graph | None = None

    @property
    def doc_iri(self) -> URIRef:
        return URIRef(f"{BASE}/id/document/{self.document_id}")

    @property
    def graph(self) -> Graph:
        """The draft as RDF (built once)."""
        if self._graph is None:
            self._graph = self.build_graph()
        return self._graph

    def by_kind(self, kind: str) -> list[Candidate]:
        return [c for c in self.candidates if c.kind == kind]

    def build_graph(self) -> Graph:
        g = Graph()
        for p, uri in prefixes(BASE).items():
            g.bind(p, uri)
        g.bind("ingest", f"{BASE}/id/ingest/")
        self._fill(g)
        return g

    def _fill(self, g) -> None:
        """Add the draft's triples to ``g`` (an rdflib Graph, or anything with ``add``)."""
        doc = self.doc_iri
        d = self.document
        g.add((doc, RDF.type, WKG.SourceDocument))
        g.add((doc, SKOS.prefLabel, Literal(d["title"], lang="en")))
        g.add((doc, DCTERMS.title, Literal(d["title"], lang="en")))
        g.add((doc, WKG.fileName, Literal(d["file_name"])))
        g.add((doc, WKG.locatorScheme, WKG[f"locator-scheme/{d['scheme']}"]))
        for h in d.get("headings", []):
            g.add((doc, WKG.sectionHeading, Literal(h)))
        if d.get("date"):
            g.add((doc, DCTERMS.date, _date_literal(d["date"])))
        if d.get("publisher_label"):
            g.add((doc, DCTERMS.publisher, Literal(d["publisher_label"])))
        if d.get("publisher"):
            g.add((doc, WKG.publisherBody, URIRef(d["publisher"])))
        act = URIRef(f"{BASE}/id/ingest/{self.document_id}")
        a = self.activity
        g.add((act, RDF.type, PROV.Activity))
        g.add((act, RDF.type, WKG.IngestActivity))
        g.add((act, RDFS.label, Literal(f"ingest of {d['file_name']}", lang="en")))
        g.add((act, WKG.extractorVersion, Literal(a["version"])))
        g.add((act, PROV.startedAtTime, Literal(a["started"], datatype=XSD.dateTime)))
        g.add((act, PROV.endedAtTime, Literal(a["ended"], datatype=XSD.dateTime)))
        g.add((act, PROV.used, doc))
        g.add((act, WKG.inputFile, Literal(d["file_name"])))
        for c in self.candidates:
            self._add(g, c, act)

    def _cite(self, g: Graph, node: URIRef, c: Candidate, act: URIRef) -> None:
        for cit in c.citations:
            b = BNode()
            g.add((node, WKG.citation, b))
            g.add((b, WKG.document, self.doc_iri))
            g.add((b, WKG.locator, Literal(cit.locator)))
            g.add((b, WKG.quote, Literal(cit.quote)))
            if c.linked:  # a citation added to a node the graph already has: the citation is the draft
                g.add((b, WKG.confidence, _dec(round(c.confidence, 2))))
                g.add((b, PROV.wasGeneratedBy, act))

    def _add(self, g: Graph, c: Candidate, act: URIRef) -> None:
        node = URIRef(c.iri)
        f = c.fields
        self._cite(g, node, c, act)
        if c.linked:
            return
        g.add((node, WKG.confidence, _dec(round(c.confidence, 2))))
        g.add((node, PROV.wasGeneratedBy, act))
        g.add((node, SKOS.prefLabel, Literal(c.label, lang="en")))
        unit, recur, role = ns("unit"), ns("recur"), ns("role")
        if c.kind == "body":
            kind = (
                WKG.CollectiveActor
                if f.get("collective")
                else (ORG.OrganizationalUnit if f.get("part_of") else ORG.FormalOrganization)
            )
            g.add((node, RDF.type, kind))
            if f.get("part_of"):
                g.add((node, ORG.subOrganizationOf, URIRef(f["part_of"])))
            g.add((node, ORG.classification, ns("otype")[f.get("otype", "service-provider")]))
            for alt in f.get("alt_labels", []):
                g.add((node, SKOS.altLabel, Literal(alt, lang="en")))
        elif c.kind == "programme":
            g.add((node, RDF.type, WKG.Programme))
            g.add((node, WKG.programmeKind, ns("pkind")[f.get("programme_kind", "programme")]))
            for alt in f.get("alt_labels", []):
                g.add((node, SKOS.altLabel, Literal(alt, lang="en")))
        elif c.kind == "commitment":
            g.add((node, RDF.type, WKG.Commitment))
            for t in f.get("types", []):
                g.add((node, RDF.type, WKG[t]))
            g.add((node, WKG.statement, Literal(f.get("statement", c.quote))))
            if f.get("made_by"):
                g.add((node, WKG.madeBy, URIRef(f["made_by"])))
            if f.get("deadline"):
                g.add((node, WKG.deadline, _date_literal(f["deadline"])))
            if f.get("target_value") is not None:
                g.add((node, WKG.targetValue, _dec(f["target_value"])))
                g.add((node, WKG.unit, unit[f["unit"]]))
            if f.get("baseline"):
                g.add((node, WKG.baseline, Literal(f["baseline"])))
        elif c.kind == "funding":
            g.add((node, RDF.type, WKG.Funding))
            g.add((node, SCHEMA.value, _dec(f["amount"])))
            g.add((node, SCHEMA.currency, Literal("GBP")))
            g.add((node, WKG.recurrence, recur[f.get("recurrence", "unspecified")]))
            for k, p in (("qualifier", WKG.valueQualifier), ("period", WKG.periodLabel), ("purpose", WKG.purpose)):
                if f.get(k):
                    g.add((node, p, Literal(f[k])))
            for k, p in (("start", WKG.startDate), ("end", WKG.endDate)):
                if f.get(k):
                    g.add((node, p, Literal(f[k], datatype=XSD.date)))
            for k, p in (("funder", WKG.funder), ("recipient", WKG.recipient)):
                if f.get(k):
                    g.add((node, p, URIRef(f[k])))
            for target in f.get("funds", []):
                g.add((node, WKG.funds, URIRef(target)))
        elif c.kind == "figure":
            g.add((node, RDF.type, WKG.ProgressFigure))
            g.add((node, WKG.value, _dec(f["value"])))
            g.add((node, WKG.unit, unit[f["unit"]]))
            g.add((node, WKG.measures, Literal(f.get("measures") or c.label)))
            if f.get("qualifier"):
                g.add((node, WKG.valueQualifier, Literal(f["qualifier"])))
            if f.get("as_of"):
                g.add((node, WKG.asOf, _date_literal(f["as_of"])))
            if f.get("period"):
                g.add((node, WKG.periodLabel, Literal(f["period"])))
        elif c.kind == "responsibility":
            g.add((node, RDF.type, WKG.Responsibility))
            g.add((node, WKG.body, URIRef(f["body"])))
            g.add((node, WKG.role, role[f["role"]]))
            g.add((node, WKG.subject, URIRef(f["subject"])))
        elif c.kind == "evaluation":
            g.add((node, RDF.type, WKG.Evaluation))
            if f.get("evaluator"):
                g.add((node, WKG.evaluator, URIRef(f["evaluator"])))
            if f.get("date") and len(f["date"]) == 10:
                g.add((node, DCTERMS.date, Literal(f["date"], datatype=XSD.date)))
        elif c.kind == "rating":
            g.add((node, RDF.type, WKG.Rating))
            g.add((node, WKG.evaluation, URIRef(f["evaluation"])))
            g.add((node, WKG.ratedCommitment, URIRef(f["commitment"])))
            g.add((node, WKG.dimension, ns("dim")[f["dimension"]]))
            g.add((node, WKG.ratingValue, ns("rating")[f["value"]]))
        elif c.kind == "change":
            g.add((node, RDF.type, ORG.ChangeEvent))
            g.add((node, ORG.originalOrganization, URIRef(f["from"])))
            g.add((node, ORG.resultingOrganization, URIRef(f["to"])))
            if f.get("date") and len(f["date"]) == 10:
                g.add((node, DCTERMS.date, Literal(f["date"], datatype=XSD.date)))

    # -- output ------------------------------------------------------------------------------------

    def turtle(self) -> str:
        """The draft as Turtle (written by Oxigraph: rdflib's Turtle writer is slow on large drafts)."""
        import pyoxigraph as ox

        if self._graph is not None:
            nt = self._graph.serialize(format="nt", encoding="utf-8")
        else:  # no rdflib graph needed: the triples go straight to Oxigraph (building the Graph is the slow part)
            triples = _TripleList()
            self._fill(triples)
            nt = "\n".join(f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o in triples).encode("utf-8")
        quads = ox.parse(nt, format=ox.RdfFormat.TURTLE)
        used = {p: u for p, u in prefixes(BASE).items()}
        out = ox.serialize(quads, format=ox.RdfFormat.TURTLE, prefixes=used)
        assert out is not None  # serialize returns the bytes when no output is given
        return out.decode("utf-8")

    def summary(self) -> dict[str, int]:
        return {k: len(self.by_kind(k)) for k in KINDS if self.by_kind(k)}

    def report(self, fmt: str = "md") -> str:
        """The review report: candidates per kind with quote, locator, links, confidence and flags.

        ``fmt`` is ``md``, ``json`` or ``html``.
        """
        if fmt == "json":
            return json.dumps(
                {
                    "document": {**self.document, "iri": str(self.doc_iri)},
                    "activity": self.activity,
                    "summary": self.summary(),
                    "problems": self.problems,
                    "candidates": [c.as_json() for c in self.candidates],
                },
                indent=2,
                ensure_ascii=False,
            )
        if fmt == "md":
            return self._markdown()
        if fmt == "html":
            return self._html()
        raise ValueError(f"unknown report format {fmt!r}; choose md, json or html")

    def _details(self, c: Candidate) -> str:
        parts = [
            f"{k}={v}"
            for k, v in c.fields.items()
            if k not in ("statement", "alt_labels", "types") and v not in (None, "", [])
        ]
        return "; ".join(parts)

    def _markdown(self) -> str:
        d = self.document
        out = [
            f"# Ingest report: {d['title']}",
            "",
            f"Document `doc:{self.document_id}` from `{d['file_name']}` (locator scheme `{d['scheme']}`"
            f"{', date ' + d['date'] if d.get('date') else ', no date: relative dates left unresolved'}); "
            f"extractor {self.activity['version']}.",
            "",
            "Every candidate is a draft: check the quote against the source, then accept, edit or reject it "
            "with `workforce-kg review`.",
            "",
        ]
        out += ["| kind | candidates |", "|---|---|"] + [f"| {k} | {n} |" for k, n in self.summary().items()] + [""]
        if self.problems:
            out += ["## Needs a decision", ""] + [f"- {p}" for p in self.problems] + [""]
        for kind in KINDS:
            items = self.by_kind(kind)
            if not items:
                continue
            out += [
                f"## {kind.capitalize()} ({len(items)})",
                "",
                "| id | node | label | locator | quote | confidence | links and details | flags |",
                "|---|---|---|---|---|---|---|---|",
            ]
            for c in items:
                link = "existing" if c.linked else "new"
                cells = [
                    c.id,
                    f"`{short(c.iri)}` ({link})",
                    c.label,
                    c.locator,
                    f"“{c.quote}”",
                    f"{c.confidence:.2f}",
                    self._details(c),
                    "; ".join(c.flags),
                ]
                out.append("| " + " | ".join(x.replace("|", "\\|").replace("\n", " ") for x in cells) + " |")
            out.append("")
        return "\n".join(out)

    def _html(self) -> str:
        e = html.escape
        d = self.document
        rows = []
        for kind in KINDS:
            items = self.by_kind(kind)
            if not items:
                continue
            rows.append(
                f"<h2>{e(kind.capitalize())} ({len(items)})</h2><table><thead><tr><th>id</th><th>node</th>"
                "<th>label</th><th>locator</th><th>quote</th><th>confidence</th><th>details</th><th>flags</th>"
                "</tr></thead><tbody>"
            )
            for c in items:
                rows.append(
                    "<tr>"
                    + "".join(
                        f"<td>{e(x)}</td>"
                        for x in (
                            c.id,
                            short(c.iri) + (" (existing)" if c.linked else " (new)"),
                            c.label,
                            c.locator,
                            f"“{c.quote}”",
                            f"{c.confidence:.2f}",
                            self._details(c),
                            "; ".join(c.flags),
                        )
                    )
                    + "</tr>"
                )
            rows.append("</tbody></table>")
        problems = "".join(f"<li>{e(p)}</li>" for p in self.problems)
        return (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f"<title>Ingest report: {e(d['title'])}</title><style>body{{font-family:sans-serif;margin:2em}}"
            "table{border-collapse:collapse;margin-bottom:2em}td,th{border:1px solid #ccc;padding:.3em;"
            "vertical-align:top;text-align:left}</style></head><body>"
            f"<h1>Ingest report: {e(d['title'])}</h1><p>Document <code>doc:{e(self.document_id)}</code> from "
            f"<code>{e(d['file_name'])}</code>, locator scheme <code>{e(d['scheme'])}</code>; extractor "
            f"{e(self.activity['version'])}.</p>"
            + (f"<h2>Needs a decision</h2><ul>{problems}</ul>" if problems else "")
            + "".join(rows)
            + "</body></html>\n"
        )


class _TripleList(list):
    """A list of triples with the ``add`` method ``Draft._fill`` calls."""

    def add(self, triple: tuple) -> None:
        self.append(triple)


def short(iri: str) -> str:
    """An IRI in prefixed form (``body:nhse``) when one of our prefixes fits."""
    best = ""
    for p, uri in prefixes(BASE).items():
        if iri.startswith(uri) and len(uri) > len(best):
            best, name = uri, p
    return f"{name}:{iri[len(best) :]}" if best else iri
