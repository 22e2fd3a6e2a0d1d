"""Hostile input against the real app with writes on: every spelling of federation, file reads, writes
through the query endpoint, runaway nesting and writes to the graphs the service keeps gets 400/403
with a message (never 500), nothing leaves the machine, a refused write changes nothing (the derived
and audit graphs included), and the competency questions still answer right afterwards."""

from __future__ import annotations

import json
import shutil

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from conftest import Listener
from workforce_kg import cq as queries
from workforce_kg.config import Settings
from workforce_kg.sparql import protocol, safety
from workforce_kg.store import local as stores
from workforce_kg.store.kg import KnowledgeGraph
from workforce_kg.web.app import create_app

B = "https://w3id.org/workforce-kg"
DERIVED = f"{B}/graph/derived"
AUDIT = f"{B}/graph/audit"
ONTOLOGY = f"{B}/graph/ontology/workforce"
CURATION = f"{B}/graph/curation/hostile"
ALICE = {"Authorization": "Bearer alice-token-1"}
UPDATE = {**ALICE, "Content-Type": "application/sparql-update"}
QUERY = {"Content-Type": "application/sparql-query"}


# -- fixtures ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def listener():
    lst = Listener()
    yield lst
    lst.close()


@pytest.fixture(scope="module")
def writable(built_store, tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile") / "store"
    shutil.copytree(built_store, path)
    return path


@pytest.fixture(scope="module")
def client(writable, sources_dir):
    settings = Settings(
        store=writable, update_token="alice:alice-token-1", query_workers=0, update_timeout=30, sources=sources_dir
    )
    with TestClient(create_app(settings)) as c:
        yield c


def dataset(path) -> set[str]:
    """Every quad of the on-disk store at ``path`` (derived and audit graphs included)."""
    return {str(q) for q in stores.open_store(path)}


def refused(r, status: int | tuple[int, ...]) -> str:
    """Assert a refusal with a JSON message; the message."""
    assert r.status_code in ((status,) if isinstance(status, int) else status), (r.status_code, r.text)
    assert r.headers["content-type"].startswith("application/json")
    message = r.json()["error"]
    assert isinstance(message, str) and message and "\n" not in message
    return message


# -- queries: federation, files, writes, nesting ------------------------------------------------------

#: queries that would call {url}; each spelling differs in how SERVICE is written or where it hides
FEDERATED = {
    # the hole the hostile testing found: an escape in a local name made the old text check read the
    # rest of the line as a comment
    "local-name escape \\#": "PREFIX ex: <http://example.org/> SELECT * WHERE { ex:a\\#b ?p ?o . SERVICE <{url}> { ?s "
    "?p ?o } }",
    "local-name escape \\# alone": "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ?p ex:a\\# SERVICE <{url}> { "
    "?s ?p ?o } }",
    "local-name escape \\.": "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ?p ex:a\\.b . SERVICE <{url}> { ?s "
    "?p ?o } }",
    "local-name escape \\-": "PREFIX ex: <http://example.org/> SELECT * WHERE { ex:a\\-b ?p ?o SERVICE <{url}> { ?s "
    "?p ?o } }",
    "plain": "SELECT * WHERE { SERVICE <{url}> { ?s ?p ?o } }",
    "lower case": "select * where { service <{url}> { ?s ?p ?o } }",
    "mixed case": "SeLeCt * WhErE { SeRvIcE <{url}> { ?s ?p ?o } }",
    "silent": "SELECT * WHERE { SERVICE SILENT <{url}> { ?s ?p ?o } }",
    "variable": "SELECT * WHERE { BIND(<{url}> AS ?e) SERVICE ?e { ?s ?p ?o } }",
    "values variable": "SELECT * WHERE { VALUES ?e { <{url}> } SERVICE SILENT ?e { ?s ?p ?o } }",
    "comment between": "SELECT * WHERE { SERVICE # no\n <{url}> # more\n { ?s ?p ?o } }",
    "after a comment line": "SELECT * WHERE { ?s ?p ?o # SERVICE\nSERVICE <{url}> { ?a ?b ?c } }",
    "no spaces": "SELECT*WHERE{SERVICE<{url}>{?s ?p ?o}}",
    "unicode escape": "SELECT * WHERE { \\u0053ERVICE <{url}> { ?s ?p ?o } }",
    "unicode escape in a string": 'SELECT * WHERE { ?s ?p "a\\u0022 . SERVICE <{url}> { ?a ?b ?c } # " }',
    "prefix named service": "PREFIX service: <{url}> SELECT * WHERE { SERVICE service: { ?s ?p ?o } }",
    "prefixed endpoint": "PREFIX e: <{url}#> SELECT * WHERE { SERVICE e:x { ?s ?p ?o } }",
    "after an escaped quote": 'SELECT * WHERE { ?s ?p "a\\"b" . SERVICE <{url}> { ?a ?b ?c } }',
    "after a long string": "SELECT * WHERE { ?s ?p '''x\n'y''' . SERVICE <{url}> { ?a ?b ?c } }",
    "subquery": "SELECT * WHERE { { SELECT * WHERE { SERVICE <{url}> { ?s ?p ?o } } } }",
    "exists": "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <{url}> { ?s ?p ?o } } }",
    "not exists": "SELECT * WHERE { ?s ?p ?o FILTER NOT EXISTS { SERVICE <{url}> { ?s ?p ?o } } }",
    "bind exists": "SELECT * WHERE { BIND(EXISTS { SERVICE <{url}> { ?s ?p ?o } } AS ?x) }",
    "optional": "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE <{url}> { ?s ?p ?o } } }",
    "minus": "SELECT * WHERE { ?s ?p ?o MINUS { SERVICE <{url}> { ?s ?p ?o } } }",
    "union": "SELECT * WHERE { { ?s ?p ?o } UNION { SERVICE <{url}> { ?s ?p ?o } } }",
    "graph": "SELECT * WHERE { GRAPH ?g { SERVICE <{url}> { ?s ?p ?o } } }",
    "nested service": "SELECT * WHERE { SERVICE <{url}> { SERVICE <{url}> { ?s ?p ?o } } }",
    "ask": "ASK { SERVICE <{url}> { ?s ?p ?o } }",
    "construct": "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <{url}> { ?s ?p ?o } }",
    "describe": "DESCRIBE ?s WHERE { SERVICE <{url}> { ?s ?p ?o } }",
    "from": "SELECT * FROM <{url}> WHERE { ?s ?p ?o }",
    "from named": "SELECT * FROM NAMED <{url}> WHERE { GRAPH ?g { ?s ?p ?o } }",
}


@pytest.mark.parametrize("name", FEDERATED)
def test_no_spelling_of_service_or_from_leaves_the_machine(client, listener, name):
    query = FEDERATED[name].replace("{url}", listener.url)
    for r in (
        client.get("/sparql", params={"query": query}),
        client.post("/sparql", content=query.encode(), headers=QUERY),
        client.post("/sparql", data={"query": query}),
    ):
        refused(r, 400)
    assert listener.connections == 0


def test_query_workers_refuse_too(writable, listener):
    """The check runs in the query worker processes (the service's default), not only in-process."""
    with TestClient(create_app(Settings(store=writable, query_workers=1))) as c:
        for name in ("local-name escape \\#", "variable", "exists", "unicode escape"):
            refused(
                c.post("/sparql", content=FEDERATED[name].replace("{url}", listener.url).encode(), headers=QUERY), 400
            )
        assert "nested too deeply" in refused(
            c.post("/sparql", content=NESTED["path sequence"].encode(), headers=QUERY), 400
        )
        r = c.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})
        assert r.status_code == 200
    assert listener.connections == 0


@pytest.mark.parametrize("iri", ["file:///etc/hostname", "file:///etc/passwd", "http://127.0.0.1:1/x"])
def test_from_outside_the_store_is_refused(client, iri):
    for query in (
        f"SELECT * FROM <{iri}> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{iri}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        f"select * from\n<{iri}> where {{ ?s ?p ?o }}",
    ):
        assert "only graphs in this store" in refused(client.get("/sparql", params={"query": query}), 400)


def test_from_a_graph_of_the_store_is_answered(client):
    r = client.get(
        "/sparql",
        params={"query": f"SELECT (COUNT(*) AS ?n) FROM <{DERIVED}> WHERE {{ ?s ?p ?o }}"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert r.status_code == 200 and int(r.json()["results"]["bindings"][0]["n"]["value"]) > 1000


UPDATES_AS_QUERIES = [
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "insert data { <urn:a> <urn:b> <urn:c> }",
    "# a comment\nPREFIX x: <urn:x:>\nDELETE WHERE { ?s ?p ?o }",
    "BASE <urn:x:> WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    f"DROP GRAPH <{DERIVED}>",
    "CLEAR ALL",
    "LOAD <file:///etc/hostname>",
    "CREATE GRAPH <urn:g> ; DROP GRAPH <urn:g>",
]


@pytest.mark.parametrize("text", UPDATES_AS_QUERIES)
def test_updates_sent_as_queries_are_forbidden(client, writable, text):
    before = dataset(writable)
    assert "not allowed" in refused(client.get("/sparql", params={"query": text}), 403)
    assert "not allowed" in refused(client.post("/sparql", content=text.encode(), headers=QUERY), 403)
    assert dataset(writable) == before


NESTED = {
    "braces": "SELECT * WHERE " + "{" * 3000 + " ?s ?p ?o " + "}" * 3000,
    "parentheses": "SELECT * WHERE { FILTER(" + "(" * 3000 + "1" + ")" * 3000 + ") }",
    "subqueries": "SELECT * WHERE " + "{ SELECT * WHERE " * 400 + "{ ?s ?p ?o }" + " }" * 400,
    "path groups": "SELECT * WHERE { ?s " + "(" * 3000 + "<urn:p>" + ")" * 3000 + " ?o }",
    "path sequence": "SELECT * WHERE { ?s " + "/".join(["<urn:p>"] * 1000) + " ?o }",
    "sum": "SELECT * WHERE { BIND(" + "+".join(["1"] * 600) + " AS ?x) }",
    "union chain": "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * 600) + " }",
    "optional chain": "SELECT * WHERE { ?s ?p ?o " + " ".join(["OPTIONAL { ?s ?p ?o }"] * 600) + " }",
    "exists": "SELECT * WHERE { FILTER(" + "EXISTS { FILTER(" * 300 + "true" + ") }" * 300 + ") }",
}


@pytest.mark.parametrize("name", NESTED)
def test_runaway_nesting_is_refused_and_the_server_lives(client, name):
    """Oxigraph's parser and evaluator recurse per level (a crash past some hundreds to thousands)."""
    assert "nested too deeply" in refused(client.post("/sparql", content=NESTED[name].encode(), headers=QUERY), 400)
    assert client.get("/healthz").status_code == 200


def test_moderate_nesting_is_answered(client):
    for query in (
        "SELECT * WHERE " + "{" * 40 + " ?s ?p ?o " + "}" * 40 + " LIMIT 1",
        "SELECT * WHERE { FILTER(" + "(" * 40 + "true" + ")" * 40 + ") }",
        "SELECT * WHERE { ?s " + "/".join(["wkg:subject"] * 3) + "? ?o } LIMIT 1",
    ):
        assert client.get("/sparql", params={"query": query}).status_code == 200, query


ODD = [
    "SELECT * WHERE { VALUES ?t { <<( <urn:a> <urn:b> <urn:c> )>> } }",  # SPARQL 1.2 triple terms
    "SELECT * WHERE { BIND(TRIPLE(<urn:a>, <urn:b>, <urn:c>) AS ?t) }",
    "SELECT * WHERE { BIND(<urn:no-such-function>(1) AS ?x) }",
    "SELECT * WHERE { ?s ?p ?o } LIMIT 99999999999999999999999",
    "SELECT * WHERE { ?s ?p <relative> }",
    "SELECT * WHERE { ?s undeclared:p ?o }",
    "BASE <relative/> SELECT * WHERE { ?s ?p <x> }",
    "SELECT * WHERE { ?s ?p ?o } GROUP BY",
    "\x00",
    "SELECT",
    "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ?p ex:a\\~b }",
]


@pytest.mark.parametrize("query", ODD)
def test_odd_queries_get_400_or_an_answer_never_500(client, query):
    for accept in (
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ):
        r = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
        assert r.status_code in (200, 400), (r.status_code, r.text)
        if r.status_code == 400:
            refused(r, 400)


def test_triple_terms_are_written_in_every_results_format():
    """A store holding a triple term (RDF 1.2) answers it in JSON, XML, CSV and TSV (it was a 500)."""
    inner = ox.Triple(ox.NamedNode("urn:a"), ox.NamedNode("urn:b"), ox.Literal('say "hi"', language="en"))
    nested = ox.Triple(ox.BlankNode("x"), ox.NamedNode("urn:p"), inner)
    st = ox.Store()
    st.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), nested, ox.NamedNode("urn:g")))
    kg = KnowledgeGraph(st)
    req = lambda: protocol.SparqlRequest(query="SELECT ?o WHERE { ?s ?p ?o }")  # noqa: E731
    for media, fmt in (
        ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
        ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
        ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
    ):
        out = protocol.execute(kg, req(), media, 100)
        assert out.status == 200, out.body
        [row] = list(ox.parse_query_results(out.body, format=fmt))
        got = row["o"]
        assert isinstance(got, ox.Triple) and got.object == inner and isinstance(got.subject, ox.BlankNode)
    out = protocol.execute(kg, req(), "text/csv", 100)
    assert out.status == 200 and "<<( _:x <urn:p> <<( <urn:a> <urn:b>" in out.body.decode()


# -- updates: LOAD, SERVICE, nesting ------------------------------------------------------------------

OUTBOUND_UPDATES = {
    "load": "LOAD <{url}>",
    "load silent into": f"load silent <{{url}}> into graph <{CURATION}>",
    "load a file": f"LOAD <file:///etc/hostname> INTO GRAPH <{CURATION}>",
    "load after an escape": "PREFIX ex: <http://example.org/> INSERT DATA "
    f"{{ GRAPH <{CURATION}> {{ ex:a\\#b ex:p 1 }} }} ; LOAD <{{url}}>",
    "service": "INSERT { ?s ?p ?o } WHERE { SERVICE <{url}> { ?s ?p ?o } }",
    "service after an escape": "PREFIX ex: <http://example.org/> INSERT { ex:a\\#b ex:p ?o } WHERE { SERVICE <{url}> "
    "{ ?s ?p ?o } }",
    "service in delete where": "DELETE { ?s ?p ?o } WHERE { OPTIONAL { SERVICE SILENT <{url}> { ?s ?p ?o } } }",
    "service in exists": "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o FILTER NOT EXISTS { SERVICE ?x { ?s ?p ?o } } }",
    "service unicode": "INSERT { ?s ?p ?o } WHERE { \\u0053ERVICE <{url}> { ?s ?p ?o } }",
    "service with a using": "INSERT { ?s ?p ?o } USING <{url}> WHERE { SERVICE <{url}> { ?s ?p ?o } }",
    "nested": "INSERT { ?s ?p ?o } WHERE " + "{" * 3000 + " ?s ?p ?o " + "}" * 3000,
}


@pytest.mark.parametrize("name", OUTBOUND_UPDATES)
def test_updates_that_would_reach_out_are_refused(client, writable, listener, name):
    before = dataset(writable)
    text = OUTBOUND_UPDATES[name].replace("{url}", listener.url)
    refused(client.post("/sparql", content=text.encode(), headers=UPDATE), 400)
    refused(client.post("/sparql", data={"update": text}, headers=ALICE), 400)
    assert listener.connections == 0
    assert dataset(writable) == before


@pytest.mark.parametrize("iri", ["file:///etc/hostname", "http://127.0.0.1:1/x"])
def test_using_outside_the_store_is_refused(client, writable, iri):
    before = dataset(writable)
    for clause in ("USING", "USING NAMED"):
        text = f"INSERT {{ GRAPH <{CURATION}> {{ ?s ?p ?o }} }} {clause} <{iri}> WHERE {{ ?s ?p ?o }}"
        assert "only graphs in this store" in refused(
            client.post("/sparql", content=text.encode(), headers=UPDATE), 400
        )
    assert dataset(writable) == before


# -- updates: the graphs the service keeps --------------------------------------------------------------

P = f"PREFIX wkg: <{B}/def/> PREFIX body: <{B}/id/organisation/> "
FORGED = "body:hee wkg:successor body:dhsc"  # a shortcut the rules would not derive
REAL = "body:hee wkg:successor body:nhse"  # one they do (in the derived graph)

KEPT_UPDATES = {
    "insert data": P + f"INSERT DATA {{ GRAPH <{DERIVED}> {{ {FORGED} }} }}",
    "insert data audit": P + f"INSERT DATA {{ GRAPH <{AUDIT}> {{ {FORGED} }} }}",
    "insert data new ontology graph": P + f"INSERT DATA {{ GRAPH <{B}/graph/ontology/extra> {{ {FORGED} }} }}",
    "delete data": P + f"DELETE DATA {{ GRAPH <{DERIVED}> {{ {REAL} }} }}",
    "delete data ontology": "DELETE DATA "
    f"{{ GRAPH <{ONTOLOGY}> {{ <{B}/def/Commitment> a <http://www.w3.org/2002/07/owl#Class> }} }}",
    "graph variable delete": P
    + "DELETE { GRAPH ?g { ?s wkg:successor ?o } } WHERE { GRAPH ?g { ?s wkg:successor ?o } }",
    "graph variable forge": P + f"INSERT {{ GRAPH ?g {{ {FORGED} }} }} WHERE {{ GRAPH ?g {{ {REAL} }} }}",
    "graph variable ontology": "DELETE { GRAPH ?g { ?c ?p ?o } } WHERE { GRAPH ?g { ?c a "
    "<http://www.w3.org/2002/07/owl#Class> ; ?p ?o } }",
    "graph variable with values": P + f"INSERT {{ GRAPH ?g {{ {FORGED} }} }} WHERE {{ VALUES ?g {{ <{DERIVED}> }} }}",
    "graph variable bind": P
    + f'INSERT {{ GRAPH ?g {{ {FORGED} }} }} WHERE {{ BIND(IRI(CONCAT("{B}/graph/", "derived")) AS ?g) }}',
    "delete where graph variable": P + "DELETE WHERE { GRAPH ?g { body:hee wkg:successor ?o } }",
    "delete where": P + f"DELETE WHERE {{ GRAPH <{DERIVED}> {{ ?s wkg:successor ?o }} }}",
    "with delete": f"WITH <{DERIVED}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}",
    "with insert": P + f"WITH <{DERIVED}> INSERT {{ {FORGED} }} WHERE {{}}",
    "with and using": P + f"WITH <{AUDIT}> DELETE {{ ?s ?p ?o }} USING <{CURATION}> WHERE {{ ?s ?p ?o }}",
    "drop": f"DROP GRAPH <{DERIVED}>",
    "drop silent": f"DROP SILENT GRAPH <{AUDIT}>",
    "drop lower case": f"drop graph <{ONTOLOGY}>",
    "drop with comments": f"DROP # first\n GRAPH # then\n <{DERIVED}>",
    "drop prefixed": f"PREFIX g: <{B}/graph/> DROP GRAPH g:derived",
    "drop relative": "DROP GRAPH <graph/derived>",
    "drop relative dot segments": "DROP GRAPH <graph/curation/../derived>",
    "drop with base": f"BASE <{B}/graph/> DROP GRAPH <derived>",
    "clear": f"CLEAR GRAPH <{DERIVED}>",
    "clear silent": f"CLEAR SILENT GRAPH <{AUDIT}>",
    "create": f"CREATE GRAPH <{B}/graph/ontology/extra>",
    "drop all": "DROP ALL",
    "drop silent all": "DROP SILENT ALL",
    "clear all": "CLEAR ALL",
    "drop named": "DROP NAMED",
    "clear silent named": "CLEAR SILENT NAMED",
    "move from": f"MOVE <{DERIVED}> TO <{CURATION}>",
    "move to": f"MOVE DEFAULT TO <{DERIVED}>",
    "move silent": f"MOVE SILENT <{ONTOLOGY}> TO DEFAULT",
    "copy to": f"COPY <{CURATION}> TO <{DERIVED}>",
    "copy default to": f"COPY DEFAULT TO <{AUDIT}>",
    "add to": f"ADD <{CURATION}> TO <{ONTOLOGY}>",
    "add silent to": f"ADD SILENT DEFAULT TO <{DERIVED}>",
    "second operation": P + f"INSERT DATA {{ GRAPH <{CURATION}> {{ {FORGED} }} }} ; DROP GRAPH <{DERIVED}>",
    "base carried over": f"BASE <{B}/graph/> INSERT DATA {{ GRAPH <curation/x> {{ <urn:a> <urn:b> 1 }} }} ; DROP "
    "GRAPH <derived>",
    "prefix redeclared": f"PREFIX wkg: <{B}/graph/> INSERT DATA {{ GRAPH <{CURATION}> {{ <urn:a> <urn:b> 1 }} }} ; "
    "DROP GRAPH wkg:derived",
}

#: spellings where the parsers could disagree: refused (400) before anything is decided
AMBIGUOUS_UPDATES = {
    "escape in a graph name": f"PREFIX g: <{B}/graph/ontology/> DROP GRAPH g:work\\-force",
    "escape hides a drop": f"PREFIX ex: <http://example.org/> INSERT DATA {{ ex:a\\#b ex:p 1 }} ; DROP GRAPH "
    f"<{DERIVED}>",
    "relative with a colon": "DROP GRAPH <graph/ontology/x:y>",
    "unicode escape": "DROP GRAPH <graph/\\u0064erived>",
    "relative base": "BASE <graph/> DROP GRAPH <derived>",
}


@pytest.mark.parametrize("name", KEPT_UPDATES)
def test_kept_graphs_refuse_every_update_form(client, writable, name):
    before = dataset(writable)
    message = refused(client.post("/sparql", content=KEPT_UPDATES[name].encode(), headers=UPDATE), 403)
    assert "kept by the service" in message
    assert dataset(writable) == before  # derived and audit graphs included: nothing was written


@pytest.mark.parametrize("name", AMBIGUOUS_UPDATES)
def test_updates_the_parsers_could_read_differently_are_refused(client, writable, name):
    before = dataset(writable)
    refused(client.post("/sparql", content=AMBIGUOUS_UPDATES[name].encode(), headers=UPDATE), 400)
    assert dataset(writable) == before


T = "<urn:a> <urn:b> <urn:c>"
READINGS = [
    f"INSERT DATA {{ GRAPH <{CURATION}> {{ {T} }} }}",
    f"INSERT DATA {{ GRAPH <graph/x> {{ {T} }} GRAPH <../y> {{ {T} }} GRAPH <> {{ {T} }} GRAPH <#f> {{ {T} }} }}",
    f"INSERT DATA {{ GRAPH wkg:x {{ {T} }} }}",
    # declarations hold until redeclared, for the operations after them too (rdflib's own
    # translateUpdate re-applies the base and the predeclared prefixes before each operation)
    f"BASE <{B}/graph/> INSERT DATA {{ GRAPH <x> {{ {T} }} }} ; INSERT DATA {{ GRAPH <y> {{ {T} }} }}",
    f"PREFIX wkg: <{B}/graph/> INSERT DATA {{ GRAPH wkg:x {{ {T} }} }} ; INSERT DATA {{ GRAPH wkg:y {{ {T} }} }}",
    f"PREFIX g: <graph/> INSERT DATA {{ GRAPH g:x {{ {T} }} }} ; INSERT DATA {{ GRAPH g:y {{ {T} }} }}",
    f"INSERT DATA {{ {T} }} ; INSERT DATA {{ GRAPH <urn:g> {{ {T} }} }}",
    "PREFIX x: <urn:x:>",  # no operation at all
]


@pytest.mark.parametrize("text", READINGS)
def test_the_graphs_an_update_names_are_those_oxigraph_writes(text):
    """The static decision reads graph names as Oxigraph does (base, prefixes, relative IRIs)."""
    from workforce_kg.vocab import prefixes
    from workforce_kg.writes import change as writes

    plan = writes.check_update(text, B)
    st = ox.Store()
    st.update(text, base_iri=f"{B}/", prefixes=prefixes(B))
    written = {q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else safety.DEFAULT for q in st}
    assert set(plan.graphs) == written


def test_graph_store_writes_to_kept_graphs_are_refused(client, writable):
    before = dataset(writable)
    for method in ("put", "post", "delete"):
        for graph in (DERIVED, AUDIT, ONTOLOGY, f"{B}/graph/ontology/extra"):
            kwargs = (
                {}
                if method == "delete"
                else {"content": b"<urn:a> <urn:b> <urn:c> .", "headers": {**ALICE, "Content-Type": "text/turtle"}}
            )
            kwargs.setdefault("headers", ALICE)
            r = getattr(client, method)("/graph-store", params={"graph": graph}, **kwargs)
            assert "kept by the service" in refused(r, 403)
    assert dataset(writable) == before


def test_the_difference_check_catches_what_the_static_check_lets_through(tmp_path):
    """``GRAPH ?g`` is only known once evaluated: the write compares what changed and refuses it."""
    from workforce_kg.writes import change as writes

    st = stores.memory_store()
    req = writes.WriteRequest("update", "alice", update=KEPT_UPDATES["graph variable forge"])
    assert writes.check_update(req.update, B).any_graph
    with pytest.raises(writes.WriteError) as err:
        writes.change(st, req, B)
    assert err.value.status == 403 and DERIVED in err.value.message


def test_competency_questions_still_answer_right_after_the_attempts(client, writable):
    """Run after the attacks above (same module store): every competency question keeps its answer."""
    for text in list(KEPT_UPDATES.values())[:8]:
        client.post("/sparql", content=text.encode(), headers=UPDATE)
    kg = KnowledgeGraph.load(writable)
    wrong = [cq.name for cq in queries.load() if not queries.matches(kg, cq)]
    assert wrong == []


# -- what a write changed, graph by graph --------------------------------------------------------------


def graph_changes(client, activity: str) -> dict:
    rows = client.get(
        "/sparql",
        params={
            "query": f"""
        SELECT ?graph ?added ?removed WHERE {{ GRAPH <{AUDIT}> {{
            <{activity}> wkg:graphChange ?c . ?c wkg:triplesAdded ?added ; wkg:triplesRemoved ?removed
            OPTIONAL {{ ?c wkg:graph ?graph }} }} }}"""
        },
        headers={"Accept": "application/sparql-results+json"},
    )
    assert rows.status_code == 200, rows.text
    return {
        b.get("graph", {}).get("value", "default"): (int(b["added"]["value"]), int(b["removed"]["value"]))
        for b in rows.json()["results"]["bindings"]
    }


def test_the_audit_records_every_graph_a_write_changed(client, writable):
    other = CURATION + "-2"
    label = "http://www.w3.org/2004/02/skos/core#altLabel"
    nhse = f"{B}/id/organisation/nhse"
    r = client.post(
        "/sparql",
        headers=UPDATE,
        content=(
            f'INSERT DATA {{ GRAPH <{CURATION}> {{ <{nhse}> <{label}> "one"@en, "two"@en }} '
            f'GRAPH <{other}> {{ <{nhse}> <{label}> "three"@en }} }}'
        ).encode(),
    )
    assert r.status_code == 200, r.text
    assert graph_changes(client, r.json()["activity"]) == {CURATION: (2, 0), other: (1, 0)}
    r = client.post("/sparql", headers=UPDATE, content=f"DROP GRAPH <{CURATION}>".encode())
    assert r.status_code == 200, r.text
    assert r.json()["removed"] == 2
    assert graph_changes(client, r.json()["activity"]) == {CURATION: (0, 2)}
    r = client.post(
        "/sparql",
        headers=UPDATE,
        content=(
            f'DELETE {{ GRAPH ?g {{ ?s <{label}> "three"@en }} }} WHERE {{ GRAPH ?g {{ ?s <{label}> "three"@en }} }}'
        ).encode(),
    )
    assert r.status_code == 200, r.text
    assert graph_changes(client, r.json()["activity"]) == {other: (0, 1)}


def test_decisions_are_cached_by_text():
    safety.clear_cache()
    query = "SELECT * WHERE { ?s ?p ?o } LIMIT 1"
    safety.check_query(query, {})
    safety.check_query(query, {})
    assert safety.plan_query.cache_info().hits == 1
    with pytest.raises(safety.Refused):
        safety.check_query("SELECT * WHERE { SERVICE <urn:x> {} }", {})
    with pytest.raises(safety.Refused):
        safety.check_query("SELECT * WHERE { SERVICE <urn:x> {} }", {})
    assert safety.plan_query.cache_info().hits == 2
    json.dumps(safety.plan_query.cache_info()._asdict())
