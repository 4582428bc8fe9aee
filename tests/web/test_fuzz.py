"""Property-based fuzzing of the whole HTTP API from its own OpenAPI schema (schemathesis, in-process ASGI).

Every operation gets up to MAX_EXAMPLES generated requests, valid and invalid, derandomized so a run is
repeatable. Each response must not be a 5xx, and its status, content type and body must match the schema.
Run with `-s` to see the figures (requests per operation, failures).
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from app.main import create_app
from tests.conftest import FIXTURE_CONTENT, make_settings

MAX_EXAMPLES = 30
TOKEN = "fuzz-admin-token"
REQUESTS: Counter[str] = Counter()


# Built at import because schemathesis parametrizes from a schema object; the directory goes at exit.
_TMP = tempfile.TemporaryDirectory(prefix="threshold-fuzz-")
# Rate limiting is off here: one fuzzing client would use up any sane budget (tests/web/test_security.py covers
# the 429s). Admin is on, so its endpoints are fuzzed behind the token as well.
APP = create_app(make_settings(Path(_TMP.name), FIXTURE_CONTENT, rate_limit="off", admin_token=TOKEN))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def figures() -> Iterator[None]:
    yield
    print(f"\nfuzzing figures: {sum(REQUESTS.values())} requests over {len(REQUESTS)} operations")
    for label, count in sorted(REQUESTS.items()):
        print(f"  {count:4d}  {label}")


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_api_survives_generated_requests(case: Any) -> None:
    REQUESTS[case.operation.label] += 1
    case.call_and_validate(
        headers={"Authorization": f"Bearer {TOKEN}"},
        checks=[not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance],
    )
