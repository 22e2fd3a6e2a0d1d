"""Accountability as data: the .rq files, values bound only as RDF terms, gaps equal to the competency questions."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from workforce_kg import cq
from workforce_kg.analysis import accountability as acc
from workforce_kg.analysis import entities as ent
from workforce_kg.analysis import network
from workforce_kg.analysis import search as text_search
from workforce_kg.analysis import sparql_files as sq
from workforce_kg.store.kg import KnowledgeGraph


def iris(items) -> set[str]:
    return {i["iri"] for i in items}


def cq_iris(kg, name: str, var: str) -> set[str]:
    question = next(q for q in cq.load() if q.name == name)
    return {r[var] for r in kg.rows(question.sparql)}


def test_gaps_are_the_competency_questions_answers(kg):
    g = acc.gaps(kg)
    assert iris(g["commitments_without_accountable_body"]["items"]) == cq_iris(
        kg, "cq29_commitments_without_owner", "commitment"
    )
    assert iris(g["programmes_without_lead"]["items"]) == cq_iris(kg, "cq28_programmes_without_lead", "programme")
    assert iris(g["figures_without_target"]["items"]) == cq_iris(kg, "cq26_figures_without_commitment", "figure")
    unfunded = {i["iri"] for i in g["inadequate_without_programme_or_funding"]["items"] if i["funding"] == 0}
    assert unfunded == cq_iris(kg, "cq27_inadequate_without_funding", "commitment")
    # every gap is non-trivial on the bundled graph, so the comparison means something
    assert all(g[k]["count"] for k in ("commitments_without_accountable_body", "figures_without_target"))


@pytest.mark.parametrize("path", sorted(sq.QUERY_DIR.glob("*.rq")), ids=lambda p: p.stem)
def test_every_query_file_parses_and_runs(kg, path):
    """Each file runs as it is (empty VALUES blocks match nothing), its #WHERE slot filled with a pattern."""
    text = sq.bind(sq.text(path.stem), {"WHERE": "?s a wkg:Commitment ."} if "#WHERE" in sq.text(path.stem) else None)
    ox.Store().query(text, prefixes=kg.prefixes)


def test_values_are_terms_only():
    with pytest.raises(TypeError):
        sq.values_block("x", ["https://example.org/a"])  # a str is not a term
    with pytest.raises(TypeError):
        sq.values_block("x", [1.5])
    with pytest.raises(ValueError):
        sq.values_block("x } DROP ALL", [ox.Literal("a")])
    with pytest.raises(KeyError):
        sq.bind("SELECT ?x WHERE { ?x ?p ?o }", x=ox.Literal("a"))  # no slot: refused, not appended


@pytest.mark.parametrize("text", ['"} } DELETE WHERE { ?s ?p ?o } #', 'a\\" ) || true || ("', "\n}\n"])
def test_hostile_text_stays_a_literal(kg, text):
    rows = sq.run(kg, sq.bind("SELECT ?x WHERE { VALUES ?x {} }", x=ox.Literal(text)))
    assert [r[0].value for r in rows] == [text]


def test_filter_values_reach_the_query_only_inside_values_blocks(kg):
    seen: list[str] = []

    class Recording(KnowledgeGraph):
        def query(self, sparql: str):
            seen.append(sparql)
            return super().query(sparql)

    rec = Recording(kg.store, kg.base)
    marker = "zq9marker"
    assert acc.list_funding(rec, period=marker)["total"] == 0
    assert acc.list_funding(rec, period="2022", min_amount=1.0, funder="dhsc")["total"] >= 0
    assert text_search.search(rec, f"nurses {marker}")["total"] >= 0
    with pytest.raises(acc.InvalidFilter):
        acc.list_commitments(rec, jurisdiction=marker)
    assert any(marker in q for q in seen)
    outside = [re.sub(r"VALUES \?\w+ \{[^}]*\}", "", q) for q in seen]
    assert not any(marker in q or "2022" in q or "dhsc" in q for q in outside)


def test_sources_of_the_core_hold_no_query_text():
    """SPARQL lives in the .rq files; the Python modules only name them (filters are patterns without values)."""
    for module in (acc, ent, network):
        source = Path(module.__file__).read_text(encoding="utf-8")
        assert not re.search(r"\b(SELECT|ASK|CONSTRUCT)\s", source.replace("SELECT query", "")), module.__name__


def test_entity_types_describe_the_api_fields(kg):
    """The builder's objects have exactly the described fields (detail fields only for one entity)."""
    listed = acc.list_commitments(kg, limit=1)["items"][0]
    detail = acc.get_commitment(kg, listed["id"])
    fields = ent.COMMITMENT.fields
    base = {"id", "iri", "label", "type"}
    assert set(listed) == base | {n for n, f in fields.items() if not f.detail}
    assert set(detail) == base | set(fields)
    assert {"programmes", "funding", "figures"} <= set(detail) - set(listed)


# -- response models ---------------------------------------------------------------------------------


def test_models_state_the_field_contract_exactly(kg):
    """Every answer validates against its model, which forbids unnamed fields and requires the named ones."""
    from workforce_kg.analysis import models as m

    for listing, model in [
        (acc.list_commitments, m.CommitmentPage),
        (acc.list_bodies, m.BodyPage),
        (acc.list_programmes, m.ProgrammePage),
        (acc.list_funding, m.FundingPage),
        (acc.list_ratings, m.RatingPage),
        (acc.list_figures, m.FigurePage),
        (acc.list_documents, m.DocumentPage),
    ]:
        page = listing(kg, limit=1000)
        assert page["items"]
        model.model_validate(page)
    for get, model, id_ in [
        (acc.get_commitment, m.Commitment, "nurses-50k"),
        (acc.get_body, m.Body, "hee"),
        (acc.get_programme, m.Programme, "long-term-workforce-plan"),
    ]:
        model.model_validate(get(kg, id_))
    for id_ in ("nurses-50k", "hee", "nhse"):
        if id_ == "nurses-50k":
            m.CommitmentAccountability.model_validate(acc.commitment_accountability(kg, id_))
        else:
            m.BodyAccountability.model_validate(acc.body_accountability(kg, id_))
    m.Gaps.model_validate(acc.gaps(kg))
    m.Matrix.model_validate(acc.matrix(kg, "programmes"))
    m.SearchPage.model_validate(text_search.search(kg, "nurses"))
    body = acc.get_body(kg, "hee")
    with pytest.raises(ValueError):
        m.Body.model_validate({**body, "unexpected": 1})
    with pytest.raises(ValueError):
        m.Body.model_validate({k: v for k, v in body.items() if k != "successor"})


def test_openapi_shows_the_models(kg, tmp_path):
    from fastapi.testclient import TestClient

    from workforce_kg.config import Settings
    from workforce_kg.web.app import create_app

    with TestClient(create_app(Settings(store=tmp_path / "s"), kg)) as client:
        spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    ok = spec["paths"]["/api/commitments/{id}"]["get"]["responses"]["200"]["content"]["application/json"]
    assert ok["schema"]["$ref"].endswith("/Commitment")
    assert {"statement", "ratings", "programmes"} <= set(schemas["Commitment"]["properties"])
    assert "programmes" not in schemas["CommitmentItem"]["properties"]  # detail fields only in the detail
    assert schemas["Commitment"]["additionalProperties"] is False
    assert set(schemas["Ref"]["required"]) == {"id", "iri", "label", "type"}
