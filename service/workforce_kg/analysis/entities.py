"""The API's entity types as data: one description per type, one builder, one generic list.

Each :class:`EntityType` says, per JSON field, where its value comes from — a predicate (or a choice
of predicates) read as one literal, many literals, one reference ``{id, iri, label, type}`` or many
references — or names a batch fetched once per page (citations, responsibilities, ratings …).
:func:`build` turns the rows of the store into the API's JSON objects from those descriptions;
:func:`list_entities` filters (filters declared per type as SPARQL patterns whose values travel as
RDF terms), orders and pages them. The SPARQL is in ``queries/*.rq`` (:mod:`.sparql_files`).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from workforce_kg.analysis import sparql_files as sq
from workforce_kg.store.kg import KnowledgeGraph, to_python
from workforce_kg.store.labels import compose
from workforce_kg.vocab import ORG, RDF_TYPE

#: API type -> kind in ``{base}/id/{kind}/{slug}``
KINDS = {
    "body": "organisation",
    "commitment": "commitment",
    "programme": "programme",
    "funding": "funding",
    "figure": "figure",
    "responsibility": "responsibility",
    "rating": "rating",
    "evaluation": "evaluation",
    "change": "change",
    "document": "document",
}
TYPE_OF_KIND = {kind: t for t, kind in KINDS.items()}

#: API type -> class its instances have (prefixed name)
CLASSES = {
    "body": "org:Organization",
    "commitment": "wkg:Commitment",
    "programme": "wkg:Programme",
    "funding": "wkg:Funding",
    "figure": "wkg:ProgressFigure",
    "responsibility": "wkg:Responsibility",
    "rating": "wkg:Rating",
    "evaluation": "wkg:Evaluation",
    "change": "org:ChangeEvent",
    "document": "wkg:SourceDocument",
}

_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]*$")
_IRI = re.compile(r'^https?://[^\s<>"{}|\\^`]+$')


class NotFound(LookupError):
    """No entity with that id."""


class InvalidFilter(ValueError):
    """A filter value that names nothing known; ``field`` is the parameter at fault."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


class Iri(str):
    """An IRI value (as opposed to a string literal) in fetched properties."""


def _value(term):
    if isinstance(term, ox.NamedNode):
        return Iri(term.value)
    if isinstance(term, ox.BlankNode):
        return None
    return to_python(term)


def number_or_none(value: Any) -> float | int | None:
    """A stored number as the API gives it: a finite int or float; None for anything else — a literal that
    is not a number (``"lots"``), ``INF``, ``NaN`` or a decimal too large for a float — so one odd value in
    the graph never breaks a total, a page or the JSON of a response."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return value if math.isfinite(value) else None
    except OverflowError:  # an int too large for a float
        return None


def nodes(iris: Iterable[str]) -> list[ox.NamedNode]:
    """IRIs as RDF terms (ValueError for a string that is not an IRI)."""
    return [ox.NamedNode(i) for i in iris]


def slug_of(iri: str) -> str:
    """The last segment of an IRI: the ``id`` of the API's objects."""
    return iri.rstrip("/").rsplit("/", 1)[-1]


def natural_key(text: str):
    """Sort key that orders "2" before "10" (locators, labels)."""
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", str(text))]


def properties(kg: KnowledgeGraph, iris: Iterable[str]) -> dict[str, dict[str, list]]:
    """All properties of ``iris``: {iri: {predicate: [values]}} (IRIs as :class:`Iri`)."""
    out: dict[str, dict[str, list]] = {i: defaultdict(list) for i in iris}
    if not out:
        return out
    for s, p, o in sq.select(kg, "properties", s=nodes(out)):
        v = _value(o)
        if v is not None and v not in out[s.value][p.value]:
            out[s.value][p.value].append(v)
    return out


class Context:
    """One request's view of the graph: the base IRI, and labels fetched in batches."""

    def __init__(self, kg: KnowledgeGraph):
        self.kg = kg
        self.base = kg.base
        self.wkg = f"{kg.base}/def/"
        self.info: dict[str, dict] = {}

    # IRIs ----------------------------------------------------------------------------------------

    def iri(self, type_: str, slug: str) -> str:
        """The IRI of the ``type_`` with id ``slug``."""
        return f"{self.base}/id/{KINDS[type_]}/{slug}"

    def type_of(self, iri: str) -> str:
        """The API type of an IRI (a concept is named by its scheme; ``term`` for the rest)."""
        ids = f"{self.base}/id/"
        if iri.startswith(ids):
            return TYPE_OF_KIND.get(iri[len(ids) :].split("/", 1)[0], "thing")
        if iri.startswith(self.wkg) and iri.count("/") > self.wkg.count("/"):
            scheme = iri[len(self.wkg) :].split("/", 1)[0]  # a concept: named by its scheme
            return "rating-value" if scheme == "rating" else scheme
        return "term"

    def p(self, name: str) -> str:
        """The IRI of a predicate: ``prefix:local`` with the store's prefixes, or a local name in ``wkg:``."""
        prefix, colon, local = name.partition(":")
        return self.kg.prefixes[prefix] + local if colon else self.wkg + name

    def node(self, name: str) -> ox.NamedNode:
        """:meth:`p` as an RDF term."""
        return ox.NamedNode(self.p(name))

    # labels ----------------------------------------------------------------------------------------

    def load(self, iris) -> None:
        """Fetch label, rank and scheme of every IRI not yet known, in one query."""
        todo = {i for i in iris if isinstance(i, str) and i not in self.info}
        if not todo:
            return
        terms = []
        for i in todo:
            self.info[i] = {"label": None, "rank": None, "scheme": None}
            try:
                terms.append(ox.NamedNode(i))
            except ValueError:  # a literal where the graph should have an IRI: shown as its text, never queried
                continue
        if not terms:
            return
        for x, label, rlabel, rank, scheme, body, role, subject in sq.select(self.kg, "labels", x=terms):
            info = self.info[x.value]
            text = label or rlabel
            if text is not None and info["label"] is None:
                info["label"] = text.value
            elif text is None and info["label"] is None and body and role and subject:
                info["label"] = compose(body.value, role.value, subject.value)
            if rank is not None:
                info["rank"] = to_python(rank)
            if scheme is not None:
                info["scheme"] = scheme.value

    def load_props(self, props: dict[str, dict[str, list]]) -> None:
        """:meth:`load` the subjects of ``props`` and every IRI among their values."""
        iris = set(props)
        for values in props.values():
            for vs in values.values():
                iris.update(v for v in vs if isinstance(v, Iri))
        self.load(iris)

    def label(self, iri: str) -> str:
        """The label of anything (its slug if it has none)."""
        self.load([iri])
        return self.info[iri]["label"] or slug_of(iri)

    def ref(self, iri: str | None) -> dict | None:
        """``{id, iri, label, type}`` of anything (None for None)."""
        return None if iri is None else self.ref_of(iri)

    def ref_of(self, iri: str) -> dict:
        """``{id, iri, label, type}`` of anything."""
        return {"id": slug_of(iri), "iri": str(iri), "label": self.label(iri), "type": self.type_of(iri)}

    def refs(self, iris) -> list[dict]:
        """References to ``iris``, ordered by label (naturally), then IRI."""
        return sorted((self.ref_of(i) for i in iris), key=lambda r: (natural_key(r["label"]), r["iri"]))

    # sources ---------------------------------------------------------------------------------------

    def sources(self, iris) -> dict[str, list[dict]]:
        """Citations of ``iris``: {iri: [{document, locator, quote}]}, ordered by document and locator."""
        iris = list(dict.fromkeys(iris))
        out: dict[str, list[dict]] = {i: [] for i in iris}
        if not iris:
            return out
        rows = sq.select(self.kg, "citations", s=nodes(iris))
        self.load({d.value for _, d, _, _ in rows})
        for s, doc, loc, quote in rows:
            out[s.value].append({"document": self.ref(doc.value), "locator": loc.value, "quote": quote.value})
        for cites in out.values():
            cites.sort(key=lambda c: (c["document"]["label"], natural_key(c["locator"]), c["quote"]))
        return out

    # filters ---------------------------------------------------------------------------------------

    def concept(self, field: str, scheme: str, value: str) -> str:
        """The IRI of concept ``value`` (slug or IRI) of scheme ``scheme``, or InvalidFilter."""
        iri = self._iri_or_none(value, f"{self.base}/def/{scheme}/")
        scheme_node = ox.NamedNode(f"{self.base}/def/scheme/{scheme}")
        if iri is None or not sq.ask(self.kg, "in_scheme", c=ox.NamedNode(iri), scheme=scheme_node):
            known = [slug_of(r[0].value) for r in sq.select(self.kg, "scheme_concepts", scheme=scheme_node)]
            raise InvalidFilter(field, f"unknown {field} {value!r}; one of: {', '.join(known)}")
        return iri

    def entity(self, field: str, type_: str, value: str) -> str:
        """The IRI of the ``type_`` with id ``value`` (slug or IRI), or InvalidFilter."""
        iri = self._instance(type_, value)
        if iri is None:
            raise InvalidFilter(field, f"{field}: no {type_} with id {value!r}")
        return iri

    def lookup(self, type_: str, slug: str) -> str:
        """The IRI of the ``type_`` with id ``slug``, or NotFound."""
        iri = self._instance(type_, slug)
        if iri is None:
            raise NotFound(f"no {type_} with id {slug!r}")
        return iri

    def _instance(self, type_: str, value: str) -> str | None:
        iri = self._iri_or_none(value, f"{self.base}/id/{KINDS[type_]}/")
        if iri is None or not sq.ask(self.kg, "instance_of", x=ox.NamedNode(iri), cls=self.node(CLASSES[type_])):
            return None
        return iri

    @staticmethod
    def _iri_or_none(value: str, namespace: str) -> str | None:
        value = (value or "").strip()
        iri = value if _IRI.match(value) else namespace + value if _SLUG.match(value) else None
        try:
            return iri if iri is None else ox.NamedNode(iri).value
        except ValueError:  # not an IRI pyoxigraph accepts
            return None


# -- field descriptions ------------------------------------------------------------------------------


@dataclass
class Row:
    """What a field reads: the entity's IRI, its properties, and the page's batches."""

    ctx: Context
    iri: str
    props: Mapping[str, list]
    batches: Mapping[str, Mapping[str, Any]]

    def values(self, *preds: str) -> list:
        """The values of the first of ``preds`` that has any."""
        for pred in preds:
            found = self.props[self.ctx.p(pred)]
            if found:
                return found
        return []

    def first(self, *preds: str):
        """The first value of :meth:`values` (None if none)."""
        found = self.values(*preds)
        return found[0] if found else None

    def batch(self, name: str):
        """This entity's entry in batch ``name``."""
        return self.batches[name][self.iri]


class Field:
    """How one JSON field is read from a :class:`Row`, and the type of its value (for the API's schema)."""

    detail = False  # only in the one-entity response

    def read(self, row: Row) -> Any:
        raise NotImplementedError

    def annotation(self) -> Any:
        """The field's value type; the strings ``"ref"``, ``"source"`` … name the API's shared models."""
        raise NotImplementedError


class One(Field):
    """One literal (``type``: str or float): the first value of the first of ``preds`` that has any, or None."""

    def __init__(self, *preds: str, type: Any = str):
        self.preds = preds
        self.type = type

    def read(self, row: Row) -> Any:
        value = row.first(*self.preds)
        return number_or_none(value) if self.type is float else value

    def annotation(self) -> Any:
        return self.type | None


class Many(Field):
    """Every distinct literal of all ``preds``, sorted, as strings."""

    def __init__(self, *preds: str):
        self.preds = preds

    def read(self, row: Row) -> Any:
        return sorted({str(v) for p in self.preds for v in row.values(p)})

    def annotation(self) -> Any:
        return list[str]


@dataclass
class Ref(Field):
    """A reference ``{id, iri, label, type}`` to the first value of ``pred`` (None if none)."""

    pred: str

    def read(self, row: Row) -> Any:
        return row.ctx.ref(row.first(self.pred))

    def annotation(self) -> Any:
        return "ref | None"


@dataclass
class Refs(Field):
    """References to every value of ``pred``, ordered by label."""

    pred: str

    def read(self, row: Row) -> Any:
        return row.ctx.refs(row.values(self.pred))

    def annotation(self) -> Any:
        return "list[ref]"


@dataclass
class Has(Field):
    """Whether ``pred`` has a value."""

    pred: str

    def read(self, row: Row) -> Any:
        return bool(row.values(self.pred))

    def annotation(self) -> Any:
        return bool


@dataclass
class Batch(Field):
    """This entity's entry (of type ``type``) in a batch fetched once per page (``detail``: only for one entity)."""

    name: str
    type: Any
    detail: bool = False

    def read(self, row: Row) -> Any:
        return row.batch(self.name)

    def annotation(self) -> Any:
        return self.type


@dataclass
class Derived(Field):
    """A value of type ``type`` computed from the row by ``fn`` (``detail``: only for one entity)."""

    fn: Callable[[Row], Any]
    type: Any
    detail: bool = False

    def read(self, row: Row) -> Any:
        return self.fn(row)

    def annotation(self) -> Any:
        return self.type


def classes(row: Row) -> list[str]:
    """Local names of the wkg: and org: classes of the entity."""
    wkg = row.ctx.wkg
    types = row.props[RDF_TYPE]
    ours = (t for t in types if t.startswith(ORG) or (t.startswith(wkg) and "/" not in t[len(wkg) :]))
    return sorted({re.split(r"[/#]", t)[-1] for t in ours})


#: a batch: (context, the page's IRIs) -> {iri: value}
Fetch = Callable[[Context, list[str]], Mapping[str, Any]]


@dataclass
class EntityType:
    """An API type: its fields (JSON name -> :class:`Field`) and the batches they read."""

    name: str
    fields: dict[str, Field]
    batches: dict[str, Fetch] = field(default_factory=dict)
    detail_batches: dict[str, Fetch] = field(default_factory=dict)


def build(ctx: Context, type_: EntityType, iris: list[str], detail: bool = False) -> list[dict]:
    """The API's JSON objects for ``iris`` of ``type_``: ``{id, iri, label, type}`` and its fields."""
    props = properties(ctx.kg, iris)
    ctx.load_props(props)
    fetches = {**type_.batches, **(type_.detail_batches if detail else {})}
    batches = {name: fetch(ctx, iris) for name, fetch in fetches.items()}
    out = []
    for iri in iris:
        row = Row(ctx, iri, props[iri], batches)
        item = {"id": slug_of(iri), "iri": iri, "label": ctx.label(iri), "type": ctx.type_of(iri)}
        item.update({name: f.read(row) for name, f in type_.fields.items() if detail or not f.detail})
        out.append(item)
    return out


# -- batches -----------------------------------------------------------------------------------------


def sources(ctx: Context, iris: list[str]) -> Mapping[str, list[dict]]:
    """Citations per IRI."""
    return ctx.sources(iris)


def inverse(pred: str, cls: str) -> Fetch:
    """A batch: references to the ``cls`` things ``s`` with ``s pred iri``, per IRI."""

    def fetch(ctx: Context, iris: list[str]) -> Mapping[str, list[dict]]:
        found: dict[str, list[str]] = {t: [] for t in iris}
        if iris:
            for s, t in sq.select(ctx.kg, "inverse", pred=ctx.node(pred), t=nodes(iris), cls=ctx.node(cls)):
                found[t.value].append(s.value)
        ctx.load({s for ss in found.values() for s in ss})
        return {t: ctx.refs(ss) for t, ss in found.items()}

    return fetch


# -- the rule: what counts for a commitment -------------------------------------------------------------

#: the SPARQL property path of the rule: ``?p DELIVERS ?c`` for a programme serving commitment ``?c`` or
#: part (at any depth) of one that does (``queries/reach.rq`` walks the same routes step by step)
DELIVERS = "wkg:partOf*/wkg:serves"


def reached_pattern(pred: str) -> str:
    """The rule as a filter pattern: ``?s pred`` the commitment ``?v_commitment`` itself, or a programme
    delivering it (:data:`DELIVERS`). Every list filter by commitment is made by this function."""
    return (
        f"{{ VALUES ?v_commitment {{}} ?s {pred} ?v_commitment }} UNION "
        f"{{ VALUES ?v_commitment {{}} ?s {pred} ?p . ?p {DELIVERS} ?v_commitment }}"
    )


def reach(ctx: Context, commitments: list[str]) -> dict[str, dict[str, list[str]]]:
    """The rule: for each commitment, the things whose figures, funding and responsibilities count for it,
    each with its route — the commitment itself (route ``[]``: direct) and every programme delivering it
    (route: the programmes from the one serving the commitment down to it, through ``partOf``). A thing
    reached by several routes keeps the shortest (then the first by IRI)."""
    steps: dict[str, dict[str, list[str]]] = {c: defaultdict(list) for c in commitments}
    if commitments:
        for c, x, up in sq.select(ctx.kg, "reach", c=nodes(commitments)):
            steps[c.value][up.value].append(x.value)
    out: dict[str, dict[str, list[str]]] = {}
    for c in commitments:
        routes: dict[str, list[str]] = {c: []}
        frontier = [c]
        while frontier:  # breadth first: shortest routes
            nxt = []
            for up in frontier:
                for x in sorted(steps[c].get(up, [])):
                    if x not in routes:
                        routes[x] = routes[up] + [x]
                        nxt.append(x)
            frontier = nxt
        out[c] = routes
    return out


def reached(type_: EntityType, pred: str) -> Fetch:
    """A batch: per commitment, the ``type_`` objects ``s`` with ``s pred x`` for ``x`` the commitment or a
    programme delivering it (:func:`reach`), each once, with ``via``: the route (``[]``: direct)."""

    def fetch(ctx: Context, iris: list[str]) -> Mapping[str, list[dict]]:
        routes = reach(ctx, iris)
        targets = sorted({x for r in routes.values() for x in r})
        attached: dict[str, list[str]] = defaultdict(list)
        if targets:
            rows = sq.select(
                ctx.kg, "inverse", pred=ctx.node(pred), t=nodes(targets), cls=ctx.node(CLASSES[type_.name])
            )
            for s, t in rows:
                attached[t.value].append(s.value)
        objects = {o["iri"]: o for o in build(ctx, type_, sorted({s for ss in attached.values() for s in ss}))}
        ctx.load({p for r in routes.values() for route in r.values() for p in route})
        out: dict[str, list[dict]] = {}
        for c, r in routes.items():
            via: dict[str, list[str]] = {}
            for x, route in sorted(r.items(), key=lambda kv: (len(kv[1]), kv[0])):
                for s in attached.get(x, []):
                    via.setdefault(s, route)
            items = [{**objects[s], "via": [ctx.ref_of(p) for p in route]} for s, route in via.items()]
            out[c] = sorted(items, key=lambda o: (natural_key(o["label"]), o["iri"]))
        return out

    return fetch


def funding_total(funding: Iterable[Mapping[str, Any]]) -> list[dict]:
    """The total of DISTINCT funding amounts (by IRI: an amount funding two programmes counts once), one
    total per currency and recurrence — amounts in different currencies, or one-off and per-year and
    per-person amounts, are never added. ``qualified`` says some amount in the total is "up to", "over" …

    Args:
        funding: funding objects of the API (``iri``, ``amount``, ``currency``, ``recurrence``, ``qualifier``).

    Returns:
        ``[{currency, recurrence, amount, count, funding, qualified}]`` (``funding``: the ids added), largest
        amount first; amounts without a value are left out.
    """
    distinct = {f["iri"]: f for f in funding}
    groups: dict[tuple, dict] = {}
    for f in distinct.values():
        if f.get("amount") is None:
            continue
        recurrence = f.get("recurrence")
        key = (f.get("currency") or "GBP", recurrence["iri"] if recurrence else None)
        g = groups.setdefault(
            key,
            {
                "currency": key[0],
                "recurrence": recurrence,
                "amount": 0.0,
                "count": 0,
                "funding": [],
                "qualified": False,
            },
        )
        g["amount"] += float(f["amount"])
        g["count"] += 1
        g["funding"].append(f["id"])
        g["qualified"] = g["qualified"] or bool(f.get("qualifier"))
    for g in groups.values():
        g["funding"].sort()
    return sorted(
        groups.values(), key=lambda g: (-g["amount"], g["currency"], g["recurrence"]["iri"] if g["recurrence"] else "")
    )


def responsibilities_of(pred: str) -> Fetch:
    """A batch: responsibilities whose ``pred`` (``subject`` or ``body``) is the IRI."""

    def fetch(ctx: Context, iris: list[str]) -> Mapping[str, list[dict]]:
        out: dict[str, list[dict]] = {s: [] for s in iris}
        if not iris:
            return out
        rows = sq.select(ctx.kg, "responsibilities_of", pred=ctx.node(pred), x=nodes(iris))
        for r in build_responsibilities(ctx, list(dict.fromkeys(s.value for (s,) in rows))):
            out[r[pred]["iri"]].append(r)
        return out

    return fetch


def build_responsibilities(ctx: Context, iris: list[str]) -> list[dict]:
    """Responsibility objects, ordered by subject, role, body."""
    out = build(ctx, RESPONSIBILITY, iris)
    out.sort(
        key=lambda x: (
            x["subject"]["label"] if x["subject"] else "",
            x["role"]["id"] if x["role"] else "",
            x["body"]["label"] if x["body"] else "",
            x["iri"],
        )
    )
    return out


def ratings_of(ctx: Context, iris: list[str]) -> Mapping[str, list[dict]]:
    """A batch: the ratings of each commitment, by label."""
    out: dict[str, list[dict]] = {c: [] for c in iris}
    if not iris:
        return out
    rated = list(dict.fromkeys(s.value for s, _ in sq.select(ctx.kg, "ratings_of", c=nodes(iris)) if s is not None))
    for r in build(ctx, RATING, rated):
        out[r["commitment"]["iri"]].append(r)
    return out


def evaluations(ctx: Context, iris: list[str]) -> Mapping[str, dict | None]:
    """A batch: each rating's evaluation ``{…ref, date, evaluator}`` (None if it has none)."""
    props = properties(ctx.kg, iris)
    evals = {i: (props[i][ctx.p("evaluation")] or [None])[0] for i in iris}
    eprops = properties(ctx.kg, {e for e in evals.values() if e})
    ctx.load_props(eprops)
    out: dict[str, dict | None] = {}
    for i, ev in evals.items():
        if ev is None:
            out[i] = None
            continue
        ep = eprops[ev]
        evaluator = (ep[ctx.p("evaluator")] or [None])[0]
        day = (ep[ctx.p("dcterms:date")] or [None])[0]
        out[i] = {**ctx.ref_of(ev), "date": day, "evaluator": ctx.ref(evaluator)}
    return out


def changes(ctx: Context) -> dict[str, list[dict]]:
    """{original body: [{successor, date, event}]} from org:ChangeEvent (a body that continues is not original)."""
    rows = sq.select(ctx.kg, "changes")
    results = defaultdict(set)
    for e, _, new, _ in rows:
        results[e.value].add(new.value)
    out: dict[str, list[dict]] = defaultdict(list)
    for e, old, new, when in rows:
        if old.value in results[e.value]:
            continue  # e.g. NHS England is original and resulting: it continues
        out[old.value].append({"successor": new.value, "date": when.value if when else None, "event": e.value})
    for v in out.values():
        v.sort(key=lambda c: c["date"] or "")
    return out


def first_change(ctx: Context, iris: list[str]) -> Mapping[str, dict | None]:
    """A batch: each body's first change (merger into a successor), if any."""
    found = changes(ctx)
    return {b: next(iter(found.get(b, [])), None) for b in iris}


def held_roles(ctx: Context, iris: list[str]) -> Mapping[str, dict[str, int]]:
    """A batch: how many responsibilities of each role a body holds."""
    held: dict[str, list[str]] = {b: [] for b in iris}
    if iris:
        for b, role in sq.select(ctx.kg, "held_roles", b=nodes(iris)):
            held[b.value].append(slug_of(role.value))
    out = {}
    for b, roles in held.items():
        counts: dict[str, int] = {}
        for role in sorted(roles):
            counts[role] = counts.get(role, 0) + 1
        out[b] = counts
    return out


def citation_counts(ctx: Context, iris: list[str]) -> Mapping[str, int]:
    """A batch: how many citations point into each document."""
    counts = {d.value: to_python(n) for d, n in sq.select(ctx.kg, "citation_counts", d=nodes(iris))} if iris else {}
    return {d: counts.get(d, 0) for d in iris}


# -- the API types -----------------------------------------------------------------------------------


def _rating_value(row: Row):
    return row.first("ratingValue")


def _parents(row: Row) -> list:
    return row.values("org:subOrganizationOf") or row.values("sponsoredBy")


def _successor(row: Row):
    change = row.batch("change")
    return row.ctx.ref(change["successor"]) if change else row.ctx.ref(row.first("successor"))


def _amount_gbp(row: Row):
    return number_or_none(row.first("schema:value")) if row.first("schema:currency") in (None, "GBP") else None


RESPONSIBILITY = EntityType(
    "responsibility",
    {
        "body": Ref("body"),
        "role": Ref("role"),
        "subject": Ref("subject"),
        "start_date": One("startDate"),
        "end_date": One("endDate"),
        "sources": Batch("sources", "list[source]"),
    },
    {"sources": sources},
)

RATING = EntityType(
    "rating",
    {
        "commitment": Ref("ratedCommitment"),
        "dimension": Ref("dimension"),
        "value": Ref("ratingValue"),
        "rank": Derived(lambda r: r.ctx.info[v]["rank"] if (v := _rating_value(r)) else None, int | None),
        "outcome": Derived(lambda r: "rated" if _rating_value(r) else "not rated", str),
        "scale": Derived(
            lambda r: r.ctx.ref(r.ctx.info[v]["scheme"]) if (v := _rating_value(r)) else None, "ref | None"
        ),
        "evaluation": Batch("evaluation", "evaluation | None"),
        "evaluator": Derived(lambda r: (r.batch("evaluation") or {}).get("evaluator"), "ref | None"),
        "evaluation_date": Derived(lambda r: (r.batch("evaluation") or {}).get("date"), str | None),
        "sources": Batch("sources", "list[source]"),
    },
    {"evaluation": evaluations, "sources": sources},
)

BODY = EntityType(
    "body",
    {
        "classes": Derived(classes, list[str]),
        "aliases": Many("skos:altLabel", "dcterms:alternative"),
        "organisation_type": Ref("org:classification"),
        "jurisdiction": Refs("jurisdiction"),
        "parent": Derived(lambda r: r.ctx.ref((_parents(r) or [None])[0]), "ref | None"),
        "parent_relation": Derived(
            lambda r: (
                ("subOrganizationOf" if r.values("org:subOrganizationOf") else "sponsoredBy") if _parents(r) else None
            ),
            str | None,
        ),
        "sponsor": Ref("sponsoredBy"),
        "successor": Derived(_successor, "ref | None"),
        "successor_since": Derived(lambda r: c["date"] if (c := r.batch("change")) else None, str | None),
        "same_as": Many("schema:sameAs"),
        "gss_code": One("gssCode"),
        "ods_code": One("odsCode"),
        "roles": Batch("roles", dict[str, int]),
        "sources": Batch("sources", "list[source]"),
        "responsibilities": Batch("responsibilities", "list[responsibility]", detail=True),
    },
    {"sources": sources, "change": first_change, "roles": held_roles},
    {"responsibilities": responsibilities_of("body")},
)

PROGRAMME = EntityType(
    "programme",
    {
        "aliases": Many("skos:altLabel"),
        "kind": Ref("programmeKind"),
        "description": One("dcterms:description"),
        "jurisdiction": Refs("jurisdiction"),
        "themes": Refs("theme"),
        "serves": Refs("serves"),
        "part_of": Refs("partOf"),
        "start_date": One("startDate"),
        "end_date": One("endDate"),
        "responsibilities": Batch("responsibilities", "list[responsibility]"),
        "funding": Batch("funding", "list[ref]"),
        "sources": Batch("sources", "list[source]"),
        "parts": Batch("parts", "list[ref]", detail=True),
    },
    {
        "sources": sources,
        "responsibilities": responsibilities_of("subject"),
        "funding": inverse("funds", "wkg:Funding"),
    },
    {"parts": inverse("partOf", "wkg:Programme")},
)

FUNDING = EntityType(
    "funding",
    {
        "amount_gbp": Derived(_amount_gbp, float | None),
        "amount": One("schema:value", type=float),
        "currency": One("schema:currency"),
        "qualifier": One("valueQualifier"),
        "period": One("periodLabel"),
        "start_date": One("startDate"),
        "end_date": One("endDate"),
        "recurrence": Ref("recurrence"),
        "funder": Ref("funder"),
        "recipient": Ref("recipient"),
        "funds": Refs("funds"),
        "purpose": One("purpose"),
        "jurisdiction": Refs("jurisdiction"),
        "sources": Batch("sources", "list[source]"),
    },
    {"sources": sources},
)

FIGURE = EntityType(
    "figure",
    {
        "value": One("value", type=float),
        "unit": Ref("unit"),
        "qualifier": One("valueQualifier"),
        "measures": One("measures"),
        "as_of": One("asOf"),
        "period": One("periodLabel"),
        "evidences": Refs("evidences"),
        "jurisdiction": Refs("jurisdiction"),
        "sources": Batch("sources", "list[source]"),
    },
    {"sources": sources},
)

COMMITMENT = EntityType(
    "commitment",
    {
        "classes": Derived(classes, list[str]),
        "statement": One("statement"),
        "aliases": Many("skos:altLabel"),
        "description": One("dcterms:description"),
        "made_by": Refs("madeBy"),
        "jurisdiction": Refs("jurisdiction"),
        "themes": Refs("theme"),
        "date_made": One("dateMade"),
        "deadline": One("deadline"),
        "target_value": One("targetValue", type=float),
        "unit": Ref("unit"),
        "baseline": One("baseline"),
        "baseline_date": One("baselineDate"),
        "status": Ref("commitmentStatus"),
        "status_note": One("statusNote"),
        "measurable": Has("targetValue"),
        "ratings": Batch("ratings", "list[rating]"),
        "responsibilities": Batch("responsibilities", "list[responsibility]"),
        "sources": Batch("sources", "list[source]"),
        "programmes": Batch("programmes", "list[ref]", detail=True),
        "owners": Batch("owners", "list[responsibility_via]", detail=True),
        "funding": Batch("funding", "list[funding_via]", detail=True),
        "funding_total": Derived(lambda r: funding_total(r.batch("funding")), "list[funding_total]", detail=True),
        "figures": Batch("figures", "list[figure_via]", detail=True),
    },
    {"sources": sources, "responsibilities": responsibilities_of("subject"), "ratings": ratings_of},
    {
        "programmes": inverse("serves", "wkg:Programme"),
        "owners": reached(RESPONSIBILITY, "subject"),
        "funding": reached(FUNDING, "funds"),
        "figures": reached(FIGURE, "evidences"),
    },
)

DOCUMENT = EntityType(
    "document",
    {
        "title": One("dcterms:title"),
        "document_type": One("dcterms:type"),
        "publisher": One("dcterms:publisher"),
        "publisher_body": Ref("publisherBody"),
        "date": One("dcterms:date", "dcterms:issued"),
        "file_name": One("fileName"),
        "locator_scheme": Ref("locatorScheme"),
        "jurisdiction": Refs("jurisdiction"),
        "citations": Batch("citations", int),
    },
    {"citations": citation_counts},
)


# -- filters and the generic list --------------------------------------------------------------------


@dataclass
class Match:
    """A filter's contribution: a SPARQL pattern over ``?s`` and the RDF terms of its ``VALUES`` blocks."""

    pattern: str
    values: dict[str, ox.NamedNode | ox.Literal] = field(default_factory=dict)


#: a filter: (context, the given parameter values) -> a Match, or None when its parameters are not given
Filter = Callable[[Context, Mapping[str, Any]], Match | None]


def concept_filter(param: str, pred: str, scheme: str) -> Filter:
    """``?s pred <concept>`` for a concept of ``scheme`` named by ``param`` (slug or IRI)."""

    def match(ctx: Context, given: Mapping[str, Any]) -> Match | None:
        if not given.get(param):
            return None
        iri = ctx.concept(param, scheme, given[param])
        return Match(f"VALUES ?v_{param} {{}} ?s {pred} ?v_{param} .", {f"v_{param}": ox.NamedNode(iri)})

    return match


def entity_filter(param: str, pattern: str, type_: str) -> Filter:
    """``pattern`` (naming ``?v_<param>``) for the ``type_`` whose id ``param`` gives."""

    def match(ctx: Context, given: Mapping[str, Any]) -> Match | None:
        if not given.get(param):
            return None
        iri = ctx.entity(param, type_, given[param])
        return Match(pattern, {f"v_{param}": ox.NamedNode(iri)})

    return match


def finite(field: str, value: float) -> ox.Literal:
    """A finite, non-negative number as an ``xsd:double`` literal; InvalidFilter otherwise."""
    if not math.isfinite(value):
        raise InvalidFilter(field, f"{field} must be a finite number (got {value})")
    if value < 0:
        raise InvalidFilter(field, f"{field} must not be negative")
    return ox.Literal(float(value))


@dataclass
class Listing:
    """How a type is listed: its class, filters in the order they are checked, and ordering."""

    type: EntityType
    cls: str
    filters: list[Filter]
    order: str = "subjects"  # the .rq file that orders the matches (by label; funding_order: by amount)


def matches(ctx: Context, spec: Listing, given: Mapping[str, Any]) -> list[str]:
    """IRIs of every ``spec`` thing matching all given filters, in the listing's order."""
    found = [m for f in spec.filters if (m := f(ctx, given)) is not None]
    where = " ".join([f"?s a {spec.cls} ."] + [m.pattern for m in found])
    values: dict[str, Any] = {}
    for m in found:
        values.update(m.values)
    rows = sq.select(ctx.kg, spec.order, {"WHERE": where}, **values)
    return list(dict.fromkeys(s.value for s, _ in rows if isinstance(s, ox.NamedNode)))


def page(items: list, limit: int, offset: int) -> tuple[list, int]:
    """One page of ``items`` and their total (InvalidFilter for a negative limit or offset)."""
    if limit < 0:
        raise InvalidFilter("limit", "limit must not be negative")
    if offset < 0:
        raise InvalidFilter("offset", "offset must not be negative")
    return items[offset : offset + limit], len(items)


def listing(items: list[dict], total: int, limit: int, offset: int) -> dict:
    """The list response: ``{total, limit, offset, items}``."""
    return {"total": total, "limit": limit, "offset": offset, "items": items}


def list_entities(kg: KnowledgeGraph, spec: Listing, limit: int, offset: int, **given: Any) -> dict:
    """One page of the ``spec`` things matching every filter given, built as the API's objects."""
    ctx = Context(kg)
    items, total = page(matches(ctx, spec, given), limit, offset)
    return listing(build(ctx, spec.type, items), total, limit, offset)


def get_entity(kg: KnowledgeGraph, type_: EntityType, id: str) -> dict:
    """One entity of ``type_`` with its detail fields, or NotFound."""
    ctx = Context(kg)
    return build(ctx, type_, [ctx.lookup(type_.name, id)], detail=True)[0]
