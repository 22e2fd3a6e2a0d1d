"""POST /validate: RDF in, SHACL report out; malformed input is a 400 with the parser's message."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from workforce_kg.app import create_app
from workforce_kg.config import Settings

PREFIXES = """@prefix wkg: <https://w3id.org/workforce-kg/def/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix pkind: <https://w3id.org/workforce-kg/def/programme-kind/> .
@prefix prog: <https://w3id.org/workforce-kg/id/programme/> .
@prefix doc: <https://w3id.org/workforce-kg/id/document/> .
"""
GOOD = PREFIXES + """prog:new a wkg:Programme ; skos:prefLabel "New"@en ; wkg:programmeKind pkind:plan ;
    wkg:citation [ wkg:document doc:hscc-expert-panel-govt-response-2023 ; wkg:locator "19" ; wkg:quote "The integration" ] ."""
BAD = PREFIXES + """prog:new a wkg:Programme ; skos:prefLabel "New"@en ; wkg:programmeKind pkind:plan ."""


@pytest.fixture(scope="module")
def client(kg, tmp_path_factory):
    with TestClient(create_app(Settings(store=tmp_path_factory.mktemp("s")), kg)) as c:
        yield c


def test_conforming_upload(client):
    r = client.post("/validate", content=GOOD, headers={"content-type": "text/turtle"})
    assert r.status_code == 200
    assert r.json()["conforms"] is True and r.json()["violations"] == 0


def test_violation_reported_for_uploaded_node(client):
    r = client.post("/validate", content=BAD, headers={"content-type": "text/turtle"})
    body = r.json()
    assert r.status_code == 200 and body["conforms"] is False
    assert {x["focus"] for x in body["results"]} == {"https://w3id.org/workforce-kg/id/programme/new"}
    assert body["results"][0]["node_shape"] == "shp:FactShape"


def test_turtle_report_by_accept(client):
    r = client.post("/validate", content=BAD, headers={"content-type": "text/turtle", "accept": "text/turtle"})
    assert r.headers["content-type"].startswith("text/turtle") and "sh:ValidationReport" in r.text


def test_ntriples_and_jsonld(client):
    nt = '<https://w3id.org/workforce-kg/id/programme/x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/workforce-kg/def/Programme> .\n'
    r = client.post("/validate", content=nt, headers={"content-type": "application/n-triples"})
    assert r.status_code == 200 and r.json()["conforms"] is False
    doc = {"@id": "https://w3id.org/workforce-kg/id/programme/y", "@type": "https://w3id.org/workforce-kg/def/Programme"}
    r = client.post("/validate", content=json.dumps(doc), headers={"content-type": "application/ld+json"})
    assert r.status_code == 200 and r.json()["conforms"] is False


@pytest.mark.parametrize(
    "content, ctype, words",
    [
        ("prog:x a wkg:Programme", "text/turtle", "malformed turtle"),
        (PREFIXES + "prog:x a ", "text/turtle", "line"),
        ("{not json", "application/ld+json", "malformed JSON-LD"),
        ('{"@context": "http://127.0.0.1:9/ctx.jsonld", "@id": "http://x/a"}', "application/ld+json", "remote JSON-LD contexts"),
    ],
)
def test_malformed_is_400(client, content, ctype, words):
    r = client.post("/validate", content=content, headers={"content-type": ctype})
    assert r.status_code == 400 and words in r.json()["error"]


def test_unsupported_type_is_415(client):
    r = client.post("/validate", content="<rdf:RDF/>", headers={"content-type": "application/rdf+xml"})
    assert r.status_code == 415
