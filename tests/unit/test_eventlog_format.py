"""The event-log format: header, record lines, end line; plain or gzip; readable by any tool."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import orjson
import pytest

from simulator.eventlog import (
    FORMAT_NAME,
    FORMAT_VERSION,
    EventLogReader,
    EventLogWriter,
    LogHeader,
    read_header,
    record_to_json,
)
from simulator.eventlog.reader import GZIP_MAGIC
from simulator.run.plan import variant_log
from tests.eventlogs import LogBuilder
from tests.factories import SIMTIME


def test_a_log_round_trips_header_records_and_end_line(tmp_path: Path) -> None:
    path = LogBuilder().dossier("d1").write(tmp_path / "run.jsonl", seed=6, origin="run")
    reader = EventLogReader(path)
    records = list(reader)
    assert reader.header.format == FORMAT_NAME
    assert reader.header.version == FORMAT_VERSION
    assert (reader.header.seed, reader.header.origin) == (6, "run")
    assert [r.topic for r in records] == [
        "dossier.submitted",
        *["dossier.status.changed"] * 3,
        "dossier.settled",
    ]
    first = records[0]
    assert first.line == 2
    assert first.key == "d1"
    assert first.headers == (("content-type", "application/cloudevents+json"),)
    assert first.value is not None and first.value["type"] == "vn.portalsim.dossier.submitted.v2"
    assert first.data["dossier_id"] == "d1"
    assert reader.end is not None and reader.end.records == 5
    assert reader.skipped == [] and reader.warnings == []


def test_each_line_is_one_json_object_readable_without_portalsim(tmp_path: Path) -> None:
    path = LogBuilder().dossier("d1").write(tmp_path / "run.jsonl")
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert lines[0]["format"] == "portalsim.eventlog" and lines[0]["version"] == 1
    assert set(lines[0]) >= {"scenario", "seed", "topics", "recorded_at"}
    assert set(lines[1]) == {"topic", "partition", "offset", "key", "headers", "timestamp", "value"}
    assert lines[1]["value"]["data"]["dossier_id"] == "d1"
    assert lines[-1]["end"] is True and lines[-1]["records"] == len(lines) - 2


def test_a_gz_name_writes_gzip_that_zcat_reads_and_the_reader_detects(tmp_path: Path) -> None:
    builder = LogBuilder().dossier("d1").dossier("d2")
    zipped = builder.write(tmp_path / "run.jsonl.gz")
    plain = builder.write(tmp_path / "run.jsonl")
    assert zipped.read_bytes()[:2] == GZIP_MAGIC
    with gzip.open(zipped, "rt", encoding="utf-8") as stream:
        assert json.loads(stream.readline())["format"] == "portalsim.eventlog"
    assert [r.value for r in EventLogReader(zipped)] == [r.value for r in EventLogReader(plain)]


def test_a_value_that_is_not_json_is_kept_as_base64_and_restored(tmp_path: Path) -> None:
    line = record_to_json(
        "deadletter.dossier.submitted", 0, 7, b"\xff\xfe", [("x", b"1")], 1, b"\x00poison"
    )
    decoded = orjson.loads(line)
    assert decoded["value"] is None and "value_b64" in decoded and "key_b64" in decoded
    with EventLogWriter(
        tmp_path / "dl.jsonl",
        LogHeader(topics=["deadletter.dossier.submitted"], recorded_at=SIMTIME),
    ) as writer:
        writer.write_line(line)
    [record] = list(EventLogReader(tmp_path / "dl.jsonl"))
    assert record.raw == b"\x00poison"
    assert record.value_bytes() == b"\x00poison"
    assert record.headers == (("x", "1"),)


def test_a_record_copied_to_another_log_is_the_same(tmp_path: Path) -> None:
    source = LogBuilder().dossier("d1").write(tmp_path / "a.jsonl")
    records = list(EventLogReader(source))
    with EventLogWriter(tmp_path / "b.jsonl.gz", EventLogReader(source).header) as writer:
        for record in records:
            writer.write_record(record)
    copied = list(EventLogReader(tmp_path / "b.jsonl.gz"))
    assert [(r.topic, r.offset, r.key, r.value) for r in copied] == [
        (r.topic, r.offset, r.key, r.value) for r in records
    ]


def test_reading_twice_reads_the_file_again(tmp_path: Path) -> None:
    reader = EventLogReader(LogBuilder().dossier("d1").write(tmp_path / "run.jsonl"))
    assert len(list(reader)) == len(list(reader)) == 5


def test_the_header_is_read_at_once_and_a_missing_file_is_named(tmp_path: Path) -> None:
    assert read_header(LogBuilder().write(tmp_path / "empty.jsonl")).topics == ["dossier.submitted"]
    with pytest.raises(ValueError, match=r"nope\.jsonl: no such file"):
        read_header(tmp_path / "nope.jsonl")


def test_a_variants_log_goes_beside_the_runs_log() -> None:
    assert variant_log(Path("logs/run.jsonl.gz"), "v2").as_posix() == "logs/run.v2.jsonl.gz"
    assert variant_log(Path("run"), "v2").as_posix() == "run.v2"
