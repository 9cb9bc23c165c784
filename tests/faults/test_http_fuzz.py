"""The HTTP APIs of city_portal and one_stop, fuzzed from their OpenAPI descriptions.

No input may cause a 5xx, and every documented response must match its schema. Each
API is fuzzed twice: with no token (every protected route answers 401) and with the
tokens a caller would hold (an account's for the city portal, the clerks' of the desk
in the path or the official one for the desks), so the fuzzed bodies reach validation.
(Schemathesis's own pytest plugin does not support pytest 9 yet; the operations are
fuzzed with its Hypothesis strategies directly.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)

from contracts.people import PersonRole
from simulator.drive.driver import PortalAccount, PortalDriver
from simulator.scenarios.applicants import ApplicantPool, declared
from simulator.system.processes import ServiceCluster
from simulator.system.tokens import RunCredentials

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)


def fuzz_operations(base_url: str, token_for: Callable[[Any], str | None]) -> list[str]:
    """Fuzz every operation of the API with `token_for(case)`; the operations fuzzed."""
    schema = schemathesis.openapi.from_url(base_url + "/openapi.json")
    fuzzed = []
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # an Err would be a broken spec: fail loudly

        @FUZZ
        @given(case=operation.as_strategy())
        def check(case: Any) -> None:
            token = token_for(case)
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            case.call_and_validate(base_url=base_url, checks=CHECKS, headers=headers)

        check()
        fuzzed.append(f"{operation.method.upper()} {operation.path}")
    return fuzzed


@pytest.fixture(scope="module")
async def account_token(driver: PortalDriver, pool: ApplicantPool) -> str:
    """The token of an active account on the cluster's city portal."""
    person = declared(pool.adults[1], PersonRole.APPLICANT)
    response = await driver.open_account(person, client_ref="fuzz-holder")
    assert response.status_code == 201, response.text
    return PortalAccount.from_answer(response.json()).token


def desk_clerk(credentials: RunCredentials) -> Callable[[Any], str | None]:
    """The token of the desk a case's path names, else the official one."""

    def token_for(case: Any) -> str | None:
        unit = (case.path_parameters or {}).get("unit_code")
        return credentials.desk_token(str(unit)) or credentials.official

    return token_for


@pytest.mark.parametrize("service", ["city_portal", "one_stop"])
def test_an_api_never_answers_5xx_and_matches_its_schema_without_a_token(
    cluster: ServiceCluster, service: str
) -> None:
    fuzzed = fuzz_operations(cluster[service].url, lambda case: None)
    assert any(op.startswith("POST") for op in fuzzed), fuzzed


def test_the_city_portal_never_answers_5xx_to_an_account_holder(
    cluster: ServiceCluster, account_token: str
) -> None:
    fuzzed = fuzz_operations(cluster["city_portal"].url, lambda case: account_token)
    assert "POST /dossiers" in fuzzed, fuzzed


def test_the_desks_never_answer_5xx_to_their_clerks(cluster: ServiceCluster) -> None:
    fuzzed = fuzz_operations(cluster["one_stop"].url, desk_clerk(cluster.tokens))
    assert "POST /desks/{unit_code}/dossiers" in fuzzed, fuzzed
