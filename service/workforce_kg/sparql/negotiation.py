"""HTTP content negotiation: pick the best offered media type for an Accept header (RFC 9110 §12.5.1)."""

from __future__ import annotations


def _split(text: str, sep: str) -> list[str]:
    """``text`` split at ``sep`` outside double-quoted strings (a parameter value may quote a comma)."""
    parts: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for ch in text:
        if escaped:
            escaped = False
        elif quoted and ch == "\\":
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif ch == sep and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(ch)
    parts.append("".join(current))
    return parts


def parse_accept(header: str) -> list[tuple[str, float]]:
    """Media ranges of an Accept header with their weights, best first (stable for equal weights)."""
    ranges = []
    for i, part in enumerate(_split(header, ",")):
        fields = [f.strip() for f in _split(part, ";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.lower().startswith("q="):
                try:
                    q = max(0.0, min(1.0, float(f[2:])))
                except ValueError:
                    q = 0.0
        ranges.append((media, q, i))
    ranges.sort(key=lambda r: (-r[1], r[2]))
    return [(m, q) for m, q, _ in ranges]


def _specificity(media_range: str, offer: str) -> int:
    """How specifically ``media_range`` matches ``offer``: 2 exact, 1 type/*, 0 */*, -1 no match."""
    if media_range == offer:
        return 2
    if media_range.endswith("/*") and offer.split("/")[0] == media_range[:-2]:
        return 1
    if media_range in ("*/*", "*"):
        return 0
    return -1


def quality(header: str, offer: str) -> float:
    """The weight the Accept header gives ``offer``: that of the most specific range matching it."""
    best_spec, q = -1, 0.0
    for media_range, weight in parse_accept(header):
        spec = _specificity(media_range, offer)
        if spec > best_spec:
            best_spec, q = spec, weight
    return q


def best_match(header: str | None, offers: list[str]) -> str | None:
    """The acceptable offer with the highest weight (ties: the server's order); None if none is acceptable.

    With no Accept header, the first offer.
    """
    if not header or not header.strip():
        return offers[0]
    scored = [(quality(header, o), -i, o) for i, o in enumerate(offers)]
    q, _, offer = max(scored)
    return offer if q > 0 else None
