"""What the graph holds at a glance: how many commitments, bodies, programmes … (the home page's figures)."""

from __future__ import annotations

import pyoxigraph as ox

from workforce_kg.analysis import sparql_files as sq
from workforce_kg.analysis.entities import CLASSES, Context
from workforce_kg.store.kg import to_python

#: the API types counted on the home page, in order
HEADLINE_TYPES = ("commitment", "body", "programme", "funding", "figure", "rating", "document")


def headline_counts(ctx: Context, types: tuple[str, ...] = HEADLINE_TYPES) -> list[dict]:
    """``[{type, class, count}]``: the number of instances of each API type's class, in ``types`` order."""
    iris = {t: ctx.p(CLASSES[t]) for t in types}
    counts = {
        cls.value: to_python(n)
        for cls, n in sq.select(ctx.kg, "class_counts", cls=[ox.NamedNode(i) for i in iris.values()])
    }
    return [{"type": t, "class": iris[t], "count": counts.get(iris[t], 0)} for t in types]
