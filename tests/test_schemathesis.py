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
    from workforce_kg.app import create_app
    from workforce_kg.config import Settings

    return create_app(Settings()).openapi()


OPENAPI = _schema()
schema = schemathesis.openapi.from_dict(copy.deepcopy(OPENAPI), config=SchemathesisConfig.from_dict(CONFIG))


def test_served_schema_is_the_fuzzed_one(live_server):
    import httpx

    assert httpx.get(live_server.url + "/openapi.json").json() == OPENAPI


@schema.parametrize()
def test_openapi_operation(case, live_server):
    case.call_and_validate(base_url=live_server.url)
