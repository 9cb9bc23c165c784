"""Every procedure, online and at a desk, settles on the right portal; the rules hold end to end."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from contracts.catalogue import Portal, Procedure, load_catalogue
from contracts.people import DeclaredPerson, PersonRole
from simulator.drive.driver import PortalAccount, PortalDriver
from simulator.scenarios.applicants import ApplicantPool, DossierDraft, declared
from simulator.system.processes import ServiceCluster
from tests.system import START

CATALOGUE = load_catalogue()
PROCEDURES = CATALOGUE.procedures
DESK_UNIT = "00601"  # a ward of Đống Đa


async def account_for(driver: PortalDriver, person: DeclaredPerson) -> PortalAccount:
    response = await driver.open_account(person, client_ref=f"acct:{person.id_number}")
    assert response.status_code == 201, response.text
    return PortalAccount.from_answer(response.json())


async def submit_online(
    driver: PortalDriver, procedure: Procedure, draft: DossierDraft, ref: str, hours: int = 0
) -> str:
    account = await account_for(driver, draft.applicant)
    simtime = START + timedelta(hours=hours)
    answer = await driver.submit_online(account, procedure.code, draft, simtime, ref)
    return str(answer["dossier_code"])


async def settle_online_and_at_desk(
    driver: PortalDriver, pool: ApplicantPool, procedures: list[Procedure], ref: str
) -> dict[tuple[str, int], dict[str, Any]]:
    """Each procedure submitted once online and once at a desk; their views once settled."""
    codes: dict[tuple[str, int], str] = {}
    for procedure in procedures:
        draft = pool.draft(procedure)
        codes[("online", procedure.number)] = await submit_online(
            driver, procedure, draft, f"{ref}-online-{procedure.number}"
        )
        desk = await driver.submit_at_desk(
            DESK_UNIT,
            procedure.code,
            pool.draft(procedure),
            START,
            f"{ref}-desk-{procedure.number}",
        )
        codes[("desk", procedure.number)] = str(desk["dossier_code"])
    views = await driver.wait_settled(codes.values(), within=180)
    return {key: views[code] for key, code in codes.items()}


@pytest.fixture(scope="module")
async def every_procedure(
    driver: PortalDriver, pool: ApplicantPool
) -> dict[tuple[str, int], dict[str, Any]]:
    """All 25 procedures submitted once online and once at a desk, each settled."""
    return await settle_online_and_at_desk(driver, pool, list(PROCEDURES), "all")


def _expected_portal(procedure: Procedure) -> str:
    return Portal.NATIONAL_PORTAL.value if procedure.linked_steps else procedure.settled_by.value


@pytest.mark.parametrize("channel", ["online", "desk"])
@pytest.mark.parametrize("procedure", PROCEDURES, ids=lambda p: f"{p.number:02d}-{p.code}")
def test_each_procedure_settles_approved_on_its_portal(
    every_procedure: dict[tuple[str, int], dict[str, Any]], procedure: Procedure, channel: str
) -> None:
    view = every_procedure[(channel, procedure.number)]
    settlement = view["settlement"]
    assert settlement["outcome"] == "approved", settlement
    assert settlement["settled_by"] == _expected_portal(procedure)
    assert settlement["channel"] == channel


def test_every_dossier_timeline_runs_from_received_to_one_terminal_state(
    every_procedure: dict[tuple[str, int], dict[str, Any]],
) -> None:
    for view in every_procedure.values():
        statuses = [entry["status"] for entry in view["timeline"]]
        assert "received" in statuses
        terminal = [s for s in statuses if s in {"approved", "rejected"}]
        assert len(terminal) == 1, (view["dossier_code"], statuses)


async def test_marriage_with_an_already_married_party_is_rejected(
    driver: PortalDriver, pool: ApplicantPool
) -> None:
    husband, _wife = pool.couples[0]
    woman = pool.single_women[-1]
    draft = DossierDraft(
        [declared(husband, PersonRole.APPLICANT), declared(woman, PersonRole.SPOUSE)], {}
    )
    code = await submit_online(driver, CATALOGUE.by_number(11), draft, "married-again")
    settlement = (await driver.wait_settled([code]))[code]["settlement"]
    assert settlement["outcome"] == "rejected"
    assert settlement["reason_code"] == "already_married"
    assert "applicant" in settlement["reason_text"]


async def test_an_identity_mismatch_is_rejected_naming_the_field(
    driver: PortalDriver, pool: ApplicantPool
) -> None:
    person = pool.adult()
    account = await account_for(driver, declared(person, PersonRole.APPLICANT))
    typo = DeclaredPerson(
        role=PersonRole.APPLICANT,
        id_number=person.id_number,
        full_name=person.full_name + "x",
        birth_date=person.birth_date,
        sex=person.sex,
    )
    answer = await driver.submit_online(
        account, CATALOGUE.by_number(4).code, DossierDraft([typo], {}), START, "typo"
    )
    code = answer["dossier_code"]
    settlement = (await driver.wait_settled([code]))[code]["settlement"]
    assert settlement["reason_code"] == "identity_mismatch"
    assert "full_name" in settlement["reason_text"]


async def test_a_birth_yields_a_person_that_a_later_identity_check_finds(
    driver: PortalDriver, pool: ApplicantPool, cluster: ServiceCluster
) -> None:
    birth = pool.draft(CATALOGUE.by_number(9))
    code = await submit_online(driver, CATALOGUE.by_number(9), birth, "birth-then-check")
    await driver.wait_settled([code])
    view = await _wait_for(driver, code, lambda v: v.get("new_id_number"))
    child = await _person(cluster, view["new_id_number"])
    assert child["full_name"] == birth.form["child_full_name"]
    applicant = DeclaredPerson(
        role=PersonRole.APPLICANT,
        id_number=child["id_number"],
        full_name=child["full_name"],
        birth_date=child["birth_date"],
        sex=child["sex"],
    )
    stay = CATALOGUE.by_number(6)
    later = await submit_online(driver, stay, DossierDraft([applicant], {}), "child-stay", 2)
    assert (await driver.wait_settled([later]))[later]["settlement"]["outcome"] == "approved"


async def test_after_a_death_the_deceased_cannot_apply(
    driver: PortalDriver, pool: ApplicantPool, cluster: ServiceCluster
) -> None:
    death = pool.draft(CATALOGUE.by_number(10))
    deceased = death.persons[1]
    code = await submit_online(driver, CATALOGUE.by_number(10), death, "death")
    assert (await driver.wait_settled([code]))[code]["settlement"]["outcome"] == "approved"
    await _wait_for_person(cluster, str(deceased.id_number), alive=False)
    as_applicant = deceased.model_copy(update={"role": PersonRole.APPLICANT})
    answer = await driver.submit_online(
        await _any_account(driver, pool),
        CATALOGUE.by_number(6).code,
        DossierDraft([as_applicant], {}),
        START + timedelta(hours=3),
        "dead-applies",
    )
    later = answer["dossier_code"]
    settlement = (await driver.wait_settled([later]))[later]["settlement"]
    assert settlement["reason_code"] == "person_deceased"


async def test_a_linked_birth_group_settles_only_after_its_three_steps(
    driver: PortalDriver, pool: ApplicantPool, cluster: ServiceCluster
) -> None:
    group = CATALOGUE.by_number(15)
    code = await submit_online(driver, group, pool.draft(group), "linked-birth")
    view = (await driver.wait_settled([code], within=120))[code]
    statuses = [entry["status"] for entry in view["timeline"]]
    assert statuses.index("awaiting_steps") < statuses.index("approved")
    async with httpx.AsyncClient(base_url=cluster.urls["national_portal"]) as national:
        steps = (await national.get(f"/groups/{view['dossier_id']}")).json()["steps"]
    assert len(steps) == 3
    assert all(step["status"] == "approved" for step in steps)
    parent_settled = datetime.fromisoformat(view["settlement"]["settled_simtime"])
    assert all(datetime.fromisoformat(step["settled_simtime"]) <= parent_settled for step in steps)


async def _any_account(driver: PortalDriver, pool: ApplicantPool) -> PortalAccount:
    return await account_for(driver, declared(pool.adults[0], PersonRole.APPLICANT))


async def _wait_for(driver: PortalDriver, code: str, ready: Any, within: float = 30) -> Any:
    async with asyncio.timeout(within):
        while True:
            view = await driver.dossier(code)
            if view is not None and ready(view):
                return view
            await asyncio.sleep(0.1)


async def _person(cluster: ServiceCluster, id_number: str) -> Any:
    """population_db's record of a person."""
    async with httpx.AsyncClient(base_url=cluster.urls["population_db"]) as population:
        return (await population.get(f"/people/{id_number}")).json()


async def _wait_for_person(cluster: ServiceCluster, id_number: str, alive: bool) -> None:
    async with asyncio.timeout(30):
        while True:
            if (await _person(cluster, id_number))["alive"] == alive:
                return
            await asyncio.sleep(0.1)
