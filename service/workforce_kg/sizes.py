"""Sizes in bytes: read from settings (``1GiB``, ``512 MiB``) and written in messages (``1 GiB``).

Apart from :mod:`workforce_kg.config` so that the query and write workers, which only report sizes, do
not import pydantic.
"""

from __future__ import annotations

import re

GiB = 1 << 30
_UNITS = {
    "": 1,
    "b": 1,
    "k": 1000,
    "kb": 1000,
    "kib": 1 << 10,
    "m": 1000**2,
    "mb": 1000**2,
    "mib": 1 << 20,
    "g": 1000**3,
    "gb": 1000**3,
    "gib": GiB,
    "t": 1000**4,
    "tb": 1000**4,
    "tib": 1 << 40,
}


def parse_size(value: str | int) -> int:
    """A size in bytes from ``1073741824``, ``1GiB``, ``512 MiB``, ``2GB``…; ValueError if not one."""
    if isinstance(value, int):
        return value
    match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]*)\s*", value)
    if match is None or match[2].lower() not in _UNITS:
        raise ValueError("expected a number of bytes, optionally with a unit such as MiB or GiB")
    number, unit = match.groups()
    size = int(float(number) * _UNITS[unit.lower()])
    if size <= 0:
        raise ValueError("must be more than 0")
    return size


def format_size(size: int) -> str:
    """``1 GiB``, ``256 MiB``, ``1.5 GiB``, ``1000 bytes``."""
    for unit, factor in (("GiB", GiB), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= factor:
            return f"{size / factor:.4g} {unit}"
    return f"{size} bytes"
