"""The accountability matrix with filters: bodies × commitments (or programmes), the roles in each cell.

Built on :func:`workforce_kg.analysis.accountability.matrix` (every responsibility stated directly on
the column's subject) and adds:

* filters on the columns: ``evaluated`` (commitments with a rating), ``jurisdiction`` and ``theme``
  (``wkg:jurisdiction`` / ``wkg:theme`` of the column, concepts named by slug or IRI);
* ``via_programmes`` (commitments only): also the roles a body holds for a programme that serves the
  commitment, itself or as a part of a serving programme — the same path as the ``via_programmes``
  filter of the commitment list;
* rows cut to the bodies holding a role in at least one column shown.
"""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from workforce_kg.analysis import accountability as acc
from workforce_kg.analysis import entities as ent
from workforce_kg.analysis import sparql_files as sq
from workforce_kg.analysis.accountability import Context, InvalidFilter, slug_of
from workforce_kg.store.kg import KnowledgeGraph

#: the column filters each kind of matrix takes
FILTERS = {"commitments": ("evaluated", "jurisdiction", "theme"), "programmes": ("jurisdiction",)}
_CLASSES = {"commitments": "Commitment", "programmes": "Programme"}


_TRUE, _FALSE = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")


def parse_filters(
    *, evaluated: str | None = None, jurisdiction: str | None = None, theme: str | None = None, via: str | None = None
) -> dict:
    """Keyword arguments of :func:`matrix` from query-string values (``evaluated=1``, ``via=programmes``).

    Raises:
        InvalidFilter: ``evaluated`` not a yes/no value, ``via`` neither ``direct`` nor ``programmes``.
    """
    flag = (evaluated or "").strip().lower()
    if flag not in _TRUE + _FALSE:
        raise InvalidFilter("evaluated", "evaluated must be 1 or 0 (true or false)")
    path = (via or "direct").strip().lower() or "direct"
    if path not in ("direct", "programmes"):
        raise InvalidFilter("via", "via must be 'direct' or 'programmes'")
    return {
        "evaluated": flag in _TRUE,
        "jurisdiction": (jurisdiction or "").strip() or None,
        "theme": (theme or "").strip() or None,
        "via_programmes": path == "programmes",
    }


def options(kg: KnowledgeGraph, of: str = "commitments") -> dict[str, list[tuple[str, str]]]:
    """The values the filters can take: (slug, label) of each jurisdiction and theme the columns use."""
    cls = ox.NamedNode(f"{kg.base}/def/{_CLASSES.get(of, 'Commitment')}")
    out: dict[str, list[tuple[str, str]]] = {}
    for name in ("jurisdiction", "theme"):
        if name not in FILTERS.get(of, ()):
            continue
        rows = sq.select(kg, "used_concepts", cls=cls, prop=ox.NamedNode(f"{kg.base}/def/{name}"))
        found = {slug_of(c.value): (label.value if label else slug_of(c.value)) for c, label in rows}
        out[name] = sorted(found.items(), key=lambda c: c[1].lower())
    return out


def matrix(
    kg: KnowledgeGraph,
    of: str = "commitments",
    *,
    evaluated: bool = False,
    jurisdiction: str | None = None,
    theme: str | None = None,
    via_programmes: bool = False,
) -> dict:
    """The filtered matrix: ``{of, bodies, columns, cells, filters}``; each cell ``{body, subject, roles,
    direct, via}`` — ``direct`` the roles stated on the subject, ``via`` (with ``via_programmes``) the
    roles held only through programmes, ``roles`` both, sorted.

    Raises:
        InvalidFilter: unknown ``of``, a filter the kind of matrix does not take, or an unknown concept.
    """
    full = acc.matrix(kg, of)
    allowed = FILTERS[of]
    given = {"evaluated": evaluated, "jurisdiction": jurisdiction, "theme": theme}
    for name, value in given.items():
        if value and name not in allowed:
            raise InvalidFilter(name, f"{name} filters only the commitments matrix")
    if via_programmes and of != "commitments":
        raise InvalidFilter("via", "via programmes applies only to the commitments matrix")
    ctx = Context(kg)
    listing = acc.COMMITMENTS if of == "commitments" else acc.PROGRAMMES
    keep = {slug_of(s) for s in ent.matches(ctx, listing, {"jurisdiction": jurisdiction, "theme": theme})}
    if evaluated:
        keep &= {slug_of(s.value) for (s,) in sq.select(kg, "rated_subjects")}
    columns = [c for c in full["columns"] if c["id"] in keep]

    direct: dict[tuple[str, str], set[str]] = defaultdict(set)
    for cell in full["cells"]:
        direct[(cell["body"], cell["subject"])].update(cell["roles"])
    via: dict[tuple[str, str], set[str]] = defaultdict(set)
    if via_programmes:
        for b, c, role, _ in sq.select(kg, "matrix_cells_via_programmes"):
            via[(slug_of(b.value), slug_of(c.value))].add(slug_of(role.value))
    cells = []
    for key in sorted(set(direct) | set(via)):
        if key[1] not in keep:
            continue
        d, v = direct.get(key, set()), via.get(key, set()) - direct.get(key, set())
        cells.append({"body": key[0], "subject": key[1], "roles": sorted(d | v), "direct": sorted(d), "via": sorted(v)})
    used = {c["body"] for c in cells}
    return {
        "of": of,
        "bodies": [b for b in full["bodies"] if b["id"] in used],
        "columns": columns,
        "cells": cells,
        "filters": {"evaluated": evaluated, "jurisdiction": jurisdiction, "theme": theme, "via": via_programmes},
    }
