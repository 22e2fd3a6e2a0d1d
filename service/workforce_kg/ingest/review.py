"""Review a draft: accept, edit or reject its candidates, and write what was accepted.

Accepted facts lose the draft markers (``wkg:confidence``, ``prov:wasGeneratedBy``) and go either into a
Turtle file for a commit (``graph/NNN-<document>.ttl``) or to a running service through its gated write
path (Graph Store Protocol POST: shapes, quote check and audit apply there).
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote as urlquote

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS

from workforce_kg.provenance.read import DocumentError as IngestError

from .draft import BASE, ORG, PATH_OF_KIND, WKG, short

#: id path segment -> candidate kind
KIND_OF_PATH = {path: kind for kind, path in PATH_OF_KIND.items()}
#: links without which a fact makes no sense: a candidate pointing through one at a rejected new node goes too
REQUIRED = (
    WKG.body,
    WKG.subject,
    WKG.ratedCommitment,
    WKG.evaluation,
    ORG.originalOrganization,
    ORG.resultingOrganization,
)
DRAFT_MARKERS = (WKG.confidence, PROV.wasGeneratedBy)


@dataclass
class Item:
    """One candidate of a draft, as the review sees it."""

    iri: URIRef
    kind: str
    label: str
    new: bool  # a node the draft describes (else: citations added to a node the graph has)
    confidence: float
    citations: list[tuple[str, str]] = field(default_factory=list)  # (locator, quote)

    @property
    def id(self) -> str:
        return short(str(self.iri))


def load(path: str | Path) -> Graph:
    """Parse a draft; IngestError (one line) when it is not readable Turtle."""
    g = Graph()
    try:
        g.parse(str(path), format="turtle")
    except FileNotFoundError:
        raise IngestError(f"cannot read {path}") from None
    except Exception as exc:  # rdflib raises assorted parser errors
        raise IngestError(f"{path} is not a readable Turtle draft: {' '.join(str(exc).split())[:200]}") from None
    if next(g.subjects(RDF.type, WKG.IngestActivity), None) is None:
        raise IngestError(f"{path} is not an ingest draft (no wkg:IngestActivity in it)")
    return g


def items(g: Graph, known: Graph | None = None) -> list[Item]:
    """The candidates of a draft, in a stable order (kind, then IRI); ``known`` gives existing nodes' labels."""
    out: dict[URIRef, Item] = {}
    for node, conf_term in g.subject_objects(WKG.confidence):
        conf = float(str(conf_term))
        if isinstance(node, BNode):  # a citation added to a node the graph already has
            owner = next(g.subjects(WKG.citation, node), None)
            if not isinstance(owner, URIRef):
                continue
            item = out.get(owner) or Item(
                owner, _kind(owner), _label(known if known is not None else g, owner), False, conf
            )
            item.confidence = max(item.confidence, conf)
        else:
            if not isinstance(node, URIRef):
                continue
            owner = node
            item = out.get(owner) or Item(owner, _kind(owner), _label(g, owner), True, conf)
            item.new, item.confidence = True, conf
        out[owner] = item
    for item in out.values():
        for cit in g.objects(item.iri, WKG.citation):
            item.citations.append((str(g.value(cit, WKG.locator)), str(g.value(cit, WKG.quote))))
    order = list(KIND_OF_PATH.values())
    return sorted(out.values(), key=lambda i: (order.index(i.kind) if i.kind in order else 99, str(i.iri)))


def _kind(iri) -> str:
    m = re.match(rf"^{re.escape(BASE)}/id/([^/]+)/", str(iri))
    return KIND_OF_PATH.get(m.group(1), "other") if m else "other"


def _label(g: Graph, node) -> str:
    return str(g.value(node, SKOS.prefLabel) or g.value(node, RDFS.label) or short(str(node)))


def find(all_items: list[Item], ident: str) -> Item:
    """The candidate named by ``ident``: its IRI, prefixed form (``fund:x``) or slug."""
    for item in all_items:
        if ident in (str(item.iri), item.id, item.id.split(":", 1)[-1]):
            return item
    raise IngestError(f"no candidate {ident!r} in the draft")


def select(
    all_items: list[Item],
    *,
    accept_all: bool = False,
    accept_kinds: list[str] | None = None,
    reject: list[str] | None = None,
    min_confidence: float | None = None,
) -> set[URIRef]:
    """The IRIs accepted by the non-interactive options."""
    kinds = set(accept_kinds or [])
    unknown = kinds - set(KIND_OF_PATH.values())
    if unknown:
        raise IngestError(
            f"unknown kind(s) {', '.join(sorted(unknown))}; choose from {', '.join(KIND_OF_PATH.values())}"
        )
    chosen = {i.iri for i in all_items if accept_all or i.kind in kinds}
    for ident in reject or []:
        chosen.discard(find(all_items, ident).iri)
    if min_confidence is not None:
        chosen = {i.iri for i in all_items if i.iri in chosen and i.confidence >= min_confidence}
    return chosen


def accepted_graph(
    g: Graph, accepted: set[URIRef], labels: dict[URIRef, str] | None = None, known: Graph | None = None
) -> tuple[Graph, list[str]]:
    """The accepted facts without draft markers, with the document's description; and notes.

    A candidate that needs a new node that was rejected (a responsibility of a rejected body …) is
    dropped too; an optional link to one (a funder, a programme it serves …) is dropped from it.
    """
    all_items = {i.iri: i for i in items(g)}
    notes: list[str] = []
    rejected_new = {i for i, it in all_items.items() if it.new and i not in accepted}
    accepted = set(accepted)
    changed = True
    while changed:
        changed = False
        for iri in list(accepted):
            if any(o in rejected_new for p in REQUIRED for o in g.objects(iri, p)):
                accepted.discard(iri)
                rejected_new.add(iri)
                notes.append(f"{short(str(iri))} left out: it needs a node that was rejected")
                changed = True
    out = Graph()
    for prefix, ns in g.namespaces():
        out.bind(prefix, ns)
    docs = set(g.subjects(RDF.type, WKG.SourceDocument))
    for doc in docs:
        if known is None or (doc, RDF.type, WKG.SourceDocument) not in known:
            _copy(g, out, doc)
    for iri in accepted:
        item = all_items.get(iri)
        if item is None:
            continue
        if item.new:
            _copy(g, out, iri, skip=rejected_new, notes=notes)
        else:  # only the draft's citations of an existing node
            for cit in g.objects(iri, WKG.citation):
                out.add((iri, WKG.citation, cit))
                _copy(g, out, cit)
    for node, text in (labels or {}).items():
        if node in accepted:
            pred = RDFS.label if (node, RDFS.label, None) in out else SKOS.prefLabel
            out.remove((node, pred, None))
            out.add((node, pred, Literal(text, lang="en")))
    for marker in DRAFT_MARKERS:
        out.remove((None, marker, None))
    return out, notes


def _copy(g: Graph, out: Graph, node, skip: set | None = None, notes: list[str] | None = None) -> None:
    for p, o in g.predicate_objects(node):
        if skip and o in skip:
            if notes is not None:
                notes.append(f"{short(str(node))}: link {short(str(p))} to rejected {short(str(o))} dropped")
            continue
        out.add((node, p, o))
        if isinstance(o, BNode):
            _copy(g, out, o)


def next_file(graph_dir: Path, document_id: str) -> Path:
    """``graph/NNN-<document-id>.ttl`` with the next free number."""
    numbers = [int(m.group(1)) for p in Path(graph_dir).glob("*.ttl") if (m := re.match(r"^(\d{3})-", p.name))]
    return Path(graph_dir) / f"{(max(numbers) + 1) if numbers else 0:03d}-{document_id}.ttl"


def turtle(out: Graph, header: str) -> str:
    """The accepted facts as Turtle with a header comment."""
    body = out.serialize(format="turtle")
    return "".join(f"# {line}\n" for line in header.splitlines()) + "\n" + body


def post(url: str, token: str, graph_name: str, data: bytes, timeout: float = 60.0) -> tuple[int, str]:
    """POST ``data`` (Turtle) to the service's Graph Store at ``url`` into ``graph_name``; (status, body)."""
    if not re.match(r"^https?://", url):
        raise IngestError(f"--to must be an http(s) URL of the service (got {url!r})")
    target = url.rstrip("/") + "/graph-store?graph=" + urlquote(graph_name, safe="")
    req = urllib.request.Request(
        target, data=data, method="POST", headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - a URL the curator gives
            return resp.status, resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError) as exc:
        raise IngestError(f"cannot reach {url}: {getattr(exc, 'reason', exc)}") from None
