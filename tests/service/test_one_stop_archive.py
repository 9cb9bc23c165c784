"""The desks' electronic archive: digitised dossiers kept, reused by the same applicant."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from contracts.worktime import working_days_between
from tests.service.test_one_stop_harness import RECEIVED, Desk, intake_body, open_desk

LATER = "2026-03-03T09:30:00+07:00"


@pytest.fixture
async def archiving(tmp_path: Path) -> AsyncIterator[Desk]:
    async for harness in open_desk(
        tmp_path, scan_failure_rate=0.0, desk_capacity_per_day=4, e_archive=True
    ):
        yield harness


@pytest.fixture
async def paper_only(tmp_path: Path) -> AsyncIterator[Desk]:
    async for harness in open_desk(tmp_path, scan_failure_rate=0.0, desk_capacity_per_day=4):
        yield harness


async def _twice(desk: Desk, second: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    first = (await desk.client.post("/desks/001/dossiers", json=intake_body())).json()
    body = intake_body(client_ref="desk-2", received_simtime=LATER, **(second or {}))
    again = (await desk.client.post("/desks/001/dossiers", json=body)).json()
    return [first, again]


def _scan_days(accepted: dict[str, Any], received: str) -> float:
    done = datetime.fromisoformat(str(accepted["digitised_simtime"]))
    return working_days_between(datetime.fromisoformat(received), done)


async def test_a_later_dossier_of_the_same_applicant_reuses_the_archived_one(
    archiving: Desk,
) -> None:
    first, again = await _twice(archiving)
    received = archiving.events("desk.dossier.received")
    assert [e["data"]["reused_documents"] for e in received] == [[], [first["dossier_code"]]]
    assert _scan_days(first, RECEIVED) == pytest.approx(0.25, abs=0.01)  # 4 a day
    assert _scan_days(again, LATER) == pytest.approx(0.125, abs=0.01)  # half: papers reused


async def test_another_applicant_reuses_nothing(archiving: Desk) -> None:
    other = {"persons": [intake_body()["persons"][0] | {"id_number": "001087054321"}]}
    await _twice(archiving, other)
    received = archiving.events("desk.dossier.received")
    assert [e["data"]["reused_documents"] for e in received] == [[], []]


async def test_without_the_archive_nothing_is_kept_nor_reused(paper_only: Desk) -> None:
    _, again = await _twice(paper_only)
    received = paper_only.events("desk.dossier.received")
    assert [e["data"]["reused_documents"] for e in received] == [[], []]
    assert _scan_days(again, LATER) == pytest.approx(0.25, abs=0.01)
