"""Accounts end to end: foreigners are refused by default and accepted under the policy."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from contracts.people import DeclaredPerson, PersonRole, Sex
from simulator.drive.driver import PortalDriver
from simulator.system.processes import ServiceCluster
from simulator.system.settings import with_values

FOREIGNER = DeclaredPerson(
    role=PersonRole.APPLICANT,
    passport_number="M1234567",
    nationality="KR",
    full_name="Kim Min-jun",
    birth_date=date(1991, 4, 2),
    sex=Sex.MALE,
)


@pytest.fixture
def foreigners_policy(cluster: ServiceCluster) -> Iterator[None]:
    """The city portal restarted with foreigners allowed to register, then restored."""
    city = cluster["city_portal"]
    original = city.settings
    city.stop()
    city.settings = with_values(original, foreigners_may_register=True)
    city.start()
    city.wait_healthy()
    yield
    city.stop()
    city.settings = original
    city.start()
    city.wait_healthy()


async def test_a_foreigner_is_refused_an_account_by_default(driver: PortalDriver) -> None:
    response = await driver.open_account(FOREIGNER, client_ref="foreigner-default")
    assert response.status_code == 403
    assert response.json()["reason"] == "foreigners cannot register"


@pytest.mark.usefixtures("foreigners_policy")
async def test_a_foreigner_gets_an_account_under_the_policy(driver: PortalDriver) -> None:
    response = await driver.open_account(FOREIGNER, client_ref="foreigner-policy")
    assert response.status_code == 201
    assert response.json()["status"] == "active"
