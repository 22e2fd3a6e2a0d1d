"""The review page behind the write token (issue 15): list a draft's candidates, write the ticked ones
through the gated write path."""

from __future__ import annotations

import shutil

import pytest
from fastapi.testclient import TestClient

from workforce_kg.config import Settings
from workforce_kg.ingest import ingest
from workforce_kg.web.app import create_app

TOKENS = "carol:carol-token-3"


@pytest.fixture()
def client(built_store, tmp_path, sources_dir):
    store = tmp_path / "store"
    shutil.copytree(built_store, store)
    settings = Settings(store=store, update_token=TOKENS, query_workers=0, update_timeout=30, sources=sources_dir)
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.fixture()
def draft_text(sources_dir):
    # a bundled source under a new document id: its quotes are checkable against the sources folder
    source = next(sources_dir.glob("002_*.txt"))
    return ingest(source, "hee-framework-page-review", date="2021-07-01", publisher="hee").turtle()


def test_the_form_and_a_wrong_token(client, draft_text):
    assert "Write token" in client.get("/ingest/review").text
    refused = client.post("/ingest/review", data={"draft": draft_text, "token": "nope", "action": "list"})
    assert refused.status_code == 403 and "not valid" in refused.text


def test_list_then_write_the_ticked_candidates(client, draft_text):
    listing = client.post("/ingest/review", data={"draft": draft_text, "token": "carol-token-3", "action": "list"})
    assert listing.status_code == 200
    assert 'name="accept" value="https://w3id.org/workforce-kg/id/organisation/hee"' in listing.text
    commitment = next(
        part.split('"')[0] for part in listing.text.split('name="accept" value="')[1:] if "/id/commitment/" in part
    )
    written = client.post(
        "/ingest/review",
        data={"draft": draft_text, "token": "carol-token-3", "action": "write", "accept": [commitment]},
    )
    assert written.status_code == 200, written.text
    assert "1 candidate(s) written" in written.text
    ask = client.get(
        "/sparql",
        params={
            "query": f"ASK {{ <{commitment}> a <https://w3id.org/workforce-kg/def/Commitment> ; "
            "<https://w3id.org/workforce-kg/def/citation> ?c }"
        },
        headers={"Accept": "application/sparql-results+json"},
    )
    assert ask.json()["boolean"] is True
    again = client.post("/ingest/review", data={"draft": "not turtle {", "token": "carol-token-3", "action": "list"})
    assert again.status_code == 400 and "not readable Turtle" in again.text


def test_a_write_the_gate_refuses_changes_nothing(client, draft_text):
    # a curator's edit that breaks a quote: the write path's quote check refuses it, with the reason
    tampered = draft_text.replace("HEE is leading this programme of work", "HEE is leading nothing at all", 1)
    assert tampered != draft_text
    listing = client.post("/ingest/review", data={"draft": tampered, "token": "carol-token-3", "action": "list"})
    accept = [part.split('"')[0] for part in listing.text.split('name="accept" value="')[1:]]
    refused = client.post(
        "/ingest/review", data={"draft": tampered, "token": "carol-token-3", "action": "write", "accept": accept}
    )
    assert refused.status_code == 422 and "not in the source text" in refused.text
    ask = client.get(
        "/sparql",
        params={"query": "ASK { <https://w3id.org/workforce-kg/id/document/hee-framework-page-review> ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert ask.json()["boolean"] is False
