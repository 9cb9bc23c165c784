"""Logs recorded before a payload's version changed: read and diffed, or refused by name."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from simulator.cli import app
from simulator.eventlog import EventLogError, EventLogReader
from simulator.eventlog.reader import check_current
from tests.eventlogs import LogBuilder, status

RUNNER = CliRunner()


def test_a_log_of_status_version_1_is_read_with_every_record(tmp_path: Path) -> None:
    log = LogBuilder().dossier_v1("d1").write(tmp_path / "old.jsonl")
    types = [r.value["type"] for r in EventLogReader(log) if r.value is not None]
    assert "vn.portalsim.dossier.status.changed.v1" in types
    assert len(types) == 5


def test_an_old_log_and_a_new_one_of_the_same_run_have_the_same_outcomes(
    tmp_path: Path,
) -> None:
    old = LogBuilder().dossier_v1("d1").write(tmp_path / "old.jsonl")
    new = LogBuilder().dossier("d1").write(tmp_path / "new.jsonl")
    result = RUNNER.invoke(app, ["diff", str(old), str(new)], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    assert "identical: 1 dossiers" in result.output


def test_a_record_of_a_version_no_reader_knows_is_refused_naming_it(tmp_path: Path) -> None:
    change = status("d1", "received")
    data = change.model_dump(mode="json")
    log = LogBuilder().add_versioned("dossier.status.changed", change, 9, data)
    path = log.write(tmp_path / "future.jsonl")
    result = RUNNER.invoke(app, ["diff", str(path), str(path)], env={"COLUMNS": "300"})
    assert result.exit_code == 2
    assert "payload version v9" in result.output
    assert "(v1, v2, v3)" in result.output


def test_a_service_alone_is_not_fed_a_record_of_an_older_version(tmp_path: Path) -> None:
    log = LogBuilder().dossier_v1("d1").write(tmp_path / "old.jsonl")
    old = next(r for r in EventLogReader(log) if r.topic == "dossier.status.changed")
    with pytest.raises(EventLogError, match="payload version v1") as caught:
        check_current(log, old)
    assert caught.value.kind == "old_payload_version"
