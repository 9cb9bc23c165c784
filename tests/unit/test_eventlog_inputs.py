"""A log's inputs: what a replay hands in again, in which order; how fast."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from contracts.events import (
    AccountKind,
    AccountRegistered,
    AccountStatus,
    Channel,
    DeskDossierReceived,
    DeskQueueChanged,
)
from simulator.eventlog import EventLogReader
from simulator.replay.inputs import InputFilter, Inputs, extract_inputs
from simulator.replay.replayer import Pace
from tests.eventlogs import LogBuilder
from tests.factories import SIMTIME, applicant, submission


def account(account_id: str, ref: str) -> AccountRegistered:
    return AccountRegistered(
        account_id=account_id,
        kind=AccountKind.CITIZEN,
        status=AccountStatus.ACTIVE,
        person=applicant(),
        client_ref=ref,
    )


def intake(dossier_id: str, unit: str = "00101", minutes: int = 0) -> DeskDossierReceived:
    return DeskDossierReceived(
        dossier_id=dossier_id,
        dossier_code=f"{unit}-260302-6000",
        unit_code=unit,
        client_ref=f"ref-{dossier_id}",
        procedure_code="1.004194",
        persons=[applicant()],
        received_simtime=SIMTIME + timedelta(minutes=minutes),
    )


def inputs_of(builder: LogBuilder, path: Path, selection: InputFilter | None = None) -> Inputs:
    log = builder.write(path)
    return extract_inputs(EventLogReader(log), str(log), selection)


def test_accounts_online_desk_and_injected_dossiers_are_inputs_and_nothing_else(
    tmp_path: Path,
) -> None:
    builder = LogBuilder()
    builder.add("account.registered", account("a1", "holder:1"))
    builder.add("dossier.submitted", submission(dossier_id="on1", account_id="a1"))
    builder.add("desk.dossier.received", intake("desk1"), service="one_stop")
    builder.add(
        "dossier.submitted",
        submission(dossier_id="desk1", channel=Channel.DESK),
        service="one_stop",
    )
    builder.add(
        "dossier.submitted",
        submission(dossier_id="step", channel=Channel.LINKED, parent_dossier_id="on1"),
        service="national_portal",
    )
    builder.add("dossier.submitted", submission(dossier_id="inj1"), service="simulator")
    builder.dossier("on2")  # an online dossier whose account is not in the log
    found = inputs_of(builder, tmp_path / "log.jsonl")
    assert [(i.kind, i.key) for i in found.items] == [
        ("account", "a1"),
        ("online", "on1"),
        ("desk", "desk1"),
        ("injected", "inj1"),
    ]
    assert found.dossier_ids == {"on1", "desk1", "inj1"}
    assert found.unreplayable == ["dossier on2: submitted online without account"]


def test_inputs_follow_wall_order_and_duplicates_count_once(tmp_path: Path) -> None:
    builder = LogBuilder()
    builder.add(
        "dossier.submitted", submission(dossier_id="late"), service="simulator", timestamp=30
    )
    builder.add(
        "dossier.submitted", submission(dossier_id="early"), service="simulator", timestamp=10
    )
    builder.lines.append(builder.lines[0])  # redelivered
    found = inputs_of(builder, tmp_path / "log.jsonl")
    assert [i.key for i in found.items] == ["early", "late"]


def test_desk_dossiers_of_one_unit_keep_the_order_the_desk_took_them_in(tmp_path: Path) -> None:
    builder = LogBuilder(service="one_stop")
    # Kafka timestamps say b, a, c; the desk's queue (one partition, in intake order) a, b.
    builder.add("desk.dossier.received", intake("b"), partition=1, timestamp=10)
    builder.add("desk.dossier.received", intake("a"), partition=2, timestamp=11)
    builder.add("desk.dossier.received", intake("c", unit="002"), partition=0, timestamp=12)
    for dossier_id in ("a", "b"):
        builder.add(
            "desk.queue.changed",
            DeskQueueChanged(unit_code="00101", queue_length=1, dossier_id=dossier_id),
        )
    found = inputs_of(builder, tmp_path / "log.jsonl")
    assert [i.key for i in found.items] == ["a", "b", "c"]


def test_online_dossiers_of_one_unit_and_day_keep_the_order_of_their_codes(
    tmp_path: Path,
) -> None:
    # two dossiers held for one account, released together: logged in the same
    # millisecond, the second code first; another unit's dossier between them
    builder = LogBuilder()
    builder.add("account.registered", account("a1", "holder:1"), timestamp=5)
    for dossier_id, code in (("second", "008-260302-0002"), ("other", "009-260302-0001")):
        sub = submission(dossier_id=dossier_id, dossier_code=code, account_id="a1")
        builder.add("dossier.submitted", sub, timestamp=10)
    first = submission(dossier_id="first", dossier_code="008-260302-0001", account_id="a1")
    builder.add("dossier.submitted", first, timestamp=10)
    found = inputs_of(builder, tmp_path / "log.jsonl")
    assert [i.key for i in found.items] == ["a1", "first", "other", "second"]


def test_an_online_dossier_whose_code_is_not_a_dossier_code_keeps_its_wall_order(
    tmp_path: Path,
) -> None:
    builder = LogBuilder()
    builder.add("account.registered", account("a1", "holder:1"), timestamp=5)
    codes = (("late", "008-260302-0002"), ("odd", "not-a-code"), ("early", "008-260302-0001"))
    for dossier_id, code in codes:
        sub = submission(dossier_id=dossier_id, dossier_code=code, account_id="a1")
        builder.add("dossier.submitted", sub, timestamp=10)
    found = inputs_of(builder, tmp_path / "log.jsonl")
    assert [i.key for i in found.items] == ["a1", "early", "odd", "late"]


def test_a_filter_keeps_a_procedure_or_a_time_window_and_only_the_accounts_needed(
    tmp_path: Path,
) -> None:
    builder = LogBuilder()
    builder.add("account.registered", account("a1", "holder:1"))
    builder.add("account.registered", account("a2", "holder:2"))
    builder.add("dossier.submitted", submission(dossier_id="temp", account_id="a1"))
    marriage = submission(
        dossier_id="marriage",
        account_id="a2",
        procedure_code="1.000894",
        received_simtime=SIMTIME + timedelta(hours=2),
    )
    builder.add("dossier.submitted", marriage)
    log = tmp_path / "log.jsonl"
    by_procedure = inputs_of(builder, log, InputFilter(procedure_code="1.000894"))
    assert [(i.kind, i.key) for i in by_procedure.items] == [
        ("account", "a2"),
        ("online", "marriage"),
    ]
    early = inputs_of(builder, log, InputFilter(to_simtime=SIMTIME + timedelta(hours=1)))
    assert [i.key for i in early.items] == ["a1", "temp"]
    late = inputs_of(builder, log, InputFilter(from_simtime=SIMTIME + timedelta(hours=1)))
    assert [i.key for i in late.items] == ["a2", "marriage"]
    everything = inputs_of(builder, log)
    assert [i.key for i in everything.items] == ["a1", "a2", "temp", "marriage"]


def test_an_input_whose_payload_is_invalid_names_its_line(tmp_path: Path) -> None:
    builder = LogBuilder()
    builder.add("account.registered", account("a1", "holder:1"))
    log = builder.write(tmp_path / "log.jsonl")
    text = log.read_text(encoding="utf-8").replace('"kind":"citizen"', '"kind":"martian"')
    log.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=r"log\.jsonl:2: .*data\.kind"):
        extract_inputs(EventLogReader(log), str(log))


@pytest.mark.parametrize(
    ("text", "factor", "shown"), [("max", None, "max"), ("real", 1.0, "real"), ("10", 10.0, "10x")]
)
def test_speeds_are_max_real_or_a_factor(text: str, factor: float | None, shown: str) -> None:
    pace = Pace.parse(text)
    assert pace.factor == factor
    assert str(pace) == shown
