"""One rule for a commitment's figures, funding and owners (docs/accountability.md), the same everywhere:
the API object, the list filters and the competency questions agree for every commitment of the graph;
funding totals count each amount once."""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox
import pytest

from workforce_kg import cq as queries
from workforce_kg.analysis import accountability as acc
from workforce_kg.analysis import entities as ent
from workforce_kg.analysis import models
from workforce_kg.store.kg import KnowledgeGraph

CQS = {q.name: q for q in queries.load()}


def cq_rows(kg: KnowledgeGraph, name: str) -> list[dict]:
    return kg.rows(CQS[name].sparql)


@pytest.fixture(scope="module")
def commitments(kg) -> dict[str, dict]:
    """Every commitment of the bundled graph as the API gives it (one object, with its detail fields)."""
    ids = [ent.slug_of(r["c"]) for r in kg.rows("SELECT DISTINCT ?c WHERE { ?c a wkg:Commitment }")]
    assert len(ids) > 100
    return {c: acc.get_commitment(kg, c) for c in ids}


def ids(items) -> set[str]:
    return {i["id"] for i in items}


def test_objects_validate_and_say_how_each_item_is_reached(kg, commitments):
    served = {ent.slug_of(r["c"]) for r in kg.rows("SELECT DISTINCT ?c WHERE { ?p wkg:serves ?c }")}
    through_parts = 0
    for cid, c in commitments.items():
        models.Commitment.model_validate(c)
        for item in c["figures"] + c["funding"] + c["owners"]:
            if not item["via"]:
                continue
            # the route starts at a programme serving the commitment and ends where the item is attached
            first, last = item["via"][0]["iri"], item["via"][-1]["iri"]
            assert kg.ask(f"ASK {{ <{first}> wkg:serves <{c['iri']}> }}"), (cid, item["id"])
            attached = {"figure": "evidences", "funding": "funds", "responsibility": "subject"}[item["type"]]
            assert kg.ask(f"ASK {{ <{item['iri']}> wkg:{attached} <{last}> }}"), (cid, item["id"])
            for child, parent in zip(item["via"][1:], item["via"], strict=False):
                assert kg.ask(f"ASK {{ <{child['iri']}> wkg:partOf <{parent['iri']}> }}")
            through_parts += len(item["via"]) > 1
        assert not any(i["via"] for i in c["figures"] + c["funding"] + c["owners"]) or cid in served
    assert through_parts > 0  # the bundled graph has items reached through parts of programmes


def test_list_filters_give_the_objects_sets(kg, commitments):
    for cid, c in commitments.items():
        assert ids(acc.list_figures(kg, commitment=cid, limit=1000)["items"]) == ids(c["figures"]), cid
        assert ids(acc.list_funding(kg, commitment=cid, limit=1000)["items"]) == ids(c["funding"]), cid


def test_owner_filter_gives_the_owners(kg, commitments):
    """``/api/commitments?body=&role=`` keeps exactly the commitments whose owners hold that role."""
    holders: dict[tuple[str, str], set[str]] = defaultdict(set)
    for cid, c in commitments.items():
        for o in c["owners"]:
            holders[(o["body"]["id"], o["role"]["id"])].add(cid)
            holders[(o["body"]["id"], "")].add(cid)
    assert len(holders) > 20
    ctx = ent.Context(kg)
    for (body, role), expected in holders.items():
        found = {ent.slug_of(i) for i in ent.matches(ctx, acc.COMMITMENTS, {"body": body, "role": role or None})}
        assert found == expected, (body, role)


def test_competency_questions_give_the_objects_sets(kg, commitments):
    per = {name: defaultdict(set) for name in ("cq19", "cq23", "cq59")}
    for r in cq_rows(kg, "cq19_funding_per_commitment"):
        per["cq19"][ent.slug_of(r["commitment"])].add(ent.slug_of(r["funding"]))
    for r in cq_rows(kg, "cq23_figures_evidencing_commitments"):
        per["cq23"][ent.slug_of(r["commitment"])].add(ent.slug_of(r["figure"]))
    for r in cq_rows(kg, "cq59_commitment_owners_by_rule"):
        per["cq59"][ent.slug_of(r["commitment"])].add(ent.slug_of(r["responsibility"]))
    for cid, c in commitments.items():
        # the questions show amounts and values: items without one are not theirs to list
        assert per["cq19"][cid] == {f["id"] for f in c["funding"] if f["amount"] is not None}, cid
        assert per["cq23"][cid] == {f["id"] for f in c["figures"] if f["value"] is not None}, cid
        assert per["cq59"][cid] == ids(c["owners"]), cid


def test_cq08_and_cq29_read_the_owners(kg, commitments):
    """cq08 lists the accountable bodies of each evaluated commitment by the rule; cq29 lists those with none."""
    cq08 = {ent.slug_of(r["commitment"]): r for r in cq_rows(kg, "cq08_evaluated_commitment_owners")}
    assert cq08
    for cid, row in cq08.items():
        entries = set((row.get("accountable") or "").split(", ")) - {""}
        expected = {
            o["body"]["label"] + (f" (via {o['via'][-1]['label']})" if o["via"] else "")
            for o in commitments[cid]["owners"]
            if o["role"]["id"] == "accountable"
        }
        assert entries == expected, cid
    no_owner = {ent.slug_of(r["commitment"]) for r in cq_rows(kg, "cq29_commitments_without_owner")}
    expected = {
        cid for cid, c in commitments.items() if not {o["role"]["id"] for o in c["owners"]} & {"accountable", "lead"}
    }
    assert no_owner == expected


def test_funding_totals_match_the_sum_pattern(kg, commitments):
    """cq58 (sub-SELECT DISTINCT, then SUM) and :func:`funding_total` give the same totals for every commitment."""
    sums: dict[str, dict] = defaultdict(dict)
    for r in cq_rows(kg, "cq58_funding_totals_per_commitment"):
        sums[ent.slug_of(r["commitment"])][(r["currency"], r.get("recurrence"))] = (
            float(r["total"]),
            int(r["fundings"]),
        )
    for cid, c in commitments.items():
        helper = {
            (t["currency"], t["recurrence"]["iri"] if t["recurrence"] else None): (t["amount"], t["count"])
            for t in c["funding_total"]
        }
        expected = sums.get(cid, {})
        assert set(helper) == set(expected), cid
        for key, (amount, count) in helper.items():
            assert amount == pytest.approx(expected[key][0]) and count == expected[key][1], (cid, key)
        assert c["funding_total"] == acc.funding_total(c["funding"])
    assert sum(bool(c["funding_total"]) for c in commitments.values()) > 10


# -- a graph where one amount funds two programmes of one commitment --------------------------------------

BASE = "https://w3id.org/workforce-kg"
FIXTURE = f"""
@prefix wkg: <{BASE}/def/> . @prefix schema: <http://schema.org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix cmt: <{BASE}/id/commitment/> . @prefix prog: <{BASE}/id/programme/> . @prefix fund: <{BASE}/id/funding/> .
@prefix recur: <{BASE}/def/recurrence/> .
cmt:c a wkg:Commitment ; skos:prefLabel "A commitment"@en .
prog:a a wkg:Programme ; skos:prefLabel "Programme A"@en ; wkg:serves cmt:c .
prog:b a wkg:Programme ; skos:prefLabel "Programme B"@en ; wkg:serves cmt:c .
prog:b1 a wkg:Programme ; skos:prefLabel "Part of B"@en ; wkg:partOf prog:b .
fund:shared a wkg:Funding ; skos:prefLabel "£10m for A and B"@en ; schema:value 10000000.0 ; schema:currency "GBP" ;
    wkg:recurrence recur:one-off ; wkg:funds prog:a, prog:b1 .
fund:direct a wkg:Funding ; skos:prefLabel "£5m"@en ; schema:value 5000000.0 ; schema:currency "GBP" ;
    wkg:recurrence recur:one-off ; wkg:funds cmt:c, prog:a .
fund:grant a wkg:Funding ; skos:prefLabel "£1,000 each"@en ; schema:value 1000.0 ; schema:currency "GBP" ;
    wkg:recurrence recur:per-person ; wkg:funds prog:b .
fund:euro a wkg:Funding ; skos:prefLabel "€2m"@en ; schema:value 2000000.0 ; schema:currency "EUR" ;
    wkg:recurrence recur:one-off ; wkg:funds prog:b ; wkg:valueQualifier "up to" .
"""


@pytest.fixture(scope="module")
def small() -> KnowledgeGraph:
    store = ox.Store()
    store.load(FIXTURE.encode(), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(f"{BASE}/graph/test"))
    return KnowledgeGraph(store, BASE)


def test_an_amount_funding_two_programmes_counts_once(small):
    c = acc.get_commitment(small, "c")
    assert sorted(f["id"] for f in c["funding"]) == ["direct", "euro", "grant", "shared"]  # each once
    via = {f["id"]: [p["id"] for p in f["via"]] for f in c["funding"]}
    assert via["direct"] == [] and via["shared"] == ["a"] and via["grant"] == ["b"]
    totals = {(t["currency"], t["recurrence"]["id"]): t for t in c["funding_total"]}
    assert set(totals) == {("GBP", "one-off"), ("GBP", "per-person"), ("EUR", "one-off")}  # never added across
    assert totals[("GBP", "one-off")]["amount"] == 15_000_000 and totals[("GBP", "one-off")]["count"] == 2
    assert totals[("EUR", "one-off")]["qualified"] and not totals[("GBP", "one-off")]["qualified"]
    # the documented SPARQL pattern gives the same; a plain SUM over the routes would count £10m twice
    rows = small.rows(CQS["cq58_funding_totals_per_commitment"].sparql)
    gbp = next(r for r in rows if r["currency"] == "GBP" and r["recurrence"].endswith("one-off"))
    assert float(gbp["total"]) == 15_000_000 and int(gbp["fundings"]) == 2
    naive = small.rows(
        f"""SELECT (SUM(?v) AS ?t) WHERE {{ ?f wkg:recurrence <{BASE}/def/recurrence/one-off> ; schema:currency "GBP" ;
              schema:value ?v . {{ ?f wkg:funds <{BASE}/id/commitment/c> }} UNION
              {{ ?f wkg:funds ?p . ?p {ent.DELIVERS} <{BASE}/id/commitment/c> }} }}"""
    )
    assert float(naive[0]["t"]) > 15_000_000
    # the list filter gives the same four, once each
    assert sorted(f["id"] for f in acc.list_funding(small, commitment="c")["items"]) == [
        "direct",
        "euro",
        "grant",
        "shared",
    ]


def test_funding_total_adds_distinct_amounts_only():
    gbp = {"iri": "x:r", "id": "r", "label": "one-off", "type": "recurrence"}
    f = {"iri": "x:f", "id": "f", "amount": 10.0, "currency": "GBP", "recurrence": gbp, "qualifier": None}
    g = {**f, "iri": "x:g", "id": "g", "amount": 5.0}
    e = {**f, "iri": "x:e", "id": "e", "currency": "EUR"}
    none = {**f, "iri": "x:n", "id": "n", "amount": None}
    totals = acc.funding_total([f, g, f, e, none])
    assert [(t["currency"], t["amount"], t["funding"]) for t in totals] == [
        ("GBP", 15.0, ["f", "g"]),
        ("EUR", 10.0, ["e"]),
    ]


# -- the same rule in the browser: the page a reader sees against the API a program reads -----------------


@pytest.mark.browser
def test_the_page_shows_the_apis_owners_and_totals_in_chromium(page, live_server, kg):
    """For commitments reached in different ways (direct only, through programmes), the owners listed in the
    page's at-a-glance block are the API object's ``owners``, and its totals the API's ``funding_total``."""
    from conftest import screenshot

    rows = kg.rows(
        "SELECT ?c (COUNT(DISTINCT ?p) AS ?n) WHERE { ?c a wkg:Commitment OPTIONAL { ?p wkg:partOf*/wkg:serves ?c } }"
        " GROUP BY ?c ORDER BY DESC(?n) ?c"
    )
    picked = [rows[0]["c"], rows[len(rows) // 2]["c"], rows[-1]["c"]]  # most programmes … none
    for iri in picked:
        cid = str(iri).rsplit("/", 1)[-1]
        api = page.request.get(f"{live_server.url}/api/commitments/{cid}").json()
        page.goto(f"{live_server.url}/doc/commitment/{cid}")
        shown = page.locator("#glance-owners li.owner").evaluate_all("els => els.map(e => e.dataset.responsibility)")
        assert sorted(shown) == sorted(o["id"] for o in api["owners"]), cid
        if iri == picked[0]:
            assert any(o["via"] for o in api["owners"])  # the case the rule is about: owners through programmes
        totals = page.locator("#glance-funding li.total").evaluate_all(
            "els => els.map(e => [e.dataset.currency, Number(e.dataset.amount), Number(e.dataset.count)])"
        )
        assert sorted(totals) == sorted([t["currency"], float(t["amount"]), t["count"]] for t in api["funding_total"])
    screenshot(page, "one-rule-commitment")
