"""Schemathesis against the service's own OpenAPI schema, on a real server (bounded; runs in CI).

Every operation in ``/openapi.json`` is covered — the list comes from the schema, so routes added later
(writes included) are fuzzed too. Each generated request must not get a 5xx, and each response must be
documented: its status code is declared for the operation, its content type is one the operation
declares, and a JSON body matches the declared schema.

Bounded and reproducible: a fixed seed, deterministic generation, no Hypothesis deadline, a few
examples per operation (``WORKFORCE_KG_FUZZ_EXAMPLES``, default 8), no stateful phase.
"""

from __future__ import annotations

import copy
import os

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig

MAX_EXAMPLES = int(os.environ.get("WORKFORCE_KG_FUZZ_EXAMPLES", "8"))
SEED = 20240808

CONFIG = {
    "seed": SEED,
    "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "no-shrink": False},
    "phases": {
        "examples": {"enabled": True},
        "coverage": {"enabled": True},
        "fuzzing": {"enabled": True},
        "stateful": {"enabled": False},
    },
    "request-timeout": 30,
    # Filters that name nothing in the graph (an unknown body, type, ...) are schema-valid strings that the
    # API rightly answers 422 (documented); the vocabularies are data, not enums in the schema.
    # And query strings are text: "-5e16" where a string is declared is still a string to the server, so
    # "schema-violating request accepted" would flag every free-text parameter.
    "checks": {"positive_data_acceptance": {"enabled": False}, "negative_data_rejection": {"enabled": False}},
}


def _schema() -> dict:
    """The OpenAPI document the app serves (built without starting it; checked against the served one below)."""
    from workforce_kg.config import Settings
    from workforce_kg.web.app import create_app

    return create_app(Settings()).openapi()


OPENAPI = _schema()
schema = schemathesis.openapi.from_dict(copy.deepcopy(OPENAPI), config=SchemathesisConfig.from_dict(CONFIG))


def test_served_schema_is_the_fuzzed_one(live_server):
    import httpx

    assert httpx.get(live_server.url + "/openapi.json").json() == OPENAPI


@schema.parametrize()
def test_openapi_operation(case, live_server):
    case.call_and_validate(base_url=live_server.url)


# -- numeric edge values: every number or integer query parameter in the schema ----------------------

EDGE_NUMBERS = [
    "inf",
    "-inf",
    "Infinity",
    "nan",
    "NaN",
    "1e400",
    "-1e400",
    "1e-400",
    "-0",
    "1" + "0" * 400,
    "-" + "9" * 40,
    "0x10",
    "1_000",
]


def _numeric_parameters() -> list[tuple[str, str, str]]:
    """(method, path, parameter) for each query parameter declared as a number or an integer."""
    found = []
    for path, item in OPENAPI["paths"].items():
        for method, op in item.items():
            for param in op.get("parameters", []):
                schemas = [param.get("schema", {}), *param.get("schema", {}).get("anyOf", [])]
                if param["in"] == "query" and any(s.get("type") in ("number", "integer") for s in schemas):
                    found.append((method.upper(), path, param["name"]))
    return found


NUMERIC = _numeric_parameters()


def test_numeric_parameters_are_found():
    assert ("GET", "/api/funding", "min_amount") in NUMERIC and ("GET", "/api/funding", "max_amount") in NUMERIC
    assert len(NUMERIC) >= 5


@pytest.mark.parametrize("method, path, name", NUMERIC)
def test_numeric_edge_values_get_no_5xx(method, path, name, live_server):
    """Non-finite, huge, tiny and odd spellings of numbers: a normal answer or a 4xx with a message."""
    import re

    import httpx

    url = live_server.url + re.sub(r"\{[^}]+\}", "x", path)
    for value in EDGE_NUMBERS:
        r = httpx.request(method, url, params={name: value}, timeout=30)
        assert r.status_code < 500, (path, name, value, r.status_code, r.text[:300])
        if r.status_code >= 400 and r.headers.get("content-type", "").startswith("application/json"):
            body = r.json()
            assert body.get("error") or body.get("detail"), (path, name, value, body)


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "1e400", "1" + "0" * 400])
@pytest.mark.parametrize("name", ["min_amount", "max_amount"])
def test_non_finite_amount_is_422(value, name, live_server):
    import httpx

    r = httpx.get(live_server.url + "/api/funding", params={name: value}, timeout=30)
    assert r.status_code == 422 and "finite" in r.json()["error"], r.text
