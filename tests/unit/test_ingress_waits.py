"""The ingress waits for a service known to be down instead of spending its retries on it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from simulator.drive.driver import DriverError, PortalDriver
from simulator.drive.http_client import TransportError
from simulator.drive.ingress import Ingress
from simulator.drive.observations import Observations

NOWHERE = dict.fromkeys(("city_portal", "one_stop", "population_db"), "http://127.0.0.1:9")


class Outage:
    """A service down for `seconds` from now, and known to be (an availability)."""

    def __init__(self, seconds: float) -> None:
        self.back_at = time.monotonic() + seconds
        self.attempts = 0

    def down(self) -> bool:
        return time.monotonic() < self.back_at

    async def until_up(self, service: str) -> bool:
        if not self.down():
            return False
        await asyncio.sleep(self.back_at - time.monotonic())
        return True

    async def call(self) -> str:
        """What calling the service gives: refused while it is down."""
        self.attempts += 1
        if self.down():
            raise TransportError("connection refused")
        return "answered"


@pytest.fixture
async def driver() -> AsyncIterator[PortalDriver]:
    async with PortalDriver(NOWHERE) as portal_driver:
        yield portal_driver


async def test_a_call_to_a_service_known_to_be_down_waits_for_its_return(
    driver: PortalDriver,
) -> None:
    outage = Outage(0.6)
    ingress = Ingress(driver, Observations(), 1, retry_for_s=0.2, availability=outage)
    assert await ingress.retrying(outage.call, "city_portal") == "answered"
    assert outage.attempts == 1


async def test_without_an_availability_a_call_gives_up_after_its_retry_budget(
    driver: PortalDriver,
) -> None:
    outage = Outage(5.0)
    ingress = Ingress(driver, Observations(), 1, retry_for_s=0.2)
    with pytest.raises(DriverError, match="gave up"):
        await ingress.retrying(outage.call, "city_portal")
