"""Link names in a document to what the graph already knows.

Known labels (``skos:prefLabel``, ``skos:altLabel``) of bodies, programmes and commitments are found in a
text with one pass over its words (a dictionary of word n-grams, so the cost grows with the text, not
with text × labels). Names the rules find that are not known are matched with rapidfuzz against the
labels of the same class: at or above :data:`LINK_SCORE` they are linked; between
:data:`FLAG_SCORE` and it they stay new and are flagged as possible duplicates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF, SKOS

WKG = Namespace("https://w3id.org/workforce-kg/def/")
ORG = Namespace("http://www.w3.org/ns/org#")
BASE = "https://w3id.org/workforce-kg"

BODY_CLASSES = (ORG.Organization, ORG.FormalOrganization, ORG.OrganizationalUnit, WKG.CollectiveActor)
PROGRAMME_CLASSES = (WKG.Programme,)
COMMITMENT_CLASSES = (WKG.Commitment, WKG.ManifestoCommitment, WKG.Target, WKG.Intention, WKG.Pledge)

LINK_SCORE = 92.0
FLAG_SCORE = 85.0
MAX_WORDS = 14

_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9&'’\-]*")
_GLUED = re.compile(r"(?<=[a-z]{3})(?=(?:The|This|These|It|We|In|On|At|A|An|Our|Its|Their|Last|Ministers?)\b)")
_STOP = {"the", "of", "and", "for", "a", "an", "in", "on", "to", "&"}


def words(text: str) -> list[tuple[str, int, int]]:
    """The words of ``text`` with their start and end offsets (possessive ’s dropped)."""
    out = []
    for m in _WORD.finditer(text):
        w, start, end = m.group(), m.start(), m.end()
        if w.endswith(("'s", "’s")) and len(w) > 2:
            w, end = w[:-2], end - 2
        glued = _GLUED.search(w)  # a capture that lost a line break: "adult sociThe government"
        if glued and not w.isupper():
            out.append((w[: glued.start()], start, start + glued.start()))
            w, start = w[glued.start() :], start + glued.start()
        w = w.strip("-'’")
        if w:
            out.append((w, start, end))
    return out


def key(text: str) -> str:
    """A label as compared: lower case, words only, ``&`` as ``and``."""
    return " ".join(w.lower().replace("&", "and") for w, _, _ in words(text))


@dataclass
class Known:
    """A node the graph already has."""

    iri: str
    kind: str  # body | programme | commitment
    label: str
    labels: list[str] = field(default_factory=list)


@dataclass
class Mention:
    """A known node named in a text."""

    iri: str
    kind: str
    start: int
    end: int
    text: str


class Linker:
    """Look-ups of known bodies, programmes and commitments in a graph."""

    def __init__(self, graph: Graph):
        self.nodes: dict[str, Known] = {}
        self.abbrev: dict[str, str] = {}  # case-sensitive short forms (all capitals) -> IRI
        self.phrases: dict[tuple[str, ...], str] = {}  # lower-case word tuples -> IRI
        self.prefixes: set[tuple[str, ...]] = set()
        self.by_kind: dict[str, list[tuple[str, str]]] = {"body": [], "programme": [], "commitment": []}
        self._cache: dict[str, tuple] = {}
        for kind, classes in (
            ("body", BODY_CLASSES),
            ("programme", PROGRAMME_CLASSES),
            ("commitment", COMMITMENT_CLASSES),
        ):
            for cls in classes:
                for node in graph.subjects(RDF.type, cls):
                    if not isinstance(node, URIRef) or str(node) in self.nodes:
                        continue
                    pref = graph.value(node, SKOS.prefLabel)
                    labels = [str(x) for x in graph.objects(node, SKOS.prefLabel)]
                    labels += [str(x) for x in graph.objects(node, SKOS.altLabel)]
                    if kind == "commitment":
                        labels += [str(x) for x in graph.objects(node, WKG.statement)]
                    known = Known(str(node), kind, str(pref or node), labels)
                    self.nodes[known.iri] = known
                    for lab in labels:
                        self.by_kind[kind].append((key(lab), known.iri))
                        if kind != "commitment":
                            self.add_phrase(lab, known.iri)

    def add_phrase(self, label: str, iri: str) -> None:
        """Make ``label`` findable in texts as a name of ``iri``."""
        lab = label.strip()
        if re.fullmatch(r"[A-Z][A-Z0-9&]{1,9}s?", lab):
            self.abbrev[lab] = iri
            return
        toks = tuple(w.lower() for w, _, _ in words(lab))
        if not toks or len(toks) > MAX_WORDS or (len(toks) == 1 and len(toks[0]) < 4):
            return
        self.phrases.setdefault(toks, iri)
        for i in range(1, len(toks)):
            self.prefixes.add(toks[:i])

    def find(self, text: str) -> list[Mention]:
        """Known bodies and programmes named in ``text``, longest match first, not overlapping."""
        toks = words(text)
        lower = [w.lower() for w, _, _ in toks]
        out: list[Mention] = []

        def longest(i: int) -> tuple[int, str] | None:
            best = (i + 1, self.abbrev[toks[i][0]]) if toks[i][0] in self.abbrev else None
            j, span = i, tuple[str, ...]()
            while j < len(toks) and j - i < MAX_WORDS:
                span = span + (lower[j],)
                j += 1
                if span in self.phrases:
                    best = (j, self.phrases[span])
                elif span not in self.prefixes:
                    break
            return best

        i = 0
        while i < len(toks):
            best = longest(i)
            if best and any((other := longest(k)) and other[0] > best[0] for k in range(i + 1, best[0])):
                best = None  # a longer name starts inside this one ("the department" in "the Department for X")
            if best:
                end, iri = best
                start_c, end_c = toks[i][1], toks[end - 1][2]
                out.append(
                    Mention(
                        iri, self.nodes[iri].kind if iri in self.nodes else "body", start_c, end_c, text[start_c:end_c]
                    )
                )
                i = end
            else:
                i += 1
        return out

    def _index(self, kind: str) -> tuple[dict[str, str], list[str], dict[str, list[int]]]:
        """Look-ups over the labels of ``kind`` (rebuilt when labels were added since)."""
        choices = self.by_kind[kind]
        cached = self._cache.get(kind)
        if cached and cached[0] == len(choices):
            return cached[1]
        labels = [c[0] for c in choices]
        exact: dict[str, str] = {}
        heads: dict[str, list[int]] = {}
        for i, (lab, iri) in enumerate(choices):
            exact.setdefault(lab, iri)
            if lab:
                heads.setdefault(lab.split()[-1], []).append(i)
        self._cache[kind] = (len(choices), (exact, labels, heads))
        return exact, labels, heads

    def match(self, name: str, kind: str) -> tuple[str | None, float, str | None]:
        """Fuzzy match of a new ``name`` against known labels of ``kind``.

        Returns:
            (linked IRI or None, best score, IRI of a likely duplicate when below the link score).
        """
        k = key(name)
        choices = self.by_kind.get(kind, [])
        if not k or not choices:
            return None, 0.0, None
        exact, labels, heads = self._index(kind)
        if k in exact:
            return exact[k], 100.0, None
        if kind == "commitment":
            best = process.extractOne(k, labels, scorer=fuzz.token_sort_ratio, score_cutoff=FLAG_SCORE)
            if not best:
                return None, 0.0, None
            _, score, idx = best
            iri = choices[idx][1]
            return (iri, float(score), None) if score >= 95 else (None, float(score), iri)
        best = process.extractOne(k, labels, scorer=fuzz.ratio, score_cutoff=FLAG_SCORE)
        if not best and len(k.split()) >= 2:
            # a longer known name that contains this one ("X Committee" for "House of Commons X Committee"),
            # with the same head word: linked from three words on, only flagged for two ("Recruitment Hub")
            same_head = heads.get(k.split()[-1], [])
            hit = process.extractOne(
                k, [labels[i] for i in same_head], scorer=fuzz.token_set_ratio, score_cutoff=LINK_SCORE
            )
            if hit and len(k.split()) == 2:
                return None, float(hit[1]) - 10, choices[same_head[hit[2]]][1]
            best = (hit[0], hit[1], same_head[hit[2]]) if hit else None
        if not best:
            return None, 0.0, None
        _, score, idx = best
        iri = choices[idx][1]
        if score >= LINK_SCORE:
            return iri, float(score), None
        return None, float(score), iri
