"""Read → segment → extract → link → draft: turn one document into a cited, linked draft of the graph."""

from __future__ import annotations

import re
import sys
import unicodedata
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS

from workforce_kg import __version__
from workforce_kg.provenance import sources
from workforce_kg.provenance.read import DocumentError as IngestError
from workforce_kg.provenance.read import read_text
from workforce_kg.store import local as stores

from . import extract as ex
from .draft import BASE, ORG, PATH_OF_KIND, SCHEMA, WKG, Candidate, Citation, Draft
from .link import Known, Linker, Mention, key, words

EXTRACTOR_VERSION = f"workforce-kg-ingest {__version__}+rules.1"
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ORG_CLASSIFICATION = ORG.classification
_PRONOUN_SUBJECT = re.compile(r"\b(?:we|our|the government|government|the department|ministers?)\b", re.I)
_RATING_VALUES = {
    "outstanding": "outstanding",
    "good": "good",
    "requires improvement": "requires-improvement",
    "inadequate": "inadequate",
}
_SECTION_RATING = re.compile(
    r"^(?:[-*•·]\s*)?(?:\(?[ivx]+\)\s*|[A-Da-d][.)]\s*)?(?P<dim>[A-Za-z][A-Za-z &]{2,40}?)\s*[–:—-]\s*\**\s*"
    r"(?P<val>Outstanding|Good|Requires [Ii]mprovement|Inadequate)\s*\**\s*\.?$"
)
_ITEM = re.compile(r"^[-•·▪◆*]\s+|^\(?[a-z0-9]{1,2}\)\s+")
_TABLE_HEADER_WORDS = ("commitment met", "funding and resource", "impact", "appropriateness", "overall")
_WHEN_COLUMN = re.compile(
    r"(?:by when|when|deadline|due(?: date| by)?|target date|timescales?|timeline|"
    r"completion date|date due|delivery date|by)",
    re.I,
)
_WHAT_COLUMN = re.compile(
    r"(?:actions?|commitments?|what(?: we will do)?|deliverables?|milestones?|objectives?|"
    r"priorit(?:y|ies)|targets?|measures? of success|outcomes?|recommendations?|tasks?)"
)
_REPORTED = re.compile(  # reported speech in minutes and news: "X said (that) the trust would open …"
    r"\b(?:said|says|told|reported|confirmed|explained|replied|stated|announced|added|undertook|assured|"
    r"agreed|advised|informed|indicated|promised)\b[^.;]{0,120}?\bwould\s+(?:also\s+|now\s+|then\s+)?"
    r"(?!(?:be|have|not|need|like|seem|appear|mean|depend|allow|help|make it|take time|continue to be|"
    r"merge)\b)[a-z]{3,}\b"
    r"|\bunder which\b[^.;]{0,80}?\bwould\s+[a-z]{3,}\b",
    re.I,
)
_AND_WOULD = re.compile(
    r"(?:,\s*|\s)and\s+(?:that\s+)?(?:(?:the|it|they|she|he|we)\b[^,;.]{0,40}?\s)?"
    r"(?P<verb>(?:would|will)\s+(?:also\s+)?(?!(?:be|not|have)\b)[a-z]{3,})",
    re.I,
)
_LABEL_LINE = re.compile(  # "- **Lead:** Department of Health" under a numbered action
    r"^\W*(?P<label>leads?|lead (?:organisation|body|agency|partner)s?|owners?|responsible(?: body| organisation)?|"
    r"accountable(?: body| organisation)?|(?:delivery |key |supporting )?partners?|supported by|working with|"
    r"funding|funded by|funders?|timescales?|by when|deadline|due(?: date)?|target date|delivery date)"
    r"\s*(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*(?P<rest>\S.*)$",
    re.I,
)
_LABEL_ROLES = {
    "lead": "lead",
    "owner": "lead",
    "responsible": "lead",
    "accountable": "accountable",
    "partner": "partner",
    "supported": "partner",
    "working": "partner",
    "funding": "funder",
    "funded": "funder",
    "funder": "funder",
}
_CARRIED_DEADLINE = re.compile(
    r"^(?:It|This|They|These|The (?:new )?\w+)\s+(?:will|would|should|is to|are to)\s+be\s+"
    r"(?:in place|ready|available|operational|up and running|launched|complete|completed|"
    r"delivered|established|introduced|published|live|open)\b",
    re.I,
)
_OBJECT_OF = re.compile(
    r"\b(?:for|to|of|on|about|from|in|at|into|across|within|under|than)\s+(?:the\s+|all\s+|our\s+|its\s+|their\s+|every\s+|each\s+)?"
    r"(?:\w+\s+)?$",
    re.I,
)
_IT_BY = re.compile(
    r"\b(?:establish|deliver|complete|introduce|launch|publish|implement|set up|achieve|meet|"
    r"have|open|finish)\s+(?:it|them|this)\s+(?:by|before|within)\b",
    re.I,
)
_ABOUT_ITSELF = re.compile(
    r"^\W*(?:This|The)\s+(?:plan|paper|report|strategy|document|framework|response|update|"
    r"chapter|section)\s+(?:sets out|describes|explains|outlines|summarises|presents|"
    r"responds|builds|shows|updates)\b",
    re.I,
)
_THIS_COMMITMENT = re.compile(r"\b(?:this|that|the) (?:manifesto )?(?:commitment|target|pledge|ambition)\b", re.I)
_STAGED = re.compile(
    rf"\(?(?P<value>\d{{1,3}}(?:,\d{{3}})*(?:\.\d+)?)\s?(?P<pct>%|per cent)?\s+(?:of [^,;()]{{1,60}}?\s+)?"
    rf"by\s+(?P<when>(?:\d{{1,2}}\s+)?(?:{ex._MONTH}\s+)?(?:19|20)\d\d)\b"
)
_LIST_OF_COMMITMENTS = re.compile(
    r"\b(?:commitments|pledges|targets|priorities|actions|ambitions|objectives|"
    r"following|RESOLVED|resolved|AGREED)\b",
    re.I,
)
_NOT_A_COMMITMENT = re.compile(r"\b(?:next meeting|will be held|would be held|be noted|be received|was noted)\b", re.I)
_BY_DATE = re.compile(
    rf"\b(?:by|before|no later than)\s+(?:the end of\s+)?(?:\d{{1,2}}\s+)?(?:{ex._MONTH}\s+)?(?:19|20)\d\d\b"
)
_POST_WORD = re.compile(
    r"^(?:Chief|Director|Deputy|Head|Chair|Chairman|Chairwoman|Vice|Lead|Medical Director|"
    r"Secretary|Minister|Officer|Executive Director|Non-executive)\b"
)
_STOPWORDS = {
    "the",
    "a",
    "an",
    "of",
    "for",
    "and",
    "to",
    "in",
    "on",
    "by",
    "with",
    "we",
    "will",
    "our",
    "is",
    "are",
    "be",
    "that",
    "this",
    "it",
    "as",
    "at",
    "from",
    "which",
    "have",
    "has",
    "been",
    "its",
    "their",
    "all",
}


def key_sorted(text: str) -> str:
    """A statement as compared for duplicates: its lower-case words, sorted."""
    return " ".join(sorted(key(text).split()))


def slugify(text: str, limit: int = 6) -> str:
    """Lower-case ASCII words joined by hyphens (at most ``limit`` content words)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    parts = [w for w in re.findall(r"[a-z0-9]+", ascii_text.lower())]
    content = [w for w in parts if w not in _STOPWORDS] or parts
    return "-".join(content[:limit]) or "item"


def amount_slug(value: Decimal) -> str:
    """``55000000`` → ``55m``, ``1000000000`` → ``1bn``, ``5000`` → ``5000``."""
    for size, suffix in ((Decimal(10**9), "bn"), (Decimal(10**6), "m")):
        if value >= size and (value / size) == (value / size).to_integral_value():
            return f"{int(value / size)}{suffix}"
        if value >= size:
            return f"{(value / size).normalize()}{suffix}".replace(".", "-")
    return str(value.normalize() if value != value.to_integral_value() else int(value)).replace(".", "-")


class Extraction:
    """State of one ingest run: candidates found so far, by IRI, and the look-ups they need."""

    def __init__(
        self,
        document_id: str,
        segs: dict[str, str],
        linker: Linker,
        graph: Graph,
        doc_date: str | None,
        publisher: str | None,
    ):
        self.key = document_id
        self.segs = segs
        self.linker = linker
        self.graph = graph
        self.doc_date = doc_date
        self.publisher = publisher
        self.by_iri: dict[str, Candidate] = {}
        self.order: list[str] = []
        self.problems: list[str] = []
        self.dropped = 0
        self.last_programme: str | None = None
        self.list_context: str | None = None
        self.seen: dict[tuple, str] = {}
        self.table_rows: set[str] = set()  # statements read from "by when" tables
        self.last_actor: str | None = None
        self.resolver: str | None = None  # the body named before "RESOLVED"
        self.section_main: dict[str | None, str] = {}  # heading (None: no heading) -> its first commitment
        self.locator = ""  # the locator of the sentence being read
        self.last_commitment: tuple[str, str] | None = None
        self._located = 0  # index of the leaf segment last located (ratings are read in document order)
        self.segment_subjects: tuple[str | None, list[str]] = (
            None,
            [],
        )  # (kind, key) -> first draft IRI: duplicates within the draft
        self.list_roles: dict[str, str] = {}
        self.current_commitment: str | None = None
        self.section_commitments: dict[str, str] = {}
        self.we: str | None = publisher
        self.existing_amounts: dict[Decimal, list[str]] = {}
        for node, value in graph.subject_objects(SCHEMA.value):
            if (node, RDF.type, WKG.Funding) in graph:
                self.existing_amounts.setdefault(Decimal(str(value)), []).append(str(node))
        self.known_commitments: list[tuple[str, str]] = []  # (normalised label, IRI): labels a text can quote
        for iri, known in linker.nodes.items():
            if known.kind != "commitment":
                continue
            for lab in known.labels:
                lab_n = " ".join(sources.normalise(lab).lower().split())
                if len(lab_n.split()) >= 3 and (re.search(r"\d", lab_n) or len(lab_n.split()) >= 5):
                    self.known_commitments.append((lab_n, iri))
        self.existing_figures: dict[tuple, list[str]] = {}
        for node, value in graph.subject_objects(WKG.value):
            unit = graph.value(node, WKG.unit)
            if unit is not None:
                self.existing_figures.setdefault((Decimal(str(value)), str(unit).rsplit("/", 1)[-1]), []).append(
                    str(node)
                )

    # -- bookkeeping -------------------------------------------------------------------------------

    def verified(self, locator: str, quote: str) -> Citation | None:
        """A citation whose quote the provenance check accepts, or None (counted as dropped)."""
        quote = re.sub(r"^[-•·▪◆*|]\s+", "", quote.strip())  # a list marker or table rule is layout, not words
        if len(quote) > 600:
            quote = quote[:600].rsplit(" ", 1)[0]
        if len(quote) < 2 or sources.check_quote(self.segs, locator, quote) is not None:
            self.dropped += 1
            return None
        return Citation(locator, quote)

    def new_iri(self, kind: str, slug: str) -> str:
        path = PATH_OF_KIND[kind]
        base = f"{BASE}/id/{path}/{slug}"
        iri, n = base, 2
        while iri in self.by_iri or (URIRef(iri), None, None) in self.graph:
            iri, n = f"{base}-{n}", n + 1
        return iri

    def add(
        self,
        kind: str,
        iri: str,
        label: str,
        citation: Citation,
        confidence: float,
        *,
        linked: str | None = None,
        fields: dict | None = None,
        flags: list[str] | None = None,
        max_citations: int = 3,
    ) -> Candidate:
        """Add a candidate, or another citation to the candidate already at ``iri``."""
        if iri in self.by_iri:
            cand = self.by_iri[iri]
            if len(cand.citations) < max_citations and all(c.quote != citation.quote for c in cand.citations):
                cand.citations.append(citation)
            return cand
        cand = Candidate(
            f"c{len(self.order) + 1}", kind, iri, label, [citation], confidence, linked, flags or [], fields or {}
        )
        self.by_iri[iri] = cand
        self.order.append(iri)
        return cand

    def candidates(self) -> list[Candidate]:
        return [self.by_iri[i] for i in self.order]

    # -- names: bodies and programmes ----------------------------------------------------------------

    def register(
        self,
        kind: str,
        name: str,
        locator: str,
        sentence: str,
        start: int,
        end: int,
        alt: str | None = None,
        confidence: float = 0.6,
        collective: bool = False,
        part_of: str | None = None,
    ) -> str | None:
        """A name the rules found: link it to a known node or make a new candidate; return its IRI."""
        name = ex.trim_name(" ".join(name.split()))
        if len(name) < 4 or len(name) > 120:
            return None
        for m in self.linker.find(name):
            if m.start == 0 and m.end == len(name):
                return m.iri
        linked, score, dup = self.linker.match(name, kind)
        if linked:
            self.linker.add_phrase(name, linked)
            if alt:
                self.linker.add_phrase(alt, linked)
            return linked
        quote = ex.shorten(sentence, start, end)
        citation = self.verified(locator, quote)
        if citation is None:
            return None
        slug = slugify(name, 8)
        iri = self.new_iri(kind, slug)
        fields: dict = {"alt_labels": [alt] if alt else []}
        if kind == "body":
            fields["otype"] = ex.organisation_type(name) if not collective else ex.collective_type(name)
            fields["collective"] = collective
            if part_of:
                fields["part_of"] = part_of
                fields["otype"] = (
                    str(self.graph.value(URIRef(part_of), ORG_CLASSIFICATION) or "").rsplit("/", 1)[-1]
                    or fields["otype"]
                )
        else:
            fields["programme_kind"] = ex.programme_kind(name)
        flags = [f"possible duplicate of {dup} (similarity {score:.0f})"] if dup else []
        label = name[:1].upper() + name[1:]
        self.add(kind, iri, label, citation, confidence, fields=fields, flags=flags)
        self.linker.nodes[iri] = Known(iri, kind, name, [name] + ([alt] if alt else []))
        self.linker.add_phrase(name, iri)
        self.linker.by_kind[kind].append((key(name), iri))
        if alt:
            self.linker.add_phrase(alt, iri)
        return iri

    def names(self, locator: str, sentence: str) -> None:
        """First pass: abbreviations the text defines, and new body and programme names.

        Rules run from the most specific to the most general; a name inside a span an earlier rule took
        ("NHS Northshire Integrated Care" inside "NHS Northshire Integrated Care Board") is skipped.
        """
        taken: list[tuple[int, int]] = []

        def free(start: int, end: int) -> bool:
            return not any(a <= start and end <= b for a, b in taken)

        def take(kind: str, name: str, start: int, end: int, **kw) -> None:
            if free(start, end) and self.register(kind, name, locator, sentence, start, end, **kw):
                taken.append((start, end))

        for m in ex.ABBREV_DEF.finditer(sentence):
            name, abbr = ex.trim_name(m.group("name")), m.group("abbr")
            while not ex.initials_match(name, abbr) and len(name.split()) > 2:
                name = name.split(" ", 1)[1]  # "the Board of NHS X Integrated Care Board (XICB)": the name ends here
                name = re.sub(r"^(?:of|for|and|the|to|in|on)\s+", "", name)
            if not ex.initials_match(name, abbr):
                continue
            found = [x for x in self.linker.find(name) if x.end == len(name)]
            if found and found[-1].start <= 0:
                self.linker.add_phrase(abbr, found[-1].iri)
                known = self.by_iri.get(found[-1].iri)
                if known is not None and not known.linked and abbr not in known.fields.setdefault("alt_labels", []):
                    known.fields["alt_labels"].append(abbr)  # a name found earlier, defined with its abbreviation here
                taken.append((m.start("name"), m.end()))
                continue
            kind = "programme" if re.search(rf"\b(?:{ex.PROG_HEADS})\b", name) else "body"
            if kind == "body" and not (re.search(rf"\b(?:{ex.ORG_HEADS})\b", name) or name.startswith("NHS")):
                kind = "body" if len(name.split()) <= 6 else ""
            if kind:
                take(kind, name, m.start("name"), m.end(), alt=abbr, confidence=0.7)
        for m in ex.ORG_NAME.finditer(sentence):
            name, start = m.group("name"), m.start()
            inner = re.match(rf"^(?:{ex.ORG_HEADS}) of (?:the )?(?=NHS\b|[A-Z])", name)
            if inner and re.search(rf"\b(?:{ex.ORG_HEADS})$", name[inner.end() :]):  # "Board of NHS X Board"
                name, start = name[inner.end() :], start + inner.end()
            if _POST_WORD.match(name):
                continue  # "Chief Executive", "Director of Nursing": posts, not bodies
            if len(name.split()) >= 2 and not re.match(r"^(?:The|A)\s+\w+$", name):
                take("body", name, start, m.end(), confidence=0.55)
        for m in ex.DEPT_NAME.finditer(sentence):  # "Department of Health" (no head word at its end)
            take("body", m.group("name"), m.start(), m.end(), confidence=0.55)
        for m in ex.UNIVERSITY_NAME.finditer(sentence):
            take("body", m.group("name"), m.start(), m.end(), confidence=0.55)
        for m in ex.NATION_NAME.finditer(sentence):  # "Social Care Wales", "Community Pharmacy England"
            name = ex.trim_name(m.group("name"))
            if len(name.split()) >= 3 and not re.match(r"^(?:In|Across|For|From|To|Of|And|With|By|The)\b", name):
                take("body", name, m.start(), m.end(), confidence=0.4)
        for m in ex.PROG_NAME.finditer(sentence):
            name = m.group("name")
            if len(name.split()) >= 2 and not ex.NUMBERED_LABEL.match(name):  # "Pledge 1" is a label, not a name
                take("programme", name, m.start(), m.end(), confidence=0.6)
        for m in ex.NHS_NAME.finditer(sentence):
            name = "NHS " + m.group("rest").strip()
            if not re.search(rf"\b(?:{ex.PROG_HEADS})\b", name) and len(name.split()) >= 2:
                take("body", name, m.start(), m.end(), confidence=0.5)
        for m in ex.GROUP_NAME.finditer(sentence):
            take("body", m.group("name") or m.group("bare"), m.start(), m.end(), confidence=0.45, collective=True)
        for m in ex.POST_NAME.finditer(sentence):
            name = (m.group("name") or m.group("plural") or "").removeprefix("the ").strip()
            if len(name.split()) >= 2:
                take("body", name, m.start(), m.end(), confidence=0.5)
        for m in ex.PROG_NAMED.finditer(sentence):  # "a national programme – Growing Occupational Health"
            take("programme", m.group("name"), m.start("name"), m.end(), confidence=0.5)
        for m in ex.PROG_PHRASE.finditer(sentence):  # "established the training recovery programme"
            name = m.group("name")
            if len(name.split()) >= 3 and not ex.PROG_NAME.fullmatch(name):
                take("programme", name[:1].upper() + name[1:], m.start("name"), m.end(), confidence=0.45)

    def publisher_body(self, label: str, units: list[tuple[str, str]]) -> str | None:
        """A publisher the graph does not know: the body the text names with its label (a new candidate,
        cited where the text first names it), which "we", "the trust", "the board" then refer to."""
        iri, _ = _publisher(label, self.linker)
        if iri is None:
            needle = sources.normalise(label).lower()
            for loc, sent in units:
                i = sent.lower().find(needle)
                if i != -1 and loc != sent:
                    iri = self.register(
                        "body", sent[i : i + len(needle)], loc, sent, i, i + len(needle), confidence=0.7
                    )
                    break
        if iri:
            self.publisher = self.we = iri
        return iri

    def units_of(self, locator: str, sentence: str) -> None:
        """ "The care market development team": a unit of the council (or department) the text is about."""
        owner = self.linker.phrases.get(("the", "council")) or self.linker.phrases.get(("the", "department"))
        if not owner or owner not in self.linker.nodes:
            return
        for m in ex.UNIT_NAME.finditer(sentence):
            name = f"{self.linker.nodes[owner].label} {m.group('name')}"
            self.register("body", name, locator, sentence, m.start(), m.end(), confidence=0.4, part_of=owner)

    # -- facts in a sentence -------------------------------------------------------------------------

    def mentions(self, sentence: str) -> list[Mention]:
        return self.linker.find(sentence)

    def cite_mentions(self, locator: str, sentence: str, mentions: list[Mention]) -> None:
        for m in mentions:
            known = self.linker.nodes.get(m.iri)
            kind = known.kind if known else "body"
            if kind not in ("body", "programme"):
                continue
            cit = self.verified(locator, ex.shorten(sentence, m.start, m.end))
            if cit is None:
                continue
            if m.iri in self.by_iri:
                self.add(kind, m.iri, "", cit, 0.0)
            elif not self.is_new(m.iri):
                self.add(kind, m.iri, known.label if known else m.text, cit, 0.9, linked=m.iri, max_citations=2)

    def is_new(self, iri: str) -> bool:
        return (URIRef(iri), None, None) not in self.graph

    def actor_before(self, sentence: str, pos: int, mentions: list[Mention]) -> str | None:
        """The body named last before ``pos`` (or the publisher, for we / the government)."""
        bodies = [
            m
            for m in mentions
            if m.end <= pos
            and self.kind_of(m.iri) == "body"
            and not _OBJECT_OF.search(sentence[max(0, m.start - 24) : m.start])
        ]  # a subject, not an object
        head = sentence[:pos]
        pron = list(_PRONOUN_SUBJECT.finditer(head))
        if bodies and (not pron or bodies[-1].end > pron[-1].start()):
            self.last_actor = bodies[-1].iri
            return bodies[-1].iri
        if pron and self.we:
            return self.we
        if self.last_actor and re.match(r"^\W*(?:it|they|she|he)\b", head, re.I):
            return self.last_actor  # "It will also explore …": the body the previous sentence named
        if self.locator.startswith("resolution") or re.match(r"^\W*(?:\d+\)\s*)?(?:resolved|agreed)\b", head, re.I):
            # a resolution is the meeting's body's: the one named before "RESOLVED", else "the Committee"
            return self.resolver or self.linker.phrases.get(("the", "committee"))
        return None

    def resolve_we(self, units: list[tuple[str, str]]) -> None:
        """Who "we" and "the department" are: the publisher when it is a government or department,
        else the government body the text names most (a government response published by Parliament
        speaks as the department), else the publisher."""
        govt = {
            f"{BASE}/def/organisation-type/{t}"
            for t in ("ministerial-department", "national-government", "devolved-government")
        }
        department = f"{BASE}/def/organisation-type/ministerial-department"

        def types(iri: str | None) -> set[str]:
            if not iri:
                return set()
            if iri in self.by_iri and self.by_iri[iri].fields.get("otype"):  # a body new in this draft
                return {f"{BASE}/def/organisation-type/{self.by_iri[iri].fields['otype']}"}
            return {str(o) for o in self.graph.objects(URIRef(iri), ORG_CLASSIFICATION)}

        departments: Counter = Counter()
        governments: Counter = Counter()
        committees: Counter = Counter()
        councils: Counter = Counter()
        for _, sent in units:
            for m in self.linker.find(sent):
                t = types(m.iri)
                if department in t:
                    departments[m.iri] += 1
                elif t & govt:
                    governments[m.iri] += 1
                if f"{BASE}/def/organisation-type/committee" in t:
                    committees[m.iri] += 1
                if f"{BASE}/def/organisation-type/local-authority" in t:
                    councils[m.iri] += 1
        parliamentary = {f"{BASE}/def/organisation-type/{t}" for t in ("legislature", "committee", "expert-panel")}
        if types(self.publisher) & govt or (
            self.publisher and not types(self.publisher) & parliamentary and self.publisher in self.by_iri
        ):
            self.we = self.publisher  # a government, or a body new to the graph (a trust, a health board …)
        else:
            top = departments.most_common(1) or governments.most_common(1)
            self.we = top[0][0] if top else self.publisher
        if self.we and department in types(self.we):
            self.linker.add_phrase("the department", self.we)
        if self.publisher:  # "the trust", "the health board", "the ICB": the publisher speaking of itself
            label = self.label_of(self.publisher)
            tail = label.split()
            for n in (1, 2):
                if len(tail) > n and re.fullmatch(rf"(?:{ex.ORG_HEADS})", tail[-1]):
                    self.linker.add_phrase("the " + " ".join(tail[-n:]), self.publisher)
            if re.search(r"\bIntegrated Care Board\b", label):
                self.linker.add_phrase("the ICB", self.publisher)
                self.linker.add_phrase("ICB", self.publisher)
        # in minutes and council papers, "the Committee" and "the Council" are the ones the text names most
        for counts, words_ in ((committees, ("the committee", "committee")), (councils, ("the council",))):
            top = counts.most_common(1)
            publisher_type = types(self.publisher)
            if (
                self.publisher
                and counts is councils
                and f"{BASE}/def/organisation-type/local-authority" in publisher_type
            ):
                top = [(self.publisher, 1)]
            if top:
                for phrase in words_:
                    self.linker.add_phrase(phrase, top[0][0])

    def intro_roles(self, sentence: str, mentions: list[Mention]) -> dict[str, str]:
        """Roles the introduction of a list gives its items ("The panel evaluated the following:")."""
        out = {}
        verb = re.search(
            r"\b(?:will|is|are|was|were|has|have|focus+ed|evaluated|rated|assessed|agreed|set out)\b", sentence
        )
        actor = self.actor_before(sentence, verb.start(), mentions) if verb else None
        if actor:
            out[actor] = "evaluator" if re.search(r"evaluat|rate|assess|focus+ed on|review", sentence, re.I) else "lead"
        return out

    def kind_of(self, iri: str) -> str:
        known = self.linker.nodes.get(iri)
        return known.kind if known else "body"

    def sentence_facts(self, locator: str, sentence: str) -> None:
        self.locator = locator
        mentions = self.mentions(sentence)
        resolved = re.search(r"\b(?:RESOLVED|resolved|AGREED)\b", sentence)
        if resolved:
            before = [m for m in mentions if m.end <= resolved.start() and self.kind_of(m.iri) == "body"]
            if before and resolved.start() - before[-1].end <= 3:
                self.resolver = before[-1].iri  # "The Board RESOLVED that:"
            elif (
                re.search(r"\bThe (?:Board|Trust Board|Governing Body)\s*$", sentence[: resolved.start()])
                and self.publisher
            ):
                self.resolver = self.publisher  # the publisher's own board
        ratings = len(ex.RATING_WORDS.findall(sentence))
        table_row = (ratings >= 3 or (ratings >= 2 and sentence.count("|") >= 2)) and not re.search(
            r"\b(?:or|and)\s+(?:good|outstanding|inadequate|requires)", sentence, re.I
        )  # "rated good or outstanding"
        if locator == sentence or table_row or sum(1 for d in _TABLE_HEADER_WORDS if d in sentence.lower()) >= 3:
            # a heading, a row of a rating table or its header: names only (ratings are read from the table)
            self.cite_mentions(locator, sentence, mentions)
            return
        for m in list(mentions):  # a programme named after its body ("Skills for Care Survey") names the body too
            if self.kind_of(m.iri) == "programme" and " " in m.text:
                head = m.text.rsplit(" ", 1)[0]
                for sub in self.linker.find(head):
                    if sub.start == 0 and self.kind_of(sub.iri) == "body":
                        mentions.append(Mention(sub.iri, "body", m.start, m.start + sub.end, sub.text))
        mentions.sort(key=lambda x: x.start)
        self.cite_mentions(locator, sentence, mentions)
        programmes = [m for m in mentions if self.kind_of(m.iri) == "programme"]
        cue = ex.COMMITMENT.search(sentence)
        named = self.named_commitments(locator, sentence)
        if (
            cue
            and named
            and any(cue.start() <= end and start - cue.end() <= 25 for start, end in named)
            and re.search(r"commitment|target|pledge|ambition|promise", cue.group(0), re.I)
        ):
            cue = None  # "… the national commitment to 50,000 more nurses": a reference to a known commitment
        if cue is None:
            cue = _REPORTED.search(sentence)  # reported speech: "she said that the trust would open …"
        in_table = bool(self.table_rows) and any(statement in sentence for statement in self.table_rows)
        if in_table:
            cue = None  # a row of a "by when" table: its commitment was read from the table
        numbers = [n for n in ex.figures(sentence) if not any(a <= n.start < b for a, b in named)]
        money = list(ex.MONEY.finditer(sentence))
        commitment, targets = None, []
        item = _ITEM.match(sentence)
        if cue is not None and cue.re is _REPORTED:
            targets = [n for n in numbers if n.start > cue.start()]
            kinds, conf = (["Target"] if targets else []) + ["Intention"], 0.55
        elif cue:
            # numbers after a pledge ("we will recruit 2,000") are its targets; after "we are trialling" they
            # are facts of the present, so figures
            future = ex.FUTURE.match(cue.group(0)) or ex.FUTURE.search(sentence[cue.start() : cue.end() + 40])
            targets = [n for n in numbers if n.start > cue.start()] if future else []
            kinds, conf = ex.commitment_type(sentence, bool(targets))
        elif item and self.list_context == locator:  # an item of a list a commitment introduced ("we will:")
            cue, targets = item, numbers
            kinds, conf = (["Target"] if targets else []) + ["Intention"], 0.5
        elif (
            locator.startswith("resolution")
            and not _NOT_A_COMMITMENT.search(sentence)
            and re.search(r"[a-z]{3,}\s+[a-z]{3,}", sentence)
        ):  # "(b) the trust invests £500,000 in …"
            cue, targets = re.match(r"^\W*(?:\(?[a-z0-9]{1,3}[.)]\s*)?", sentence), numbers
            kinds, conf = (["Target"] if targets else []) + ["Intention"], 0.5
        elif not in_table:
            by = _BY_DATE.search(sentence)
            if by and not re.search(r"\b(?:was|were|had been|has been|have been)\b", sentence[: by.start()]):
                cue, targets = by, numbers
                kinds, conf = (["Target"] if targets else []) + ["Intention"], 0.5
        label_line = _LABEL_LINE.match(sentence)
        if label_line:
            self.label_line(locator, sentence, label_line)
            cue = None  # "Lead: X" names who, it does not pledge anything itself
        carried = _CARRIED_DEADLINE.match(sentence) or _IT_BY.search(sentence)
        if (
            cue is not None
            and carried
            and self.last_commitment
            and (
                self.last_commitment[0] == locator
                or (_section(locator) and _section(self.last_commitment[0]) == _section(locator))
            )
        ):
            earlier = self.by_iri.get(self.last_commitment[1])
            when = ex.deadline(sentence, self.doc_date)
            if earlier is not None and when and not earlier.linked and not earlier.fields.get("deadline"):
                earlier.fields["deadline"] = (
                    when  # "A regional bank will replace … . It will be in place by April 2025."
                )
                cit = self.verified(locator, sentence)
                if cit and len(earlier.citations) < 3:
                    earlier.citations.append(cit)
                cue = None
        if cue is not None and _NOT_A_COMMITMENT.search(sentence):
            cue = None  # "the report be noted", "the next meeting will be held on …"
        if cue is not None and kinds and _ABOUT_ITSELF.match(sentence):
            conf = min(conf, 0.35)  # "This plan sets out how …": the document describing itself
        if cue is not None and kinds:
            second = _AND_WOULD.search(sentence, cue.end())
            if second and ex.deadline(sentence[second.start("verb") :], self.doc_date):
                # two pledges joined by "and would/will", each with its own date: two commitments
                cut = second.start()
                commitment = self.commitment(locator, sentence, cue, kinds, conf, targets, mentions, (0, cut))
                self.commitment(
                    locator, sentence, cue, kinds, conf, [], mentions, (second.start("verb"), len(sentence))
                )
            else:
                commitment = self.commitment(locator, sentence, cue, kinds, conf, targets, mentions)
            self.staged_targets(locator, sentence, commitment, mentions)
            last = cue.start()
            for other in ex.COMMITMENT.finditer(sentence, cue.end()):
                if other.start() - last >= 150:  # a long sentence with a second, separate pledge
                    more_kinds, more_conf = ex.commitment_type(sentence[other.start() - 60 :], False)
                    if more_kinds:
                        extra = self.commitment(locator, sentence, other, more_kinds, more_conf, [], mentions)
                        left = max(0, sentence.rfind(" ", 0, max(0, other.start() - 120)) + 1)
                        window = sentence[left : other.end() + 120].rsplit(" ", 1)[0]
                        near = self.mentions(window)
                        if extra:
                            self.responsibilities(
                                locator, window, near, [m for m in near if self.kind_of(m.iri) == "programme"], extra
                            )
                    last = other.start()
        when = ex.deadline(sentence, self.doc_date) if _THIS_COMMITMENT.search(sentence) else None
        if when and self.last_commitment and self.last_commitment[0] == locator:
            earlier = self.by_iri.get(self.last_commitment[1])
            if earlier is not None and not earlier.linked and not earlier.fields.get("deadline"):
                earlier.fields["deadline"] = when  # "… not on track to meet this commitment by 2024"
        if commitment:
            self.last_commitment = (locator, commitment)
            self.section_main.setdefault(_section(locator), commitment)
        intro = sentence.rstrip().endswith(":") and (commitment or _LIST_OF_COMMITMENTS.search(sentence))
        if intro:
            self.list_context = locator
            self.list_roles = self.intro_roles(sentence, mentions)
            maker = self.by_iri[commitment].fields.get("made_by") if commitment in self.by_iri else None
            if maker and maker not in self.list_roles:
                self.list_roles[maker] = "lead"
        elif not item:
            self.list_context, self.list_roles = None, {}
        elif commitment and self.list_context == locator:
            item_fields = self.by_iri[commitment].fields if commitment in self.by_iri else {}
            if "made_by" in item_fields and not item_fields["made_by"]:  # "we will:" made the items too
                item_fields["made_by"] = next((b for b, r in self.list_roles.items() if r == "lead"), None)
            for body, role in self.list_roles.items():
                if body != commitment:
                    self.responsibility(locator, sentence, 0, len(sentence), body, role, commitment)
        for n in numbers:
            if (commitment and n in targets) or in_table:
                continue
            self.figure(locator, sentence, n, programmes)
        for amount in money:
            self.funding(locator, sentence, amount, mentions, programmes, commitment)
        self.responsibilities(locator, sentence, mentions, programmes, commitment)
        self.changes(locator, sentence, mentions)

    def label_line(self, locator: str, sentence: str, m: re.Match) -> None:
        """A labelled line of an action ("Lead: X", "Partners: Y and Z", "Timescale: March 2026"): the role of
        the bodies it names, or the deadline, for the main commitment of the section (or the last one)."""
        main = self.section_main.get(_section(locator)) if _section(locator) else None
        if main is None and self.last_commitment:
            main = self.last_commitment[1]
        if main is None or main not in self.by_iri:
            return
        label = m.group("label").lower()
        rest_start = m.start("rest")
        if re.match(r"time|by when|deadline|due|target date|delivery date", label):
            cand = self.by_iri[main]
            when = ex.parse_date(m.group("rest")) or ex.deadline("by " + m.group("rest"), self.doc_date)
            if when and not cand.linked and not cand.fields.get("deadline"):
                cand.fields["deadline"] = when
                cit = self.verified(locator, sentence)
                if cit and len(cand.citations) < 3:
                    cand.citations.append(cit)
            return
        role = next(r for k, r in _LABEL_ROLES.items() if label.startswith(k))
        for b in self.mentions(sentence[rest_start:]):
            if self.kind_of(b.iri) == "body" and b.iri != main:
                self.responsibility(
                    locator, sentence, rest_start + b.start, rest_start + b.end, b.iri, role, main, confidence=0.6
                )

    def named_commitments(self, locator: str, sentence: str) -> list[tuple[int, int]]:
        """Commitments the graph has, named in ``sentence`` by a label or statement ("the commitment to
        50,000 more nurses"): each gets a citation; returns the spans of the names."""
        if not self.known_commitments:
            return []
        low = sources.normalise(sentence).lower()
        if low != sentence.lower() or len(low) != len(sentence):
            low = sentence.lower()
        spans: list[tuple[int, int]] = []
        for lab, iri in self.known_commitments:
            i = low.find(lab)
            if i == -1 or any(a <= i < b for a, b in spans):
                continue
            if (i > 0 and low[i - 1].isalnum()) or (i + len(lab) < len(low) and low[i + len(lab)].isalnum()):
                continue
            cit = self.verified(locator, ex.shorten(sentence, i, i + len(lab)))
            if cit is None:
                continue
            known = self.linker.nodes[iri]
            self.add("commitment", iri, known.label, cit, 0.7, linked=iri, max_citations=2)
            spans.append((i, i + len(lab)))
        return spans

    def staged_targets(self, locator: str, sentence: str, main: str | None, mentions) -> None:
        """A pledge with interim targets ("all by 2025 (90% by December 2023 and 100% by 2025)"): each
        "N by <date>" that is not the pledge's own deadline becomes a commitment of its own."""
        if not main or main not in self.by_iri:
            return
        own = self.by_iri[main].fields.get("deadline")
        for m in _STAGED.finditer(sentence):
            when = ex.parse_date(m.group("when"))
            if not when or when == own:
                continue
            cit = self.verified(locator, m.group(0).lstrip("("))
            if cit is None:
                continue
            value = ex.to_decimal(m.group("value"))
            fields = {
                "types": ["Target"],
                "statement": cit.quote,
                "deadline": when,
                "target_value": value,
                "unit": "percent" if m.group("pct") else "count",
                "made_by": self.by_iri[main].fields.get("made_by"),
            }
            iri = self.new_iri("commitment", f"{self.key}-{slugify(cit.quote, 6)}")
            self.add(
                "commitment",
                iri,
                f"Interim target: {cit.quote}",
                cit,
                0.5,
                fields=fields,
                flags=[f"interim target of {main}"],
            )

    def commitment(
        self, locator, sentence, cue, kinds, conf, targets, mentions, span: tuple[int, int] | None = None
    ) -> str | None:
        """A commitment stated by ``sentence`` at ``cue``; ``span``: the clause it holds when the sentence
        states two ("the trust would open X by May and would extend Y by the end of March")."""
        a, b = span or (0, len(sentence))
        cit = self.verified(
            locator,
            ex.shorten(sentence[:b], max(a, cue.start()) if span else cue.start(), min(b, cue.end()), 400)
            if not span
            else sentence[a:b].strip(" ,;."),
        )
        if cit is None:
            return None
        statement = cit.quote
        linked, score, dup = self.linker.match(statement, "commitment")
        if dup and score >= 95:
            self.add("commitment", dup, self.linker.nodes[dup].label, cit, conf, linked=dup)
            return dup
        pos = cue.start()
        if cue.re is _REPORTED:  # the subject of "would", not the speaker
            pos += cue.group(0).lower().rfind("would")
        fields: dict = {
            "types": kinds,
            "statement": statement,
            "made_by": self.actor_before(sentence, max(pos, a) if span else pos, mentions),
        }
        when = ex.deadline(sentence[a:b], self.doc_date)
        if when:
            fields["deadline"] = when
        if targets:
            fields["target_value"], fields["unit"] = targets[0].value, targets[0].unit
            if targets[0].qualifier:
                fields["qualifier"] = targets[0].qualifier
        same = self.seen.get(("commitment", key_sorted(statement)))
        if same:
            if self.by_iri[same].quote == statement:
                return same
            return self._commitment_new(statement, cit, conf, fields, [f"possible duplicate of {same}"])
        flags = [f"possible duplicate of {dup} (similarity {score:.0f})"] if dup else []
        return self._commitment_new(statement, cit, conf, fields, flags)

    def _commitment_new(self, statement, cit, conf, fields, flags) -> str:
        label = statement if len(statement) <= 90 else statement[:87].rsplit(" ", 1)[0] + "…"
        iri = self.new_iri("commitment", f"{self.key}-{slugify(statement, 6)}")
        self.add("commitment", iri, label[:1].upper() + label[1:], cit, conf, fields=fields, flags=flags)
        self.seen.setdefault(("commitment", key_sorted(statement)), iri)
        return iri

    def figure(self, locator, sentence, n: ex.Number, programmes) -> None:
        cit = self.verified(locator, ex.shorten(sentence, n.start, n.end))
        if cit is None:
            return
        left, right = ex.clause(sentence, n.start, n.end)
        measures = sentence[left:right].strip(" .,;:") or sentence
        value = n.value
        when = ex.as_of(sentence[left:right]) or ex.as_of(sentence)
        per = re.search(
            r"\bsince\s+(?:19|20)\d\d\b|\bbetween\s+(?:19|20)\d\d\s+and\s+(?:19|20)\d\d\b|"
            r"\b(?:19|20)\d\d\s?(?:/|to|–|-)\s?(?:19|20)?\d\d\b",
            sentence,
        )
        unit_word = {"percent": "%", "percentage-point": " percentage points", "fte": " FTE"}.get(n.unit, f" {n.unit}")
        label_value = f"{value:,}" if value == value.to_integral_value() else str(value)
        label = f"{label_value}{unit_word}: {measures[:80]}"
        words_only = sentence[left : n.start] + " " + sentence[n.end : right]
        slug = f"{self.key}-{slugify(words_only, 4)}-{amount_slug(value)}"
        flags = []
        same = self.seen.get(("figure", value, n.unit))
        if same:
            flags.append(f"possible duplicate of {same} (same value and unit)")
        for iri in self.existing_figures.get((value, n.unit), [])[:1]:
            flags.append(f"possible duplicate of {iri} in the graph (same value and unit)")
        fields = {
            "value": value,
            "unit": n.unit,
            "qualifier": n.qualifier,
            "measures": measures,
            "as_of": when,
            "period": per.group(0) if per else None,
        }
        conf = 0.75 if n.unit in ("percent", "fte", "percentage-point") else 0.6
        iri = self.new_iri("figure", slug)
        self.add("figure", iri, label, cit, conf, fields=fields, flags=flags)
        self.seen.setdefault(("figure", value, n.unit), iri)

    def funding(self, locator, sentence, m, mentions, programmes, commitment) -> None:
        value = ex.to_decimal(m.group("num"), m.group("mult"))
        cit = self.verified(locator, ex.shorten(sentence, m.start(), m.end()))
        if cit is None:
            return
        after = sentence[m.end() : m.end() + 80]
        left, right = ex.clause(sentence, m.start(), m.end())
        near = sentence[left : max(right, min(len(sentence), m.end() + 40))]
        label_period, start, end = ex.period(near)
        purpose = None
        pm = re.match(
            r"^\s*(?:of\s+)?(?:[\w/’']+\s+){0,5}?(?:funding|investment)?\s*(?:to|for|towards|on|in)\s+"
            r"(?!20\d\d|19\d\d)(?P<p>[^,.;()]{3,120})",
            after,
            re.I,
        )
        if pm and not re.match(
            r"^(?:the\s+|this\s+|that\s+)?(?:year|period|month|quarter|past|last|next|future)\b", pm.group("p"), re.I
        ):
            purpose = " ".join(pm.group("p").split()[:14])
        funder = None
        own = [
            x
            for x in mentions
            if self.kind_of(x.iri) == "body"
            and re.match(
                r"^(?:’s|'s)?\s+(?:funding|investment|grant|allocation|contribution)\s+(?:of\s+)?$",
                sentence[x.end : m.start()],
            )
        ]
        if own:  # "Scottish Government funding of £2.3 million"
            funder = own[-1].iri
        for cue, role in (
            (re.compile(r"\b(?:funded|provided|paid|met) by\b|\bfunding from\b", re.I), "after"),
            (
                re.compile(
                    r"\b(?:will\s+)?(?:invest|invests|invested|provide[sd]?|fund(?:s|ed)?|allocat\w+|award\w*|commit\w*|"
                    r"spend\w*|give[sn]?|announced|add(?:s|ed)?|contribut\w+|resolved|approv\w+|set aside|secured|"
                    r"earmarked|confirmed)\b",
                    re.I,
                ),
                "before",
            ),
        ):
            if funder:
                break
            cms = list(cue.finditer(sentence))
            # the cue of this amount: the last one before it in its clause, else the first in the sentence
            near_cue = [
                c for c in cms if c.end() <= m.start() and not re.search(r"[;]|, and\b", sentence[c.end() : m.start()])
            ]
            cm = near_cue[-1] if near_cue else (cms[0] if cms else None)
            if not cm:
                continue
            if role == "after":
                after_bodies = [x for x in mentions if x.start >= cm.end() and self.kind_of(x.iri) == "body"]
                funder = after_bodies[0].iri if after_bodies else None
            else:
                funder = self.actor_before(sentence, cm.start(), mentions)
            if funder:
                break
        recipient = None
        rm = re.search(
            r"\b(?:to|for|allocated to|given to|awarded to)\s+$",
            sentence[: max(0, min((x.start for x in mentions if x.start > m.end()), default=0))],
            re.I,
        )
        if rm:
            nxt = [x for x in mentions if x.start > m.end() and self.kind_of(x.iri) == "body"]
            recipient = nxt[0].iri if nxt and nxt[0].iri != funder else None
        funds = [p.iri for p in programmes]
        rec = ex.recurrence(near)
        amount_text = m.group(0).strip()
        what = re.search(
            r"\b(?P<w>(?:(?!(?:a|an|the|to|of|and|or|our|its|their|will|we|is|are|was)\b)[a-z][\w\-]*\s+)?"
            r"(?!(?:a|an|the|to|of|and|or|is|are|was|be|been)\b)[a-z][\w\-]*)\s+of\s+$",
            sentence[max(0, m.start() - 50) : m.start()],
        )
        noun = (
            what.group("w") if what and what.group("w").split()[-1] not in ("total", "sum", "value", "cost") else None
        )
        label = (f"{noun[:1].upper() + noun[1:]} of {amount_text}" if noun else amount_text) + (
            f" for {purpose}" if purpose else ""
        )
        slug = f"{self.key}-{slugify(purpose or sentence, 3)}-{amount_slug(value)}"
        flags = []
        same = self.seen.get(("funding", value))
        if same:
            flags.append(f"possible duplicate of {same} (same amount)")
        for iri in self.existing_amounts.get(value, [])[:1]:
            flags.append(f"possible duplicate of {iri} in the graph (same amount)")
        fields = {
            "amount": value,
            "qualifier": ex.qualifier(m.group("qual")),
            "recurrence": rec,
            "period": label_period,
            "start": start,
            "end": end,
            "funder": funder,
            "recipient": recipient,
            "funds": funds,
            "purpose": purpose,
        }
        iri = self.new_iri("funding", slug)
        self.add("funding", iri, label[:1].upper() + label[1:], cit, 0.85, fields=fields, flags=flags)
        self.seen.setdefault(("funding", value), iri)
        if funder and not funds and not commitment and purpose:
            subject = self.recent_subject(purpose)
            if subject and subject != funder:  # "NHS England approved £1.2m for the new nursery" (opened above)
                self.responsibility(locator, sentence, m.start(), m.end(), funder, "funder", subject, confidence=0.45)

    def recent_subject(self, purpose: str) -> str | None:
        """The commitment or programme of this draft, latest first, that ``purpose`` ("the new nursery",
        "the retention premium for …") names by its head words."""
        head = re.split(r"\s+(?:for|to|in|of|on|at|from|with|across|by)\s+", purpose.strip(), maxsplit=1)[0]
        toks = [
            t
            for t in re.findall(r"[a-z][a-z\-]+", head.lower())
            if t not in _STOPWORDS and t not in ("new", "its", "their", "this", "that", "these", "each")
        ]
        if not toks or len(toks[-1]) < 4:
            return None
        phrase = " ".join(toks[-2:]) if len(toks) >= 2 else toks[-1]
        for iri in reversed(self.order[-60:]):
            cand = self.by_iri[iri]
            if cand.kind not in ("commitment", "programme"):
                continue
            text = (cand.fields.get("statement") or cand.label).lower()
            if re.search(rf"\b{re.escape(phrase)}\b", text) or (
                len(toks) >= 2
                and re.search(rf"\b{re.escape(toks[-1])}\b", text)
                and re.search(rf"\b{re.escape(toks[-2])}\b", text)
            ):
                return iri
            if len(toks) == 1 and re.search(rf"\b{re.escape(toks[-1])}\b", text):
                return iri
        return None

    def responsibilities(self, locator, sentence, mentions, programmes, commitment) -> None:
        """Who does what: explicit cues (led by, funded by, commissioned, working with …) give the role;
        otherwise the sentence's actor leads and the other bodies it names are partners. The subject is
        the commitment the sentence states, else the programmes it names ("this programme" refers back)."""
        bodies = [m for m in mentions if self.kind_of(m.iri) == "body"]
        prog_iris = [p.iri for p in programmes]
        if (
            not prog_iris
            and not commitment
            and self.last_programme
            and re.search(
                r"\b(?:this|the|that)\s+(?:\w+\s+)?(?:programme|work|framework|strategy|plan|scheme|initiative|fund|"
                r"review|academy|centre|service|project|pathway)\b",
                sentence,
                re.I,
            )
        ):
            prog_iris = [self.last_programme]
        if programmes:
            self.last_programme = programmes[-1].iri
        if (
            not commitment
            and self.current_commitment
            and re.search(
                r"\b(?:this|the|that|these)\s+(?:manifesto\s+)?(?:commitments?|targets?|pledges?|ambitions?)\b",
                sentence,
                re.I,
            )
        ):
            commitment = self.current_commitment
        subjects = ([commitment] if commitment else []) + prog_iris[:2]
        carried = False
        if not subjects and self.segment_subjects[0] == locator:
            subjects, carried = self.segment_subjects[1], True  # what the paragraph is about so far
        elif not subjects and self.current_commitment and bodies:
            subjects, carried = [self.current_commitment], True  # the commitment this section answers
        elif subjects:
            self.segment_subjects = (locator, subjects)
        if not subjects or (
            not bodies
            and not (self.we and _PRONOUN_SUBJECT.search(sentence))
            and not (self.last_actor and re.match(r"^\W*(?:it|they)\b", sentence, re.I))
        ):
            return
        roles: dict[str, tuple[str, Any]] = {}  # body -> (role, the match or mention that gives it)
        for cue, role in ex.ROLE_CUES:
            for cm in cue.finditer(sentence):
                groups = {k for k, v in cm.groupdict().items() if v is not None}
                if not groups:
                    continue
                if any(k.startswith("after") for k in groups):
                    after = [b for b in bodies if b.start >= cm.end() - 1]
                    found = [after[0].iri] if after else []
                    found += [
                        after[i].iri
                        for i in range(1, len(after))
                        if re.match(
                            r"^\s*(?:,|and|&|,\s*and)\s*(?:the\s+)?$", sentence[after[i - 1].end : after[i].start]
                        )
                    ]
                else:
                    actor = self.actor_before(sentence, cm.start(), mentions)
                    found = [actor] if actor else []
                for b in found:
                    roles.setdefault(b, (role, cm))
        verb = re.search(
            r"\b(?:will|is|are|was|were|has|have|had|continues?|works?|worked|leads?|led|"
            r"commissioned|funds?|funded|provides?|provided|established|developed|published|hosted|"
            r"set out|announced|agreed|committed|plans?|aims?)\b",
            sentence,
        )
        actor = self.actor_before(sentence, verb.start(), mentions) if verb else None
        if actor and actor not in roles:
            roles[actor] = ("lead", verb)
        maker = self.by_iri[commitment].fields.get("made_by") if commitment in self.by_iri else None
        if maker and maker not in roles and any(b.iri == maker for b in bodies):
            roles[maker] = ("lead", next(b for b in bodies if b.iri == maker))
        for b in bodies:
            if b.iri not in roles:
                named_in = any(p.start == b.start for p in programmes)  # "the Skills for Care Survey"
                if (
                    not named_in
                    and _OBJECT_OF.search(sentence[max(0, b.start - 24) : b.start])
                    and not re.search(
                        r"\b(?:behalf|part|members?|support|help) of\s+(?:the\s+)?$",
                        sentence[max(0, b.start - 24) : b.start],
                        re.I,
                    )
                ):
                    continue  # "statistics for social care providers", "report to the Committee": not a partner
                roles[b.iri] = ("employer" if re.search(r"employer", self.label_of(b.iri), re.I) else "partner", b)
        for m in programmes:  # "HEE's Framework 15": the body owns the programme
            pos = re.search(r"(?:’s|'s)\s+(?:the\s+)?$", sentence[max(0, m.start - 4) : m.start])
            owner = [b for b in bodies if 0 <= m.start - b.end <= 4] if pos else []
            if owner:
                self.responsibility(locator, sentence, owner[-1].start, m.end, owner[-1].iri, "lead", m.iri)
        for body, (role, where) in roles.items():
            start, end = (where.start(), where.end()) if isinstance(where, re.Match) else (where.start, where.end)
            for subject in subjects:
                if subject != body:
                    self.responsibility(
                        locator, sentence, start, end, body, role, subject, confidence=0.35 if carried else None
                    )

    def responsibility(
        self,
        locator,
        sentence,
        start: int,
        end: int,
        body: str,
        role: str,
        subject: str,
        confidence: float | None = None,
    ) -> None:
        cit = self.verified(locator, ex.shorten(sentence, start, end))
        if cit is None:
            return
        body_slug, subj_slug = body.rsplit("/", 1)[-1], subject.rsplit("/", 1)[-1]
        subj_slug = subj_slug[len(self.key) + 1 :] if subj_slug.startswith(self.key + "-") else subj_slug
        iri = f"{BASE}/id/responsibility/{self.key}-{body_slug}-{role}-{'-'.join(subj_slug.split('-')[:4])}"
        body_label = self.label_of(body)
        subj_label = self.label_of(subject)
        label = f"{body_label}: {role} for {subj_label}"
        if iri in self.by_iri:
            return
        conf = confidence if confidence is not None else (0.55 if role != "partner" else 0.45)
        self.add("responsibility", iri, label, cit, conf, fields={"body": body, "role": role, "subject": subject})

    def label_of(self, iri: str) -> str:
        if iri in self.by_iri and self.by_iri[iri].label:
            return self.by_iri[iri].label
        known = self.linker.nodes.get(iri)
        if known:
            return known.label
        return str(self.graph.value(URIRef(iri), SKOS.prefLabel) or iri.rsplit("/", 1)[-1])

    def changes(self, locator, sentence, mentions) -> None:
        for cm in ex.CHANGE.finditer(sentence):
            bodies = [m for m in mentions if self.kind_of(m.iri) == "body"]
            before = [b for b in bodies if b.end <= cm.start() + 1]
            after = [b for b in bodies if b.start >= cm.end() - 1]
            if not before or not after:
                continue
            a, b = before[-1].iri, after[0].iri
            cit = self.verified(locator, ex.shorten(sentence, before[-1].start, after[0].end))
            if cit is None:
                continue
            when = ex.parse_date(sentence[cm.start() :]) or ex.parse_date(sentence)
            slug = f"{self.key}-{a.rsplit('/', 1)[-1]}-into-{b.rsplit('/', 1)[-1]}"
            iri = self.new_iri("change", slug)
            flags = [] if when and len(when) == 10 else ["needs a full date (dcterms:date is an xsd:date)"]
            if flags:
                self.problems.append(f"{iri}: the change has no full date in the text; add dcterms:date")
            self.add(
                "change",
                iri,
                f"{self.label_of(a)} into {self.label_of(b)}",
                cit,
                0.6,
                fields={"from": a, "to": b, "date": when},
                flags=flags,
            )

    # -- ratings -------------------------------------------------------------------------------------

    def locate(self, quote: str, leaves: list[str]) -> str | None:
        """The first segment at or after the last one located that contains ``quote`` (document order),
        else the first anywhere."""
        q = sources.normalise(quote)
        start = self._located
        for i in list(range(start, len(leaves))) + list(range(0, start)):
            if q in self.segs[leaves[i]]:
                self._located = i
                return leaves[i]
        return None

    def ratings(
        self, text: str, leaves: list[str], dimensions: dict[str, str], evaluator: str | None, title: str
    ) -> None:
        """Ratings from CQC-style tables (rows: commitment × dimension → value) and from rating lists."""
        header: list[str | None] | None = None
        rated: dict[str, tuple[int, str]] = {}  # commitment IRI -> (number, iri)
        last_heading, last_statement = "", ""
        evaluation = f"{BASE}/id/evaluation/{self.key}-evaluation"
        found = False

        def dimension_of(cell: str) -> str | None:
            c = re.sub(r"^[A-Za-z][.)]\s+|^\(?[ivx]+\)\s+", "", sources.normalise(cell)).strip().lower()
            return dimensions.get(c) or dimensions.get(key(c))

        def value_of(cell: str) -> str | None:
            return _RATING_VALUES.get(sources.normalise(cell).strip(" *.").lower())

        def commitment_for(text_: str, locator: str, quote: str) -> str | None:
            linked, score, dup = self.linker.match(text_, "commitment")
            target = dup if dup and score >= 90 else None
            if target is None:
                for c in self.by_iri.values():
                    if c.kind == "commitment" and fuzz.token_sort_ratio(c.fields.get("statement", ""), text_) >= 90:
                        target = c.iri
                        break
            if target is None:
                cit = self.verified(locator, quote)
                if cit is None:
                    return None
                n = len(rated) + 1
                label = text_ if len(text_) <= 90 else text_[:87].rsplit(" ", 1)[0] + "…"
                target = self.new_iri("commitment", f"{self.key}-{n}-{slugify(text_, 4)}")
                self.add(
                    "commitment",
                    target,
                    label,
                    cit,
                    0.7,
                    fields={"types": ["Pledge"], "statement": text_, "made_by": None},
                )
            if target not in rated:
                rated[target] = (len(rated) + 1, target)
            return target

        def add_rating(commitment: str, dim: str, value: str, where: str, cit) -> None:
            nonlocal found
            n = rated[commitment][0]
            iri = f"{BASE}/id/rating/{self.key}-{n}-{dim}-{where}"
            dim_label = dim.replace("-", " ").capitalize()
            place = "summary table" if where == "table" else "section"
            label = f"{self.label_of(commitment)[:60]}, {dim_label} ({place}): {value.replace('-', ' ').capitalize()}"
            self.add(
                "rating",
                iri,
                label,
                cit,
                0.85,
                fields={"commitment": commitment, "dimension": dim, "value": value, "evaluation": evaluation},
            )
            found = True

        for raw in text.splitlines():
            line = raw.strip()
            if not line:
                continue
            if line.startswith("#"):
                last_heading = line.lstrip("#").strip()
                continue
            if re.match(r"^\**[“\"]", line):
                last_statement = re.sub(r"\s*\((?:pages?|p+\.)[^)]*\)\s*$", "", sources.normalise(line)).strip('“”" ')
            cells = (
                [c for c in re.split(r"\t|\s\|\s|^\||\|$", line) if c.strip()]
                if ("\t" in line or line.count("|") >= 2)
                else []
            )
            cells = [c.strip() for c in cells]
            if len(cells) >= 2:
                if all(re.fullmatch(r":?-{3,}:?", c) for c in cells):
                    continue
                dims = [dimension_of(c) for c in cells]
                if sum(d is not None for d in dims) >= 2:
                    header = dims
                    continue
                values = [value_of(c) for c in cells]
                if header and sum(v is not None for v in values) >= 1:
                    text_cell = next(
                        (sources.normalise(c) for c, v in zip(cells, values, strict=True) if v is None and c), None
                    )
                    if not text_cell:
                        continue
                    row = sources.normalise(line)
                    quote = row if len(row) <= 400 else row[-400:].split(" ", 1)[1]
                    locator = self.locate(quote, leaves)
                    if locator is None:
                        continue
                    short_q = ex.shorten(text_cell, 0, min(len(text_cell), 60), 300)
                    commitment = commitment_for(text_cell, self.locate(short_q, leaves) or locator, short_q)
                    cit = self.verified(locator, quote)
                    if commitment is None or cit is None:
                        continue
                    for i, v in enumerate(values):
                        dim = header[i] if i < len(header) else None
                        if v and dim:
                            add_rating(commitment, dim, v, "table", cit)
                continue
            m = _SECTION_RATING.match(line)
            if m and value_of(m.group("val")):
                dim = dimension_of(m.group("dim"))
                statement = last_statement or last_heading
                if not dim or not statement:
                    continue
                quote = sources.normalise(line).lstrip("-*•· ").strip()
                locator = self.locate(quote, leaves)
                if locator is None:
                    continue
                squote = ex.shorten(statement, 0, min(60, len(statement)), 300)
                commitment = commitment_for(statement, self.locate(squote, leaves) or locator, squote)
                cit = self.verified(locator, quote)
                if commitment:
                    self.section_commitments.setdefault(locator, commitment)
                value = value_of(m.group("val"))
                if commitment and cit and value:
                    add_rating(commitment, dim, value, "section", cit)
        if found:
            self.evaluation(evaluation, evaluator, title)

    def tables(self, text: str, leaves: list[str]) -> None:
        """Commitments from tables with a "by when" column ("Action | Lead | By when"): each row's first
        text cell is the commitment, the date cell its deadline, a lead cell naming a body its maker."""
        header: list[str] | None = None
        for raw in text.splitlines():
            line = raw.strip()
            cells = (
                [c.strip() for c in re.split(r"\t|\s\|\s|^\||\|$", line) if c.strip()]
                if ("\t" in line or line.count("|") >= 2)
                else []
            )
            if len(cells) < 2:
                if line and not re.fullmatch(r"[|:\-+=\s]+", line):
                    header = None  # a line of prose ends the table; a blank line or a rule does not
                continue
            if all(re.fullmatch(r":?-{3,}:?", c) for c in cells):
                continue
            lowered = [sources.normalise(c).lower() for c in cells]
            if any(_WHEN_COLUMN.fullmatch(c) for c in lowered):
                header = lowered
                continue
            if not header or len(ex.RATING_WORDS.findall(line)) >= 2:
                continue
            when_col = next(i for i, c in enumerate(header) if _WHEN_COLUMN.fullmatch(c))
            lead_col = next(
                (
                    i
                    for i, c in enumerate(header)
                    if re.fullmatch(
                        r"(?:lead|owner|responsible|who|by whom)"
                        r"(?: body| organisation)?",
                        c,
                    )
                ),
                None,
            )
            if when_col >= len(cells):
                continue
            what_col = next((i for i, c in enumerate(header) if _WHAT_COLUMN.fullmatch(c) and i < len(cells)), None)
            if what_col is None:  # the first cell with words that is not the lead or the date ("No. | Action | …")
                what_col = next(
                    (i for i, c in enumerate(cells) if i not in (when_col, lead_col) and re.search(r"[a-z]{3}", c)), 0
                )
            statement = sources.normalise(cells[what_col])
            when = ex.parse_date(cells[when_col]) or ex.deadline("by " + cells[when_col], self.doc_date)
            locator = self.locate(statement, leaves)
            if not statement or locator is None or not re.search(r"[a-z]{3}", statement):
                continue
            cit = self.verified(locator, ex.shorten(statement, 0, min(len(statement), 40)))
            if cit is None:
                continue
            maker = None
            if lead_col is not None and lead_col < len(cells):
                found = self.linker.find(cells[lead_col])
                maker = found[0].iri if found else None
            numbers = ex.figures(statement)
            fields: dict[str, Any] = {
                "types": (["Target"] if numbers else []) + ["Intention"],
                "statement": statement,
                "made_by": maker or self.we,
            }
            if when:
                fields["deadline"] = when
            if numbers:
                fields["target_value"], fields["unit"] = numbers[0].value, numbers[0].unit
            iri = self._commitment_new(statement, cit, 0.6, fields, [])
            self.table_rows.add(cit.quote)
            if maker:
                self.responsibility(locator, cit.quote, 0, len(cit.quote), maker, "lead", iri)

    def evaluation(self, iri: str, evaluator: str | None, title: str) -> None:
        ratings = [c for c in self.by_iri.values() if c.kind == "rating"]
        first = ratings[0].citations[0]
        fields = {"evaluator": evaluator, "date": self.doc_date}
        flags = []
        if not evaluator:
            flags.append("no evaluator found: add wkg:evaluator")
            self.problems.append(f"{iri}: name the evaluator (wkg:evaluator) of the ratings")
        if not self.doc_date or len(self.doc_date) != 10:
            flags.append("no full date: add dcterms:date")
            self.problems.append(f"{iri}: give the evaluation's date (dcterms:date, a full date; pass --date)")
        self.add("evaluation", iri, f"Evaluation in {title}"[:120], first, 0.7, fields=fields, flags=flags)
        self.order.remove(iri)
        self.order.insert(self.order.index(ratings[0].iri), iri)


def _section(locator: str) -> str | None:
    """The heading a heading-paragraph locator names ("Action 2: … ¶3" → "Action 2: …"), else None."""
    return locator.rsplit(" ¶", 1)[0] if " ¶" in locator else None


def _leaves(segs: dict[str, str], scheme: str) -> list[str]:
    if scheme == "heading-paragraph":
        return [k for k in segs if " ¶" in k] or list(segs)
    return list(segs)


def _dimensions(graph: Graph) -> dict[str, str]:
    scheme = URIRef(f"{BASE}/def/scheme/rating-dimension")
    out = {}
    for concept in graph.subjects(SKOS.inScheme, scheme):
        slug = str(concept).rsplit("/", 1)[-1]
        for lab in list(graph.objects(concept, SKOS.prefLabel)) + list(graph.objects(concept, SKOS.altLabel)):
            text = re.sub(r"^[A-Za-z][.)]\s+", "", str(lab)).strip().lower()
            out[text] = slug
            out[key(text)] = slug
    return out


def _check_date(date: str | None) -> str | None:
    if date is None:
        return None
    if not re.fullmatch(r"\d{4}(?:-\d{2}(?:-\d{2})?)?", date):
        raise IngestError(f"--date must be YYYY-MM-DD, YYYY-MM or YYYY (got {date!r})")
    try:
        datetime.strptime(date + "-01-01"[len(date) - 4 :] if len(date) < 10 else date, "%Y-%m-%d")
    except ValueError:
        raise IngestError(f"--date {date!r} is not a calendar date") from None
    return date


def bundled_graph() -> Graph:
    """The ontology and the bundled graph, to link against."""
    return stores.rdflib_graph()


def ingest(
    path: str | Path,
    document_id: str,
    *,
    title: str | None = None,
    date: str | None = None,
    publisher: str | None = None,
    locator_scheme: str = "auto",
    graph: Graph | None = None,
    progress: bool = False,
) -> Draft:
    """Turn the document at ``path`` into a draft of the graph (see ``/work/notes/ingest-api.md``).

    Args:
        path: a ``.txt``, ``.md``, ``.html`` or ``.pdf`` file.
        document_id: the document's slug (``doc:{document_id}``; also the prefix of its fact slugs).
        title: the document's title (default: its first heading, else the file name).
        date: the document's date (``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``); relative dates ("next year")
            are resolved against it only when given.
        publisher: the publishing body, as a slug (``dhsc``), IRI or label; "we" in the text means it.
        locator_scheme: ``auto`` or one of :data:`workforce_kg.sources.SCHEMES`.
        graph: the graph to link against (default: the bundled one).
        progress: show a progress bar on standard error.

    Raises:
        IngestError: bad arguments or an unreadable document (a one-line message).
    """
    started = datetime.now(UTC)
    if not SLUG.match(document_id or ""):
        raise IngestError(f"--document-id must be a slug of lower-case words joined by hyphens (got {document_id!r})")
    date = _check_date(date)
    if locator_scheme != "auto" and locator_scheme not in sources.SCHEMES:
        raise IngestError(f"unknown locator scheme {locator_scheme!r}; choose auto or {', '.join(sources.SCHEMES)}")
    path = Path(path)
    text = read_text(path)
    scheme = sources.detect_scheme(text) if locator_scheme == "auto" else locator_scheme
    headings = sources.detect_headings(text) if scheme == "heading-paragraph" else []
    segs = sources.segments(text, scheme, set(headings))
    if graph is None:
        graph = bundled_graph()
    linker = Linker(graph)
    publisher_iri, publisher_label = _publisher(publisher, linker)
    if title is None:
        first = next((ln for ln in text.splitlines() if ln.strip()), path.stem)
        title = sources.normalise(first.lstrip("#"))[:200] or path.stem
    run = Extraction(document_id, segs, linker, graph, date, publisher_iri)
    leaves = _leaves(segs, scheme)
    units = [(loc, sent) for loc in leaves for _, sent in ex.sentences(segs[loc])]
    if scheme == "heading-paragraph":  # names in headings ("Minutes of the X Committee") are cited by the heading
        units = [(h, h) for h in headings if h in segs] + units
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=2 * len(units), file=sys.stderr, unit="sentence", desc="ingest", leave=False, delay=1.0)
    for loc, sent in units:
        run.names(loc, sent)
        if bar:
            bar.update()
    if publisher_iri is None and publisher_label:
        publisher_iri = run.publisher_body(publisher_label, units)
    run.resolve_we(units)
    for loc, sent in units:
        run.units_of(loc, sent)
    evaluator = _evaluator(run, units) or run.we
    run.ratings(text, leaves, _dimensions(graph), evaluator, title)
    run.tables(text, leaves)
    for loc, sent in units:
        if loc in run.section_commitments:
            run.current_commitment = run.section_commitments[loc]
        run.sentence_facts(loc, sent)
        if bar:
            bar.update()
    if bar:
        bar.close()
    candidates = [c for c in run.candidates() if c.citations]
    if run.dropped:
        run.problems.append(f"{run.dropped} candidate quote(s) failed the quote check and were left out")
    document = {
        "title": title,
        "file_name": path.name,
        "scheme": scheme,
        "headings": headings,
        "date": date,
        "publisher": publisher_iri,
        "publisher_label": publisher_label,
    }
    activity = {
        "version": EXTRACTOR_VERSION,
        "started": started.isoformat(timespec="seconds"),
        "ended": datetime.now(UTC).isoformat(timespec="seconds"),
        "input": str(path.name),
    }
    return Draft(document_id, document, candidates, segs, activity, run.problems)


def _publisher(publisher: str | None, linker: Linker) -> tuple[str | None, str | None]:
    if not publisher:
        return None, None
    if publisher.startswith("http"):
        return publisher, linker.nodes[publisher].label if publisher in linker.nodes else None
    iri = f"{BASE}/id/organisation/{publisher.removeprefix('body:')}"
    if iri in linker.nodes:
        return iri, linker.nodes[iri].label
    found = [m for m in linker.find(publisher) if m.end - m.start >= len(publisher) - 3]
    if found:
        return found[0].iri, linker.nodes[found[0].iri].label
    linked, _, _ = linker.match(publisher, "body")
    if linked:
        return linked, linker.nodes[linked].label
    return None, publisher


def _evaluator(run: Extraction, units) -> str | None:
    counts: Counter = Counter()
    for _, sent in units:
        if re.search(r"\b(?:rat(?:e|es|ed|ing|ings)|evaluat\w+|assess\w+)\b", sent, re.I):
            for m in run.linker.find(sent):
                if run.kind_of(m.iri) == "body" and re.search(
                    r"panel|commission|committee|inspector|review|audit", m.text, re.I
                ):
                    counts[m.iri] += 1
    return counts.most_common(1)[0][0] if counts else None


__all__ = ["ingest", "EXTRACTOR_VERSION", "slugify", "words"]
