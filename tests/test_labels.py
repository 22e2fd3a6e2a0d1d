"""Relations without a label of their own (responsibilities drafted without one) are named the same way
everywhere — "Body — role — Subject" — on their page, in the API and in search, never by their slug."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from workforce_kg.config import Settings
from workforce_kg.store.labels import compose
from workforce_kg.web.app import create_app

UNLABELLED = """
SELECT ?r ?body ?role ?subject WHERE {
  ?r a wkg:Responsibility ; wkg:body/skos:prefLabel ?body ; wkg:role/skos:prefLabel ?role ;
     wkg:subject/skos:prefLabel ?subject .
  FILTER NOT EXISTS { ?r skos:prefLabel|rdfs:label ?own }
} ORDER BY ?r
"""


@pytest.fixture(scope="module")
def client(kg, tmp_path_factory):
    with TestClient(create_app(Settings(store=tmp_path_factory.mktemp("s")), kg)) as c:
        yield c


@pytest.fixture(scope="module")
def expected(kg) -> dict[str, str]:
    """The composed label of each unlabelled responsibility, from the graph (independently of the code)."""
    names = {}
    for row in kg.rows(UNLABELLED):
        names.setdefault(row["r"], f"{row['body']} — {row['role'].lower()} — {row['subject']}")
    assert names, "the bundled graph has no unlabelled responsibility"
    return names


def test_compose_needs_all_three_parts():
    assert compose("NHS England", "Lead", "Nurses") == "NHS England — lead — Nurses"
    assert compose("NHS England", None, "Nurses") is None


def test_pages_name_them(client, expected):
    for iri, name in list(expected.items())[::7]:
        html = client.get(iri.replace("/id/", "/doc/", 1).split("w3id.org/workforce-kg", 1)[1]).text
        h1 = re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)
        assert h1.replace("&amp;", "&") == name, iri


def test_api_owners_name_them(client, kg, expected):
    seen = 0
    for row in kg.rows("SELECT DISTINCT ?c WHERE { ?c a wkg:Commitment }"):
        owners = client.get(f"/api/commitments/{row['c'].rsplit('/', 1)[-1]}").json()["owners"]
        for o in owners:
            if o["iri"] in expected:
                assert o["label"] == expected[o["iri"]]
                seen += 1
    assert seen


def test_search_names_them(client, expected):
    iri, name = next(iter(expected.items()))
    word = max(re.findall(r"[A-Za-z]{6,}", name.rsplit(" — ", 1)[-1]), key=len)
    hits = client.get("/api/search", params={"q": word, "type": "responsibility", "limit": 200}).json()["items"]
    labels = {h["iri"]: h["label"] for h in hits}
    found = {i: labels[i] for i in expected if i in labels}
    assert found and all(label == expected[i] for i, label in found.items())
