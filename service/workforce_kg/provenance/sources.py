"""Source documents: where they are, how they are cut into citable segments, and quote checks.

Each source document declares a locator scheme (in its node in ``graph/documents.ttl``). A scheme
cuts the plain text into segments keyed by locator, so a citation's quote can be checked against the
exact segment its locator names, not just somewhere in the file.

Schemes:
    sentence            "sentence N" (a single-line capture split into sentences, 1-based)
    numbered-paragraph  "N" for a numbered paragraph; the heading text for unnumbered parts
    heading-paragraph   "Heading ¶N" (N-th non-empty line under the heading, 1-based) or "Heading"
    minutes             "bullet N", "resolution N", "paragraph N" (other lines)

``detect_scheme`` picks a scheme for a new document from its layout (``auto``), and ``read_source``
reads a document of any supported format (plain text, Markdown, HTML, PDF) with the same reader that
ingest uses, so a citation of an HTML or PDF document is checked against the text ingest saw.
"""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass
from pathlib import Path

from workforce_kg.paths import CHECKOUT_DIR
from workforce_kg.provenance.read import DocumentError, read_text

SCHEMES = ("sentence", "numbered-paragraph", "heading-paragraph", "minutes")


class SourcesNotFound(RuntimeError):
    """The folder of source texts is missing."""


def sources_dir(explicit: str | os.PathLike | None = None) -> Path:
    """Locate the folder holding the source texts.

    Order: the explicit argument, ``WORKFORCE_KG_SOURCES``, then ``../shared/sources`` next to the
    repository (as CI lays it out).
    """
    if explicit:
        return Path(explicit)
    env = os.environ.get("WORKFORCE_KG_SOURCES")
    if env:
        return Path(env)
    return CHECKOUT_DIR.parent / "shared" / "sources"


def normalise(text: str) -> str:
    """Text as compared by the quote check: markup removed, whitespace collapsed.

    The captures keep some Markdown emphasis and HTML table cells; those are layout, not words.
    """
    text = re.sub(r"<[^>]+>", " ", text)
    text = html.unescape(text)
    text = text.replace("**", "").replace("*", "")
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # markdown links keep their text
    return " ".join(text.split())


def _heading_text(line: str) -> str:
    return normalise(line.lstrip("#").strip())


def segments_sentence(text: str) -> dict[str, str]:
    flat = " ".join(text.split())
    parts = re.split(r"(?<=[.!?”\"])\s+(?=[A-Z“\"])", flat)
    return {f"sentence {i}": p for i, p in enumerate(parts, 1)}


def segments_numbered_paragraph(text: str) -> dict[str, str]:
    segs: dict[str, str] = {}
    key: str | None = None
    expected = 1
    for line in text.splitlines():
        stripped = line.strip()
        m = re.match(r"^(\d+)\.\s", stripped)
        if stripped.startswith("#"):
            key = _heading_text(stripped)
            # the same heading may occur twice; later text is appended to the same segment
            segs[key] = (segs.get(key, "") + " " + key).strip()
            continue
        if m and int(m.group(1)) == expected and not line.startswith(" "):
            key = m.group(1)
            expected += 1
            segs[key] = ""
        if key is None:
            key = "front matter"
            segs.setdefault(key, "")
        segs[key] = (segs[key] + " " + stripped).strip()
    return segs


def segments_heading_paragraph(text: str, headings: set[str]) -> dict[str, str]:
    segs: dict[str, str] = {}
    heading = "front matter"
    index = 0
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        name = _heading_text(stripped) if stripped.startswith("#") else normalise(stripped)
        if name in headings:
            heading = name
            index = 0
            segs[heading] = heading
            continue
        index += 1
        segs[f"{heading} ¶{index}"] = stripped
        segs[heading] = (segs.get(heading, heading) + " " + stripped).strip()
    return segs


_BULLET = re.compile(r"^(?:[·•▪◦‣●]|[-*–]\s)")
_RESOLUTION = re.compile(r"^(?:\d+\)|\(?[a-z]\)\s|RESOLVED\b|Resolved\b)")
_MINUTES_WORDS = re.compile(
    r"\b(?:minutes|resolved|agenda item|committee (?:noted|agreed|resolved|considered|received|asked)|apologies|"
    r"the chair(?:man)?\b|cabinet member|members (?:noted|asked|agreed)|declarations? of interest|"
    r"(?:a|the|next|future) meeting)",
    re.IGNORECASE,
)
_NUMBERED = re.compile(r"^(\d+)\.\s")


def segments_minutes(text: str) -> dict[str, str]:
    segs: dict[str, str] = {}
    counts = {"bullet": 0, "resolution": 0, "paragraph": 0}
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if _BULLET.match(stripped):
            kind = "bullet"
        elif _RESOLUTION.match(stripped):
            kind = "resolution"
        else:
            kind = "paragraph"
        counts[kind] += 1
        segs[f"{kind} {counts[kind]}"] = stripped
    return segs


def segments(text: str, scheme: str, headings: set[str] | None = None) -> dict[str, str]:
    """Cut ``text`` into ``{locator: normalised segment text}`` by ``scheme``."""
    if scheme == "sentence":
        raw = segments_sentence(text)
    elif scheme == "numbered-paragraph":
        raw = segments_numbered_paragraph(text)
    elif scheme == "heading-paragraph":
        raw = segments_heading_paragraph(text, {normalise(h) for h in headings or ()})
    elif scheme == "minutes":
        raw = segments_minutes(text)
    else:
        raise ValueError(f"unknown locator scheme {scheme!r} (known: {', '.join(SCHEMES)})")
    return {k: normalise(v) for k, v in raw.items()}


def detect_headings(text: str) -> list[str]:
    """The section headings of a document, normalised as the heading-paragraph scheme compares them.

    Markdown ``#`` lines when the document has any (HTML is read with its headings as such lines);
    otherwise short title-like lines (at most ten words, no closing punctuation, followed by more text).
    """
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    marked = [_heading_text(ln) for ln in lines if ln.startswith("#") and _heading_text(ln)]
    if marked:
        return list(dict.fromkeys(marked))
    found = []
    for line in lines:
        plain = normalise(line)
        words = plain.split()
        if (
            1 <= len(words) <= 10
            and len(plain) <= 90
            and plain[0].isupper()
            and "\t" not in line
            and not re.search(r"[.,;:!?]$", plain)
            and not _BULLET.match(line)
            and not _NUMBERED.match(line)
            and not _RESOLUTION.match(line)
        ):
            found.append(plain)
    return list(dict.fromkeys(found))


def detect_scheme(text: str) -> str:
    """Choose a locator scheme for a document from its layout.

    - ``numbered-paragraph``: at least three paragraphs numbered 1., 2., 3. … in sequence, making up a
      fifth or more of the text's lines;
    - ``minutes``: bullets or resolutions together with the vocabulary of minutes (resolved, agenda
      item, the Chair, Committee noted …);
    - ``heading-paragraph``: section headings (Markdown/HTML headings, or short title lines);
    - ``sentence``: anything else (running prose, e.g. a news report on one line).
    """
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if len(lines) <= 2:
        return "sentence"
    expected, numbered = 1, 0
    for raw in text.splitlines():
        m = _NUMBERED.match(raw.strip())
        if m and int(m.group(1)) == expected and not raw.startswith(" "):
            expected += 1
            numbered += 1
    body = [ln for ln in lines if not ln.startswith("#")]
    if numbered >= 3 and numbered >= 0.2 * len(body):
        return "numbered-paragraph"
    bullets = sum(1 for ln in lines if _BULLET.match(ln))
    resolutions = sum(1 for ln in lines if _RESOLUTION.match(ln))
    if (bullets >= 2 or resolutions >= 1) and len(_MINUTES_WORDS.findall(text)) >= 2:
        return "minutes"
    if detect_headings(text):
        return "heading-paragraph"
    return "sentence"


def read_source(path: str | os.PathLike) -> str:
    """The text of a source document in any supported format (see :mod:`workforce_kg.provenance.read`).

    Raises:
        OSError: the file is missing or cannot be read as a document (the message says why), so callers
            that handle a missing source handle an unreadable one the same way.
    """
    try:
        return read_text(path)
    except DocumentError as exc:
        raise OSError(str(exc)) from None


@dataclass(frozen=True)
class QuoteProblem:
    """One citation that fails the check."""

    subject: str
    document: str
    locator: str
    quote: str
    problem: str


def check_quote(segs: dict[str, str], locator: str, quote: str) -> str | None:
    """Return None when ``quote`` lies inside the segment ``locator`` names, else the problem."""
    if locator not in segs:
        return f"locator {locator!r} does not exist in the document"
    q = normalise(quote)
    if not q:
        return "quote is empty"
    if q not in segs[locator]:
        if any(q in s for s in segs.values()):
            where = next(k for k, s in segs.items() if q in s)
            return f"quote is not under locator {locator!r} (found under {where!r})"
        return "quote does not occur in the document"
    return None
