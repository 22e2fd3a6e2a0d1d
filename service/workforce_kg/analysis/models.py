"""Pydantic models of the JSON API's objects, for its OpenAPI schema and for checking answers.

The entity models are made from the entity descriptions of :mod:`.entities` (one field each, typed by
the description), so the schema and the builder cannot drift apart; the views that are more than an
entity (accountability as of a date, chains, matrix, gaps, search) are written out here. Every model
forbids fields it does not name, so the schema states the field contract exactly.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from workforce_kg.analysis import entities as ent


class Model(BaseModel):
    """A JSON object with exactly the fields named."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Ref(Model):
    """A reference to anything: its slug, IRI, label and API type."""

    id: str
    iri: str
    label: str
    type: str


class Source(Model):
    """A citation: the document, where in it, and the quote."""

    document: Ref
    locator: str
    quote: str


class Evaluation(Ref):
    """The evaluation a rating belongs to."""

    date: str | None
    evaluator: Ref | None


_NAMED: dict[str, Any] = {"ref": Ref, "source": Source, "evaluation": Evaluation}


def _resolve(annotation: Any) -> Any:
    """A field's annotation, with the names of shared models (``"list[ref]"``, ``"ref | None"``) resolved."""
    if not isinstance(annotation, str):
        return annotation
    if annotation.startswith("list[") and annotation.endswith("]"):
        return list.__class_getitem__(_NAMED[annotation[5:-1]])
    if annotation.endswith(" | None"):
        return _NAMED[annotation[: -len(" | None")]] | None
    return _NAMED[annotation]


def entity_model(type_: ent.EntityType, name: str, detail: bool = False) -> type[Ref]:
    """The model of ``type_``'s objects (with its detail fields when ``detail``)."""
    fields: dict[str, Any] = {
        field_name: (_resolve(f.annotation()), ...) for field_name, f in type_.fields.items() if detail or not f.detail
    }
    model = create_model(name, __base__=Ref, __doc__=f"A {type_.name}.", **fields)
    _NAMED[type_.name] = model
    return model


def page_of(item: type[BaseModel], name: str) -> type[Model]:
    """The model of one page of a list: ``{total, limit, offset, items}``."""
    items: Any = list.__class_getitem__(item)
    return create_model(
        name,
        __base__=Model,
        __doc__="One page of a list; ``total`` counts every match.",
        total=(int, ...),
        limit=(int, ...),
        offset=(int, ...),
        items=(items, ...),
    )


def reached_model(base: type[Ref], name: str) -> type[Ref]:
    """``base`` with ``via``: how it counts for a commitment (the rule of docs/accountability.md)."""
    model = create_model(
        name,
        __base__=base,
        __doc__=f"{base.__doc__} ``via``: the programmes it is reached through, from the one serving the "
        "commitment down (empty: attached to the commitment itself).",
        via=(list[Ref], ...),
    )
    _NAMED[f"{name.lower().removesuffix('via')}_via"] = model
    return model


class FundingTotal(Model):
    """The total of distinct funding amounts of one currency and recurrence (never added across them)."""

    currency: str
    recurrence: Ref | None
    amount: float
    count: int
    funding: list[str]
    qualified: bool = Field(description='Some amount added is qualified ("up to", "over" …).')


_NAMED["funding_total"] = FundingTotal

Responsibility = entity_model(ent.RESPONSIBILITY, "Responsibility")
Rating = entity_model(ent.RATING, "Rating")
Funding = entity_model(ent.FUNDING, "Funding")
Figure = entity_model(ent.FIGURE, "Figure")
ResponsibilityVia = reached_model(Responsibility, "ResponsibilityVia")
FundingVia = reached_model(Funding, "FundingVia")
FigureVia = reached_model(Figure, "FigureVia")
CommitmentItem = entity_model(ent.COMMITMENT, "CommitmentItem")
Commitment = entity_model(ent.COMMITMENT, "Commitment", detail=True)
BodyItem = entity_model(ent.BODY, "BodyItem")
Body = entity_model(ent.BODY, "Body", detail=True)
ProgrammeItem = entity_model(ent.PROGRAMME, "ProgrammeItem")
Programme = entity_model(ent.PROGRAMME, "Programme", detail=True)
Document = entity_model(ent.DOCUMENT, "Document")

CommitmentPage = page_of(CommitmentItem, "CommitmentPage")
BodyPage = page_of(BodyItem, "BodyPage")
ProgrammePage = page_of(ProgrammeItem, "ProgrammePage")
FundingPage = page_of(Funding, "FundingPage")
RatingPage = page_of(Rating, "RatingPage")
FigurePage = page_of(Figure, "FigurePage")
DocumentPage = page_of(Document, "DocumentPage")

# -- accountability as of a date ---------------------------------------------------------------------

_AS_OF: dict[str, Any] = {
    "original_body": (Ref | None, ...),
    "transferred_on": (str | None, ...),
    "change": (Ref | None, ...),
}
HeldResponsibility = create_model(
    "HeldResponsibility",
    __base__=Responsibility,
    __doc__="A responsibility as held on the date: under a successor body once its holder merged into it.",
    via=(list[Ref], ...),
    **_AS_OF,
)
BodyResponsibility = create_model(
    "BodyResponsibility",
    __base__=Responsibility,
    __doc__="A responsibility a body holds on the date, with the commitments reached through a programme.",
    commitments=(list[Ref], ...),
    **_AS_OF,
)


class BodyRoles(Model):
    """A body's roles for a commitment: directly and/or through programmes (``via``)."""

    body: Ref
    roles: list[str]
    direct: bool
    via: list[Ref]


class ResponsibilityId(Model):
    """The responsibility a hop stands for."""

    id: str
    iri: str


class Hop(Model):
    """One step of a chain: ``from`` —relation→ ``to``, with its sources."""

    from_: Ref = Field(alias="from")
    relation: str
    to: Ref
    sources: list[Source]
    date: str | None = Field(default=None, description="The change date (succession hops).")
    responsibility: ResponsibilityId | None = Field(default=None, description="The responsibility (role hops).")


class Chain(Model):
    """A path commitment → programmes → body → successor → parent bodies."""

    hops: list[Hop]
    path: list[Ref]


# HeldResponsibility and BodyResponsibility are made by create_model from the responsibility's description:
# classes at run time that mypy cannot see as types, hence the two ``valid-type`` ignores below.


class CommitmentAccountability(Model):
    """Who holds each responsibility for a commitment on a date, directly or through programmes."""

    commitment: Ref
    at: str
    bodies: list[BodyRoles]
    responsibilities: list[HeldResponsibility]  # type: ignore[valid-type]
    programmes: list[Ref]
    chains: list[Chain]


class CommitmentRoles(Model):
    """A body's roles for a commitment: directly and/or through programmes (``via``)."""

    commitment: Ref
    roles: list[str]
    direct: bool
    via: list[Ref]


class BodyAccountability(Model):
    """What a body answers for on a date, including what it inherited."""

    body: Ref
    at: str
    active: bool
    successor: Ref | None
    successor_since: str | None
    inherited_from: list[Ref]
    by_role: dict[str, int]
    responsibilities: list[BodyResponsibility]  # type: ignore[valid-type]
    commitments: list[CommitmentRoles]


# -- matrix, gaps, search ----------------------------------------------------------------------------


class Cell(Model):
    """The roles a body holds for a commitment (or programme)."""

    body: str
    subject: str
    roles: list[str]


class Matrix(Model):
    """Bodies × commitments (or programmes); only non-empty cells are listed."""

    of: str
    bodies: list[Ref]
    columns: list[Ref]
    cells: list[Cell]


class Gap(Model):
    """Things worth reviewing, with what the gap is."""

    description: str
    count: int
    items: list[Ref]


class InadequateItem(Ref):
    """A commitment rated Inadequate, with how many programmes serve it and funding amounts fund it."""

    programmes: int
    funding: int


class InadequateGap(Gap):
    """Inadequate commitments without a programme or without funding."""

    items: list[InadequateItem]  # type: ignore[assignment]  # narrows Gap.items (a subtype of Ref)


class Gaps(Model):
    """Every gap the API reports."""

    commitments_without_accountable_body: Gap
    programmes_without_lead: Gap
    programmes_without_funding: Gap
    inadequate_without_programme_or_funding: InadequateGap
    figures_without_target: Gap


class Snippet(Model):
    """Matched words in a text: the plain ``text``, the ``highlights`` as ``[start, end)`` character offsets
    in it, and ``html``: the text HTML-escaped with each match in ``<mark>``."""

    text: str
    highlights: list[list[int]]
    html: str


class MatchedText(Snippet):
    """The best-matching text of a hit and its field (label, alias, statement, definition, description,
    note or quote)."""

    field: str


class MatchedQuote(Snippet):
    """The best-matching quote of a hit, with where it is: its document and locator."""

    document: Ref | None
    locator: str


class SearchHit(Ref):
    """A search result: its BM25 score, the fields that matched, its best-matching text and quote."""

    score: float
    exact: bool
    matched: list[str]
    match: MatchedText
    quote: MatchedQuote | None
    quotes_matched: int


class SearchPage(page_of(SearchHit, "SearchPageBase")):  # type: ignore[misc]
    """One page of search results; ``match`` says how the words matched: ``all`` (every word in one text),
    ``any`` (no text had them all) or ``fts5`` (the text read as an FTS5 query)."""

    match: str


# -- the ratings scorecard ---------------------------------------------------------------------------


class ScaleValue(Ref):
    """A value of a rating scale: its rank (higher is better), notation, colour step (1 = worst … 4 = best,
    None if unranked) and CSS classes (``rating rating-rank-N``)."""

    rank: int | None
    notation: str | None
    step: int | None
    css: str


class CitedRating(Ref):
    """One rating in a scorecard cell, with its citations."""

    sources: list[Source]


class CellValue(Model):
    """One value given in a cell, and the ratings giving it."""

    value: ScaleValue
    ratings: list[CitedRating]


class ScoreCell(Model):
    """The ratings of one commitment on one dimension, grouped by value; ``conflict`` when they differ."""

    dimension: str
    conflict: bool
    values: list[CellValue]


class ScoreRow(Model):
    """One commitment as rated in one evaluation: a cell per dimension (in the order of ``dimensions``)."""

    commitment: Ref
    evaluation: Ref | None
    mean_rank: float | None
    cells: list[ScoreCell]


class ScorecardOptions(Model):
    """What the filters can take: the themes and the accountable or lead bodies of the rated commitments."""

    theme: list[Ref]
    body: list[Ref]


class ScorecardFilters(Model):
    """The filters and sort applied (ids)."""

    theme: str | None
    body: str | None
    sort: str


class Scorecard(Model):
    """Rated commitments × rating dimensions (see :mod:`workforce_kg.analysis.ratings`)."""

    scale: list[ScaleValue]
    dimensions: list[Ref]
    options: ScorecardOptions
    filters: ScorecardFilters
    rows: list[ScoreRow]
    ratings: int
    conflicts: int
