"""SPARQL 1.1 Protocol, the part that needs no web framework (https://www.w3.org/TR/sparql11-protocol/).

Steps, as in Oxigraph's server: check the query is safe → evaluate → negotiate the result format →
serialise. :func:`execute` runs them all and returns an :class:`Outcome`; it is called in the web
process for in-memory stores and in killable worker processes (:mod:`workforce_kg.sparql.executor`) for
on-disk stores, so a query past its deadline can really be stopped.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import pyoxigraph as ox

from workforce_kg.sparql import errors, safety
from workforce_kg.sparql.negotiation import best_match
from workforce_kg.store.kg import KnowledgeGraph
from workforce_kg.store.remote import RemoteError

SELECT_TYPES = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
}
GRAPH_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
FORMAT_ALIASES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "ntriples": "application/n-triples",
    "n-triples": "application/n-triples",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "rdf": "application/rdf+xml",
    "rdf+xml": "application/rdf+xml",
}


class ProtocolError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def bad_request(message: str) -> ProtocolError:
    return ProtocolError(400, message)


def forbidden(message: str) -> ProtocolError:
    return ProtocolError(403, message)


def not_acceptable(message: str) -> ProtocolError:
    return ProtocolError(406, message)


def unsupported_media_type(message: str) -> ProtocolError:
    return ProtocolError(415, message)


@dataclass
class Outcome:
    """What to send back: status, media type, body and extra headers."""

    status: int
    media_type: str
    body: bytes
    headers: dict = field(default_factory=dict)
    #: the decision on the query text when the check passed (so a pool can share it: see ``SparqlRequest.plan``)
    plan: safety.QueryPlan | None = None


def error_outcome(status: int, message: str) -> Outcome:
    return Outcome(status, "application/json", json.dumps({"error": message}).encode("utf-8"))


@dataclass
class SparqlRequest:
    query: str | None = None
    update: str | None = None
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    format: str | None = None
    #: the decision a worker of the same pool already took on this exact text (:class:`QueryExecutor`
    #: keeps them), so that a fresh worker need not parse it again; None: check the text here
    plan: safety.QueryPlan | None = None


def first_value(values: dict[str, list[str]], key: str) -> str | None:
    v = values.get(key)
    return v[0] if v else None


# -- check -------------------------------------------------------------------------------------------


def check_query(
    query: str,
    store_graphs: set[str],
    prefixes: dict[str, str],
    allow_federation: bool = False,
    plan: safety.QueryPlan | None = None,
) -> tuple[list[str], list[str]]:
    """Refuse what could read files, reach other hosts or write, deciding from the query's parse
    (:mod:`workforce_kg.sparql.safety`); return the FROM and FROM NAMED IRIs.

    Raises:
        ProtocolError: 400 for SERVICE, a FROM graph not in the store, a malformed text or one the
        parsers could read differently, or one nested too deeply; 403 for an update.
    """
    if plan is None:
        try:
            plan = safety.check_query(query, prefixes, allow_federation)
        except safety.Refused as exc:
            raise ProtocolError(exc.status, exc.message) from None
    for iri in plan.from_graphs + plan.from_named:
        if iri not in store_graphs:
            raise bad_request(f"FROM <{iri}>: only graphs in this store can be queried; the store has no such graph")
    return list(plan.from_graphs), list(plan.from_named)


def store_graph_names(kg: KnowledgeGraph) -> set[str]:
    return {g.value for g in kg.store.named_graphs() if isinstance(g, ox.NamedNode)}


# -- evaluate ----------------------------------------------------------------------------------------


def evaluate(kg: KnowledgeGraph, req: SparqlRequest, graphs: set[str], text: str):
    """Run the (checked) query ``text`` on the dataset ``req`` names."""
    for iri in req.default_graphs + req.named_graphs:
        if iri not in graphs:
            raise bad_request(f"graph <{iri}> is not in this store")
    kwargs: dict = kg.query_options()  # the prefixes, and the search functions (wkgfn:)
    if req.default_graphs:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in req.default_graphs]
    elif not req.named_graphs:
        kwargs["use_default_graph_as_union"] = True
    if req.named_graphs:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in req.named_graphs]
    try:
        return kg.store.query(text, **kwargs)
    except SyntaxError as exc:
        raise bad_request(errors.from_oxigraph(text, "query", exc, kg.prefixes)) from None


# -- serialise ---------------------------------------------------------------------------------------


def _json_term(term) -> dict:
    """A term in SPARQL results JSON; a triple term as SPARQL 1.2 writes it (``"type": "triple"``)."""
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _json_term(term.subject),
                "predicate": _json_term(term.predicate),
                "object": _json_term(term.object),
            },
        }
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        out["datatype"] = term.datatype.value
    return out


def _xml_term(term) -> str:
    """A term in SPARQL results XML; a triple term as SPARQL 1.2 writes it (``<triple>``)."""
    if isinstance(term, ox.Triple):
        return (
            f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}</predicate>"
            f"<object>{_xml_term(term.object)}</object></triple>"
        )
    if isinstance(term, ox.NamedNode):
        return f"<uri>{xml_escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{xml_escape(term.value)}</bnode>"
    if term.language:
        return f'<literal xml:lang="{xml_escape(term.language)}">{xml_escape(term.value)}</literal>'
    if term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        return f'<literal datatype="{xml_escape(term.datatype.value)}">{xml_escape(term.value)}</literal>'
    return f"<literal>{xml_escape(term.value)}</literal>"


def _triple_text(term: ox.Triple) -> str:
    """A triple term as N-Triples 1.2 writes it: ``<<( s p o )>>``."""
    return f"<<( {term} )>>"


def _csv_term(term) -> str:
    if term is None:
        return ""
    return _triple_text(term) if isinstance(term, ox.Triple) else term.value


def _tsv_term(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Triple):
        return _triple_text(term)
    if isinstance(term, ox.Literal) and term.datatype.value in (
        "http://www.w3.org/2001/XMLSchema#integer",
        "http://www.w3.org/2001/XMLSchema#decimal",
        "http://www.w3.org/2001/XMLSchema#double",
        "http://www.w3.org/2001/XMLSchema#boolean",
    ):
        return term.value
    return str(term)


def serialise_select(names: list[str], rows: list[list], kind: str, truncated: bool) -> bytes:
    if kind == "json":
        doc: dict[str, Any] = {
            "head": {"vars": names},
            "results": {
                "bindings": [
                    {n: _json_term(t) for n, t in zip(names, row, strict=True) if t is not None} for row in rows
                ]
            },
        }
        if truncated:
            doc["head"]["link"] = ["urn:workforce-kg:results-truncated"]
        return json.dumps(doc, ensure_ascii=False).encode("utf-8")
    if kind == "xml":
        out = ['<?xml version="1.0"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">', "<head>"]
        out += [f'<variable name="{xml_escape(n)}"/>' for n in names]
        if truncated:
            out.append('<link href="urn:workforce-kg:results-truncated"/>')
        out += ["</head>", "<results>"]
        for row in rows:
            out.append("<result>")
            out += [
                f'<binding name="{xml_escape(n)}">{_xml_term(t)}</binding>'
                for n, t in zip(names, row, strict=True)
                if t is not None
            ]
            out.append("</result>")
        out += ["</results>", "</sparql>"]
        return "\n".join(out).encode("utf-8")
    buf = io.StringIO()
    if kind == "csv":
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(names)
        writer.writerows([[_csv_term(t) for t in row] for row in rows])
    else:
        buf.write("\t".join(f"?{n}" for n in names) + "\n")
        for row in rows:
            buf.write("\t".join(_tsv_term(t) for t in row) + "\n")
    return buf.getvalue().encode("utf-8")


def serialise_boolean(value: bool, kind: str) -> bytes:
    if kind == "json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    if kind == "xml":
        return (
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
            f"<boolean>{'true' if value else 'false'}</boolean></sparql>"
        ).encode()
    return ("_askResult\r\n" if kind == "csv" else "?_askResult\n").encode() + (b"true\n" if value else b"false\n")


def choose(accept: str | None, fmt: str | None, offers: list[str]) -> str:
    if fmt:
        media = FORMAT_ALIASES.get(fmt.lower(), fmt.lower())
        if media in offers:
            return media
        raise not_acceptable(f"format {fmt!r} is not available for this query; available: {', '.join(offers)}")
    matched = best_match(accept, offers)
    if matched is None:
        raise not_acceptable(f"none of the requested media types can be served; available: {', '.join(offers)}")
    return matched


# -- respond -----------------------------------------------------------------------------------------


def execute(kg: KnowledgeGraph, req: SparqlRequest, accept: str | None, max_rows: int) -> Outcome:
    """Check, evaluate and serialise in one thread (pyoxigraph result iterators must not cross threads)."""
    try:
        return _execute(kg, req, accept, max_rows)
    except ProtocolError as exc:
        return error_outcome(exc.status, exc.message)


def _execute(kg: KnowledgeGraph, req: SparqlRequest, accept: str | None, max_rows: int) -> Outcome:
    if req.update is not None:
        raise forbidden("SPARQL Update is not enabled on this endpoint (set WORKFORCE_KG_UPDATE_TOKEN)")
    if not req.query or not req.query.strip():
        raise bad_request("missing 'query' parameter")
    text = kg.localise(req.query)  # the text checked is the text run
    graphs = store_graph_names(kg)
    from_graphs, from_named = check_query(text, graphs, kg.prefixes, plan=req.plan)
    plan = safety.QueryPlan(tuple(from_graphs), tuple(from_named))
    if not (req.default_graphs or req.named_graphs):  # the protocol's dataset overrides the query's
        req.default_graphs, req.named_graphs = from_graphs, from_named
    try:
        outcome = _answer(kg, req, accept, max_rows, evaluate(kg, req, graphs, text))
        outcome.plan = plan
        return outcome
    except RemoteError as exc:
        return error_outcome(503, f"the remote store failed: {exc}")
    except (RuntimeError, ValueError, OSError) as exc:  # an evaluation error (e.g. an unknown function)
        raise bad_request(f"the query could not be evaluated: {' '.join(str(exc).split())[:300]}") from None


def _answer(kg: KnowledgeGraph, req: SparqlRequest, accept: str | None, max_rows: int, result) -> Outcome:
    if isinstance(result, ox.QueryTriples):
        # SPARQLWrapper asks CONSTRUCT with JSON as "*/*" and expects JSON-LD
        offers = list(GRAPH_TYPES)
        if req.format and req.format.lower() == "json":
            req.format = "json-ld"
        media = choose(accept, req.format, offers)
        triples = []
        for t in result:
            triples.append(t)
            if len(triples) > max_rows:
                break
        truncated = len(triples) > max_rows
        body = ox.serialize(
            triples[:max_rows], format=GRAPH_TYPES[media], prefixes=kg.prefixes if media == "text/turtle" else None
        )
        assert body is not None  # serialised to bytes, not to a file
        headers = {"X-Result-Truncated": "true"} if truncated else {}
        return Outcome(200, media, body, headers)
    offers = list(SELECT_TYPES)
    media = choose(accept, req.format, offers)
    kind = SELECT_TYPES[media]
    if isinstance(result, ox.QueryBoolean):
        return Outcome(200, media, serialise_boolean(bool(result), kind))
    names = [v.value for v in result.variables]
    rows: list[list] = []
    for sol in result:
        if len(rows) == max_rows:
            truncated = True
            break
        rows.append([sol[n] for n in names])
    else:
        truncated = False
    headers = {"X-Result-Truncated": "true"} if truncated else {}
    return Outcome(200, media, serialise_select(names, rows, kind, truncated), headers)
