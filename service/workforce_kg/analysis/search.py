"""Search over what the sources say, as the API answers it: ranked things with their matching quote.

The index and its ranking are in :mod:`workforce_kg.store.search` (SQLite FTS5, BM25); this module reads
the parameters (types by their API names, the query syntax), turns the index's hits into the API's
objects and pages them. See docs/search.md.
"""

from __future__ import annotations

from workforce_kg.analysis.entities import KINDS, Context, InvalidFilter, listing, slug_of
from workforce_kg.store import search as index
from workforce_kg.store.kg import KnowledgeGraph

SYNTAXES = ("plain", "fts5")

#: A query using the search functions (the query page offers it; docs/search.md explains it).
SPARQL_EXAMPLE = """# Things whose names, statements or quotes mention burnout, best first (full-text search, BM25)
SELECT ?thing ?label ?score ?snippet WHERE {
  ?thing skos:prefLabel ?label .
  BIND(wkgfn:score(?thing, "burnout") AS ?score)
  FILTER(BOUND(?score))
  BIND(wkgfn:snippet(?thing, "burnout") AS ?snippet)
}
ORDER BY DESC(?score)
LIMIT 20
"""
#: Types that can be asked for besides the API's entity types (:data:`KINDS`): terms of the ontology.
EXTRA_TYPES = {"term": "term"}


def kinds_of(types: list[str] | None) -> list[str] | None:
    """The index's kinds for the API ``types`` (None: all); InvalidFilter for an unknown type."""
    if not types:
        return None
    known = {**KINDS, **EXTRA_TYPES}
    for t in types:
        if t not in known:
            raise InvalidFilter("type", f"unknown type {t!r}; one of: {', '.join(known)}")
    return [known[t] for t in types]


def _document(ctx: Context, row: index.Row) -> dict | None:
    if row.document is None:
        return None
    label = row.document_title or slug_of(row.document)
    return {"id": slug_of(row.document), "iri": row.document, "label": label, "type": ctx.type_of(row.document)}


def hit_json(ctx: Context, hit: index.Hit) -> dict:
    """One hit as the API gives it: the thing (``id``, ``iri``, ``label``, ``type``), its ``score``, the
    fields that ``matched``, whether a label or alias is the whole search (``exact``), its best-matching
    text (``match``) and best-matching quote (``quote``, with its document and locator; None when only
    other texts matched) and how many of its quotes matched (``quotes_matched``)."""
    best, quotes = hit.best, hit.quotes()
    quote = None
    if quotes:
        q = quotes[0]
        quote = {"document": _document(ctx, q), "locator": q.locator or "", **q.snippet.as_dict()}
    return {
        "id": slug_of(hit.iri),
        "iri": hit.iri,
        "label": hit.label or ctx.label(hit.iri),
        "type": ctx.type_of(hit.iri),
        "score": round(hit.score, 3),
        "exact": hit.exact,
        "matched": sorted({r.field for r in hit.rows}),
        "match": {"field": best.field, **best.snippet.as_dict()},
        "quote": quote,
        "quotes_matched": len(quotes),
    }


def search(
    kg: KnowledgeGraph,
    q: str,
    *,
    types: list[str] | None = None,
    limit: int = 20,
    offset: int = 0,
    syntax: str = "plain",
) -> dict:
    """Things whose labels, statements, descriptions or quotes match ``q``, best first (BM25).

    ``q`` is plain words by default (every word must be in one text; if no text has them all, texts
    with any of them; the last word also matches as a prefix); ``syntax="fts5"`` reads it as an SQLite
    FTS5 query (phrases, ``OR``, ``NOT``, ``NEAR``, ``word*``). Raises InvalidFilter (``q``, ``type``,
    ``syntax``) for a text too short, one FTS5 cannot read, or an unknown type.
    """
    text = " ".join((q or "").split()) + (" " if (q or "")[-1:].isspace() else "")
    if len(text.strip()) < 2:
        raise InvalidFilter("q", "q must have at least 2 characters")
    if syntax not in SYNTAXES:
        raise InvalidFilter("syntax", f"unknown syntax {syntax!r}; one of: {', '.join(SYNTAXES)}")
    kinds = kinds_of(types)
    try:
        hits, mode = kg.search_index().search(text, kinds, syntax)
    except index.SearchSyntaxError as exc:
        raise InvalidFilter("q", f"the search is not valid FTS5 query syntax: {exc}") from None
    ctx = Context(kg)
    page = hits[offset : offset + limit]
    ctx.load(h.iri for h in page if not h.label)  # things without a label of their own (as other API objects)
    return {**listing([hit_json(ctx, h) for h in page], len(hits), limit, offset), "match": mode}
