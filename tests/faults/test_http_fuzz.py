"""The HTTP APIs of city_portal and one_stop, fuzzed from their OpenAPI descriptions.

No input may cause a 5xx, and every documented response must match its schema.
(Schemathesis's own pytest plugin does not support pytest 9 yet; the operations are
fuzzed with its Hypothesis strategies directly.)
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)

from simulator.processes import ServiceCluster

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)


def fuzz_operations(base_url: str) -> list[str]:
    """Fuzz every operation of the API; the operations fuzzed."""
    schema = schemathesis.openapi.from_url(base_url + "/openapi.json")
    fuzzed = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @FUZZ
        @given(case=operation.as_strategy())
        def check(case: Any) -> None:
            case.call_and_validate(base_url=base_url, checks=CHECKS)

        check()
        fuzzed.append(f"{operation.method.upper()} {operation.path}")
    return fuzzed


@pytest.mark.parametrize("service", ["city_portal", "one_stop"])
def test_an_api_never_answers_5xx_and_matches_its_schema(
    cluster: ServiceCluster, service: str
) -> None:
    fuzzed = fuzz_operations(cluster[service].url)
    assert any(op.startswith("POST") for op in fuzzed), fuzzed
