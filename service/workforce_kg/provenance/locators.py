"""How a citation's locator reads on a page: ``"18"`` → ``"para 18"``, ``"Heading ¶3"`` → ``"section Heading, para 3"``.

Locators are stored as the source's locator scheme writes them (graph/README.md): a bare number for a
numbered paragraph, ``Heading ¶N`` for the N-th paragraph under a heading, the heading alone for a whole
section, ``sentence N`` / ``bullet N`` / ``resolution N`` / ``paragraph N`` otherwise. :func:`format_locator`
is the one place that turns them into words; every page showing a locator calls it.
"""

from __future__ import annotations

import re

_NUMBER = re.compile(r"\d+(?:\.\d+)*[a-z]?")
_UNDER_HEADING = re.compile(r"(?P<heading>.+?)\s*¶\s*(?P<n>\d+)")
_WORDS = {"paragraph": "para", "para": "para", "sentence": "sentence", "bullet": "bullet", "resolution": "resolution"}
_NAMED = re.compile(r"(?P<word>[A-Za-z]+)\.?\s+(?P<n>\d+(?:\.\d+)*[a-z]?)")


def format_locator(locator: str | None) -> str:
    """The locator as words: ``para 18``, ``section Heading, para 3``, ``section Heading``, ``sentence 4``."""
    text = " ".join((locator or "").split())
    if not text:
        return ""
    if _NUMBER.fullmatch(text):
        return f"para {text}"
    named = _NAMED.fullmatch(text)
    if named and named["word"].lower() in _WORDS:
        return f"{_WORDS[named['word'].lower()]} {named['n']}"
    under = _UNDER_HEADING.fullmatch(text)
    if under:
        return f"section {under['heading']}, para {under['n']}"
    return f"section {text}"
