"""Curation lint: systematic errors a review of the graph keeps finding, caught by rule.

Each check is a SPARQL query in ``lint_checks/`` (no values are formatted into query text) plus a
little Python where the test is on words or numbers. Findings:

- ``duplicate-funding``: two funding nodes with the same amount from the same document;
- ``duplicate-figure``: two figures or targets with the same value (and compatible unit) from one document;
- ``similar-label``: two nodes of one class with near-identical labels (rapidfuzz);
- ``duplicate-responsibility``: the same body, role and subject under two IRIs;
- ``attribution``: a document's first-person "we" given to the body its author belongs to (e.g. the
  Government instead of the responding department), or a manifesto commitment made by a sub-body;
- ``percentage-point``: ``unit:percent`` where the quote says "percentage point(s)";
- ``fte-headcount``: FTE where the quote counts people, or headcount where it says full-time equivalent;
- ``relative-time``: a dated fact whose quote says "this year", "next year", ... and whose date is not
  resolved against when the text was written (``dcterms:created`` of its document);
- ``description-number``: a number stated in ``dcterms:description`` and in no structured field;
- ``duplicate-citation``: one node cited twice for the same document, locator and quote (often left
  behind when citations are moved between nodes or files);
- ``undated-event``: a programme, funding, figure or change whose quote states a calendar date ("on 22
  September", "in May 2022") while the node has no date field at all.

A finding is acknowledged (reported, but not failing) by ``owl:differentFrom`` between a reviewed
pair, or by an entry of ``lint-ignore.toml`` in the graph folder (kind, nodes, reason).
"""

from __future__ import annotations

import re
import tomllib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import combinations
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rapidfuzz import fuzz

from workforce_kg.store import local as stores
from workforce_kg.vocab import prefixes as kg_prefixes

CHECKS_DIR = Path(__file__).resolve().parent / "lint_checks"
IGNORE_FILE = "lint-ignore.toml"
LABEL_THRESHOLD = 92.0  # rapidfuzz token_sort_ratio (0-100) at or above which two labels are "near-identical"

FIRST_PERSON = re.compile(r"\b(we|our|us|ourselves)\b", re.IGNORECASE)
PERCENTAGE_POINT = re.compile(r"percentage[- ]points?", re.IGNORECASE)
FTE_WORDS = re.compile(r"\b(FTE|WTE|full[- ]time equivalents?|whole[- ]time equivalents?)\b", re.IGNORECASE)
HEADCOUNT_WORDS = re.compile(r"\b(headcount|people|persons?|individuals)\b", re.IGNORECASE)
# relative time words -> offset in years from when the text was written (None: no year implied)
RELATIVE_TIME = {
    r"this (calendar |financial )?year": 0,
    r"next (calendar |financial )?year": 1,
    r"last (calendar |financial )?year|the last year|the past year|a year ago": -1,
    r"by the end of the year|end of this year|later this year|earlier this year": 0,
    r"this (spring|summer|autumn|winter|month|quarter)": None,
    r"next (spring|summer|autumn|winter|month|quarter)": None,
    r"last (spring|summer|autumn|winter|month|quarter)": None,
}
RELATIVE_RE = re.compile("|".join(f"(?:{p})" for p in RELATIVE_TIME), re.IGNORECASE)
NUMBER = re.compile(
    r"(?<![\w./-])£?(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(billion|bn|million|m\b|k\b|%)?", re.IGNORECASE
)
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
CALENDAR_DATE = re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{MONTHS})\b|\b(?:{MONTHS})\s+\d{{4}}\b")
SCALE = {"billion": 10**9, "bn": 10**9, "million": 10**6, "m": 10**6, "k": 10**3}
KINDS = (
    "duplicate-funding",
    "duplicate-figure",
    "similar-label",
    "duplicate-responsibility",
    "attribution",
    "percentage-point",
    "fte-headcount",
    "relative-time",
    "description-number",
    "duplicate-citation",
    "undated-event",
    "post-outside-body",
)


class LintError(Exception):
    """The graph or the ignore file cannot be read."""


@dataclass
class Finding:
    """One likely error: its kind, the nodes involved (IRIs), a message, and why it is acknowledged."""

    kind: str
    nodes: tuple[str, ...]
    message: str
    details: dict = field(default_factory=dict)
    acknowledged: str | None = None

    def as_json(self) -> dict:
        out: dict[str, Any] = {
            "kind": self.kind,
            "nodes": list(self.nodes),
            "message": self.message,
            "details": self.details,
        }
        out["acknowledged"] = self.acknowledged is not None
        if self.acknowledged is not None:
            out["reason"] = self.acknowledged
        return out


@dataclass
class Report:
    """All findings of a run; ``failing`` are those not acknowledged."""

    findings: list[Finding]

    @property
    def failing(self) -> list[Finding]:
        return [f for f in self.findings if f.acknowledged is None]

    def as_json(self) -> dict:
        counts: dict[str, int] = defaultdict(int)
        for f in self.failing:
            counts[f.kind] += 1
        return {
            "ok": not self.failing,
            "findings": [f.as_json() for f in self.findings],
            "counts": {k: counts[k] for k in KINDS if counts[k]},
            "acknowledged": sum(1 for f in self.findings if f.acknowledged is not None),
        }

    def as_text(self, short: Callable[[str], str]) -> str:
        lines = []
        for f in self.findings:
            mark = f"(acknowledged: {f.acknowledged}) " if f.acknowledged is not None else ""
            lines.append(f"{f.kind}: {', '.join(short(n) for n in f.nodes)}: {mark}{f.message}")
        n_ack = len(self.findings) - len(self.failing)
        lines.append(f"{len(self.failing)} finding(s), {n_ack} acknowledged")
        return "\n".join(lines)


class Linter:
    """Runs the checks over the Turtle of a graph folder (plus the ontology)."""

    def __init__(self, graph_dir: Path | None = None):
        self.graph_dir = Path(graph_dir) if graph_dir else stores.GRAPH_DIR
        if not self.graph_dir.is_dir():
            raise LintError(f"not a folder: {self.graph_dir}")
        files = stores.bundled_files(graph_dir=self.graph_dir)
        try:
            self.store = stores.memory_store(files)
        except stores.StoreError as exc:
            raise LintError(str(exc)) from None
        self.prefixes = kg_prefixes()
        self._queries: dict[str, str] = {}

    # -- helpers -------------------------------------------------------------------------------

    def rows(self, name: str) -> list[dict[str, ox.NamedNode | ox.Literal | ox.BlankNode]]:
        """Run ``lint_checks/<name>.rq``: a list of variable -> term dicts (unbound variables left out)."""
        if name not in self._queries:
            self._queries[name] = (CHECKS_DIR / f"{name}.rq").read_text(encoding="utf-8")
        result = self.store.query(self._queries[name], use_default_graph_as_union=True, prefixes=self.prefixes)
        assert isinstance(result, ox.QuerySolutions)  # the checks are SELECT queries
        names = [v.value for v in result.variables]
        return [{n: s[n] for n in names if s[n] is not None} for s in result]

    def short(self, iri: str) -> str:
        """A prefixed name for an IRI where a known prefix fits."""
        for p, ns in sorted(self.prefixes.items(), key=lambda kv: -len(kv[1])):
            if iri.startswith(ns):
                return f"{p}:{iri[len(ns) :]}"
        return iri

    def expand(self, name: str) -> str:
        """The IRI of a prefixed name (or the IRI itself)."""
        prefix, sep, local = name.partition(":")
        if sep and prefix in self.prefixes and not local.startswith("//"):
            return self.prefixes[prefix] + local
        return name

    # -- checks --------------------------------------------------------------------------------

    def check_duplicates(self) -> list[Finding]:
        out = []
        for r in self.rows("duplicate_funding"):
            out.append(
                Finding(
                    "duplicate-funding",
                    (r["a"].value, r["b"].value),
                    f"same amount {r['value'].value} from the same document",
                    {"value": r["value"].value, "document": r["doc"].value},
                )
            )
        for r in self.rows("duplicate_figure"):
            units = sorted({r[k].value for k in ("unitA", "unitB") if k in r})
            out.append(
                Finding(
                    "duplicate-figure",
                    (r["a"].value, r["b"].value),
                    f"same value {r['value'].value} from the same document"
                    + (" under two units" if len(units) > 1 else ""),
                    {"value": r["value"].value, "units": units, "document": r["doc"].value},
                )
            )
        for r in self.rows("duplicate_responsibility"):
            out.append(
                Finding(
                    "duplicate-responsibility",
                    (r["a"].value, r["b"].value),
                    "same body, role and subject",
                    {"body": r["body"].value, "role": r["role"].value, "subject": r["subject"].value},
                )
            )
        return out

    def check_labels(self) -> list[Finding]:
        by_class: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for r in self.rows("labels"):
            by_class[r["class"].value][r["node"].value].add(normalise(r["label"].value))
        out = []
        seen: set[tuple[str, str]] = set()
        for cls, nodes in by_class.items():
            for (a, la), (b, lb) in combinations(sorted(nodes.items()), 2):
                if (a, b) in seen:
                    continue
                # labels that differ in their numbers (years, amounts) name different instances
                pairs = [(x, y) for x in la for y in lb if numbers_in(x) == numbers_in(y)]
                best = max(((fuzz.token_sort_ratio(x, y), x, y) for x, y in pairs), default=None)
                if best and best[0] >= LABEL_THRESHOLD:
                    seen.add((a, b))
                    out.append(
                        Finding(
                            "similar-label",
                            (a, b),
                            f"near-identical labels {best[1]!r} / {best[2]!r} ({best[0]:.0f})",
                            {"class": cls, "score": round(best[0], 1), "labels": [best[1], best[2]]},
                        )
                    )
        return out

    def check_attribution(self) -> list[Finding]:
        labels: dict[str, set[str]] = defaultdict(set)
        for r in self.rows("labels"):
            labels[r["node"].value].add(r["label"].value.lower())
        grouped: dict[tuple[str, str, str, str, str], list[str]] = defaultdict(list)
        for r in self.rows("attribution"):
            key = (r["node"].value, r["property"].value, r["attributed"].value, r["author"].value, r["doc"].value)
            grouped[key].append(r["quote"].value)
        out = []
        for (node, prop, attributed, author, doc), quotes in grouped.items():
            names_parent = any(lbl in q.lower() for q in quotes for lbl in labels[attributed])
            authors_voice = any(
                FIRST_PERSON.search(q) or any(lbl in q.lower() for lbl in labels[author]) for q in quotes
            )
            if authors_voice and not names_parent:
                out.append(
                    Finding(
                        "attribution",
                        (node,),
                        f"the document's 'we' is {self.short(author)} (its author), but {self.short(prop)} "
                        f"is {self.short(attributed)}",
                        {"property": prop, "attributed": attributed, "expected": author, "document": doc},
                    )
                )
        named: dict[tuple[str, str, str, str, str], list[str]] = defaultdict(list)
        for r in self.rows("attribution_named"):
            key = (r["node"].value, r["property"].value, r["author"].value, r["parent"].value, r["doc"].value)
            named[key].append(r["quote"].value)
        for (node, prop, author, parent, doc), quotes in named.items():
            if all(
                any(lbl in q.lower() for lbl in labels[parent])
                and not FIRST_PERSON.search(q)
                and not any(lbl in q.lower() for lbl in labels[author])
                for q in quotes
            ):
                out.append(
                    Finding(
                        "attribution",
                        (node,),
                        f"the quote gives it to {self.short(parent)} by name, but {self.short(prop)} is "
                        f"{self.short(author)} (the document's author)",
                        {"property": prop, "attributed": author, "expected": parent, "document": doc},
                    )
                )
        for r in self.rows("attribution_manifesto"):
            out.append(
                Finding(
                    "attribution",
                    (r["node"].value,),
                    f"a manifesto commitment is the government's, not {self.short(r['attributed'].value)}'s",
                    {"attributed": r["attributed"].value, "expected": r["parent"].value},
                )
            )
        return out

    def check_units(self) -> list[Finding]:
        quotes: dict[tuple[str, str], list[str]] = defaultdict(list)
        for r in self.rows("unit_quotes"):
            quotes[(r["node"].value, r["unit"].value)].append(r["quote"].value)
        unit = self.prefixes["unit"]
        out = []
        for (node, u), qs in quotes.items():
            text = " ".join(qs)
            if u == unit + "percent" and PERCENTAGE_POINT.search(text):
                out.append(
                    Finding(
                        "percentage-point", (node,), "unit:percent but the quote says percentage points", {"unit": u}
                    )
                )
            if u == unit + "fte" and not FTE_WORDS.search(text) and HEADCOUNT_WORDS.search(text):
                out.append(
                    Finding("fte-headcount", (node,), "unit:fte but the quote counts people, not FTE", {"unit": u})
                )
            if u == unit + "people" and FTE_WORDS.search(text):
                out.append(
                    Finding("fte-headcount", (node,), "unit:people (headcount) but the quote says FTE", {"unit": u})
                )
        return out

    def check_relative_time(self) -> list[Finding]:
        per_node: dict[str, dict] = {}
        for r in self.rows("dated_quotes"):
            m = RELATIVE_RE.search(r["quote"].value)
            if not m:
                continue
            entry = per_node.setdefault(
                r["node"].value,
                {"words": set(), "quotes": set(), "dates": {}, "written": r.get("written"), "doc": r["doc"].value},
            )
            entry["words"].add(m.group(0).lower())
            entry["quotes"].add(r["quote"].value)
            if "date" in r:
                entry["dates"][r["property"].value] = r["date"].value
        out = []
        for node, e in per_node.items():
            if not e["dates"]:
                continue  # wording kept, no date derived from it: nothing to resolve
            written = e["written"].value if e["written"] is not None else None
            offsets = {off for w in e["words"] for p, off in RELATIVE_TIME.items() if re.fullmatch(p, w, re.IGNORECASE)}
            years = {p: d[:4] for p, d in e["dates"].items()}
            problem = None
            if written is None:
                problem = "the document has no dcterms:created (when the text was written) to resolve it against"
            elif offsets - {None}:
                expected = {str(int(written[:4]) + off) for off in offsets if off is not None}
                if not set(years.values()) & expected:
                    problem = f"text written {written}: expected year {', '.join(sorted(expected))}"
            if problem:
                out.append(
                    Finding(
                        "relative-time",
                        (node,),
                        f"quote says {', '.join(sorted(repr(w) for w in e['words']))}; dated "
                        f"{', '.join(f'{self.short(p)} {d}' for p, d in sorted(e['dates'].items()))}; {problem}",
                        {"words": sorted(e["words"]), "dates": e["dates"], "written": written, "document": e["doc"]},
                    )
                )
        return out

    def check_descriptions(self) -> list[Finding]:
        nodes: dict[str, dict] = {}
        for r in self.rows("descriptions"):
            e = nodes.setdefault(r["node"].value, {"description": set(), "fields": set()})
            e["description"].add(r["description"].value)
            if "field" in r:
                e["fields"].add(r["field"].value)
        out = []
        for node, e in nodes.items():
            known: set[Decimal] = set()
            for f in e["fields"]:
                known |= numbers_in(f) | date_parts(f)
                num = to_decimal(f)
                if num is not None:
                    known.add(num)
            missing = sorted({n for d in e["description"] for n in numbers_in(d)} - known)
            if missing:
                out.append(
                    Finding(
                        "description-number",
                        (node,),
                        f"number(s) {', '.join(format(n, 'f') for n in missing)} stated only in dcterms:description",
                        {"numbers": [format(n, "f") for n in missing]},
                    )
                )
        return out

    def check_citations(self) -> list[Finding]:
        seen: dict[tuple[str, str, str, str], set[str]] = defaultdict(set)
        for r in self.rows("citations"):
            key = (r["node"].value, r["doc"].value, r["locator"].value, " ".join(r["quote"].value.split()))
            seen[key].add(str(r["citation"]))
        return [
            Finding(
                "duplicate-citation",
                (node,),
                f"cited {len(cits)} times for {self.short(doc)} at {locator!r}: {quote[:60]!r}",
                {"document": doc, "locator": locator, "quote": quote, "count": len(cits)},
            )
            for (node, doc, locator, quote), cits in seen.items()
            if len(cits) > 1
        ]

    def check_undated(self) -> list[Finding]:
        dates: dict[str, set[str]] = defaultdict(set)
        for r in self.rows("undated_quotes"):
            dates[r["node"].value].update(m.group(0) for m in CALENDAR_DATE.finditer(r["quote"].value))
        return [
            Finding(
                "undated-event",
                (node,),
                f"quote states {', '.join(sorted(found))} but the node has no date field",
                {"dates": sorted(found)},
            )
            for node, found in dates.items()
            if found
        ]

    def check_posts(self) -> list[Finding]:
        return [
            Finding(
                "post-outside-body",
                (r["responsibility"].value,),
                f"its post {self.short(r['post'].value)} is not in its body {self.short(r['body'].value)} nor in a "
                "unit of it",
                {"post": r["post"].value, "body": r["body"].value},
            )
            for r in self.rows("post_outside_body")
        ]

    # -- acknowledgement -----------------------------------------------------------------------

    def acknowledge(self, findings: list[Finding]) -> None:
        """Mark findings acknowledged by owl:differentFrom or by the ignore file."""
        reasons = {
            self.prefixes["wkg"] + "conflictsWith": "two readings of one source, kept on purpose (wkg:conflictsWith)",
            "http://www.w3.org/2002/07/owl#differentFrom": "reviewed as distinct (owl:differentFrom)",
        }
        distinct = {
            frozenset((r["a"].value, r["b"].value)): reasons[r["property"].value] for r in self.rows("different_from")
        }
        ignores = self.ignore_entries()
        for f in findings:
            if len(f.nodes) == 2 and frozenset(f.nodes) in distinct:
                f.acknowledged = distinct[frozenset(f.nodes)]
                continue
            for kind, nodes, reason in ignores:
                if kind == f.kind and nodes == frozenset(f.nodes):
                    f.acknowledged = reason
                    break

    def ignore_entries(self) -> list[tuple[str, frozenset[str], str]]:
        """Entries of ``lint-ignore.toml``: ``[[ignore]]`` tables with kind, nodes and reason."""
        path = self.graph_dir / IGNORE_FILE
        if not path.is_file():
            return []
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise LintError(f"{path}: {exc}") from None
        out = []
        for i, entry in enumerate(data.get("ignore", []), 1):
            kind, nodes, reason = entry.get("kind"), entry.get("nodes"), entry.get("reason")
            if kind not in KINDS:
                raise LintError(f"{path}: entry {i}: unknown kind {kind!r}")
            if not isinstance(nodes, list) or not nodes or not all(isinstance(n, str) for n in nodes):
                raise LintError(f"{path}: entry {i}: 'nodes' must be a non-empty list of IRIs")
            if not isinstance(reason, str) or not reason.strip():
                raise LintError(f"{path}: entry {i}: every entry needs a 'reason'")
            out.append((kind, frozenset(self.expand(n) for n in nodes), reason.strip()))
        return out

    def run(self) -> Report:
        """All checks; findings sorted by kind and nodes."""
        findings = (
            self.check_duplicates()
            + self.check_labels()
            + self.check_attribution()
            + self.check_units()
            + self.check_relative_time()
            + self.check_descriptions()
            + self.check_citations()
            + self.check_undated()
            + self.check_posts()
        )
        self.acknowledge(findings)
        findings.sort(key=lambda f: (KINDS.index(f.kind), f.nodes))
        return Report(findings)


def lint(graph_dir: Path | None = None) -> Report:
    """Lint the graph in ``graph_dir`` (default: the bundled graph)."""
    return Linter(graph_dir).run()


def normalise(label: str) -> str:
    """Lower case, typographic quotes and dashes made plain, whitespace collapsed."""
    text = label.lower().replace("\u2019", "'").replace("\u2013", "-").replace("\u2014", "-")
    return " ".join(text.split())


def to_decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text).normalize()
    except (InvalidOperation, ValueError):
        return None


def date_parts(text: str) -> set[Decimal]:
    """Year, month and day of an ISO date-like literal ("2023-04-01", "2021-07", "--09-22")."""
    if re.fullmatch(r"(\d{4}|-)-\d{2}(-\d{2})?", text):
        return {Decimal(int(x)) for x in re.findall(r"\d+", text)}
    return set()


def numbers_in(text: str) -> set[Decimal]:
    """Numbers a text states, scaled by a following million/billion/k ("£1.3 billion" -> 1300000000).

    Both the scaled and the literal reading are returned, so "£500m" matches 500 and 500000000.
    Dates (YYYY-MM-DD) count as their year.
    """
    out: set[Decimal] = set()
    text = re.sub(r"\b(\d{4})-\d{2}(-\d{2})?\b", r"\1", text)
    for m in NUMBER.finditer(text):
        base = to_decimal(m.group(1).replace(",", ""))
        if base is None:
            continue
        out.add(base)
        scale = (m.group(2) or "").lower()
        if scale in SCALE:
            out.add((base * SCALE[scale]).normalize())
    return out
