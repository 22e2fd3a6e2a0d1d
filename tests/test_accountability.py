"""Who owns what (workforce_kg.analysis.accountability): field contract, filters, as-of-date, chains, matrix, gaps."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import date

import pytest

from workforce_kg import cq as queries
from workforce_kg.analysis import accountability as acc
from workforce_kg.analysis import search as text_search

ALL = 10_000


def ids(items) -> set[str]:
    return {i["id"] for i in items}


def sparql_slugs(kg, query: str, var: str = "s") -> set[str]:
    return {acc.slug_of(r[var]) for r in kg.rows(query)}


def assert_ref(ref, type_=None):
    assert set(ref) >= {"id", "iri", "label", "type"}
    assert ref["iri"].endswith("/" + ref["id"]) and ref["label"]
    if type_:
        assert ref["type"] == type_


def assert_sources(obj):
    assert obj["sources"], f"{obj['iri']} has no sources"
    for s in obj["sources"]:
        assert set(s) == {"document", "locator", "quote"}
        assert_ref(s["document"], "document")
        assert s["locator"] and s["quote"]


# -- field contract ----------------------------------------------------------------------------------


def test_commitments_follow_the_field_contract(kg):
    result = acc.list_commitments(kg, limit=ALL)
    assert result["total"] == len(result["items"]) == len(kg.rows("SELECT DISTINCT ?c WHERE { ?c a wkg:Commitment }"))
    for c in result["items"]:
        assert_ref(c, "commitment")
        assert c["statement"], c["id"]
        assert isinstance(c["ratings"], list) and isinstance(c["responsibilities"], list)
        assert_sources(c)
        for r in c["responsibilities"]:
            assert_ref(r, "responsibility")
            assert_ref(r["body"], "body")
            assert_ref(r["role"], "role")
            assert r["subject"]["iri"] == c["iri"]
            assert_sources(r)


def test_commitment_detail(kg):
    c = acc.get_commitment(kg, "nurses-50k")
    assert c["label"] == "50,000 more nurses" and c["statement"] == "secure 50,000 more nurses"
    assert c["target_value"] == 50000 and c["unit"]["id"] == "fte" and c["measurable"] is True
    assert {"ManifestoCommitment", "Target"} <= set(c["classes"])
    assert ("dhsc", "accountable") in {(r["body"]["id"], r["role"]["id"]) for r in c["responsibilities"]}
    assert "nurses-50k-delivery-update" in ids(c["programmes"])


def test_bodies_follow_the_field_contract(kg):
    bodies = acc.list_bodies(kg, limit=ALL)["items"]
    assert len(bodies) == len(kg.rows("SELECT DISTINCT ?b WHERE { ?b a org:Organization }"))
    for b in bodies:
        assert_ref(b, "body")
        assert {"aliases", "jurisdiction", "parent", "successor"} <= set(b)
        assert isinstance(b["aliases"], list) and isinstance(b["jurisdiction"], list)
    hee = next(b for b in bodies if b["id"] == "hee")
    assert "HEE" in hee["aliases"]
    assert hee["successor"]["id"] == "nhse" and hee["successor_since"] == "2023-04-01"
    assert hee["parent"]["id"] == "dhsc" and [j["id"] for j in hee["jurisdiction"]] == ["england"]


def test_ratings_are_data_with_scale_and_evaluation(kg):
    ratings = acc.list_ratings(kg, limit=ALL)["items"]
    assert len(ratings) == 70
    ranks = {"inadequate": 1, "requires-improvement": 2, "good": 3, "outstanding": 4}
    for r in ratings:
        assert_ref(r, "rating")
        assert_ref(r["commitment"], "commitment")
        assert r["dimension"]["type"] == "rating-dimension"
        assert r["rank"] == ranks[r["value"]["id"]] and r["outcome"] == "rated"
        assert r["scale"]["id"] == "rating"
        assert r["evaluation"]["id"] == "expert-panel-2022" and r["evaluation_date"] == "2022-07-25"
        assert r["evaluator"]["id"] == "expert-panel"
        assert_sources(r)


def test_funding_amounts_are_numbers(kg):
    items = acc.list_funding(kg, limit=ALL)["items"]
    assert len(items) == 35
    for f in items:
        assert_ref(f, "funding")
        assert isinstance(f["amount_gbp"], (int, float)) and not isinstance(f["amount_gbp"], bool)
        assert {"period", "recurrence", "funder", "recipient"} <= set(f)
        assert_sources(f)
    amounts = [f["amount_gbp"] for f in items]
    assert amounts == sorted(amounts, reverse=True)
    clinical = next(f for f in items if f["id"] == "d001-clinical-placements-55m")
    assert clinical["amount_gbp"] == 55_000_000 and clinical["recurrence"]["id"] == "unspecified"


def test_figures_programmes_documents(kg):
    figures = acc.list_figures(kg, limit=ALL)["items"]
    assert len(figures) == 67 and all(isinstance(f["value"], (int, float)) for f in figures)
    for f in figures:
        assert_sources(f)
    programmes = acc.list_programmes(kg, limit=ALL)["items"]
    assert len(programmes) == 191
    for p in programmes:
        assert_ref(p, "programme")
        assert_sources(p)
    docs = acc.list_documents(kg)["items"]
    assert len(docs) == 5 and sum(d["citations"] for d in docs) == len(kg.rows("SELECT ?c WHERE { ?c wkg:quote ?q }"))


# -- filters and pagination --------------------------------------------------------------------------


def test_jurisdiction_and_theme_filters(kg):
    scottish = acc.list_commitments(kg, jurisdiction="scotland", limit=ALL)
    expected = sparql_slugs(kg, "SELECT ?s WHERE { ?s a wkg:Commitment ; wkg:jurisdiction jur:scotland }")
    assert ids(scottish["items"]) == expected and scottish["total"] == len(expected) > 0
    recruitment = acc.list_commitments(kg, theme="recruitment", jurisdiction="england", limit=ALL)["items"]
    assert recruitment and all({"recruitment"} <= ids(c["themes"]) for c in recruitment)


def test_body_and_role_filter_direct_and_through_programmes(kg):
    direct = acc.list_commitments(kg, body="dhsc", role="accountable", via_programmes=False, limit=ALL)["items"]
    assert "nurses-50k" in ids(direct)
    for c in direct:
        assert ("dhsc", "accountable") in {(r["body"]["id"], r["role"]["id"]) for r in c["responsibilities"]}
    nhse_direct = ids(acc.list_commitments(kg, body="nhse", via_programmes=False, limit=ALL)["items"])
    nhse_any = ids(acc.list_commitments(kg, body="nhse", limit=ALL)["items"])
    through = sparql_slugs(
        kg,
        """SELECT ?s WHERE { ?p wkg:partOf*/wkg:serves ?s . ?s a wkg:Commitment .
                                   ?r wkg:subject ?p ; wkg:body body:nhse }""",
    )
    assert nhse_any == nhse_direct | through and through - nhse_direct


def test_rating_and_document_filters(kg):
    inadequate = ids(acc.list_commitments(kg, dimension="overall", value="inadequate", limit=ALL)["items"])
    assert (
        inadequate
        == sparql_slugs(
            kg,
            """SELECT ?s WHERE { ?r wkg:ratedCommitment ?s ;
        wkg:dimension dim:overall ; wkg:ratingValue rating:inadequate }""",
        )
        and inadequate
    )
    staffs = acc.list_commitments(kg, document="staffordshire-scrutiny-minutes", limit=ALL)["items"]
    assert staffs and all(
        "staffordshire-scrutiny-minutes" in {s["document"]["id"] for s in c["sources"]} for c in staffs
    )


def test_funding_filters(kg):
    big = acc.list_funding(kg, min_amount=1e9, limit=ALL)["items"]
    assert big and all(f["amount_gbp"] >= 1e9 for f in big)
    band = acc.list_funding(kg, min_amount=1e6, max_amount=1e8, limit=ALL)["items"]
    assert band and all(1e6 <= f["amount_gbp"] <= 1e8 for f in band)
    dhsc = acc.list_funding(kg, funder="dhsc", limit=ALL)["items"]
    assert dhsc and all(f["funder"]["id"] == "dhsc" for f in dhsc)
    placements = acc.list_funding(kg, programme="clinical-placement-expansion")["items"]
    assert "d001-clinical-placements-55m" in ids(placements)
    period = acc.list_funding(kg, period="2021/22", limit=ALL)["items"]
    assert period and all("2021/22" in (f["period"] or "") or f["start_date"] for f in period)


def test_pagination_is_stable(kg):
    whole = acc.list_commitments(kg, limit=20)["items"]
    pages = acc.list_commitments(kg, limit=10)["items"] + acc.list_commitments(kg, limit=10, offset=10)["items"]
    assert [c["id"] for c in whole] == [c["id"] for c in pages]
    tail = acc.list_commitments(kg, limit=10, offset=127)
    assert tail["total"] == 132 and len(tail["items"]) == 5


@pytest.mark.parametrize(
    "call, field",
    [
        (lambda kg: acc.list_commitments(kg, jurisdiction="mars"), "jurisdiction"),
        (lambda kg: acc.list_commitments(kg, theme="nope"), "theme"),
        (lambda kg: acc.list_commitments(kg, body="no-such-body"), "body"),
        (lambda kg: acc.list_commitments(kg, role="owner"), "role"),
        (lambda kg: acc.list_commitments(kg, dimension="vibes"), "dimension"),
        (lambda kg: acc.list_commitments(kg, value="excellent"), "value"),
        (lambda kg: acc.list_commitments(kg, document="nope"), "document"),
        (lambda kg: acc.list_commitments(kg, body="dhsc> } ; DROP ALL #"), "body"),
        (lambda kg: acc.list_bodies(kg, type="spaceship"), "type"),
        (lambda kg: acc.list_funding(kg, min_amount=10, max_amount=1), "min_amount"),
        (lambda kg: acc.list_funding(kg, funder="nhse-x"), "funder"),
        (lambda kg: acc.list_ratings(kg, value="meh"), "value"),
        (lambda kg: text_search.search(kg, "a"), "q"),
        (lambda kg: acc.matrix(kg, "bodies"), "of"),
    ],
)
def test_bad_filters_name_the_field(kg, call, field):
    with pytest.raises(acc.InvalidFilter) as info:
        call(kg)
    assert info.value.field == field


@pytest.mark.parametrize(
    "call",
    [
        acc.get_commitment,
        acc.get_body,
        acc.get_programme,
        acc.get_funding,
        acc.commitment_accountability,
        acc.body_accountability,
    ],
)
def test_unknown_ids_are_not_found(kg, call):
    with pytest.raises(acc.NotFound):
        call(kg, "no-such-thing")


def test_a_body_id_is_not_a_commitment(kg):
    with pytest.raises(acc.NotFound):
        acc.get_commitment(kg, "nhse")


# -- search ------------------------------------------------------------------------------------------


def test_search_ranks_exact_names_first(kg):
    assert text_search.search(kg, "HEE")["items"][0]["id"] == "hee"
    assert text_search.search(kg, "50,000 more nurses")["items"][0]["id"] == "nurses-50k"
    scores = [i["score"] for i in text_search.search(kg, "workforce plan", limit=50)["items"]]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0


def test_search_is_safe_with_quotes(kg):
    result = text_search.search(kg, 'nurses") } } SELECT * WHERE { ?s ?p ?o #')
    assert isinstance(result["items"], list)


# -- organisational change, as of a date -------------------------------------------------------------

HEE_COMMITMENT = "hee-support-medical-trainees-post-covid"


def test_hee_holds_its_responsibilities_before_the_merger(kg):
    before = acc.body_accountability(kg, "hee", date(2023, 3, 31))
    assert before["active"] and before["successor"] is None
    recorded = kg.rows("SELECT DISTINCT ?r WHERE { ?r wkg:body body:hee }")
    assert len(before["responsibilities"]) == len(recorded)
    assert all(r["body"]["id"] == "hee" and r["original_body"] is None for r in before["responsibilities"])


def test_after_the_merger_nhse_holds_hee_responsibilities_with_original_kept(kg):
    hee = acc.body_accountability(kg, "hee", date(2023, 4, 1))
    assert not hee["active"] and hee["successor"]["id"] == "nhse" and hee["responsibilities"] == []
    nhse_before = acc.body_accountability(kg, "nhse", date(2023, 3, 31))
    nhse_after = acc.body_accountability(kg, "nhse", date(2023, 4, 1))
    assert ids(nhse_after["inherited_from"]) == {"hee"} and nhse_before["inherited_from"] == []
    inherited = [r for r in nhse_after["responsibilities"] if r["original_body"]]
    assert len(inherited) == len(kg.rows("SELECT DISTINCT ?r WHERE { ?r wkg:body body:hee }"))
    assert all(
        r["body"]["id"] == "nhse" and r["original_body"]["id"] == "hee" and r["transferred_on"] == "2023-04-01"
        for r in inherited
    )
    assert len(nhse_after["responsibilities"]) == len(nhse_before["responsibilities"]) + len(inherited)


def test_commitment_accountability_as_of_date(kg):
    before = acc.commitment_accountability(kg, HEE_COMMITMENT, date(2022, 6, 1))
    after = acc.commitment_accountability(kg, HEE_COMMITMENT, date(2024, 6, 1))
    lead = lambda result: [r for r in result["responsibilities"] if r["role"]["id"] == "lead" and not r["via"]]  # noqa: E731
    assert [r["body"]["id"] for r in lead(before)] == ["hee"]
    [moved] = lead(after)
    assert moved["body"]["id"] == "nhse" and moved["original_body"]["id"] == "hee"
    assert moved["transferred_on"] == "2023-04-01" and moved["change"]["type"] == "change"
    assert "nhse" in ids(b["body"] for b in after["bodies"])


def test_responsibilities_not_yet_started_are_left_out(kg):
    framework = "d002-hee-lead-framework-15"
    held = lambda day: ids(acc.body_accountability(kg, "hee", day)["responsibilities"])  # noqa: E731
    assert framework not in held(date(2021, 6, 30))
    assert framework in held(date(2021, 7, 1))


# -- chains ------------------------------------------------------------------------------------------


def test_chains_for_50k_nurses(kg):
    result = acc.commitment_accountability(kg, "nurses-50k")
    paths = [[n["id"] for n in chain["path"]] for chain in result["chains"]]
    # DHSC is part of the UK Government (org:subOrganizationOf), so chains roll up to it
    assert ["nurses-50k", "dhsc", "uk-government"] in paths
    assert ["nurses-50k", "nurses-50k-delivery-update", "dhsc", "uk-government"] in paths
    for chain in result["chains"]:
        assert chain["path"][0]["id"] == "nurses-50k"
        for hop, (a, b) in zip(chain["hops"], itertools.pairwise(chain["path"]), strict=True):
            assert hop["from"] == a and hop["to"] == b
            if hop["relation"] in acc.ACCOUNTABLE_ROLES:
                assert hop["sources"], "a responsibility hop carries its citation"


def test_chain_runs_through_successor_to_parent(kg):
    chains = acc.commitment_accountability(kg, HEE_COMMITMENT)["chains"]
    relations = [[h["relation"] for h in c["hops"]] for c in chains]
    expected = ["lead", "succeeded by", "sponsoredBy", "subOrganizationOf"]
    assert expected in relations
    chain = chains[relations.index(expected)]
    assert [n["id"] for n in chain["path"]] == [HEE_COMMITMENT, "hee", "nhse", "dhsc", "uk-government"]
    assert chain["hops"][1]["date"] == "2023-04-01" and chain["hops"][1]["sources"]


def test_body_accountability_reaches_commitments_through_programmes(kg):
    result = acc.body_accountability(kg, "nhse", date(2024, 1, 1))
    via = [c for c in result["commitments"] if c["via"]]
    assert via, "NHS England leads programmes that serve commitments"
    served = sparql_slugs(
        kg,
        """SELECT ?s WHERE { ?r wkg:body body:nhse ; wkg:subject ?p .
                                 ?p a wkg:Programme ; wkg:partOf*/wkg:serves ?s }""",
    )
    assert served <= ids(c["commitment"] for c in result["commitments"])


# -- matrix and gaps ---------------------------------------------------------------------------------


@pytest.mark.parametrize("of, cls", [("commitments", "wkg:Commitment"), ("programmes", "wkg:Programme")])
def test_matrix_misses_no_body_or_subject(kg, of, cls):
    m = acc.matrix(kg, of)
    held = kg.rows(
        f"SELECT DISTINCT ?b ?s ?role WHERE {{ ?r wkg:body ?b ; wkg:subject ?s ; wkg:role ?role . ?s a {cls} }}"
    )
    assert {acc.slug_of(r["b"]) for r in held} <= ids(m["bodies"])
    assert {acc.slug_of(r["s"]) for r in held} <= ids(m["columns"])
    assert len(m["bodies"]) == len(kg.rows("SELECT DISTINCT ?b WHERE { ?b a org:Organization }"))
    assert len(m["columns"]) == len(kg.rows(f"SELECT DISTINCT ?s WHERE {{ ?s a {cls} }}"))
    cells = {(c["body"], c["subject"], role) for c in m["cells"] for role in c["roles"]}
    assert cells == {(acc.slug_of(r["b"]), acc.slug_of(r["s"]), acc.slug_of(r["role"])) for r in held}


def test_matrix_csv_is_a_full_grid(kg):
    m = acc.matrix(kg)
    rows = list(csv.reader(io.StringIO(acc.matrix_csv(m))))
    header = rows[0]
    assert header[:2] == ["body", "body_label"] and len(header) == 2 + len(m["columns"])
    assert len(rows) == 2 + len(m["bodies"])
    dhsc = next(r for r in rows if r[0] == "dhsc")
    assert "accountable" in dhsc[header.index("nurses-50k")].split(";")


def _cq(kg, name_part: str, var: str) -> set[str]:
    q = next(q for q in queries.load() if name_part in q.name)
    return {acc.slug_of(r[var]) for r in kg.rows(q.sparql)}


def test_gaps_agree_with_competency_questions(kg):
    g = acc.gaps(kg)
    assert ids(g["commitments_without_accountable_body"]["items"]) == _cq(kg, "commitments_without_owner", "commitment")
    assert ids(g["programmes_without_lead"]["items"]) == _cq(kg, "programmes_without_lead", "programme")
    # cq26 follows wkg:serves one step; the gap also follows programmes that are part of a serving one
    unlinked, cq26 = ids(g["figures_without_target"]["items"]), _cq(kg, "figures_without_commitment", "figure")
    assert unlinked and unlinked <= cq26
    through_parts = sparql_slugs(kg, "SELECT ?s WHERE { ?s wkg:evidences ?p . ?p wkg:partOf+/wkg:serves ?c }")
    assert cq26 - unlinked <= through_parts
    unfunded = _cq(kg, "inadequate_without_funding", "commitment")
    assert unfunded <= ids(g["inadequate_without_programme_or_funding"]["items"])
    for item in g["inadequate_without_programme_or_funding"]["items"]:
        assert item["programmes"] == 0 or item["funding"] == 0
    for gap in g.values():
        assert gap["count"] == len(gap["items"]) and gap["description"]
