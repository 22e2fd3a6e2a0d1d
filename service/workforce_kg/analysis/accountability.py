"""Who owns what: commitments, bodies, programmes, funding, ratings and figures as plain dicts.

Every function takes a :class:`~workforce_kg.store.kg.KnowledgeGraph` and answers with SPARQL, batched so a
page of results costs a handful of queries. Objects share one field contract: ``id`` (the slug),
``iri``, ``label``, ``type``; fact-bearing objects carry ``sources: [{document, locator, quote}]``.
References to other things are small objects with the same four fields. Bad filters raise
:class:`InvalidFilter` (naming the field), unknown ids :class:`NotFound`. No web imports here.

The entity types, their builder and the generic list are data in :mod:`.entities`; this module
declares each list's filters and holds the views that are more than an entity: accountability as of
a date, chains, the matrix, gaps and search. Its SPARQL is in ``queries/*.rq``, values bound as RDF
terms (:mod:`.sparql_files`); the gaps run the competency questions' own files.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from functools import cache
from typing import Any

import pyoxigraph as ox

from workforce_kg import cq
from workforce_kg.analysis import entities as ent
from workforce_kg.analysis import sparql_files as sq
from workforce_kg.analysis.entities import (
    CLASSES,
    KINDS,
    TYPE_OF_KIND,
    Context,
    InvalidFilter,
    Iri,
    Listing,
    Match,
    NotFound,
    concept_filter,
    entity_filter,
    funding_total,
    listing,
    natural_key,
    nodes,
    slug_of,
)
from workforce_kg.analysis.entities import changes as _changes
from workforce_kg.store.kg import KnowledgeGraph, to_python

__all__ = [
    "CLASSES",
    "KINDS",
    "TYPE_OF_KIND",
    "Context",
    "funding_total",
    "InvalidFilter",
    "Iri",
    "NotFound",
    "listing",
    "natural_key",
    "slug_of",
]

ACCOUNTABLE_ROLES = ("accountable", "lead")


def _responsibilities_of(ctx: Context, subjects: list[str], pred: str = "subject") -> Mapping[str, list[dict]]:
    """Responsibilities whose ``pred`` (subject or body) is one of ``subjects``, grouped by it."""
    return ent.responsibilities_of(pred)(ctx, subjects)


# -- filters of each list ----------------------------------------------------------------------------


def _held(programme_paths: bool) -> ent.Filter:
    """A body (``body``) holding a responsibility (with role ``role``) for ``?s`` — with ``programme_paths``
    and ``via_programmes`` also for a programme serving ``?s``, directly or as a part."""

    def match(ctx: Context, given: Mapping[str, Any]) -> Match | None:
        body, role = given.get("body"), given.get("role")
        if not (body or role):
            return None
        values: dict[str, ox.NamedNode | ox.Literal] = {}
        held, bound = "?r a wkg:Responsibility", ""
        if body:
            values["v_body"] = ox.NamedNode(ctx.entity("body", "body", body))
            held, bound = held + " ; wkg:body ?v_body", bound + "VALUES ?v_body {} "
        if role:
            values["v_role"] = ox.NamedNode(ctx.concept("role", "role", role))
            held, bound = held + " ; wkg:role ?v_role", bound + "VALUES ?v_role {} "
        if not programme_paths:
            return Match(f"{bound}{held} ; wkg:subject ?s .", values)
        pattern = f"{{ {bound}{held} ; wkg:subject ?s . }}"
        if given.get("via_programmes", True):
            pattern += f" UNION {{ {bound}?p {ent.DELIVERS} ?s . {held} ; wkg:subject ?p . }}"
        return Match(pattern, values)

    return match


def _rated(ctx: Context, given: Mapping[str, Any]) -> Match | None:
    """A rating of ``?s`` on ``dimension`` with ``value``."""
    dimension, value = given.get("dimension"), given.get("value")
    if not (dimension or value):
        return None
    values: dict[str, ox.NamedNode | ox.Literal] = {}
    pattern = "?rt wkg:ratedCommitment ?s"
    if dimension:
        values["v_dimension"] = ox.NamedNode(ctx.concept("dimension", "rating-dimension", dimension))
        pattern = "VALUES ?v_dimension {} " + pattern + " ; wkg:dimension ?v_dimension"
    if value:
        values["v_value"] = ox.NamedNode(ctx.concept("value", "rating", value))
        pattern = "VALUES ?v_value {} " + pattern + " ; wkg:ratingValue ?v_value"
    return Match(pattern + " .", values)


_BODY_CLASSES = {
    "collectiveactor": "wkg:CollectiveActor",
    "formalorganization": "org:FormalOrganization",
    "organizationalunit": "org:OrganizationalUnit",
}


def _body_type(ctx: Context, given: Mapping[str, Any]) -> Match | None:
    """``type``: an organisation type (``regulator``) or a class (``CollectiveActor`` …)."""
    type_ = given.get("type")
    if not type_:
        return None
    if type_.lower() in _BODY_CLASSES:
        return Match("VALUES ?v_class {} ?s a ?v_class .", {"v_class": ctx.node(_BODY_CLASSES[type_.lower()])})
    try:
        return concept_filter("type", "org:classification", "organisation-type")(ctx, given)
    except InvalidFilter as exc:
        raise InvalidFilter(
            "type", exc.message + ", or a class: CollectiveActor, FormalOrganization, OrganizationalUnit"
        ) from None


def _amounts(ctx: Context, given: Mapping[str, Any]) -> Match | None:
    """``min_amount`` ≤ schema:value ≤ ``max_amount`` (finite, not negative)."""
    low, high = given.get("min_amount"), given.get("max_amount")
    values: dict[str, ox.NamedNode | ox.Literal] = {}
    parts = []
    for name, bound, op in (("min_amount", low, ">="), ("max_amount", high, "<=")):
        if bound is not None:
            values[f"v_{name}"] = ent.finite(name, bound)
            parts.append(f"VALUES ?v_{name} {{}} ?s schema:value ?amount . FILTER(?amount {op} ?v_{name})")
    if low is not None and high is not None and low > high:
        raise InvalidFilter("min_amount", "min_amount is larger than max_amount")
    return Match(" ".join(parts), values) if parts else None


def _period(ctx: Context, given: Mapping[str, Any]) -> Match | None:
    """``period``: text the period label contains (``2021/22``), or a year the amount's dates cover."""
    period = given.get("period")
    if not period:
        return None
    text = period.strip().lower()
    if not text:
        raise InvalidFilter("period", "period must not be empty")
    pattern = "{ VALUES ?v_period {} ?s wkg:periodLabel ?pl FILTER(CONTAINS(LCASE(STR(?pl)), ?v_period)) }"
    if re.fullmatch(r"\d{4}", text):
        pattern += (
            " UNION { VALUES ?v_period {} ?s wkg:startDate ?sd FILTER(SUBSTR(STR(?sd), 1, 4) <= ?v_period) "
            "OPTIONAL { ?s wkg:endDate ?ed } FILTER(!BOUND(?ed) || SUBSTR(STR(?ed), 1, 4) >= ?v_period) }"
        )
    return Match(pattern, {"v_period": ox.Literal(text)})


def _through_programmes(pred: str) -> ent.Filter:
    """``?s pred <commitment>`` by the rule: the commitment itself or a programme delivering it."""
    return entity_filter("commitment", ent.reached_pattern(pred), "commitment")


COMMITMENTS = Listing(
    ent.COMMITMENT,
    "wkg:Commitment",
    [
        concept_filter("jurisdiction", "wkg:jurisdiction", "jurisdiction"),
        concept_filter("theme", "wkg:theme", "theme"),
        _held(programme_paths=True),
        _rated,
        entity_filter("document", "VALUES ?v_document {} ?s wkg:citation/wkg:document ?v_document .", "document"),
    ],
)
BODIES = Listing(
    ent.BODY,
    "org:Organization",
    [_body_type, concept_filter("jurisdiction", "wkg:jurisdiction", "jurisdiction")],
)
PROGRAMMES = Listing(
    ent.PROGRAMME,
    "wkg:Programme",
    [
        concept_filter("kind", "wkg:programmeKind", "programme-kind"),
        concept_filter("jurisdiction", "wkg:jurisdiction", "jurisdiction"),
        _held(programme_paths=False),
        entity_filter("commitment", f"VALUES ?v_commitment {{}} ?s {ent.DELIVERS} ?v_commitment .", "commitment"),
    ],
)
FUNDING = Listing(
    ent.FUNDING,
    "wkg:Funding",
    [
        entity_filter("funder", "VALUES ?v_funder {} ?s wkg:funder ?v_funder .", "body"),
        entity_filter("recipient", "VALUES ?v_recipient {} ?s wkg:recipient ?v_recipient .", "body"),
        entity_filter("programme", "VALUES ?v_programme {} ?s wkg:funds ?v_programme .", "programme"),
        _through_programmes("wkg:funds"),
        _amounts,
        _period,
    ],
    order="funding_order",
)
RATINGS = Listing(
    ent.RATING,
    "wkg:Rating",
    [
        entity_filter("commitment", "VALUES ?v_commitment {} ?s wkg:ratedCommitment ?v_commitment .", "commitment"),
        concept_filter("dimension", "wkg:dimension", "rating-dimension"),
        concept_filter("value", "wkg:ratingValue", "rating"),
        entity_filter("evaluation", "VALUES ?v_evaluation {} ?s wkg:evaluation ?v_evaluation .", "evaluation"),
    ],
)
FIGURES = Listing(
    ent.FIGURE,
    "wkg:ProgressFigure",
    [
        _through_programmes("wkg:evidences"),
        concept_filter("unit", "wkg:unit", "unit"),
        concept_filter("jurisdiction", "wkg:jurisdiction", "jurisdiction"),
    ],
)
DOCUMENTS = Listing(ent.DOCUMENT, "wkg:SourceDocument", [])


# -- lists and details -------------------------------------------------------------------------------


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
    return ent.list_entities(
        kg,
        COMMITMENTS,
        limit,
        offset,
        jurisdiction=jurisdiction,
        theme=theme,
        body=body,
        role=role,
        dimension=dimension,
        value=value,
        document=document,
        via_programmes=via_programmes,
    )


def get_commitment(kg: KnowledgeGraph, id: str) -> dict:
    """One commitment with its ratings, responsibilities, programmes, funding, figures and sources."""
    return ent.get_entity(kg, ent.COMMITMENT, id)


def _label(ref: dict | None) -> str:
    return ref["label"] if ref else ""  # a responsibility may name no body


def _dimension_order(rating: dict) -> tuple:
    dimension = rating["dimension"] or {}
    return (dimension.get("id") != "overall", natural_key(dimension.get("label", "")), rating["iri"])


def progress(commitment: dict) -> dict | None:
    """A commitment's target against its latest progress figure in the target's unit (None without a target).

    ``latest`` is the figure (by the rule: direct or through a programme) in the same unit with the latest
    ``as_of`` (figures without a date come before dated ones); ``share`` its value over the target (None
    when the target is not positive).
    """
    target = commitment.get("target_value")
    if target is None:
        return None
    unit = commitment.get("unit")
    same = [
        f
        for f in commitment.get("figures", [])
        if f["value"] is not None and unit is not None and f["unit"] is not None and f["unit"]["iri"] == unit["iri"]
    ]
    same.sort(key=lambda f: (f["as_of"] is not None, str(f["as_of"] or ""), f["iri"]))
    latest = same[-1] if same else None
    share = latest["value"] / target if latest is not None and target > 0 else None
    return {
        "target": target,
        "unit": unit,
        "deadline": commitment.get("deadline"),
        "baseline": commitment.get("baseline"),
        "baseline_date": commitment.get("baseline_date"),
        "latest": latest,
        "share": share,
        "figures_in_unit": len(same),
    }


def commitment_glance(kg: KnowledgeGraph, id: str) -> dict:
    """What a commitment's page shows first, by the rule of docs/accountability.md: its ratings (overall
    first), its owners (direct first) each with the hops of its route — the programme serving the commitment,
    the parts down to the one the responsibility is about, each with the programme's sources — its funding
    and figures with ``via``, the funding total (:func:`funding_total`) and the progress against its target.
    """
    c = get_commitment(kg, id)
    ctx = Context(kg)
    on_routes = {p["iri"] for item in c["owners"] + c["funding"] + c["figures"] for p in item["via"]}
    cites = ctx.sources(sorted(on_routes))

    def hops(item: dict) -> list[dict]:
        return [
            {"programme": p, "relation": "serves" if i == 0 else "is part of", "sources": cites[p["iri"]]}
            for i, p in enumerate(item["via"])
        ]

    owners = [{**o, "hops": hops(o)} for o in c["owners"]]
    owners.sort(key=lambda o: (bool(o["via"]), len(o["via"]), (o["role"] or {}).get("id", ""), _label(o["body"])))
    return {
        "commitment": c,
        "ratings": sorted(c["ratings"], key=_dimension_order),
        "owners": owners,
        "funding": [{**f, "hops": hops(f)} for f in c["funding"]],
        "funding_total": [
            {**t, "qualifiers": sorted({q for f in c["funding"] if f["id"] in t["funding"] and (q := f["qualifier"])})}
            for t in c["funding_total"]
        ],
        "figures": [{**f, "hops": hops(f)} for f in c["figures"]],
        "progress": progress(c),
    }


def list_bodies(
    kg: KnowledgeGraph, *, type: str | None = None, jurisdiction: str | None = None, limit: int = 50, offset: int = 0
) -> dict:
    """Bodies, ordered by label. ``type`` is an organisation type (``regulator``) or a class
    (``CollectiveActor``, ``FormalOrganization``, ``OrganizationalUnit``)."""
    return ent.list_entities(kg, BODIES, limit, offset, type=type, jurisdiction=jurisdiction)


def get_body(kg: KnowledgeGraph, id: str) -> dict:
    """One body with every responsibility it holds as recorded (see :func:`body_accountability` for as-of)."""
    return ent.get_entity(kg, ent.BODY, id)


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
    return ent.list_entities(
        kg, PROGRAMMES, limit, offset, kind=kind, jurisdiction=jurisdiction, body=body, role=role, commitment=commitment
    )


def get_programme(kg: KnowledgeGraph, id: str) -> dict:
    """One programme with its parts, responsibilities, funding and sources."""
    return ent.get_entity(kg, ent.PROGRAMME, id)


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
    return ent.list_entities(
        kg,
        FUNDING,
        limit,
        offset,
        funder=funder,
        recipient=recipient,
        programme=programme,
        commitment=commitment,
        min_amount=min_amount,
        max_amount=max_amount,
        period=period,
    )


def get_funding(kg: KnowledgeGraph, id: str) -> dict:
    """One funding amount."""
    return ent.get_entity(kg, ent.FUNDING, id)


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
    return ent.list_entities(
        kg, RATINGS, limit, offset, commitment=commitment, dimension=dimension, value=value, evaluation=evaluation
    )


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
    return ent.list_entities(kg, FIGURES, limit, offset, commitment=commitment, unit=unit, jurisdiction=jurisdiction)


def list_documents(kg: KnowledgeGraph, *, limit: int = 50, offset: int = 0) -> dict:
    """Source documents with their metadata and how many citations point into each."""
    return ent.list_entities(kg, DOCUMENTS, limit, offset)


# -- organisational change and as-of-date accountability ---------------------------------------------


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
    if resp["body"] is None or _start(resp["start_date"]) > day or _end(resp["end_date"]) < day:
        return None  # no body named (a gap, listed by /gaps) holds nothing
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
    """Programmes delivering ``commitment`` by the rule (:func:`.entities.reach`): (programme, its route)."""
    routes = ent.reach(ctx, [commitment])[commitment]
    return [(p, route) for p, route in routes.items() if route]


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
        if r["role"] and r["role"]["id"] not in b["roles"]:  # a responsibility may name no role
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
            rows = sq.select(ctx.kg, "parents", body=ox.NamedNode(body))
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
            if r["body"] and (r["role"] or {}).get("id") in roles:  # a responsibility may lack either
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
        for p, c in sq.select(kg, "served_commitments", p=nodes(programmes)):
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
    of_listing = COMMITMENTS if of == "commitments" else PROGRAMMES
    bodies = ent.matches(ctx, BODIES, {})
    columns = ent.matches(ctx, of_listing, {})
    ctx.load(bodies + columns)
    cells: dict[tuple[str, str], list[str]] = defaultdict(list)
    for b, s, role in sq.select(kg, "matrix_cells", cls=ctx.node(of_listing.cls)):
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


#: gap -> (competency question file, its variable naming the thing): the gaps the CQs define
GAP_QUESTIONS = {
    "commitments_without_accountable_body": ("cq29_commitments_without_owner", "commitment"),
    "programmes_without_lead": ("cq28_programmes_without_lead", "programme"),
    "figures_without_target": ("cq26_figures_without_commitment", "figure"),
    "inadequate_without_funding": ("cq27_inadequate_without_funding", "commitment"),
}


@cache
def _question(name: str) -> str:
    """The SPARQL of the competency question file ``name`` (read once)."""
    return next(q.sparql for q in cq.load() if q.name == name)


def question_subjects(kg: KnowledgeGraph, gap: str) -> list[str]:
    """The IRIs the competency question behind ``gap`` answers with (its own ``.rq`` file, run as is)."""
    name, var = GAP_QUESTIONS[gap]
    result = kg.query(_question(name))
    return list(dict.fromkeys(sol[var].value for sol in result if isinstance(sol[var], ox.NamedNode)))


def gaps(kg: KnowledgeGraph) -> dict:
    """Gaps worth reviewing, each a list of references with a one-line description.

    Commitments without an owner, programmes without a lead, figures without a commitment and
    Inadequate commitments without funding are the competency questions' answers (cq29, cq28, cq26,
    cq27): the API and the questions cannot disagree.
    """
    ctx = Context(kg)

    def refs(iris: list[str]) -> list[dict]:
        ctx.load(iris)
        return ctx.refs(iris)

    no_owner = refs(question_subjects(kg, "commitments_without_accountable_body"))
    no_lead = refs(question_subjects(kg, "programmes_without_lead"))
    no_funding = refs([s.value for (s,) in sq.select(kg, "gap_programmes_without_funding")])
    unfunded = set(question_subjects(kg, "inadequate_without_funding"))
    rated = list(dict.fromkeys(s.value for (s,) in sq.select(kg, "gap_inadequate")))
    linked: dict[str, dict[str, int]] = {c: {"programmes": 0, "funding": 0} for c in rated}
    if rated:
        for field, name in (("programmes", "programme_counts"), ("funding", "funding_counts")):
            for s, n in sq.select(kg, name, s=nodes(rated)):
                linked[s.value][field] = to_python(n)
    inadequate = [
        {**r, **linked[r["iri"]]} for r in refs(rated) if not linked[r["iri"]]["programmes"] or r["iri"] in unfunded
    ]
    no_target = refs(question_subjects(kg, "figures_without_target"))

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
