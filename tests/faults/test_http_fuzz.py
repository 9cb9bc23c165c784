"""The HTTP APIs of the four services, fuzzed from their OpenAPI documents with every check.

Schemathesis runs as `st run --checks all` would (`tests/faults/fuzzing.py`): no 5xx, every
status, content type, header and body as the document says, schema-valid data accepted,
invalid data refused, auth not ignored. Each public API is fuzzed without a token (every
protected route answers 401) and with the tokens its callers hold: an account's and an
official's for the city portal; for the desks, the clerks' of the desk in the path and the
official one for the clock. Every service's operations API (`/ops`) takes the official
token: the internal APIs (population_db, national_portal) are fuzzed without a token and
with it. A run with the official token may pause a service or change its policies: each
is reset and resumed after it, so the shared cluster goes on with its defaults. The one
check configured off is in `EXEMPTIONS`, with its reason.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from contracts.people import PersonRole
from simulator.drive.driver import PortalAccount, PortalDriver
from simulator.scenarios.applicants import ApplicantPool, declared
from simulator.system.processes import ServiceCluster
from simulator.system.tokens import RunCredentials
from tests.faults.fuzzing import Exemption, Fuzzed, TokenFor, fuzz

#: Examples per operation and phase (Hypothesis's max_examples) and steps of a stateful
#: scenario: bounded so that the group takes a few minutes on two shared cores.
MAX_EXAMPLES = 15
STATEFUL_STEPS = 8

#: Checks configured off for one operation of a service, each for its reason.
EXEMPTIONS = {
    "city_portal": (
        Exemption(
            "GET",
            "/accounts/{account_id}",
            "ensure_resource_availability",
            why="an account is read with its own token, which only the registration's answer "
            "carries; the stateful phase reads an account it has just registered with the "
            "run's token, another account's, and another holder's account answers 404 exactly "
            "like an unknown one, by design (docs/security.md). Here fuzzed registrations are "
            "refused (403: unknown identities, foreigners may not register), so nothing is "
            "created to read; a registration accepted (201, 202) would fail the check",
        ),
        Exemption(
            "PATCH",
            "/ops/policies",
            "positive_data_acceptance",
            why="routing overrides must leave a consistent catalogue (a linked group's steps "
            "and their portals), a rule across entries that the schema cannot state; a change "
            "that breaks it is refused 422 naming routing_overrides "
            "(tests/security/http/test_operations_api.py)",
        ),
    ),
    "one_stop": (
        Exemption(
            "PATCH",
            "/ops/policies",
            "positive_data_acceptance",
            why="desk_capacity_overrides is keyed by Hanoi unit codes (30 districts, 579 "
            "communes), a set the schema gives as a pattern; a key of the pattern that is no "
            "unit is refused 422 naming the field",
        ),
    ),
}

#: The operations API every service mounts (services/kit/operations.py).
OPS = {
    "GET /ops/policies",
    "PATCH /ops/policies",
    "POST /ops/policies/reset",
    "POST /ops/consumption/pause",
    "POST /ops/consumption/resume",
}

#: What every run must have fuzzed: each operation of the service's document.
OPERATIONS = {
    "city_portal": {
        "GET /healthz",
        "GET /metrics",
        "POST /accounts",
        "GET /accounts/{account_id}",
        "POST /dossiers",
        "GET /dossiers/{code}",
        "GET /procedures",
        "GET /stats",
        *OPS,
    },
    "one_stop": {
        "GET /healthz",
        "GET /metrics",
        "POST /desks/{unit_code}/dossiers",
        "GET /desks",
        "GET /desks/{unit_code}",
        "POST /desks/clock",
        *OPS,
    },
    "population_db": {
        "GET /healthz",
        "GET /metrics",
        "GET /people/{id_number}",
        "GET /stats",
        *OPS,
    },
    "national_portal": {
        "GET /healthz",
        "GET /metrics",
        "GET /dossiers/{dossier_id}",
        "GET /groups/{parent_dossier_id}",
        *OPS,
    },
}


#: Checks every run must have made (schemathesis runs all its checks; these are the ones
#: the issue named, so that an upgrade leaving one out is noticed).
CHECKS = {
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "positive_data_acceptance",
    "ignored_auth",
    "unsupported_method",
}


def fuzzed(cluster: ServiceCluster, service: str, token_for: TokenFor | None) -> Fuzzed:
    """The service fuzzed with every check; fails listing each problem found."""
    try:
        result = fuzz(
            cluster[service].url,
            token_for,
            exemptions=EXEMPTIONS.get(service, ()),
            max_examples=MAX_EXAMPLES,
            stateful_steps=STATEFUL_STEPS,
        )
    finally:
        back_to_defaults(cluster, service)
    assert not result.failures and not result.errors, result.report()
    assert set(result.cases) == OPERATIONS[service], result.cases
    assert set(result.checks) >= CHECKS, result.checks
    print(f"{service}: {result.total} cases in {result.seconds:.0f} s, {dict(result.phases)}")
    return result


def back_to_defaults(cluster: ServiceCluster, service: str) -> None:
    """The service's policies reset and its consumption resumed (what fuzzing changed)."""
    headers = {"Authorization": f"Bearer {cluster.tokens.official}"}
    for path in ("/ops/policies/reset", "/ops/consumption/resume"):
        answer = httpx.post(cluster[service].url + path, headers=headers, timeout=30)
        assert answer.status_code == 200, answer.text


@pytest.fixture(scope="module")
async def account_token(driver: PortalDriver, pool: ApplicantPool) -> str:
    """The token of an active account on the cluster's city portal."""
    person = declared(pool.adults[1], PersonRole.APPLICANT)
    response = await driver.open_account(person, client_ref="fuzz-holder")
    assert response.status_code == 201, response.text
    return PortalAccount.from_answer(response.json()).token


def desk_clerk(credentials: RunCredentials) -> TokenFor:
    """The token of the desk a case's path names, else the official one."""

    def token_for(case: Any) -> str | None:
        unit = (case.path_parameters or {}).get("unit_code")
        return credentials.desk_token(str(unit)) or credentials.official

    return token_for


@pytest.mark.parametrize("service", ["city_portal", "one_stop", "population_db", "national_portal"])
def test_an_api_meets_every_check_without_a_token(cluster: ServiceCluster, service: str) -> None:
    fuzzed(cluster, service, None)


def test_the_city_portal_meets_every_check_for_an_account_holder(
    cluster: ServiceCluster, account_token: str
) -> None:
    result = fuzzed(cluster, "city_portal", lambda case: account_token)
    assert result.statuses["POST /dossiers", 202] > 0, result.statuses


def test_the_city_portal_meets_every_check_for_an_official(cluster: ServiceCluster) -> None:
    result = fuzzed(cluster, "city_portal", lambda case: cluster.tokens.official)
    assert result.statuses["GET /stats", 200] > 0, result.statuses


def test_the_desks_meet_every_check_for_their_clerks(cluster: ServiceCluster) -> None:
    result = fuzzed(cluster, "one_stop", desk_clerk(cluster.tokens))
    assert result.statuses["POST /desks/{unit_code}/dossiers", 202] > 0, result.statuses
    assert result.statuses["POST /desks/clock", 200] > 0, result.statuses


@pytest.mark.parametrize("service", ["population_db", "national_portal"])
def test_an_internal_api_meets_every_check_for_an_official(
    cluster: ServiceCluster, service: str
) -> None:
    result = fuzzed(cluster, service, lambda case: cluster.tokens.official)
    assert result.statuses["GET /ops/policies", 200] > 0, result.statuses
