"""The population database with dirty records: checks fail until the cleaning reaches them."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from contracts.events import IdentityCheckCompleted, IdentityResult
from contracts.people import Sex
from tests.service.test_population_db_support import (
    adult,
    check_request,
    declared,
    running_service,
    settings_for,
)

#: Every adult's record is dirty: 60+ as people with merit, the others as moved residents.
ALL_ADULTS_DIRTY = {"dirty_merit_share": 1.0, "dirty_moved_share": 1.0}


async def _answer(tmp_path: Path, **settings: Any) -> IdentityCheckCompleted:
    person = adult(Sex.FEMALE)
    values = {"records_as_of": date(2026, 3, 2), **ALL_ADULTS_DIRTY, **settings}
    answers: list[IdentityCheckCompleted] = []
    async for service in running_service(settings_for(tmp_path, **values)):
        request = check_request(person.id_number, declared(person))
        await service.send("identity.check.requested", request)
        answers += service.events("identity.check.completed", IdentityCheckCompleted)
    [completed] = answers
    return completed


async def test_a_true_declaration_against_a_dirty_record_fails_naming_its_category(
    tmp_path: Path,
) -> None:
    completed = await _answer(tmp_path)
    assert completed.result is IdentityResult.MISMATCH
    assert completed.mismatched_fields in (["record_moved"], ["record_merit"])
    assert completed.detail.startswith(completed.mismatched_fields[0])


async def test_a_record_the_cleaning_has_reached_matches(tmp_path: Path) -> None:
    # the check is at 09:30 on the campaign's first day; 100,000 a day clean them all by then
    completed = await _answer(tmp_path, record_cleaning_per_day=100_000)
    assert completed.result is IdentityResult.MATCH


async def test_without_dirty_shares_the_records_are_as_clean_as_before(tmp_path: Path) -> None:
    completed = await _answer(tmp_path, dirty_merit_share=0.0, dirty_moved_share=0.0)
    assert completed.result is IdentityResult.MATCH
