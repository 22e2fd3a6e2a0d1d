"""Full-text search over what the sources say: an SQLite FTS5 index ranked by BM25.

One row per text: each label, alias, statement, definition or description of a thing, and each quote
of a citation (with the citation's document and locator), filed under the thing it belongs to — for a
quote, the fact the citation supports. :func:`build` makes the index from a store (an Oxigraph store or a
remote SPARQL store: anything with ``query``); :class:`SearchIndex` answers searches on it.

On disk the index is one SQLite file per published version of the store, next to its data folder
(:func:`index_path`): ``workforce-kg build`` and every write make it before they publish, so a reader
opening the version named by ``CURRENT`` finds the index of exactly that version. The file is never
changed after it is written, so readers open it read-only and immutable (no locks, no journal: it works
inside the query workers' sandbox, which may only read the store's folder).

Ranking: SQLite's ``bm25()`` of the row (its sign flipped: higher is better), times the weight of the
field (:data:`WEIGHTS`: a label counts more than a quote), times :data:`EXACT_BOOST` for a label or alias
that is the whole search text; a thing scores as its best-matching row.
"""

from __future__ import annotations

import html
import os
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from workforce_kg.store.labels import compose
from workforce_kg.vocab import DCTERMS, RDFS, SKOS, ontology_namespace

#: Predicates whose literals are indexed, by the field they fill.
FIELD_PREDICATES = {
    SKOS + "prefLabel": "label",
    RDFS + "label": "label",
    DCTERMS + "title": "label",
    SKOS + "altLabel": "alias",
    DCTERMS + "alternative": "alias",
    "statement": "statement",
    SKOS + "definition": "definition",
    DCTERMS + "description": "description",
    RDFS + "comment": "description",
    "measures": "description",
    "purpose": "description",
    "statusNote": "note",
    "valueQualifier": "note",
}
#: How much a match in each field counts (BM25 of the row × weight).
WEIGHTS = {
    "label": 2.0,
    "alias": 1.6,
    "statement": 1.3,
    "quote": 1.0,
    "definition": 1.0,
    "description": 1.0,
    "note": 0.8,
}
#: A label or alias that is the whole search text (case and spacing aside) counts this many times more.
EXACT_BOOST = 2.0
#: Preferred labels of a thing and of a document, best first.
LABEL_PREDICATES = (SKOS + "prefLabel", DCTERMS + "title", RDFS + "label")

START, END = "\x02", "\x03"  # highlight markers (control characters are removed from indexed text)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
SCHEMA_VERSION = "1"
SNIPPET_TOKENS = 40


class SearchSyntaxError(ValueError):
    """A search text that FTS5 cannot read (only with ``syntax="fts5"``)."""


# -- building --------------------------------------------------------------------------------------


def _texts_query(base: str) -> str:
    wkg = ontology_namespace(base)
    preds = " ".join(f"<{p if ':' in p else wkg + p}>" for p in FIELD_PREDICATES)
    return f"""SELECT ?s ?p ?text WHERE {{
  VALUES ?p {{ {preds} }}
  GRAPH ?g {{ ?s ?p ?text }}
  FILTER(isIRI(?s) && isLiteral(?text) && ?g != <{base}/graph/audit>)
}}"""


def _quotes_query(base: str) -> str:
    wkg = ontology_namespace(base)
    return f"""SELECT ?s ?doc ?locator ?quote WHERE {{
  ?s <{wkg}citation> ?c . ?c <{wkg}quote> ?quote .
  OPTIONAL {{ ?c <{wkg}document> ?doc }}
  OPTIONAL {{ ?c <{wkg}locator> ?locator }}
  FILTER(isIRI(?s))
}}"""


#: every label of every node (filtered in Python to the things indexed: no IRI is written into a query)
LABELS_QUERY = "SELECT ?s ?p ?label WHERE {{ VALUES ?p {{ {} }} ?s ?p ?label }}".format(
    " ".join(f"<{p}>" for p in LABEL_PREDICATES)
)


def _relations_query(base: str) -> str:
    """Body, role and subject labels of every node stating all three (see :mod:`workforce_kg.store.labels`)."""
    return f"""PREFIX wkg: <{ontology_namespace(base)}>
PREFIX skos: <{SKOS}> PREFIX rdfs: <{RDFS}>
SELECT ?s ?body ?role ?subject WHERE {{
  ?s wkg:body/(skos:prefLabel|rdfs:label) ?body ;
     wkg:role/(skos:prefLabel|rdfs:label) ?role ;
     wkg:subject/(skos:prefLabel|rdfs:label) ?subject .
}}"""


def kind_of(iri: str, base: str) -> str:
    """What a thing is, from its IRI: the kind in ``{base}/id/{kind}/…`` (``commitment``, ``organisation``
    …), ``concept:{scheme}`` for a concept of a scheme under the ontology, ``term`` for an ontology term,
    ``thing`` for anything else."""
    ids, wkg = f"{base}/id/", ontology_namespace(base)
    if iri.startswith(ids):
        return iri[len(ids) :].split("/", 1)[0]
    if iri.startswith(wkg):
        rest = iri[len(wkg) :]
        return f"concept:{rest.split('/', 1)[0]}" if "/" in rest else "term"
    return "thing"


def _clean(text: str) -> str:
    return _CONTROL.sub(" ", text)


def _create(db: sqlite3.Connection) -> None:
    db.executescript(
        """
        CREATE VIRTUAL TABLE texts USING fts5(
            text, entity UNINDEXED, field UNINDEXED, document UNINDEXED, locator UNINDEXED,
            tokenize = 'porter unicode61 remove_diacritics 2'
        );
        CREATE TABLE things (iri TEXT PRIMARY KEY, label TEXT, kind TEXT NOT NULL);
        CREATE TABLE documents (iri TEXT PRIMARY KEY, title TEXT);
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
        """
    )


def fill(db: sqlite3.Connection, store, base: str) -> int:
    """Index the texts of ``store`` (an Oxigraph or remote store) into the empty database ``db``; the rows made."""
    _create(db)
    rows: list[tuple[str, str, str, str | None, str | None]] = []
    for sol in store.query(_texts_query(base), use_default_graph_as_union=True):
        p = sol["p"].value
        name = FIELD_PREDICATES.get(p) or FIELD_PREDICATES[p.rsplit("/", 1)[-1]]
        rows.append((_clean(sol["text"].value), sol["s"].value, name, None, None))
    for sol in store.query(_quotes_query(base), use_default_graph_as_union=True):
        doc, loc = sol["doc"], sol["locator"]
        rows.append(
            (
                _clean(sol["quote"].value),
                sol["s"].value,
                "quote",
                doc.value if doc else None,
                loc.value if loc else None,
            )
        )
    things = {r[1] for r in rows}
    docs = {r[3] for r in rows if r[3]}
    labels: dict[str, dict[str, str]] = {}
    wanted = things | docs
    for sol in store.query(LABELS_QUERY, use_default_graph_as_union=True):
        if sol["s"].value in wanted:
            labels.setdefault(sol["s"].value, {}).setdefault(sol["p"].value, sol["label"].value)

    composed: dict[str, str] = {}  # relations without a label of their own: "Body — role — Subject"
    for sol in store.query(_relations_query(base), use_default_graph_as_union=True):
        text = compose(sol["body"].value, sol["role"].value, sol["subject"].value)
        if text:
            composed.setdefault(sol["s"].value, text)

    def label(iri: str) -> str | None:
        found = labels.get(iri, {})
        return next((found[p] for p in LABEL_PREDICATES if p in found), None) or composed.get(iri)

    db.executemany("INSERT INTO texts (text, entity, field, document, locator) VALUES (?, ?, ?, ?, ?)", rows)
    db.executemany("INSERT INTO things VALUES (?, ?, ?)", [(t, label(t), kind_of(t, base)) for t in sorted(things)])
    db.executemany("INSERT INTO documents VALUES (?, ?)", [(d, label(d)) for d in sorted(docs)])
    db.executemany("INSERT INTO meta VALUES (?, ?)", [("version", SCHEMA_VERSION), ("base", base)])
    db.execute("INSERT INTO texts(texts) VALUES ('optimize')")
    db.commit()
    return len(rows)


def build(store, base: str, target: Path | str) -> Path:
    """Write the index of ``store`` to ``target`` atomically (a temporary file beside it, then a rename)."""
    target = Path(target)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        db = sqlite3.connect(tmp)
        try:
            db.execute("PRAGMA journal_mode = OFF")  # a new file, renamed into place only once complete
            db.execute("PRAGMA temp_store = MEMORY")  # no temporary files outside the store (the writer's sandbox)
            fill(db, store, base)
        finally:
            db.close()
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def memory_index(store, base: str) -> SearchIndex:
    """The index of ``store`` in memory (an in-memory or remote store, or an on-disk one built without it)."""
    db = sqlite3.connect(":memory:", check_same_thread=False)
    fill(db, store, base)
    return SearchIndex(db)


def index_path(store_dir: Path | str, generation: str) -> Path:
    """Where the index of the store version ``generation`` (its data folder's name) is kept."""
    return Path(store_dir) / f"search-{generation}.sqlite"


def generation_of(index_file: Path) -> str | None:
    """The store version an index file belongs to (None: not an index file)."""
    m = re.fullmatch(r"search-(.+)\.sqlite", index_file.name)
    return m.group(1) if m else None


# -- searching -------------------------------------------------------------------------------------


@dataclass
class Snippet:
    """A piece of text with the matched words marked: ``text`` (plain), ``highlights`` (``[start, end)``
    offsets in characters of ``text``) and :meth:`html` (escaped text, ``<mark>`` around matches)."""

    text: str
    highlights: list[tuple[int, int]] = field(default_factory=list)

    @classmethod
    def parse(cls, marked: str) -> Snippet:
        """From FTS5 output with :data:`START` / :data:`END` around the matches."""
        out: list[str] = []
        spans: list[tuple[int, int]] = []
        pos, start = 0, None
        for part in re.split(f"([{START}{END}])", marked):
            if part == START:
                start = pos
            elif part == END:
                if start is not None and pos > start:
                    spans.append((start, pos))
                start = None
            else:
                out.append(part)
                pos += len(part)
        return cls("".join(out), spans)

    def html(self) -> str:
        """The snippet as HTML: the text escaped, each match in ``<mark>``."""
        parts, last = [], 0
        for a, b in self.highlights:
            parts += [html.escape(self.text[last:a]), "<mark>", html.escape(self.text[a:b]), "</mark>"]
            last = b
        parts.append(html.escape(self.text[last:]))
        return "".join(parts)

    def marked(self, left: str = "«", right: str = "»") -> str:
        """The text with each match between ``left`` and ``right`` (plain text, e.g. for SPARQL results)."""
        parts, last = [], 0
        for a, b in self.highlights:
            parts += [self.text[last:a], left, self.text[a:b], right]
            last = b
        parts.append(self.text[last:])
        return "".join(parts)

    def as_dict(self) -> dict:
        return {"text": self.text, "highlights": [list(h) for h in self.highlights], "html": self.html()}


@dataclass
class Row:
    """One matching text of a thing."""

    field: str
    score: float
    snippet: Snippet
    document: str | None = None
    document_title: str | None = None
    locator: str | None = None


@dataclass
class Hit:
    """A thing that matched: its best score and matching rows (best first)."""

    iri: str
    label: str | None
    kind: str
    score: float
    rows: list[Row]
    exact: bool = False  # a label or alias of it is the whole search text

    @property
    def best(self) -> Row:
        return self.rows[0]

    def quotes(self) -> list[Row]:
        return [r for r in self.rows if r.field == "quote"]


_WORD = re.compile(r"\w", re.UNICODE)


def plain_query(text: str, any_word: bool = False, prefix_last: bool = True) -> str | None:
    """User text as an FTS5 query of plain words: each word quoted (so ``don't``, ``NHS-E`` or ``AND``
    are words, never syntax), all required (or any, ``any_word``), the last one also as a prefix unless
    the text ends in a space. None when the text has no word."""
    words = [w for w in _clean(text).split() if _WORD.search(w)]
    if not words:
        return None
    terms = ['"' + w.replace('"', '""') + '"' for w in words]
    if prefix_last and not text[-1:].isspace() and len(words[-1]) >= 3:
        terms[-1] += "*"
    return (" OR " if any_word else " ").join(terms)


def fts5_problem(query: str) -> str | None:
    """Why FTS5 cannot read ``query`` (None: it can), found by running it on an empty table of the same
    kind: an error there comes from the query, not from an index."""
    db = sqlite3.connect(":memory:")
    try:
        db.execute("CREATE VIRTUAL TABLE t USING fts5(text, tokenize = 'porter unicode61 remove_diacritics 2')")
        db.execute("SELECT * FROM t WHERE t MATCH ?", (query,)).fetchall()
    except sqlite3.OperationalError as exc:
        return str(exc).removeprefix("fts5: ") or "malformed query"
    finally:
        db.close()
    return None


class SearchIndex:
    """An open search index (:func:`open_index` or :func:`memory_index`)."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def close(self) -> None:
        self.db.close()

    def __len__(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM texts").fetchone()[0]

    def _match(self, fts: str, kinds: Iterable[str] | None) -> list[tuple]:
        sql = (
            "SELECT t.entity, t.field, bm25(texts), snippet(texts, 0, ?, ?, '…', ?), t.document, d.title, t.locator,"
            " th.label, th.kind FROM texts AS t JOIN things AS th ON th.iri = t.entity"
            " LEFT JOIN documents AS d ON d.iri = t.document WHERE texts MATCH ?"
        )
        args: list = [START, END, SNIPPET_TOKENS, fts]
        kinds = list(kinds or [])
        if kinds:
            sql += f" AND th.kind IN ({','.join('?' * len(kinds))})"
            args += kinds
        try:
            return self.db.execute(sql, args).fetchall()
        except sqlite3.OperationalError:
            problem = fts5_problem(fts)
            if problem is not None:  # the query itself is at fault, whatever the index holds
                raise SearchSyntaxError(problem) from None
            raise

    def search(self, text: str, kinds: Iterable[str] | None = None, syntax: str = "plain") -> tuple[list[Hit], str]:
        """Things whose texts match ``text``, best first, and how the words were matched: ``all`` (every
        word in one text), ``any`` (no text had them all: texts with any of them) or ``fts5`` (``text``
        read as an FTS5 query, ``syntax="fts5"``; :class:`SearchSyntaxError` if it does not parse)."""
        if syntax == "fts5":
            found, mode = self._match(text, kinds), "fts5"
        else:
            fts = plain_query(text)
            if fts is None:
                return [], "all"
            found, mode = self._match(fts, kinds), "all"
            if not found and len(text.split()) > 1:
                fts = plain_query(text, any_word=True)
                assert fts is not None
                found, mode = self._match(fts, kinds), "any"
        hits: dict[str, Hit] = {}
        whole = " ".join(text.split()).casefold()
        for entity, fld, bm25, marked, doc, title, loc, label, kind in found:
            snippet = Snippet.parse(marked)
            exact = fld in ("label", "alias") and " ".join(snippet.text.split()).casefold() == whole
            score = -bm25 * WEIGHTS.get(fld, 1.0) * (EXACT_BOOST if exact else 1.0)
            row = Row(fld, round(score, 4), snippet, doc, title, loc)
            hit = hits.get(entity)
            if hit is None:
                hits[entity] = Hit(entity, label, kind, row.score, [row], exact)
            else:
                hit.rows.append(row)
                hit.score = max(hit.score, row.score)
                hit.exact = hit.exact or exact
        for hit in hits.values():
            hit.rows.sort(key=lambda r: -r.score)
        ordered = sorted(hits.values(), key=lambda h: (-h.score, (h.label or h.iri).lower(), h.iri))
        return ordered, mode

    def scores(self, text: str) -> dict[str, Hit]:
        """:meth:`search` as a map from IRI to hit (what the SPARQL functions read)."""
        return {h.iri: h for h in self.search(text)[0]}


def open_index(file: Path | str) -> SearchIndex:
    """Open an index file read-only and immutable (it never changes once written)."""
    uri = Path(file).resolve().as_uri() + "?mode=ro&immutable=1"
    return SearchIndex(sqlite3.connect(uri, uri=True, check_same_thread=False))


def prune(store_dir: Path | str, generations: set[str]) -> list[str]:
    """Delete index files (and leftovers) of store versions not in ``generations``; their names."""
    removed = []
    for f in Path(store_dir).glob("search-*.sqlite"):
        gen = generation_of(f)
        if gen is not None and gen not in generations:
            f.unlink(missing_ok=True)
            removed.append(f.name)
    for f in Path(store_dir).glob(".search-*.sqlite.tmp"):
        f.unlink(missing_ok=True)
        removed.append(f.name)
    return removed
