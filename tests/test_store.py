"""Stores: in memory and on disk, atomic builds, derived triples, base IRI."""

from __future__ import annotations

from pathlib import Path

import pytest

from workforce_kg.config import Settings
from workforce_kg.store import local as store
from workforce_kg.store.kg import KnowledgeGraph


def test_disk_store_matches_memory(kg, built_store):
    disk = KnowledgeGraph.load(built_store)
    assert len(disk) == len(kg) > 3000


def test_every_file_in_its_named_graph(kg):
    names = {g.value for g in kg.store.named_graphs()}
    base = "https://w3id.org/workforce-kg/graph/"
    assert base + "ontology/workforce" in names
    assert base + "graph/reference/organisations" in names
    assert base + "derived" in names


def test_role_shortcuts_are_derived(kg):
    rows = kg.rows("""
        SELECT ?subject ?body WHERE {
            ?r a wkg:Responsibility ; wkg:role role:lead ; wkg:subject ?subject ; wkg:body ?body .
            FILTER NOT EXISTS { ?subject wkg:leadBody ?body }
        }""")
    assert rows == []
    assert kg.ask("ASK { ?s wkg:leadBody ?b }")


def test_successor_is_derived(kg):
    assert kg.rows("SELECT ?s WHERE { body:hee wkg:successor ?s }") == [
        {"s": "https://w3id.org/workforce-kg/id/organisation/nhse"}
    ]


def test_superclass_types_are_derived(kg):
    assert kg.ask("ASK { cmt:ep-1-workforce-requirements a prov:Entity }")


def test_failed_build_keeps_old_store(tmp_path, monkeypatch):
    target = tmp_path / "st"
    store.build(target)
    before = len(store.open_store(target))
    bad = tmp_path / "bad.ttl"
    bad.write_text("this is not turtle .")
    with pytest.raises(store.StoreError) as err:
        store.build(target, store.bundled_files() + [store.SourceFile(bad, "graph/bad")])
    assert "bad.ttl" in str(err.value)
    assert len(store.open_store(target)) == before
    assert {p.name for p in tmp_path.iterdir()} == {"st", "bad.ttl"}  # no half-built leftovers


def test_rebased_store(tmp_path):
    target = tmp_path / "st"
    store.build(target, base="http://example.org/kg")
    kg = KnowledgeGraph.load(target)
    assert kg.base == "http://example.org/kg"
    assert kg.ask(
        "ASK { <http://example.org/kg/id/organisation/hee> wkg:successor <http://example.org/kg/id/organisation/nhse> }"
    )
    assert not kg.store.query(
        "ASK { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?s), 'https://w3id.org/workforce-kg/')) }"
    )
    # queries written against the canonical base (the competency questions) work unchanged
    from workforce_kg import cq as queries

    cq = next(q for q in queries.load() if q.name.startswith("cq03"))
    rows = kg.rows(cq.sparql)
    assert len(rows) == 7 and all(r["commitment"].startswith("http://example.org/kg/id/") for r in rows)


def test_settings_from_env(monkeypatch):
    for name, value in {
        "WORKFORCE_KG_PORT": "9001",
        "WORKFORCE_KG_BASE_IRI": "http://x.org/kg/",
        "WORKFORCE_KG_QUERY_TIMEOUT": "2.5",
        "WORKFORCE_KG_MAX_ROWS": "10",
        "WORKFORCE_KG_UPDATE_TOKEN": "",
    }.items():
        monkeypatch.setenv(name, value)
    s = Settings.from_env(port=9002)
    assert (s.port, s.base_iri, s.query_timeout, s.max_rows, s.writes_enabled) == (
        9002,
        "http://x.org/kg",
        2.5,
        10,
        False,
    )
    monkeypatch.setenv("WORKFORCE_KG_MAX_ROWS", "many")
    with pytest.raises(ValueError, match=r"^WORKFORCE_KG_MAX_ROWS='many' is not valid: .*integer"):
        Settings.from_env()


@pytest.mark.parametrize(
    "name, value, expected",
    [
        ("WORKFORCE_KG_CORS_ORIGINS", "https://a.org, https://b.org,", ("https://a.org", "https://b.org")),
        ("WORKFORCE_KG_QUERY_MEMORY", "512MiB", 512 << 20),
        ("WORKFORCE_KG_STORE", "remote:http://host/sparql", "remote:http://host/sparql"),
        ("WORKFORCE_KG_STORE", "/tmp/st", Path("/tmp/st")),
        ("WORKFORCE_KG_SOURCES", "/tmp/src", Path("/tmp/src")),
        ("WORKFORCE_KG_SANDBOX", "best-effort", "best-effort"),
    ],
)
def test_settings_read_each_kind_of_variable(monkeypatch, name, value, expected):
    monkeypatch.setenv(name, value)
    field = name.removeprefix("WORKFORCE_KG_").lower()
    assert getattr(Settings.from_env(), field) == expected


@pytest.mark.parametrize(
    "name, value, why",
    [
        ("WORKFORCE_KG_PORT", "eighty", "valid integer"),
        ("WORKFORCE_KG_SANDBOX", "maybe", "must be require, best-effort or off"),
        ("WORKFORCE_KG_QUERY_MEMORY", "lots", "expected a number of bytes"),
        ("WORKFORCE_KG_QUERY_MEMORY", "0", "must be more than 0"),
        ("WORKFORCE_KG_QUERY_TIMEOUT", "soon", "valid number"),
    ],
)
def test_bad_variables_fail_in_one_line_naming_them(monkeypatch, name, value, why):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError) as info:
        Settings.from_env()
    message = str(info.value)
    assert "\n" not in message and message.startswith(f"{name}={value!r} is not valid: ") and why in message


def test_settings_keywords_win_and_are_checked(monkeypatch, tmp_path):
    monkeypatch.setenv("WORKFORCE_KG_STORE", "/elsewhere")
    assert Settings(store=str(tmp_path)).store == tmp_path  # a str folder becomes a Path
    assert Settings.from_env(store=None).store == Path("/elsewhere")  # None: not given
    with pytest.raises(ValueError, match=r"^port='x' is not valid"):
        Settings.from_env(port="x")
    s = Settings(update_token="secret-token")
    assert "secret-token" not in repr(s)
    with pytest.raises(ValueError):  # frozen
        s.port = 1  # type: ignore[misc]
