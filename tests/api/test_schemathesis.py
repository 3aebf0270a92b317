"""Property-based requests generated from the OpenAPI schema: no operation answers with a server error.

Runs as the administrator, so requests get past authorisation and reach the commands.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from tests.api.conftest import Web, build_cooperative, make_web

EXAMPLES_PER_OPERATION = 30


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web]:
    folder: Path = tmp_path_factory.mktemp("schemathesis")
    asiento = build_cooperative(f"sqlite:///{folder}/asiento.db")
    try:
        yield make_web(asiento)
    finally:
        asiento.close()


@pytest.fixture(scope="module")
def api_schema(fuzzed: Web) -> Any:
    return schemathesis.openapi.from_asgi(
        "/api/v1/openapi.json", fuzzed.app, headers=fuzzed.as_("administrator")
    )


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_no_server_errors(case: Any, fuzzed: Web) -> None:
    case.call_and_validate(headers=fuzzed.as_("administrator"), checks=[not_a_server_error])
