"""Shared, expensive fixtures at session scope."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from workforce_kg import sources, store
from workforce_kg.kg import KnowledgeGraph


@pytest.fixture(scope="session")
def sources_dir() -> Path:
    """The source texts; fail (not skip) when CI is set and they are missing."""
    folder = sources.sources_dir()
    if not folder.is_dir():
        message = f"source texts not found at {folder} (set WORKFORCE_KG_SOURCES)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return folder


@pytest.fixture(scope="session")
def graph():
    """Ontology and graph merged in one rdflib Graph."""
    return store.rdflib_graph()


@pytest.fixture(scope="session")
def kg() -> KnowledgeGraph:
    """The bundled graph in an in-memory Oxigraph store."""
    return KnowledgeGraph.load()


@pytest.fixture(scope="session")
def built_store(tmp_path_factory) -> Path:
    """An on-disk store built from the bundled graph."""
    path = tmp_path_factory.mktemp("store") / "store"
    store.build(path)
    return path
