"""Hostile RDF uploads, on every route that takes one (/validate and the Graph Store writes): one parser
(workforce_kg.rdf.uploads), which never fetches or reads a JSON-LD context, answers the same whatever the
context's IRI points to, and refuses deep nesting with 400 instead of crashing."""

from __future__ import annotations

import json
import shutil
import socket

import pytest
from fastapi.testclient import TestClient

from conftest import Listener
from workforce_kg.config import Settings
from workforce_kg.rdf import uploads
from workforce_kg.web.app import create_app

TOKEN = "s3cret"


@pytest.fixture(scope="module")
def listener():
    server = Listener()
    yield server
    server.close()


@pytest.fixture(scope="module")
def context_file(tmp_path_factory):
    """A JSON-LD context that exists (and one beside it that does not)."""
    folder = tmp_path_factory.mktemp("ctx")
    path = folder / "context.jsonld"
    path.write_text(json.dumps({"@context": {"name": "http://schema.org/name"}}))
    return path


@pytest.fixture(scope="module")
def client(built_store, tmp_path_factory):
    """Writes on (with a token), validation in a worker process, over a copy of the built store."""
    path = tmp_path_factory.mktemp("w") / "store"
    shutil.copytree(built_store, path)
    settings = Settings(store=path, update_token=TOKEN, query_workers=0, validation_workers=1, update_timeout=20)
    with TestClient(create_app(settings)) as c:
        yield c


def documents(iri: str) -> dict[str, object]:
    """JSON-LD documents that refer to a context at ``iri``, in each way a context can be referred to."""
    node = {"@id": "https://w3id.org/workforce-kg/id/programme/x", "http://schema.org/name": "x"}
    return {
        "string": {"@context": iri, **node},
        "list": {"@context": [{"s": "http://schema.org/"}, iri], **node},
        "nested in a node": {**node, "http://schema.org/about": {"@context": iri, "@id": "http://example.org/y"}},
        "scoped in a term": {
            "@context": {"x": {"@id": "http://schema.org/x", "@context": iri}},
            **node,
            "x": {"@id": "http://example.org/y"},
        },
        "type-scoped": {"@context": {"T": {"@id": "http://schema.org/T", "@context": iri}}, "@type": "T", **node},
        "@import": {"@context": {"@version": 1.1, "@import": iri}, **node},
        "in @graph": {"@graph": [{"@context": iri, **node}]},
        "array of nodes": [{"@context": iri, **node}],
    }


def validate(client, body: str):
    return client.post("/validate", content=body, headers={"content-type": "application/ld+json"})


def put(client, body: str):
    """A Graph Store PUT (each write copies the store first: ~0.5 s, so fewer cases go this way)."""
    return client.put(
        "/graph-store?graph=https://w3id.org/workforce-kg/graph/upload-test",
        content=body,
        headers={"content-type": "application/ld+json", "authorization": f"Bearer {TOKEN}"},
    )


def test_no_context_is_fetched_or_read_and_every_answer_is_the_same(client, listener, context_file):
    open_port, closed_port = f"http://127.0.0.1:{listener.port}/c", f"http://127.0.0.1:{free_port()}/c"
    iris = {
        "open port": open_port,
        "closed port": closed_port,
        "https": f"https://127.0.0.1:{listener.port}/c",
        "existing file": context_file.as_uri(),
        "missing file": (context_file.parent / "missing.jsonld").as_uri(),
        "file, host form": f"file://localhost{context_file}",
        "relative (existing file's name)": context_file.name,
        "relative (path)": "../../etc/passwd",
    }
    answers = set()
    for what, iri in iris.items():
        for how, doc in documents(iri).items():
            both = how in ("string", "scoped in a term", "@import") and what in (
                "open port",
                "closed port",
                "existing file",
                "missing file",
            )
            sends = [validate, put] if both else [validate]
            for send in sends:
                r = send(client, json.dumps(doc))
                assert r.status_code == 400, (what, how, send.__name__, r.status_code, r.text)
                answers.add(r.json()["error"])
    assert answers == {uploads.CONTEXT_REFUSED}
    assert listener.connections == 0
    assert "schema.org/name" not in str(answers)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("depth", [101, 5_000, 100_000])
@pytest.mark.parametrize("shape", ["arrays", "objects", "mixed"])
def test_deep_nesting_is_400(client, depth, shape):
    """Oxigraph's JSON-LD parser crashes the process on a few thousand nested objects: refused first."""
    body = {
        "arrays": "[" * depth + "]" * depth,
        "objects": '{"a":' * depth + "{}" + "}" * depth,
        "mixed": '[{"a":' * depth + "1" + "}]" * depth,
    }[shape]
    for send in [validate, put] if depth == 5_000 else [validate]:
        r = send(client, body)
        assert r.status_code == 400
        assert r.json()["error"] == f"JSON-LD nested deeper than {uploads.MAX_JSON_DEPTH} arrays or objects is refused"
    assert client.get("/healthz").status_code == 200


def test_nesting_within_the_bound_is_parsed():
    body = '{"@id":"http://example.org/a","http://schema.org/p":' * 50 + '"v"' + "}" * 50
    assert len(uploads.parse(body.encode(), "application/ld+json", "http://example.org/")) == 50


def test_json_depth_ignores_brackets_in_strings():
    assert uploads.json_depth(b'{"a": "[[[{{{\\"[[", "b": [[1]]}') == 3
    assert uploads.json_depth(b"[" * 200_000) == 200_000
    assert uploads.json_depth(b'["a\\"]"' * 1000) == 1000  # the ] is in a string


@pytest.mark.parametrize("body", [b'"\\' * 300_000, b'"\\"' * 300_000, b'"' * 900_000, b'["' * 300_000])
def test_json_depth_takes_linear_time(body):
    """Unterminated strings and runs of escapes: no backtracking (a regex could take hours on these)."""
    import time

    started = time.perf_counter()
    uploads.json_depth(body)
    assert time.perf_counter() - started < 1.0


def test_inline_context_is_used(client):
    doc = {
        "@context": {"wkg": "https://w3id.org/workforce-kg/def/"},
        "@id": "https://w3id.org/workforce-kg/id/programme/y",
        "@type": "wkg:Programme",
    }
    r = client.post("/validate", content=json.dumps(doc), headers={"content-type": "application/ld+json"})
    assert r.status_code == 200 and r.json()["conforms"] is False
    assert {x["focus"] for x in r.json()["results"]} == {"https://w3id.org/workforce-kg/id/programme/y"}


def test_rdfxml_entities_refused_on_both_routes(client):
    xml = (
        '<?xml version="1.0"?><!DOCTYPE rdf:RDF [<!ENTITY e "x">]><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:s="http://schema.org/">'
        '<rdf:Description rdf:about="http://example.org/a"><s:name>&e;</s:name></rdf:Description></rdf:RDF>'
    )
    headers = {"content-type": "application/rdf+xml"}
    for r in (
        client.post("/validate", content=xml, headers=headers),
        client.put(
            "/graph-store?graph=https://w3id.org/workforce-kg/graph/x",
            content=xml,
            headers={**headers, "authorization": f"Bearer {TOKEN}"},
        ),
    ):
        assert r.status_code == 400 and "DOCTYPE" in r.json()["error"]
    utf16 = xml.replace('version="1.0"', 'version="1.0" encoding="UTF-16"').encode("utf-16")
    r = client.post("/validate", content=utf16, headers=headers)
    assert r.status_code == 400 and "not UTF-8" in r.json()["error"]


@pytest.mark.parametrize("depth", [101, 20_000])
def test_deep_rdfxml_is_400(client, depth):
    """Oxigraph's RDF/XML parser takes time growing with the square of the depth (14 s at 33,000 levels)."""
    import time

    xml = (
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:s="http://schema.org/">'
        + "<rdf:Description><s:p>" * depth
        + "</s:p></rdf:Description>" * depth
        + "</rdf:RDF>"
    )
    started = time.monotonic()
    r = client.post("/validate", content=xml, headers={"content-type": "application/rdf+xml"})
    assert (
        r.status_code == 400
        and r.json()["error"] == f"RDF/XML nested deeper than {uploads.MAX_XML_DEPTH} elements is refused"
    )
    assert time.monotonic() - started < 2


def test_rdfxml_within_the_bound_is_parsed():
    xml = (
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:s="http://schema.org/">'
        + '<rdf:Description rdf:about="http://example.org/a"><s:p>' * 40
        + "</s:p></rdf:Description>" * 40
        + "</rdf:RDF>"
    )
    assert len(uploads.parse(xml.encode(), "application/rdf+xml", "http://example.org/")) == 40
