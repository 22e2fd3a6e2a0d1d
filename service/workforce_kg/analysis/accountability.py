"""Who owns what: commitments, bodies, programmes, funding, ratings and figures as plain dicts.

Every function takes a :class:`~workforce_kg.store.kg.KnowledgeGraph` and answers with SPARQL, batched so a
page of results costs a handful of queries. Objects share one field contract: ``id`` (the slug),
``iri``, ``label``, ``type``; fact-bearing objects carry ``sources: [{document, locator, quote}]``.
References to other things are small objects with the same four fields. Bad filters raise
:class:`InvalidFilter` (naming the field), unknown ids :class:`NotFound`. No web imports here.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from datetime import date

import pyoxigraph as ox

from workforce_kg.store.kg import KnowledgeGraph, to_python
from workforce_kg.vocab import DCTERMS, ORG, RDF_TYPE, SCHEMA, SKOS

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

SEARCH_TYPES = ("body", "commitment", "programme", "funding", "figure", "document", "evaluation")
ACCOUNTABLE_ROLES = ("accountable", "lead")

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


# -- low-level SPARQL helpers ------------------------------------------------------------------------


def _value(term):
    if isinstance(term, ox.NamedNode):
        return Iri(term.value)
    if isinstance(term, ox.BlankNode):
        return None
    return to_python(term)


def _select(kg: KnowledgeGraph, query: str) -> list[tuple]:
    result = kg.query(query)
    names = [v.value for v in result.variables]
    return [tuple(sol[n] for n in names) for sol in result]


# Values go into query text only as RDF terms written by pyoxigraph: an IRI it accepts cannot end its
# ``<…>`` early, and it escapes a literal's text itself; numbers are checked to be finite first.


def _iri(value: str) -> str:
    """An IRI as a SPARQL term (ValueError for a string that is not an absolute IRI)."""
    return str(ox.NamedNode(value))


def _values(iris) -> str:
    """IRIs as SPARQL terms, for a ``VALUES`` clause."""
    return " ".join(_iri(i) for i in iris)


def _literal(text: str) -> str:
    """A SPARQL string literal for arbitrary user text."""
    return str(ox.Literal(text))


def _number(field: str, value: float) -> str:
    """A finite number as an ``xsd:double`` literal; InvalidFilter for inf, -inf and nan."""
    if not math.isfinite(value):
        raise InvalidFilter(field, f"{field} must be a finite number (got {value})")
    return str(ox.Literal(float(value)))


def _subjects(kg: KnowledgeGraph, where: str, order: bool = True) -> list[str]:
    """IRIs bound to ``?s`` by ``where``, ordered by label (then IRI)."""
    tail = "OPTIONAL { ?s skos:prefLabel ?l } } ORDER BY LCASE(STR(?l)) ?s" if order else "}"
    rows = _select(kg, f"SELECT DISTINCT ?s ?l WHERE {{ {{ SELECT DISTINCT ?s WHERE {{ {where} }} }} {tail}")
    seen: dict[str, None] = {}
    for s, _ in rows:
        if isinstance(s, ox.NamedNode):
            seen.setdefault(s.value)
    return list(seen)


def _props(kg: KnowledgeGraph, iris) -> dict[str, dict[str, list]]:
    """All properties of ``iris``: {iri: {predicate: [values]}} (IRIs as :class:`Iri`)."""
    out: dict[str, dict[str, list]] = {i: defaultdict(list) for i in iris}
    if not out:
        return out
    for s, p, o in _select(kg, f"SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?s {{ {_values(out)} }} ?s ?p ?o }}"):
        v = _value(o)
        if v is not None and v not in out[s.value][p.value]:
            out[s.value][p.value].append(v)
    return out


def slug_of(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def natural_key(text: str):
    """Sort key that orders "2" before "10" (locators, labels)."""
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", str(text))]


class Context:
    """One request's view of the graph: the base IRI, and labels fetched in batches."""

    def __init__(self, kg: KnowledgeGraph):
        self.kg = kg
        self.base = kg.base
        self.wkg = f"{kg.base}/def/"
        self.info: dict[str, dict] = {}

    # IRIs ----------------------------------------------------------------------------------------

    def iri(self, type_: str, slug: str) -> str:
        return f"{self.base}/id/{KINDS[type_]}/{slug}"

    def type_of(self, iri: str) -> str:
        ids = f"{self.base}/id/"
        if iri.startswith(ids):
            return TYPE_OF_KIND.get(iri[len(ids) :].split("/", 1)[0], "thing")
        if iri.startswith(self.wkg) and iri.count("/") > self.wkg.count("/"):
            scheme = iri[len(self.wkg) :].split("/", 1)[0]  # a concept: named by its scheme
            return "rating-value" if scheme == "rating" else scheme
        return "term"

    def p(self, local: str) -> str:
        return self.wkg + local

    # labels ----------------------------------------------------------------------------------------

    def load(self, iris) -> None:
        """Fetch label, rank and scheme of every IRI not yet known, in one query."""
        todo = {i for i in iris if isinstance(i, str) and i not in self.info}
        if not todo:
            return
        for i in todo:
            self.info[i] = {"label": None, "rank": None, "scheme": None}
        rows = _select(
            self.kg,
            f"""SELECT ?x ?l ?rl ?rank ?scheme WHERE {{ VALUES ?x {{ {_values(todo)} }}
                OPTIONAL {{ ?x skos:prefLabel ?l }} OPTIONAL {{ ?x rdfs:label ?rl }}
                OPTIONAL {{ ?x wkg:rank ?rank }} OPTIONAL {{ ?x skos:inScheme ?scheme }} }}""",
        )
        for x, label, rlabel, rank, scheme in rows:
            info = self.info[x.value]
            text = label or rlabel
            if text is not None and info["label"] is None:
                info["label"] = text.value
            if rank is not None:
                info["rank"] = to_python(rank)
            if scheme is not None:
                info["scheme"] = scheme.value

    def load_props(self, props: dict[str, dict[str, list]]) -> None:
        iris = set(props)
        for values in props.values():
            for vs in values.values():
                iris.update(v for v in vs if isinstance(v, Iri))
        self.load(iris)

    def label(self, iri: str) -> str:
        self.load([iri])
        return self.info[iri]["label"] or slug_of(iri)

    def ref(self, iri: str | None) -> dict | None:
        """``{id, iri, label, type}`` of anything (None for None)."""
        return None if iri is None else self.ref_of(iri)

    def ref_of(self, iri: str) -> dict:
        """``{id, iri, label, type}`` of anything."""
        return {"id": slug_of(iri), "iri": str(iri), "label": self.label(iri), "type": self.type_of(iri)}

    def refs(self, iris) -> list[dict]:
        return sorted((self.ref_of(i) for i in iris), key=lambda r: (natural_key(r["label"]), r["iri"]))

    # sources ---------------------------------------------------------------------------------------

    def sources(self, iris) -> dict[str, list[dict]]:
        """Citations of ``iris``: {iri: [{document, locator, quote}]}, ordered by document and locator."""
        iris = list(dict.fromkeys(iris))
        out: dict[str, list[dict]] = {i: [] for i in iris}
        if not iris:
            return out
        rows = _select(
            self.kg,
            f"""SELECT DISTINCT ?s ?doc ?loc ?quote WHERE {{ VALUES ?s {{ {_values(iris)} }}
                ?s wkg:citation ?c . ?c wkg:document ?doc ; wkg:locator ?loc ; wkg:quote ?quote }}""",
        )
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
        if iri is None or not self.kg.ask(
            f"ASK {{ {_iri(iri)} skos:inScheme {_iri(f'{self.base}/def/scheme/{scheme}')} }}"
        ):
            known = [
                slug_of(r[0].value)
                for r in _select(
                    self.kg,
                    f"SELECT ?c WHERE {{ ?c skos:inScheme {_iri(f'{self.base}/def/scheme/{scheme}')} }} ORDER BY ?c",
                )
            ]
            raise InvalidFilter(field, f"unknown {field} {value!r}; one of: {', '.join(known)}")
        return iri

    def entity(self, field: str, type_: str, value: str) -> str:
        """The IRI of the ``type_`` with id ``value`` (slug or IRI), or InvalidFilter."""
        iri = self._iri_or_none(value, f"{self.base}/id/{KINDS[type_]}/")
        if iri is None or not self.kg.ask(f"ASK {{ {_iri(iri)} a {CLASSES[type_]} }}"):
            raise InvalidFilter(field, f"{field}: no {type_} with id {value!r}")
        return iri

    def lookup(self, type_: str, slug: str) -> str:
        """The IRI of the ``type_`` with id ``slug``, or NotFound."""
        iri = self._iri_or_none(slug, f"{self.base}/id/{KINDS[type_]}/")
        if iri is None or not self.kg.ask(f"ASK {{ {_iri(iri)} a {CLASSES[type_]} }}"):
            raise NotFound(f"no {type_} with id {slug!r}")
        return iri

    @staticmethod
    def _iri_or_none(value: str, namespace: str) -> str | None:
        value = (value or "").strip()
        iri = value if _IRI.match(value) else namespace + value if _SLUG.match(value) else None
        try:
            return iri if iri is None else ox.NamedNode(iri).value
        except ValueError:  # not an IRI pyoxigraph accepts
            return None


# -- shared builders ---------------------------------------------------------------------------------


def _first(values: list):
    return values[0] if values else None


def _classes(ctx: Context, types: list) -> list[str]:
    """Local names of the wkg: and org: classes among ``types``."""
    ours = (t for t in types if t.startswith(ORG) or (t.startswith(ctx.wkg) and "/" not in t[len(ctx.wkg) :]))
    return sorted({re.split(r"[/#]", t)[-1] for t in ours})


def _base(ctx: Context, iri: str) -> dict:
    return {"id": slug_of(iri), "iri": iri, "label": ctx.label(iri), "type": ctx.type_of(iri)}


def _page(items: list, limit: int, offset: int) -> tuple[list, int]:
    if limit < 0:
        raise InvalidFilter("limit", "limit must not be negative")
    if offset < 0:
        raise InvalidFilter("offset", "offset must not be negative")
    return items[offset : offset + limit], len(items)


def listing(items: list[dict], total: int, limit: int, offset: int) -> dict:
    return {"total": total, "limit": limit, "offset": offset, "items": items}


def responsibilities(ctx: Context, iris: list[str], props: dict | None = None) -> list[dict]:
    """Responsibility objects: body, role, subject, dates, sources."""
    props = props or _props(ctx.kg, iris)
    ctx.load_props(props)
    cites = ctx.sources(iris)
    out = []
    for r in iris:
        p = props[r]
        out.append(
            {
                **_base(ctx, r),
                "body": ctx.ref(_first(p[ctx.p("body")])),
                "role": ctx.ref(_first(p[ctx.p("role")])),
                "subject": ctx.ref(_first(p[ctx.p("subject")])),
                "start_date": _first(p[ctx.p("startDate")]),
                "end_date": _first(p[ctx.p("endDate")]),
                "sources": cites[r],
            }
        )
    out.sort(
        key=lambda x: (
            x["subject"]["label"] if x["subject"] else "",
            x["role"]["id"] if x["role"] else "",
            x["body"]["label"] if x["body"] else "",
            x["iri"],
        )
    )
    return out


def _responsibilities_of(ctx: Context, subjects: list[str], pred: str = "subject") -> dict[str, list[dict]]:
    """Responsibilities whose ``pred`` (subject or body) is one of ``subjects``, grouped by it."""
    out: dict[str, list[dict]] = {s: [] for s in subjects}
    if not subjects:
        return out
    iris = _subjects(
        ctx.kg, f"VALUES ?x {{ {_values(subjects)} }} ?s wkg:{pred} ?x ; a wkg:Responsibility", order=False
    )
    for r in responsibilities(ctx, iris):
        key = r["subject" if pred == "subject" else "body"]["iri"]
        out[key].append(r)
    return out


def ratings(ctx: Context, iris: list[str]) -> list[dict]:
    """Rating objects: commitment, dimension, value, rank, scale, evaluation, evaluator, date, sources."""
    props = _props(ctx.kg, iris)
    ctx.load_props(props)
    evaluations = {e for p in props.values() for e in p[ctx.p("evaluation")]}
    eprops = _props(ctx.kg, evaluations)
    ctx.load_props(eprops)
    cites = ctx.sources(iris)
    out = []
    for r in iris:
        p = props[r]
        value = _first(p[ctx.p("ratingValue")])
        ev = _first(p[ctx.p("evaluation")])
        ep = eprops.get(ev, {}) if ev else {}
        evaluator = _first(ep.get(ctx.p("evaluator"), []))
        ev_date = _first(ep.get(DCTERMS + "date", []))
        scheme = ctx.info[value]["scheme"] if value else None
        out.append(
            {
                **_base(ctx, r),
                "commitment": ctx.ref(_first(p[ctx.p("ratedCommitment")])),
                "dimension": ctx.ref(_first(p[ctx.p("dimension")])),
                "value": ctx.ref(value),
                "rank": ctx.info[value]["rank"] if value else None,
                "outcome": "rated" if value else "not rated",
                "scale": ctx.ref(scheme) if scheme else None,
                "evaluation": {**ctx.ref_of(ev), "date": ev_date, "evaluator": ctx.ref(evaluator)} if ev else None,
                "evaluator": ctx.ref(evaluator),
                "evaluation_date": ev_date,
                "sources": cites[r],
            }
        )
    return out


def _ratings_of(ctx: Context, commitments: list[str]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {c: [] for c in commitments}
    if not commitments:
        return out
    iris = _subjects(ctx.kg, f"VALUES ?c {{ {_values(commitments)} }} ?s wkg:ratedCommitment ?c", order=True)
    for r in ratings(ctx, iris):
        out[r["commitment"]["iri"]].append(r)
    return out


def _inverse(ctx: Context, targets: list[str], pred: str, cls: str) -> dict[str, list[str]]:
    """{target: [subjects s with ``s pred target`` and s a ``cls``]}."""
    out: dict[str, list[str]] = {t: [] for t in targets}
    if not targets:
        return out
    for s, t in _select(
        ctx.kg, f"SELECT DISTINCT ?s ?t WHERE {{ VALUES ?t {{ {_values(targets)} }} ?s {pred} ?t ; a {cls} }}"
    ):
        out[t.value].append(s.value)
    return out


# -- commitments -------------------------------------------------------------------------------------


def _commitment_filters(
    ctx: Context,
    jurisdiction=None,
    theme=None,
    body=None,
    role=None,
    dimension=None,
    value=None,
    document=None,
    via_programmes: bool = True,
) -> str:
    where = ["?s a wkg:Commitment ."]
    if jurisdiction:
        where.append(f"?s wkg:jurisdiction {_iri(ctx.concept('jurisdiction', 'jurisdiction', jurisdiction))} .")
    if theme:
        where.append(f"?s wkg:theme {_iri(ctx.concept('theme', 'theme', theme))} .")
    if body or role:
        held = "?r a wkg:Responsibility"
        if body:
            held += f" ; wkg:body {_iri(ctx.entity('body', 'body', body))}"
        if role:
            held += f" ; wkg:role {_iri(ctx.concept('role', 'role', role))}"
        direct = f"{{ {held} ; wkg:subject ?s . }}"
        if via_programmes:
            direct += f" UNION {{ ?p wkg:partOf*/wkg:serves ?s . {held} ; wkg:subject ?p . }}"
        where.append(direct)
    if dimension or value:
        rating = "?rt wkg:ratedCommitment ?s"
        if dimension:
            rating += f" ; wkg:dimension {_iri(ctx.concept('dimension', 'rating-dimension', dimension))}"
        if value:
            rating += f" ; wkg:ratingValue {_iri(ctx.concept('value', 'rating', value))}"
        where.append(rating + " .")
    if document:
        where.append(f"?s wkg:citation/wkg:document {_iri(ctx.entity('document', 'document', document))} .")
    return "\n".join(where)


def _commitments(ctx: Context, iris: list[str], detail: bool) -> list[dict]:
    props = _props(ctx.kg, iris)
    ctx.load_props(props)
    cites = ctx.sources(iris)
    resps = _responsibilities_of(ctx, iris)
    rates = _ratings_of(ctx, iris)
    if detail:
        programmes = _inverse(ctx, iris, "wkg:serves", "wkg:Programme")
        funding = _inverse(ctx, iris, "wkg:funds", "wkg:Funding")
        figures = _inverse(ctx, iris, "wkg:evidences", "wkg:ProgressFigure")
    out = []
    for c in iris:
        p = props[c]
        item = {
            **_base(ctx, c),
            "classes": _classes(ctx, p[RDF_TYPE]),
            "statement": _first(p[ctx.p("statement")]),
            "aliases": sorted(p[SKOS + "altLabel"]),
            "description": _first(p[DCTERMS + "description"]),
            "made_by": ctx.refs(p[ctx.p("madeBy")]),
            "jurisdiction": ctx.refs(p[ctx.p("jurisdiction")]),
            "themes": ctx.refs(p[ctx.p("theme")]),
            "date_made": _first(p[ctx.p("dateMade")]),
            "deadline": _first(p[ctx.p("deadline")]),
            "target_value": _first(p[ctx.p("targetValue")]),
            "unit": ctx.ref(_first(p[ctx.p("unit")])),
            "baseline": _first(p[ctx.p("baseline")]),
            "baseline_date": _first(p[ctx.p("baselineDate")]),
            "status": ctx.ref(_first(p[ctx.p("commitmentStatus")])),
            "status_note": _first(p[ctx.p("statusNote")]),
            "measurable": bool(p[ctx.p("targetValue")]),
            "ratings": rates[c],
            "responsibilities": resps[c],
            "sources": cites[c],
        }
        if detail:
            ctx.load(programmes[c] + funding[c] + figures[c])
            item["programmes"] = ctx.refs(programmes[c])
            item["funding"] = ctx.refs(funding[c])
            item["figures"] = ctx.refs(figures[c])
        out.append(item)
    return out


def list_commitments(
    kg: KnowledgeGraph,
    *,
    jurisdiction: str | None = None,
    theme: str | None = None,
    body: str | None = None,
    role: str | None = None,
    dimension: str | None = None,
    value: str | None = None,
    document: str | None = None,
    via_programmes: bool = True,
    limit: int = 50,
    offset: int = 0,
) -> dict:
    """Commitments matching every filter given, ordered by label, one page of them.

    Args:
        body, role: a body holding a responsibility (with that role) for the commitment, directly or,
            with ``via_programmes``, for a programme that serves it.
        dimension, value: a rating of the commitment on that dimension with that value.
        document: a document that states the commitment (cites it).
    """
    ctx = Context(kg)
    where = _commitment_filters(ctx, jurisdiction, theme, body, role, dimension, value, document, via_programmes)
    page, total = _page(_subjects(kg, where), limit, offset)
    return listing(_commitments(ctx, page, detail=False), total, limit, offset)


def get_commitment(kg: KnowledgeGraph, id: str) -> dict:
    """One commitment with its ratings, responsibilities, programmes, funding, figures and sources."""
    ctx = Context(kg)
    return _commitments(ctx, [ctx.lookup("commitment", id)], detail=True)[0]


# -- bodies ------------------------------------------------------------------------------------------


def _bodies(ctx: Context, iris: list[str], detail: bool) -> list[dict]:
    props = _props(ctx.kg, iris)
    ctx.load_props(props)
    cites = ctx.sources(iris)
    changes = _changes(ctx)
    held: dict[str, list] = {b: [] for b in iris}
    for b, role in (
        _select(
            ctx.kg,
            f"""SELECT ?b ?role WHERE {{ VALUES ?b {{ {_values(iris)} }}
                                       ?r wkg:body ?b ; wkg:role ?role }}""",
        )
        if iris
        else []
    ):
        held[b.value].append(slug_of(role.value))
    resps = _responsibilities_of(ctx, iris, pred="body") if detail else {}
    out = []
    for b in iris:
        p = props[b]
        parents = p[ORG + "subOrganizationOf"] or p[ctx.p("sponsoredBy")]
        change = next(iter(changes.get(b, [])), None)
        roles: dict[str, int] = {}
        for role in sorted(held[b]):
            roles[role] = roles.get(role, 0) + 1
        item = {
            **_base(ctx, b),
            "classes": _classes(ctx, p[RDF_TYPE]),
            "aliases": sorted(set(p[SKOS + "altLabel"]) | set(p[DCTERMS + "alternative"])),
            "organisation_type": ctx.ref(_first(p[ORG + "classification"])),
            "jurisdiction": ctx.refs(p[ctx.p("jurisdiction")]),
            "parent": ctx.ref(_first(parents)),
            "parent_relation": ("subOrganizationOf" if p[ORG + "subOrganizationOf"] else "sponsoredBy")
            if parents
            else None,
            "sponsor": ctx.ref(_first(p[ctx.p("sponsoredBy")])),
            "successor": ctx.ref(change["successor"]) if change else ctx.ref(_first(p[ctx.p("successor")])),
            "successor_since": change["date"] if change else None,
            "same_as": sorted(str(x) for x in p[SCHEMA + "sameAs"]),
            "gss_code": _first(p[ctx.p("gssCode")]),
            "ods_code": _first(p[ctx.p("odsCode")]),
            "roles": roles,
            "sources": cites[b],
        }
        if detail:
            item["responsibilities"] = resps[b]
        out.append(item)
    return out


def list_bodies(
    kg: KnowledgeGraph, *, type: str | None = None, jurisdiction: str | None = None, limit: int = 50, offset: int = 0
) -> dict:
    """Bodies, ordered by label. ``type`` is an organisation type (``regulator``) or a class
    (``CollectiveActor``, ``FormalOrganization``, ``OrganizationalUnit``)."""
    ctx = Context(kg)
    where = ["?s a org:Organization ."]
    if type:
        classes = {
            "collectiveactor": "wkg:CollectiveActor",
            "formalorganization": "org:FormalOrganization",
            "organizationalunit": "org:OrganizationalUnit",
        }
        if type.lower() in classes:
            where.append(f"?s a {classes[type.lower()]} .")
        else:
            try:
                where.append(f"?s org:classification {_iri(ctx.concept('type', 'organisation-type', type))} .")
            except InvalidFilter as exc:
                raise InvalidFilter(
                    "type", exc.message + ", or a class: CollectiveActor, FormalOrganization, OrganizationalUnit"
                ) from None
    if jurisdiction:
        where.append(f"?s wkg:jurisdiction {_iri(ctx.concept('jurisdiction', 'jurisdiction', jurisdiction))} .")
    page, total = _page(_subjects(kg, "\n".join(where)), limit, offset)
    return listing(_bodies(ctx, page, detail=False), total, limit, offset)


def get_body(kg: KnowledgeGraph, id: str) -> dict:
    """One body with every responsibility it holds as recorded (see :func:`body_accountability` for as-of)."""
    ctx = Context(kg)
    return _bodies(ctx, [ctx.lookup("body", id)], detail=True)[0]


# -- programmes --------------------------------------------------------------------------------------


def list_programmes(
    kg: KnowledgeGraph,
    *,
    kind: str | None = None,
    jurisdiction: str | None = None,
    body: str | None = None,
    role: str | None = None,
    commitment: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> dict:
    """Programmes, ordered by label; ``commitment`` keeps those serving it (directly or as part of one)."""
    ctx = Context(kg)
    where = ["?s a wkg:Programme ."]
    if kind:
        where.append(f"?s wkg:programmeKind {_iri(ctx.concept('kind', 'programme-kind', kind))} .")
    if jurisdiction:
        where.append(f"?s wkg:jurisdiction {_iri(ctx.concept('jurisdiction', 'jurisdiction', jurisdiction))} .")
    if body or role:
        held = "?r a wkg:Responsibility ; wkg:subject ?s"
        if body:
            held += f" ; wkg:body {_iri(ctx.entity('body', 'body', body))}"
        if role:
            held += f" ; wkg:role {_iri(ctx.concept('role', 'role', role))}"
        where.append(held + " .")
    if commitment:
        where.append(f"?s wkg:partOf*/wkg:serves {_iri(ctx.entity('commitment', 'commitment', commitment))} .")
    page, total = _page(_subjects(kg, "\n".join(where)), limit, offset)
    return listing(_programmes(ctx, page, detail=False), total, limit, offset)


def get_programme(kg: KnowledgeGraph, id: str) -> dict:
    ctx = Context(kg)
    return _programmes(ctx, [ctx.lookup("programme", id)], detail=True)[0]


def _programmes(ctx: Context, iris: list[str], detail: bool) -> list[dict]:
    props = _props(ctx.kg, iris)
    ctx.load_props(props)
    cites = ctx.sources(iris)
    resps = _responsibilities_of(ctx, iris)
    funding = _inverse(ctx, iris, "wkg:funds", "wkg:Funding")
    parts = _inverse(ctx, iris, "wkg:partOf", "wkg:Programme") if detail else {}
    ctx.load({f for fs in funding.values() for f in fs} | {x for xs in parts.values() for x in xs})
    out = []
    for g in iris:
        p = props[g]
        item = {
            **_base(ctx, g),
            "aliases": sorted(p[SKOS + "altLabel"]),
            "kind": ctx.ref(_first(p[ctx.p("programmeKind")])),
            "description": _first(p[DCTERMS + "description"]),
            "jurisdiction": ctx.refs(p[ctx.p("jurisdiction")]),
            "themes": ctx.refs(p[ctx.p("theme")]),
            "serves": ctx.refs(p[ctx.p("serves")]),
            "part_of": ctx.refs(p[ctx.p("partOf")]),
            "start_date": _first(p[ctx.p("startDate")]),
            "end_date": _first(p[ctx.p("endDate")]),
            "responsibilities": resps[g],
            "funding": ctx.refs(funding[g]),
            "sources": cites[g],
        }
        if detail:
            item["parts"] = ctx.refs(parts[g])
        out.append(item)
    return out


# -- funding -----------------------------------------------------------------------------------------


def list_funding(
    kg: KnowledgeGraph,
    *,
    funder: str | None = None,
    recipient: str | None = None,
    programme: str | None = None,
    commitment: str | None = None,
    min_amount: float | None = None,
    max_amount: float | None = None,
    period: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> dict:
    """Funding amounts, largest first.

    Args:
        commitment: funding of the commitment directly or of a programme serving it.
        period: text the period label contains (``2021/22``), or a year the amount's dates cover.
    """
    ctx = Context(kg)
    where = ["?s a wkg:Funding ."]
    if funder:
        where.append(f"?s wkg:funder {_iri(ctx.entity('funder', 'body', funder))} .")
    if recipient:
        where.append(f"?s wkg:recipient {_iri(ctx.entity('recipient', 'body', recipient))} .")
    if programme:
        where.append(f"?s wkg:funds {_iri(ctx.entity('programme', 'programme', programme))} .")
    if commitment:
        c = ctx.entity("commitment", "commitment", commitment)
        where.append(f"{{ ?s wkg:funds {_iri(c)} }} UNION {{ ?s wkg:funds ?p . ?p wkg:partOf*/wkg:serves {_iri(c)} }}")
    for field, bound, op in (("min_amount", min_amount, ">="), ("max_amount", max_amount, "<=")):
        if bound is not None:
            term = _number(field, bound)
            if bound < 0:
                raise InvalidFilter(field, f"{field} must not be negative")
            where.append(f"?s schema:value ?amount . FILTER(?amount {op} {term})")
    if min_amount is not None and max_amount is not None and min_amount > max_amount:
        raise InvalidFilter("min_amount", "min_amount is larger than max_amount")
    if period:
        text = period.strip().lower()
        if not text:
            raise InvalidFilter("period", "period must not be empty")
        clause = f"{{ ?s wkg:periodLabel ?pl FILTER(CONTAINS(LCASE(STR(?pl)), {_literal(text)})) }}"
        if re.fullmatch(r"\d{4}", text):
            clause += (
                f" UNION {{ ?s wkg:startDate ?sd FILTER(SUBSTR(STR(?sd), 1, 4) <= {_literal(text)}) "
                f"OPTIONAL {{ ?s wkg:endDate ?ed }} FILTER(!BOUND(?ed) || SUBSTR(STR(?ed), 1, 4) >= {_literal(text)}) "
                "}"
            )
        where.append(clause)
    rows = _select(
        kg,
        f"""SELECT DISTINCT ?s ?v WHERE {{ {{ SELECT DISTINCT ?s WHERE {{ {" ".join(where)} }} }}
                           OPTIONAL {{ ?s schema:value ?v }} }} ORDER BY DESC(?v) ?s""",
    )
    iris = list(dict.fromkeys(s.value for s, _ in rows))
    page, total = _page(iris, limit, offset)
    return listing(funding_items(ctx, page), total, limit, offset)


def funding_items(ctx: Context, iris: list[str]) -> list[dict]:
    props = _props(ctx.kg, iris)
    ctx.load_props(props)
    cites = ctx.sources(iris)
    out = []
    for f in iris:
        p = props[f]
        amount = _first(p[SCHEMA + "value"])
        currency = _first(p[SCHEMA + "currency"])
        out.append(
            {
                **_base(ctx, f),
                "amount_gbp": amount if currency in (None, "GBP") else None,
                "amount": amount,
                "currency": currency,
                "qualifier": _first(p[ctx.p("valueQualifier")]),
                "period": _first(p[ctx.p("periodLabel")]),
                "start_date": _first(p[ctx.p("startDate")]),
                "end_date": _first(p[ctx.p("endDate")]),
                "recurrence": ctx.ref(_first(p[ctx.p("recurrence")])),
                "funder": ctx.ref(_first(p[ctx.p("funder")])),
                "recipient": ctx.ref(_first(p[ctx.p("recipient")])),
                "funds": ctx.refs(p[ctx.p("funds")]),
                "purpose": _first(p[ctx.p("purpose")]),
                "jurisdiction": ctx.refs(p[ctx.p("jurisdiction")]),
                "sources": cites[f],
            }
        )
    return out


def get_funding(kg: KnowledgeGraph, id: str) -> dict:
    ctx = Context(kg)
    return funding_items(ctx, [ctx.lookup("funding", id)])[0]


# -- ratings, figures, documents ---------------------------------------------------------------------


def list_ratings(
    kg: KnowledgeGraph,
    *,
    commitment: str | None = None,
    dimension: str | None = None,
    value: str | None = None,
    evaluation: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> dict:
    """Ratings (each with its scale, evaluation, evaluator, date and sources), by commitment and dimension."""
    ctx = Context(kg)
    where = ["?s a wkg:Rating ."]
    if commitment:
        where.append(f"?s wkg:ratedCommitment {_iri(ctx.entity('commitment', 'commitment', commitment))} .")
    if dimension:
        where.append(f"?s wkg:dimension {_iri(ctx.concept('dimension', 'rating-dimension', dimension))} .")
    if value:
        where.append(f"?s wkg:ratingValue {_iri(ctx.concept('value', 'rating', value))} .")
    if evaluation:
        where.append(f"?s wkg:evaluation {_iri(ctx.entity('evaluation', 'evaluation', evaluation))} .")
    page, total = _page(_subjects(kg, "\n".join(where)), limit, offset)
    return listing(ratings(ctx, page), total, limit, offset)


def list_figures(
    kg: KnowledgeGraph,
    *,
    commitment: str | None = None,
    unit: str | None = None,
    jurisdiction: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> dict:
    """Progress figures; ``commitment`` keeps those evidencing it directly or through a programme serving it."""
    ctx = Context(kg)
    where = ["?s a wkg:ProgressFigure ."]
    if commitment:
        c = ctx.entity("commitment", "commitment", commitment)
        where.append(
            f"{{ ?s wkg:evidences {_iri(c)} }} UNION {{ ?s wkg:evidences ?p . ?p wkg:partOf*/wkg:serves {_iri(c)} }}"
        )
    if unit:
        where.append(f"?s wkg:unit {_iri(ctx.concept('unit', 'unit', unit))} .")
    if jurisdiction:
        where.append(f"?s wkg:jurisdiction {_iri(ctx.concept('jurisdiction', 'jurisdiction', jurisdiction))} .")
    page, total = _page(_subjects(kg, "\n".join(where)), limit, offset)
    props = _props(kg, page)
    ctx.load_props(props)
    cites = ctx.sources(page)
    items = []
    for f in page:
        p = props[f]
        items.append(
            {
                **_base(ctx, f),
                "value": _first(p[ctx.p("value")]),
                "unit": ctx.ref(_first(p[ctx.p("unit")])),
                "qualifier": _first(p[ctx.p("valueQualifier")]),
                "measures": _first(p[ctx.p("measures")]),
                "as_of": _first(p[ctx.p("asOf")]),
                "period": _first(p[ctx.p("periodLabel")]),
                "evidences": ctx.refs(p[ctx.p("evidences")]),
                "jurisdiction": ctx.refs(p[ctx.p("jurisdiction")]),
                "sources": cites[f],
            }
        )
    return listing(items, total, limit, offset)


def list_documents(kg: KnowledgeGraph, *, limit: int = 50, offset: int = 0) -> dict:
    """Source documents with their metadata and how many citations point into each."""
    ctx = Context(kg)
    page, total = _page(_subjects(kg, "?s a wkg:SourceDocument ."), limit, offset)
    props = _props(kg, page)
    ctx.load_props(props)
    counts = (
        {
            d.value: to_python(n)
            for d, n in _select(
                kg,
                f"SELECT ?d (COUNT(DISTINCT ?c) AS ?n) WHERE {{ VALUES ?d {{ {_values(page)} }} ?c wkg:document ?d }} "
                "GROUP BY ?d",
            )
        }
        if page
        else {}
    )
    items = []
    for d in page:
        p = props[d]
        items.append(
            {
                **_base(ctx, d),
                "title": _first(p[DCTERMS + "title"]),
                "document_type": _first(p[DCTERMS + "type"]),
                "publisher": _first(p[DCTERMS + "publisher"]),
                "publisher_body": ctx.ref(_first(p[ctx.p("publisherBody")])),
                "date": _first(p[DCTERMS + "date"] or p[DCTERMS + "issued"]),
                "file_name": _first(p[ctx.p("fileName")]),
                "locator_scheme": ctx.ref(_first(p[ctx.p("locatorScheme")])),
                "jurisdiction": ctx.refs(p[ctx.p("jurisdiction")]),
                "citations": counts.get(d, 0),
            }
        )
    return listing(items, total, limit, offset)


# -- search ------------------------------------------------------------------------------------------

_FIELD_WEIGHTS = {"label": 10, "alias": 8, "statement": 4}


def search(kg: KnowledgeGraph, q: str, *, types: list[str] | None = None, limit: int = 20, offset: int = 0) -> dict:
    """Entities whose label, alternative labels or statement match ``q``, best first.

    Scoring: the whole phrase as the label (100) or an alias (90), at the start of the label (60) or
    inside a label (50), alias (40) or statement (30); plus, per word, 10 in the label, 8 in an alias,
    4 in the statement; scaled by the share of the query's words found.
    """
    ctx = Context(kg)
    phrase = " ".join((q or "").split()).lower()
    if len(phrase) < 2:
        raise InvalidFilter("q", "q must have at least 2 characters")
    tokens = list(dict.fromkeys(t.strip(".,;:!?()[]\"'") for t in phrase.split()))
    tokens = [t for t in tokens if t][:12] or [phrase]
    types = types or list(SEARCH_TYPES)
    for t in types:
        if t not in KINDS:
            raise InvalidFilter("type", f"unknown type {t!r}; one of: {', '.join(KINDS)}")
    prefixes = " || ".join(f'STRSTARTS(STR(?s), "{ctx.base}/id/{KINDS[t]}/")' for t in types)
    contains = " || ".join(f"CONTAINS(LCASE(STR(?text)), {_literal(t)})" for t in tokens)
    rows = _select(
        kg,
        f"""SELECT DISTINCT ?s ?p ?text WHERE {{
        VALUES ?p {{ skos:prefLabel skos:altLabel wkg:statement }}
        ?s ?p ?text . FILTER(isIRI(?s) && ({prefixes})) FILTER({contains}) }}""",
    )
    fields = {SKOS + "prefLabel": "label", SKOS + "altLabel": "alias", ctx.p("statement"): "statement"}
    texts: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for s, p, text in rows:
        texts[s.value].append((fields[p.value], text.value))
    scored = []
    for s, found in texts.items():
        score, matched, words = 0.0, set(), set()
        for field, text in found:
            low = text.lower()
            if phrase == low:
                score = max(score, {"label": 100, "alias": 90}.get(field, 30))
            elif field == "label" and low.startswith(phrase):
                score = max(score, 60)
            elif phrase in low:
                score = max(score, {"label": 50, "alias": 40, "statement": 30}[field])
            for t in tokens:
                if t in low:
                    words.add(t)
                    matched.add(field)
        for t in words:
            score += max(_FIELD_WEIGHTS[f] for f, text in found if t in text.lower())
        score *= len(words) / len(tokens)
        scored.append((score, s, sorted(matched)))
    ctx.load(texts)
    scored.sort(key=lambda x: (-x[0], natural_key(ctx.label(x[1])), x[1]))
    page, total = _page(scored, limit, offset)
    items = [{**ctx.ref_of(s), "score": round(score, 2), "matched": matched} for score, s, matched in page]
    return listing(items, total, limit, offset)


# -- organisational change and as-of-date accountability ---------------------------------------------


def _changes(ctx: Context) -> dict[str, list[dict]]:
    """{original body: [{successor, date, event}]} from org:ChangeEvent (a body that continues is not original)."""
    rows = _select(
        ctx.kg,
        """SELECT DISTINCT ?e ?old ?new ?date WHERE {
        ?e a org:ChangeEvent ; org:originalOrganization ?old ; org:resultingOrganization ?new .
        OPTIONAL { ?e dcterms:date ?date } FILTER(?old != ?new) }""",
    )
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


def _start(d: str | None) -> str:
    """The first day a (possibly partial) ISO date covers: 2021 -> 2021-01-01."""
    if not d:
        return "0000-01-01"
    return (d + "-01-01")[:10] if len(d) == 4 else (d + "-01")[:10] if len(d) == 7 else d[:10]


def _end(d: str | None) -> str:
    if not d:
        return "9999-12-31"
    return (d + "-12-31")[:10] if len(d) == 4 else (d + "-31")[:10] if len(d) == 7 else d[:10]


def holder_at(changes: dict[str, list[dict]], body: str, at: date) -> tuple[str, list[dict]]:
    """The body holding ``body``'s responsibilities on ``at``, and the changes followed to get there."""
    day, seen = at.isoformat(), {body}
    path: list[dict] = []
    while True:
        step = next((c for c in changes.get(body, []) if c["date"] and c["date"] <= day), None)
        if step is None or step["successor"] in seen:
            return body, path
        path.append({**step, "from": body})
        body = step["successor"]
        seen.add(body)


def _as_of(ctx: Context, resp: dict, changes: dict, at: date) -> dict | None:
    """``resp`` as it stands on ``at`` (None if not in force): body is the holder, original kept."""
    day = at.isoformat()
    if _start(resp["start_date"]) > day or _end(resp["end_date"]) < day:
        return None
    original = resp["body"]["iri"]
    holder, path = holder_at(changes, original, at)
    out = dict(resp)
    if path:
        out["body"] = ctx.ref(holder)
        out["original_body"] = resp["body"]
        out["transferred_on"] = path[-1]["date"]
        out["change"] = ctx.ref(path[-1]["event"])
    else:
        out["original_body"] = None
        out["transferred_on"] = None
        out["change"] = None
    return out


def _serving(ctx: Context, commitment: str) -> list[tuple[str, list[str]]]:
    """Programmes serving ``commitment``: (programme, path of programmes from the serving one down)."""
    rows = _select(ctx.kg, f"SELECT DISTINCT ?p WHERE {{ ?p wkg:serves {_iri(commitment)} ; a wkg:Programme }}")
    found = [(p.value, [p.value]) for (p,) in rows]
    seen = {p for p, _ in found}
    frontier = list(found)
    for _ in range(4):  # programmes that are part of a serving programme contribute too
        nxt = []
        parents = [p for p, _ in frontier]
        if not parents:
            break
        for child, parent in _select(
            ctx.kg,
            f"""SELECT DISTINCT ?c ?p WHERE {{ VALUES ?p {{ {_values(parents)} }}
                                                 ?c wkg:partOf ?p ; a wkg:Programme }}""",
        ):
            if child.value not in seen:
                seen.add(child.value)
                path = next(path for p, path in frontier if p == parent.value)
                nxt.append((child.value, path + [child.value]))
        found += nxt
        frontier = nxt
    return found


def commitment_accountability(
    kg: KnowledgeGraph, id: str, at: date | None = None, roles: tuple[str, ...] = ACCOUNTABLE_ROLES
) -> dict:
    """Who holds each responsibility for a commitment on ``at`` (default today), directly or via programmes.

    A responsibility of a body that has since merged into another is shown under the successor from
    the change date, with ``original_body`` and ``transferred_on`` kept; responsibilities whose start
    date is after ``at`` (or end date before it) are left out. ``chains`` are the paths commitment →
    programmes → bodies with a role in ``roles`` → successor → parent bodies, each hop with its sources.
    """
    ctx = Context(kg)
    at = at or date.today()
    c = ctx.lookup("commitment", id)
    changes = _changes(ctx)
    serving = _serving(ctx, c)
    via = {p: path for p, path in serving}
    resps = _responsibilities_of(ctx, [c] + list(via))
    entries = []
    for subject in [c] + list(via):
        for resp in resps[subject]:
            r = _as_of(ctx, resp, changes, at)
            if r is not None:
                r["via"] = ctx.refs(via[subject]) if subject in via else []
                entries.append(r)
    bodies: dict[str, dict] = {}
    for r in entries:
        b = bodies.setdefault(r["body"]["iri"], {"body": r["body"], "roles": [], "direct": False, "via": []})
        if r["role"]["id"] not in b["roles"]:
            b["roles"].append(r["role"]["id"])
        if r["via"]:
            if r["via"][-1] not in b["via"]:
                b["via"].append(r["via"][-1])
        else:
            b["direct"] = True
    summary = sorted(bodies.values(), key=lambda b: (not b["direct"], natural_key(b["body"]["label"])))
    return {
        "commitment": ctx.ref(c),
        "at": at.isoformat(),
        "bodies": summary,
        "responsibilities": entries,
        "programmes": ctx.refs(via),
        "chains": _chains(ctx, c, serving, resps, changes, roles),
    }


def _chains(ctx: Context, c: str, serving, resps, changes, roles) -> list[dict]:
    """Paths commitment → programme(s) → role-holding body → successor → parent bodies, with sources."""
    progs = [p for p, _ in serving]
    pcites = ctx.sources(progs)
    chains = []
    parents_cache: dict[str, list[tuple[str, str]]] = {}

    def parents(body: str) -> list[tuple[str, str]]:
        if body not in parents_cache:
            rows = _select(
                ctx.kg,
                f"""SELECT DISTINCT ?p ?rel WHERE {{
                {{ {_iri(body)} org:subOrganizationOf ?p BIND("subOrganizationOf" AS ?rel) }}
                UNION {{ {_iri(body)} wkg:sponsoredBy ?p BIND("sponsoredBy" AS ?rel) }} }}""",
            )
            parents_cache[body] = [(p.value, rel.value) for p, rel in rows]
        return parents_cache[body]

    change_cites = ctx.sources({ch["event"] for chs in changes.values() for ch in chs})

    def upward(body: str, seen: set) -> list[list[dict]]:
        """Hop lists from ``body`` upward: its successor, then its parents (transitively)."""
        tails: list[list[dict]] = []
        for ch in changes.get(body, []):
            if ch["successor"] not in seen:
                hop = {
                    "from": ctx.ref(body),
                    "relation": "succeeded by",
                    "to": ctx.ref(ch["successor"]),
                    "date": ch["date"],
                    "sources": change_cites.get(ch["event"], []),
                }
                tails += [[hop] + t for t in upward(ch["successor"], seen | {ch["successor"]})]
        if not tails:
            for parent, rel in parents(body):
                if parent not in seen:
                    hop = {"from": ctx.ref(body), "relation": rel, "to": ctx.ref(parent), "sources": []}
                    tails += [[hop] + t for t in upward(parent, seen | {parent})]
        return tails or [[]]

    def holders(subject: str) -> list[tuple[dict, list[list[dict]]]]:
        out = []
        for r in resps.get(subject, []):
            if r["role"]["id"] in roles:
                hop = {
                    "from": r["subject"],
                    "relation": r["role"]["id"],
                    "to": r["body"],
                    "responsibility": {"id": r["id"], "iri": r["iri"]},
                    "sources": r["sources"],
                }
                out.append((hop, upward(r["body"]["iri"], {r["body"]["iri"]})))
        return out

    for hop, tails in holders(c):
        chains += [[hop] + t for t in tails]
    for p, path in serving:
        head, prev = [], c
        for step in path:
            rel = "served by" if prev == c else "has part"
            head.append({"from": ctx.ref(prev), "relation": rel, "to": ctx.ref(step), "sources": pcites.get(step, [])})
            prev = step
        for hop, tails in holders(p):
            chains += [head + [hop] + t for t in tails]
    return [{"hops": hops, "path": [hops[0]["from"]] + [h["to"] for h in hops]} for hops in chains]


def body_accountability(kg: KnowledgeGraph, id: str, at: date | None = None) -> dict:
    """What a body answers for on ``at`` (default today): its own responsibilities while it exists,
    plus those it inherited from bodies merged into it, each with the commitments reached through
    programmes. A body merged away by ``at`` holds nothing and points to its successor."""
    ctx = Context(kg)
    at = at or date.today()
    b = ctx.lookup("body", id)
    changes = _changes(ctx)
    holder, path = holder_at(changes, b, at)
    predecessors = [old for old in changes if holder_at(changes, old, at)[0] == b and old != b]
    sources = [b] + predecessors if holder == b else []
    resps = _responsibilities_of(ctx, sources, pred="body")
    entries = [e for e in (_as_of(ctx, r, changes, at) for s in sources for r in resps[s]) if e is not None]
    programmes = [e["subject"]["iri"] for e in entries if e["subject"]["type"] == "programme"]
    served = defaultdict(list)
    if programmes:
        for p, c in _select(
            kg,
            f"""SELECT DISTINCT ?p ?c WHERE {{ VALUES ?p {{ {_values(programmes)} }}
                                    ?p wkg:partOf*/wkg:serves ?c . ?c a wkg:Commitment }}""",
        ):
            served[p.value].append(c.value)
    commitments: dict[str, dict] = {}
    for e in entries:
        subject = e["subject"]
        targets = [subject["iri"]] if subject["type"] == "commitment" else served.get(subject["iri"], [])
        e["commitments"] = ctx.refs(served.get(subject["iri"], [])) if subject["type"] == "programme" else []
        for t in targets:
            item = commitments.setdefault(t, {"commitment": ctx.ref(t), "roles": [], "direct": False, "via": []})
            if e["role"]["id"] not in item["roles"]:
                item["roles"].append(e["role"]["id"])
            if subject["type"] == "commitment":
                item["direct"] = True
            elif subject not in item["via"]:
                item["via"].append(subject)
    by_role: dict[str, int] = {}
    for e in entries:
        by_role[e["role"]["id"]] = by_role.get(e["role"]["id"], 0) + 1
    return {
        "body": ctx.ref(b),
        "at": at.isoformat(),
        "active": holder == b,
        "successor": ctx.ref(holder) if holder != b else None,
        "successor_since": path[-1]["date"] if path else None,
        "inherited_from": ctx.refs(predecessors),
        "by_role": dict(sorted(by_role.items())),
        "responsibilities": entries,
        "commitments": sorted(commitments.values(), key=lambda x: natural_key(x["commitment"]["label"])),
    }


# -- matrix and gaps ---------------------------------------------------------------------------------


def matrix(kg: KnowledgeGraph, of: str = "commitments") -> dict:
    """Bodies × commitments (or × programmes) with the roles each body holds in each cell.

    Every body and every commitment (or programme) of the graph is a row or column, so nothing with
    a responsibility can be missing; ``cells`` lists only the non-empty cells.
    """
    if of not in ("commitments", "programmes"):
        raise InvalidFilter("of", "of must be 'commitments' or 'programmes'")
    ctx = Context(kg)
    cls = "wkg:Commitment" if of == "commitments" else "wkg:Programme"
    bodies = _subjects(kg, "?s a org:Organization .")
    columns = _subjects(kg, f"?s a {cls} .")
    ctx.load(bodies + columns)
    cells: dict[tuple[str, str], list[str]] = defaultdict(list)
    for b, s, role in _select(
        kg,
        f"""SELECT DISTINCT ?b ?s ?role WHERE {{
            ?r a wkg:Responsibility ; wkg:body ?b ; wkg:subject ?s ; wkg:role ?role . ?s a {cls} }}""",
    ):
        cells[(b.value, s.value)].append(slug_of(role.value))
    return {
        "of": of,
        "bodies": [ctx.ref(b) for b in bodies],
        "columns": [ctx.ref(s) for s in columns],
        "cells": [
            {"body": slug_of(b), "subject": slug_of(s), "roles": sorted(r)} for (b, s), r in sorted(cells.items())
        ],
    }


def matrix_csv(m: dict) -> str:
    """A matrix as CSV: one row per body, one column per commitment (or programme), roles joined by ';'."""
    import csv
    import io

    grid = {(c["body"], c["subject"]): ";".join(c["roles"]) for c in m["cells"]}
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["body", "body_label"] + [c["id"] for c in m["columns"]])
    w.writerow(["", "label"] + [c["label"] for c in m["columns"]])
    for b in m["bodies"]:
        w.writerow([b["id"], b["label"]] + [grid.get((b["id"], c["id"]), "") for c in m["columns"]])
    return buf.getvalue()


def gaps(kg: KnowledgeGraph) -> dict:
    """Gaps worth reviewing, each a list of references with a one-line description."""
    ctx = Context(kg)

    def refs(query: str) -> list[dict]:
        iris = list(dict.fromkeys(r[0].value for r in _select(kg, query)))
        ctx.load(iris)
        return ctx.refs(iris)

    no_owner = refs("""SELECT DISTINCT ?s WHERE { ?s a wkg:Commitment
        MINUS { ?s wkg:accountableBody ?a } MINUS { ?s wkg:leadBody ?l } }""")
    no_lead = refs("SELECT DISTINCT ?s WHERE { ?s a wkg:Programme MINUS { ?s wkg:leadBody ?l } }")
    no_funding = refs("""SELECT DISTINCT ?s WHERE { ?s a wkg:Programme
        MINUS { ?f a wkg:Funding ; wkg:funds ?s } MINUS { ?s wkg:funderBody ?b } }""")
    overall, inadequate_rating = f"{ctx.base}/def/rating-dimension/overall", f"{ctx.base}/def/rating/inadequate"
    inadequate = refs(f"""SELECT DISTINCT ?s WHERE {{ ?r a wkg:Rating ; wkg:ratedCommitment ?s ;
        wkg:dimension <{overall}> ; wkg:ratingValue <{inadequate_rating}> }}""")
    linked: defaultdict[str, dict[str, int]] = defaultdict(lambda: {"programmes": 0, "funding": 0})
    if inadequate:
        values = _values(r["iri"] for r in inadequate)
        for s, n in _select(
            kg,
            "SELECT ?s (COUNT(DISTINCT ?p) AS ?n) WHERE "
            f"{{ VALUES ?s {{ {values} }} ?p wkg:serves ?s ; a wkg:Programme }} GROUP BY ?s",
        ):
            linked[s.value]["programmes"] = to_python(n)
        funded = (
            "{ ?f a wkg:Funding ; wkg:funds ?s } UNION "
            "{ ?f a wkg:Funding ; wkg:funds ?p . ?p wkg:partOf*/wkg:serves ?s }"
        )
        for s, n in _select(
            kg, f"SELECT ?s (COUNT(DISTINCT ?f) AS ?n) WHERE {{ VALUES ?s {{ {values} }} {funded} }} GROUP BY ?s"
        ):
            linked[s.value]["funding"] = to_python(n)
    inadequate = [
        {**r, **linked[r["iri"]]}
        for r in inadequate
        if not linked[r["iri"]]["programmes"] or not linked[r["iri"]]["funding"]
    ]
    no_target = refs("""SELECT DISTINCT ?s WHERE { ?s a wkg:ProgressFigure
        MINUS { ?s wkg:evidences ?c . ?c a wkg:Commitment }
        MINUS { ?s wkg:evidences ?p . ?p wkg:partOf*/wkg:serves ?c2 . ?c2 a wkg:Commitment } }""")

    def gap(description: str, items: list[dict]) -> dict:
        return {"description": description, "count": len(items), "items": items}

    return {
        "commitments_without_accountable_body": gap(
            "Commitments with no body named as accountable for or leading them.", no_owner
        ),
        "programmes_without_lead": gap("Programmes with no lead body named.", no_lead),
        "programmes_without_funding": gap(
            "Programmes no funding amount funds and no body is named as funding.", no_funding
        ),
        "inadequate_without_programme_or_funding": gap(
            "Commitments rated Inadequate overall with no programme serving them or no funding linked "
            "(directly or through a programme); counts show which is missing.",
            inadequate,
        ),
        "figures_without_target": gap(
            "Progress figures linked to no commitment, directly or through a programme.", no_target
        ),
    }
