"""Source documents: where they are, how they are cut into citable segments, and quote checks.

Each source document declares a locator scheme (in its node in ``graph/documents.ttl``). A scheme
cuts the plain text into segments keyed by locator, so a citation's quote can be checked against the
exact segment its locator names, not just somewhere in the file.

Schemes:
    sentence            "sentence N" (a single-line capture split into sentences, 1-based)
    numbered-paragraph  "N" for a numbered paragraph; the heading text for unnumbered parts
    heading-paragraph   "Heading ¶N" (N-th non-empty line under the heading, 1-based) or "Heading"
    minutes             "bullet N", "resolution N", "paragraph N" (other lines)
"""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass
from pathlib import Path

from workforce_kg.paths import CHECKOUT_DIR

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
        if normalise(stripped) in headings:
            heading = normalise(stripped)
            index = 0
            segs[heading] = heading
            continue
        index += 1
        segs[f"{heading} ¶{index}"] = stripped
        segs[heading] = (segs.get(heading, heading) + " " + stripped).strip()
    return segs


def segments_minutes(text: str) -> dict[str, str]:
    segs: dict[str, str] = {}
    counts = {"bullet": 0, "resolution": 0, "paragraph": 0}
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("·"):
            kind = "bullet"
        elif re.match(r"^\d+\)", stripped):
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
