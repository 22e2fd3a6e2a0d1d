"""Plain errors for SPARQL that does not parse: an unknown prefix named as such, a hint for a slash in a
prefixed name, otherwise one line with the position — never a parser's list of character ranges."""

from __future__ import annotations

import re
import shutil
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from conftest import screenshot
from workforce_kg.config import Settings
from workforce_kg.sparql import errors, safety
from workforce_kg.vocab import prefixes
from workforce_kg.web.app import create_app

P = prefixes()
BODY = P["body"]

#: (query, words the message must hold); each a mistake people make
CASES = [
    ("SELECT * WHERE { ?s foo:bar ?o }", ["unknown prefix foo: — declare it or use a full IRI"]),
    ("SELECT * WHERE { ?s ?p ?o } ORDER BY nope:x", ["unknown prefix nope: — declare it or use a full IRI"]),
    ("SELECT * WHERE { ?s :x ?o }", ["unknown prefix : — declare it or use a full IRI"]),
    # a slash in a prefixed name, in each position of a triple; the hint names the full IRI
    ("SELECT * WHERE { ?s ?p body:nhs/england }", ["cannot appear in a prefixed name", f"<{BODY}nhs/england>"]),
    ("SELECT * WHERE { body:nhs/england ?p ?o }", ["body:nhs/england (line 1, column 18)", f"<{BODY}nhs/england>"]),
    ("SELECT * WHERE {\n  ?s wkg:a/england ?o\n}", ["wkg:a/england (line 2, column 6)", f"<{P['wkg']}a/england>"]),
    (
        "PREFIX x: <http://example.org/x/>\nSELECT * WHERE { ?s ?p x:a/b }",
        ["x:a/b (line 2, column 24)", "<http://example.org/x/a/b>"],
    ),
    # an unknown prefix in a text that does not parse either: found at the parser's position
    ("SELECT * WHERE { ?s ?p ?o . foo:x ?p }", ["unknown prefix foo:", "line 1, column 29"]),
    # other mistakes: the position and the token there
    ("SELEC * WHERE { ?s ?p ?o }", ["syntax error in the query at line 1, column 1", '"SELEC"']),
    ("SELECT * WHERE { ?s ?p ?o FILTR(?o > 1) }", ["line 1, column 27", '"FILTR"']),
    ("SELECT * WHERE {\n  ?s ?p ?o .\n  ?s ?p 'x'@ .\n}", ["line 3, column 9", "\"'x'@\""]),
    ("SELECT * WHERE { ?s ?p ?o } LIMIT x", ["line 1, column 29", '"LIMIT"', "expected the end"]),
    ("SELECT * WHERE { ?s ?p ?o . ", ["the query ends too soon (line 1, column 29)"]),
]


def assert_plain(message: str) -> None:
    assert "\n" not in message and "\\u" not in message and "u{" not in message and "..=" not in message, message
    assert len(message) < 300, message


@pytest.mark.parametrize("query, words", CASES)
def test_messages_name_the_mistake(query, words):
    with pytest.raises(safety.Refused) as err:
        safety.check_query(query, P)
    assert err.value.status == 400
    assert_plain(err.value.message)
    for w in words:
        assert w in err.value.message


def test_a_prefix_the_text_declares_or_a_path_is_no_mistake():
    for query in (
        "PREFIX foo: <http://example.org/> SELECT * WHERE { ?s foo:bar ?o }",
        "SELECT * WHERE { ?s wkg:subject/wkg:body ?o }",  # a property path, not a slash in a name
        f"SELECT * WHERE {{ ?s ?p <{BODY}nhs/england> }}",
    ):
        safety.check_query(query, P)


def test_unknown_prefix_in_updates():
    def kept(_):
        return False

    with pytest.raises(safety.Refused) as err:
        safety.check_update("INSERT DATA { foo:a wkg:b wkg:c }", "https://w3id.org/workforce-kg", P, kept)
    assert err.value.message.startswith("unknown prefix foo: — declare it or use a full IRI")
    # used in the first operation, declared only in the second: rdflib's translation says so, plainly
    with pytest.raises(safety.Refused) as err:
        safety.check_update(
            "INSERT DATA { q:a wkg:b wkg:c } ; PREFIX q: <http://q/> INSERT DATA { q:a wkg:b wkg:c }",
            "https://w3id.org/workforce-kg",
            P,
            kept,
        )
    assert err.value.message.startswith("unknown prefix q: — declare it or use a full IRI")


@pytest.mark.parametrize(
    "query, words",
    [
        ("SELECT * WHERE { ?s foo:bar ?o }", ["unknown prefix foo:", "line 1, column 21"]),
        ("SELECT * WHERE { ?s wkg:nhs/england ?o }", ["wkg:nhs/england (line 1, column 21)", "<"]),
        ("SELECT * WHERE {\n ?s ?p 'é' } LIMIT x", ["line 2, column 20", '"x"', "expected one of"]),
    ],
)
def test_oxigraph_errors_lose_their_character_ranges(query, words):
    """The engine's own SyntaxError (for a text only it refuses) is cleaned the same way."""
    with pytest.raises(SyntaxError) as err:
        ox.Store().query(query, prefixes=P)
    assert "..=" in str(err.value)  # what the engine says: character ranges
    message = errors.from_oxigraph(query, "query", err.value, P)
    assert_plain(message)
    for w in words:
        assert w in message


# -- over HTTP ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(kg, tmp_path_factory):
    with TestClient(create_app(Settings(store=tmp_path_factory.mktemp("s")), kg)) as c:
        yield c


@pytest.mark.parametrize("query, words", CASES[:4] + CASES[8:9])
def test_the_endpoint_answers_400_with_the_plain_message(client, query, words):
    answers = [
        client.get("/sparql", params={"query": query}),
        client.post("/sparql", data={"query": query}),
        client.post("/sparql", content=query, headers={"content-type": "application/sparql-query"}),
    ]
    messages = set()
    for r in answers:
        assert r.status_code == 400 and r.headers["content-type"].startswith("application/json")
        messages.add(r.json()["error"])
    [message] = messages  # the same message whichever way the query came
    assert_plain(message)
    for w in words:
        assert w in message


@pytest.fixture(scope="module")
def writable_client(built_store, tmp_path_factory):
    path = tmp_path_factory.mktemp("w") / "store"
    shutil.copytree(built_store, path)
    settings = Settings(store=path, update_token="editor:editor-token-1", query_workers=0, update_timeout=20)
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.mark.parametrize(
    "update, words",
    [
        ("INSERT DATA { foo:a wkg:b wkg:c }", ["unknown prefix foo: — declare it or use a full IRI"]),
        ("INSERT DATA { body:nhs/england wkg:b wkg:c }", ["cannot appear in a prefixed name", "nhs/england>"]),
        ("DELETE WHERE { ?s wkg:x ?o ", ["the update ends too soon (line 1, column 28)"]),
    ],
)
def test_updates_get_the_plain_messages(writable_client, update, words):
    headers = {"authorization": "Bearer editor-token-1"}
    r = writable_client.post(
        "/sparql", content=update, headers={**headers, "content-type": "application/sparql-update"}
    )
    form = writable_client.post("/sparql", data={"update": update}, headers=headers)
    assert r.status_code == form.status_code == 400 and r.json() == form.json()
    assert_plain(r.json()["error"])
    for w in words:
        assert w in r.json()["error"]


# -- in the browser ----------------------------------------------------------------------------------


@pytest.mark.browser
def test_the_query_page_shows_the_plain_message(page, live_server):
    query = "SELECT ?label WHERE {\n  ?c a wkg:Commitment ;\n     dc:title ?label .\n}"
    page.goto(f"{live_server.url}/query?query={quote(query)}")
    page.wait_for_selector(".CodeMirror")
    page.click("#run")
    status = page.locator("#status")
    status.filter(has_text="unknown prefix").wait_for()
    text = status.text_content() or ""
    assert "Error 400: unknown prefix dc: — declare it or use a full IRI" in text
    assert "\\u" not in text and not re.search(r"u\{[0-9A-F]{4}\}", text)
    screenshot(page, "query-error")


def test_the_cli_says_the_same_in_one_line():
    from typer.testing import CliRunner

    from workforce_kg.cli import app

    result = CliRunner().invoke(app, ["query", "SELECT * WHERE { ?s wkg:nhs/england ?o }"])
    assert result.exit_code == 1
    [line] = [x for x in result.output.splitlines() if x.strip()]
    assert "bad SPARQL" in line and "wkg:nhs/england (line 1, column 21)" in line
    assert_plain(line.split("bad SPARQL: ")[1])
