"""On the SASL listener, each service as its own principal, the whole flow still runs.

Online and at a desk, on every kind of settling portal: the city portal, the population
database, the national portal (linked steps) and the one-stop desks all take part, each
with only the rights of deploy/rights.yaml.
"""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from contracts.catalogue import Portal, Procedure, load_catalogue
from simulator.drive.driver import PortalDriver
from simulator.scenarios.applicants import ApplicantPool
from simulator.system.processes import ServiceCluster
from tests.e2e.test_dossier_flow import settle_online_and_at_desk
from tests.faults.reading import read_topic
from tests.secure_broker import SecureKafka

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CATALOGUE = load_catalogue()


def _settling_portal(procedure: Procedure) -> str:
    return Portal.NATIONAL_PORTAL.value if procedure.linked_steps else procedure.settled_by.value


def _one_procedure_per_settling_portal() -> list[Procedure]:
    chosen: dict[str, Procedure] = {}
    for procedure in CATALOGUE.procedures:
        chosen.setdefault(_settling_portal(procedure), procedure)
    return list(chosen.values())


PROCEDURES = _one_procedure_per_settling_portal()


@pytest.fixture(scope="module")
async def settled(
    secure_driver: PortalDriver, pool: ApplicantPool
) -> dict[tuple[str, int], dict[str, Any]]:
    """One dossier per settling portal online and one at a desk, each settled."""
    return await settle_online_and_at_desk(secure_driver, pool, PROCEDURES, "secure")


def test_every_dossier_settles_approved_on_its_portal_with_rights_enforced(
    settled: dict[tuple[str, int], dict[str, Any]],
) -> None:
    assert {_settling_portal(p) for p in PROCEDURES} >= {"city_portal", "national_portal"}
    for (channel, number), view in settled.items():
        settlement = view["settlement"]
        assert settlement["outcome"] == "approved", (channel, number, settlement)
        assert settlement["settled_by"] == _settling_portal(CATALOGUE.by_number(number))
        assert settlement["channel"] == channel


def test_no_service_was_refused_by_the_broker(
    settled: dict[tuple[str, int], dict[str, Any]], secure_cluster: ServiceCluster
) -> None:
    for service in secure_cluster.services.values():
        log = service.log_path.read_text(errors="replace")
        assert "AuthorizationFailed" not in log, service.log_tail()
        assert service.is_running(), service.log_tail()


async def test_the_simulator_principal_reads_the_settlements(
    settled: dict[tuple[str, int], dict[str, Any]], secure_kafka: SecureKafka
) -> None:
    codes = {view["dossier_code"] for view in settled.values()}
    records = await read_topic(secure_kafka.access("simulator"), "dossier.settled")
    assert codes <= {code for r in records if (code := _settled_code(r.value))}


def _settled_code(value: bytes | None) -> str | None:
    """The dossier code of a settlement; None for what else the shared topic holds (poison)."""
    try:
        return str(orjson.loads(value or b"")["data"]["dossier_code"])
    except (orjson.JSONDecodeError, KeyError, TypeError):
        return None
