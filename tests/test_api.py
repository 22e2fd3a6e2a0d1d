"""The /api routes through FastAPI's test client: contract, pagination, errors, as-of, matrix, network, exports."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import networkx as nx
import pytest
from fastapi.testclient import TestClient

from workforce_kg.analysis import accountability as acc
from workforce_kg.analysis.network import network
from workforce_kg.config import Settings
from workforce_kg.web.app import create_app


@pytest.fixture(scope="module")
def client(kg, tmp_path_factory):
    app = create_app(Settings(store=tmp_path_factory.mktemp("s")), kg)
    with TestClient(app) as c:
        yield c


def get(client, url, **kw):
    r = client.get(url, **kw)
    assert r.status_code == 200, r.text
    return r.json()


BASE_FIELDS = {"id", "iri", "label", "type"}


@pytest.mark.parametrize(
    "url, type_, fields",
    [
        ("/api/commitments", "commitment", {"statement", "ratings", "responsibilities", "sources"}),
        ("/api/bodies", "body", {"aliases", "jurisdiction", "parent", "successor"}),
        ("/api/programmes", "programme", {"serves", "responsibilities", "funding", "sources"}),
        ("/api/funding", "funding", {"amount_gbp", "period", "recurrence", "funder", "recipient", "sources"}),
        (
            "/api/ratings",
            "rating",
            {
                "commitment",
                "dimension",
                "value",
                "rank",
                "evaluation",
                "scale",
                "evaluator",
                "evaluation_date",
                "sources",
            },
        ),
        ("/api/figures", "figure", {"value", "unit", "evidences", "sources"}),
        ("/api/documents", "document", {"title", "citations"}),
    ],
)
def test_lists_follow_the_contract(client, url, type_, fields):
    page = get(client, url, params={"limit": 1000})
    assert set(page) == {"total", "limit", "offset", "items"} and page["total"] == len(page["items"]) > 0
    for item in page["items"]:
        assert BASE_FIELDS | fields <= set(item), url
        assert item["type"] == type_ and item["iri"].endswith("/" + item["id"])


def test_funding_amount_is_a_json_number(client):
    raw = client.get("/api/funding", params={"limit": 3}).text
    items = json.loads(raw)["items"]
    assert all(isinstance(f["amount_gbp"], (int, float)) for f in items)


def test_pagination(client):
    ten = get(client, "/api/commitments", params={"limit": 10})["items"]
    second = get(client, "/api/commitments", params={"limit": 5, "offset": 5})
    assert [c["id"] for c in second["items"]] == [c["id"] for c in ten[5:]]
    assert second["total"] == 132 and second["limit"] == 5 and second["offset"] == 5


def test_filters(client):
    scottish = get(client, "/api/commitments", params={"jurisdiction": "scotland", "limit": 1000})["items"]
    assert scottish and all("scotland" in {j["id"] for j in c["jurisdiction"]} for c in scottish)
    rated = get(client, "/api/commitments", params={"dimension": "overall", "value": "inadequate"})["items"]
    assert rated and all(
        any(r["dimension"]["id"] == "overall" and r["value"]["id"] == "inadequate" for r in c["ratings"]) for c in rated
    )
    regulators = get(client, "/api/bodies", params={"type": "regulator"})["items"]
    assert regulators and all(b["organisation_type"]["id"] == "regulator" for b in regulators)
    big = get(client, "/api/funding", params={"min_amount": 1e9})["items"]
    assert big and all(f["amount_gbp"] >= 1e9 for f in big)


def test_details(client):
    c = get(client, "/api/commitments/nurses-50k")
    assert c["label"] == "50,000 more nurses" and c["responsibilities"] and c["sources"]
    b = get(client, "/api/bodies/hee")
    assert b["successor"]["id"] == "nhse" and "HEE" in b["aliases"] and b["responsibilities"]
    assert get(client, "/api/programmes/long-term-workforce-plan")["type"] == "programme"
    assert get(client, "/api/funding/d001-clinical-placements-55m")["amount_gbp"] == 55_000_000


@pytest.mark.parametrize(
    "url",
    [
        "/api/commitments/nope",
        "/api/bodies/nope",
        "/api/programmes/nope",
        "/api/funding/nope",
        "/api/commitments/nope/accountability",
        "/api/bodies/nope/accountability",
        "/api/commitments/nhse",
        "/api/network/path?from=body:nobody&to=body:nhse",
    ],
)
def test_unknown_ids_are_404_json(client, url):
    r = client.get(url)
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/json")
    assert "nope" in r.json()["error"] or "nobody" in r.json()["error"] or "nhse" in r.json()["error"]


@pytest.mark.parametrize(
    "url, field",
    [
        ("/api/commitments?jurisdiction=mars", "jurisdiction"),
        ("/api/commitments?theme=nope", "theme"),
        ("/api/commitments?body=nobody", "body"),
        ("/api/commitments?role=owner", "role"),
        ("/api/commitments?dimension=x", "dimension"),
        ("/api/commitments?value=x", "value"),
        ("/api/commitments?document=x", "document"),
        ("/api/commitments?limit=-1", "limit"),
        ("/api/commitments?limit=abc", "limit"),
        ("/api/bodies?type=spaceship", "type"),
        ("/api/bodies?jurisdiction=x", "jurisdiction"),
        ("/api/funding?min_amount=5&max_amount=1", "min_amount"),
        ("/api/funding?min_amount=lots", "min_amount"),
        ("/api/funding?recipient=x", "recipient"),
        ("/api/ratings?value=x", "value"),
        ("/api/figures?unit=x", "unit"),
        ("/api/search?q=", "q"),
        ("/api/search", "q"),
        ("/api/commitments/nurses-50k/accountability?at=2023-13-01", "at"),
        ("/api/bodies/hee/accountability?at=yesterday", "at"),
        ("/api/accountability/matrix?of=bodies", "of"),
        ("/api/accountability/matrix?format=xml", "format"),
        ("/api/network/centrality?types=spaceship", "types"),
        ("/api/network/path?from=body:hee", "to"),
        ("/api/export/pdf", "format"),
        ("/api/export/graphml?focus=nothing", "focus"),
        ("/api/export/graphml?focus=body:hee&depth=99", "depth"),
        ("/api/export/gexf?roles=owner", "roles"),
        ("/api/export/gexf?types=spaceship", "types"),
    ],
)
def test_bad_filters_are_422_naming_the_field(client, url, field):
    r = client.get(url)
    assert r.status_code == 422, r.text
    assert field in {loc for d in r.json()["detail"] for loc in d["loc"]}


@pytest.mark.parametrize(
    "url, message",
    [
        ("/api/commitments/nope", "no commitment with id 'nope'"),
        ("/api/bodies/nope/accountability", "no body with id 'nope'"),
    ],
)
def test_core_not_found_becomes_exactly_one_error_key(client, url, message):
    """acc.NotFound raised by the core reaches the app's handler: 404 with only ``{"error": ...}``."""
    r = client.get(url)
    assert r.status_code == 404 and r.json() == {"error": message}


@pytest.mark.parametrize(
    "url, field, where",
    [
        ("/api/commitments?jurisdiction=mars", "jurisdiction", "query"),
        ("/api/export/pdf", "format", "path"),
        ("/api/accountability/matrix?format=xml", "format", "path"),
    ],
)
def test_core_invalid_filter_is_shaped_like_fastapi_validation(client, url, field, where):
    """acc.InvalidFilter becomes 422 ``{error, field, detail}`` with one detail naming where the field is."""
    r = client.get(url)
    assert r.status_code == 422
    body = r.json()
    assert set(body) == {"error", "field", "detail"} and body["field"] == field
    assert body["detail"] == [{"loc": [where, field], "msg": body["error"], "type": "value_error"}]


def test_matrix_refuses_unacceptable_media_with_json_error(client):
    r = client.get("/api/accountability/matrix", headers={"accept": "image/png"})
    assert r.status_code == 406 and r.json() == {"error": "the matrix is available as application/json or text/csv"}


def test_answers_are_sent_as_the_core_builds_them(client, kg):
    """The response models document the API; the bytes are the core's dict (integers stay integers, no
    ``null`` keys added for optional fields a hop does not have)."""
    r = client.get("/api/commitments/nurses-50k")
    assert r.json() == acc.get_commitment(kg, "nurses-50k") and '"target_value":50000,' in r.text
    r = client.get("/api/commitments/nurses-50k/accountability?at=2024-01-01")
    assert r.json() == acc.commitment_accountability(kg, "nurses-50k", date(2024, 1, 1))
    assert any("date" not in hop for chain in r.json()["chains"] for hop in chain["hops"])


def test_accountability_as_of_date(client):
    url = "/api/commitments/hee-support-medical-trainees-post-covid/accountability"
    direct_lead = lambda doc: [r for r in doc["responsibilities"] if r["role"]["id"] == "lead" and not r["via"]]  # noqa: E731
    before = get(client, url, params={"at": "2023-03-31"})
    assert before["at"] == "2023-03-31" and [r["body"]["id"] for r in direct_lead(before)] == ["hee"]
    after = get(client, url, params={"at": "2023-04-01"})
    [lead] = direct_lead(after)
    assert (
        lead["body"]["id"] == "nhse" and lead["original_body"]["id"] == "hee" and lead["transferred_on"] == "2023-04-01"
    )
    hee = get(client, "/api/bodies/hee/accountability", params={"at": "2024-01-01"})
    assert hee["active"] is False and hee["successor"]["id"] == "nhse" and hee["responsibilities"] == []
    nhse = get(client, "/api/bodies/nhse/accountability", params={"at": "2024-01-01"})
    assert [b["id"] for b in nhse["inherited_from"]] == ["hee"]


def test_chains_answer_who_is_accountable_for_50k_nurses(client):
    doc = get(client, "/api/commitments/nurses-50k/accountability")
    assert "dhsc" in {b["body"]["id"] for b in doc["bodies"] if "accountable" in b["roles"]}
    paths = [[n["id"] for n in c["path"]] for c in doc["chains"]]
    assert ["nurses-50k", "nurses-50k-delivery-update", "dhsc", "uk-government"] in paths


def test_matrix_json_and_csv_by_accept(client, kg):
    m = get(client, "/api/accountability/matrix")
    held = kg.rows("SELECT DISTINCT ?b ?s WHERE { ?r wkg:body ?b ; wkg:subject ?s . ?s a wkg:Commitment }")
    assert {r["b"].rsplit("/", 1)[1] for r in held} <= {b["id"] for b in m["bodies"]}
    assert {r["s"].rsplit("/", 1)[1] for r in held} <= {c["id"] for c in m["columns"]}
    r = client.get("/api/accountability/matrix", headers={"accept": "text/csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert len(rows) == 2 + len(m["bodies"]) and len(rows[0]) == 2 + len(m["columns"])
    programmes = get(client, "/api/accountability/matrix", params={"of": "programmes"})
    assert len(programmes["columns"]) == 191
    assert client.get("/api/accountability/matrix", headers={"accept": "image/png"}).status_code == 406


def test_gaps(client):
    g = get(client, "/api/gaps")
    assert set(g) == {
        "commitments_without_accountable_body",
        "programmes_without_lead",
        "programmes_without_funding",
        "inadequate_without_programme_or_funding",
        "figures_without_target",
    }
    assert all(v["count"] == len(v["items"]) for v in g.values())
    assert "nurses-50k" not in {c["id"] for c in g["commitments_without_accountable_body"]["items"]}


def test_search(client):
    page = get(client, "/api/search", params={"q": "Health Education England"})
    assert page["items"][0]["id"] == "hee" and page["items"][0]["score"] > 0
    only = get(client, "/api/search", params={"q": "nurses", "type": "programme"})["items"]
    assert only and all(i["type"] == "programme" for i in only)


def test_network_endpoints(client, kg):
    g = network(kg).graph
    top = get(client, "/api/network/centrality", params={"limit": 5})
    assert len(top["items"]) == 5 and top["nodes"] == g.number_of_nodes()
    comps = get(client, "/api/network/components", params={"members": 1})
    assert sum(c["size"] for c in comps["components"]) == g.number_of_nodes()
    path = get(client, "/api/network/path", params={"from": "body:hee", "to": "cmt:nurses-50k"})
    assert path["found"] and [n["id"] for n in path["nodes"]] == ["hee", "dhsc", "nurses-50k"]


@pytest.mark.parametrize(
    "fmt, media",
    [
        ("graphml", "application/graphml+xml"),
        ("gexf", "application/gexf+xml"),
        ("cytoscape", "application/json"),
        ("dot", "text/vnd.graphviz"),
        ("csv", "application/zip"),
        ("jsonld", "application/ld+json"),
        ("matrix-csv", "text/csv"),
    ],
)
def test_exports(client, fmt, media):
    r = client.get(f"/api/export/{fmt}", params={"focus": "body:hee", "depth": 1})
    assert r.status_code == 200 and r.headers["content-type"].startswith(media)
    assert "attachment" in r.headers["content-disposition"] and r.content


def test_export_focus_reads_back(client, kg):
    r = client.get("/api/export/graphml", params={"focus": "cmt:nurses-50k", "depth": 1, "roles": "accountable"})
    back = nx.read_graphml(io.BytesIO(r.content))
    assert "commitment_nurses_50k" in back and "body_dhsc" in back
    assert {d.get("role") for *_, d in back.edges(data=True)} <= {None, "accountable"}


def test_openapi_documents_every_route(client):
    spec = client.get("/openapi.json").json()
    routes = {p: ops["get"] for p, ops in spec["paths"].items() if p.startswith("/api/") and "get" in ops}
    expected = [
        "/api/commitments",
        "/api/commitments/{id}",
        "/api/commitments/{id}/accountability",
        "/api/bodies",
        "/api/bodies/{id}",
        "/api/bodies/{id}/accountability",
        "/api/programmes",
        "/api/funding",
        "/api/ratings",
        "/api/figures",
        "/api/documents",
        "/api/search",
        "/api/accountability/matrix",
        "/api/gaps",
        "/api/network/centrality",
        "/api/network/components",
        "/api/network/path",
        "/api/export/{format}",
    ]
    assert set(expected) <= set(routes)
    for path in expected:
        assert routes[path]["summary"] and routes[path]["description"], path
    example = routes["/api/commitments"]["responses"]["200"]["content"]["application/json"]["example"]
    assert example["items"][0]["id"] == "nurses-50k"
    assert "404" in routes["/api/commitments/{id}"]["responses"]


@pytest.mark.parametrize(
    "url, names",
    [
        ("/api/commitments?limit=abc", ["limit"]),
        ("/api/export/cytoscape?depth=x", ["depth"]),
        ("/api/commitments?limit=-5&offset=x", ["limit", "offset"]),
    ],
)
def test_unreadable_parameters_answer_one_error_line_and_the_detail(client, url, names):
    """FastAPI's own 422s carry the service's ``error`` line too (one shape for every 4xx), naming each
    parameter and the value given, beside FastAPI's ``detail`` list."""
    r = client.get(url)
    assert r.status_code == 422
    body = r.json()
    assert "\n" not in body["error"] and all(f"{n} (query)" in body["error"] for n in names)
    assert [d["loc"][-1] for d in body["detail"]] == names
    page = client.get(url, headers={"accept": "text/html"})
    assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")
    assert f"{names[0]} (query)" in page.text and '<nav aria-label="Site">' in page.text
