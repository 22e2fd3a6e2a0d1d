"""Hostile paths on the export, dump, vendor and Graph Store routes: never a file of the machine.

(Static and linked-data traversal, SPARQL refusals, escaping and upload refusals are tested with their
routes: test_page, test_linked_data, test_sparql, test_writes.)
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from workforce_kg.config import Settings
from workforce_kg.web.app import create_app


@pytest.fixture(scope="module")
def client(kg, tmp_path_factory):
    with TestClient(create_app(Settings(store=tmp_path_factory.mktemp("s")), kg)) as c:
        yield c


@pytest.mark.parametrize(
    "url, status",
    [
        ("/api/export/..%2f..%2fetc%2fpasswd", 404),
        ("/api/export/graphml/../../../etc/passwd", 404),
        ("/api/export/%2e%2e%2f%2e%2e%2fpyproject.toml", 404),
        ("/api/export/graphml?focus=file:///etc/passwd", 422),
        ("/dump.nq/../../etc/passwd", 404),
        ("/static/vendor/..%2f..%2f..%2fpyproject.toml", 404),
        ("/graph-store?graph=file:///etc/passwd", 404),
    ],
)
def test_traversal_and_file_iris_reach_no_file(client, url, status):
    r = client.get(url)
    assert r.status_code == status
    assert "root:" not in r.text and "[project]" not in r.text
    assert r.json()["error"]
