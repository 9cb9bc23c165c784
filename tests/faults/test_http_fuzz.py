"""The HTTP APIs of city_portal and one_stop, fuzzed from their OpenAPI descriptions.

No input may cause a 5xx, and every documented response must match its schema.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)

from simulator.processes import ServiceCluster

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)


@pytest.fixture(scope="session")
def city_portal_api(cluster: ServiceCluster) -> Any:
    return schemathesis.openapi.from_url(cluster["city_portal"].url + "/openapi.json")


@pytest.fixture(scope="session")
def one_stop_api(cluster: ServiceCluster) -> Any:
    return schemathesis.openapi.from_url(cluster["one_stop"].url + "/openapi.json")


city_portal = schemathesis.pytest.from_fixture("city_portal_api")
one_stop = schemathesis.pytest.from_fixture("one_stop_api")


@city_portal.parametrize()
@FUZZ
def test_city_portal_never_answers_5xx_and_matches_its_schema(case: Any) -> None:
    case.call_and_validate(checks=CHECKS)


@one_stop.parametrize()
@FUZZ
def test_one_stop_never_answers_5xx_and_matches_its_schema(case: Any) -> None:
    case.call_and_validate(checks=CHECKS)
