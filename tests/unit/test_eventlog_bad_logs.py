"""Bad logs: each kind gets an error naming the line and what is wrong, and exit code 2.

`--skip-bad` reads the rest and reports how many lines were skipped. Checked through the
CLI as a user meets them (`portalsim diff` and `portalsim replay`; a replay refuses a
bad log before it starts anything).
"""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from simulator.cli import app
from simulator.replay.replayer import ReplayStats
from simulator.replay.session import ReplayPlan, ReplayResult
from tests.eventlogs import LogBuilder

RUNNER = CliRunner()
WIDE = {"COLUMNS": "300"}


def portalsim(*args: str) -> Any:
    """Run the CLI in-process; the result has exit_code and output (stdout and stderr)."""
    return RUNNER.invoke(app, list(args), env=WIDE)


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return LogBuilder().dossier("d1").dossier("d2").write(tmp_path / "good.jsonl")


def lines_of(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def write(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"".join(lines))
    return path


def diff_exit(bad: Path, good: Path, *extra: str) -> tuple[int, str]:
    result = portalsim("diff", str(bad), str(good), "--json", str(good.parent / "d.json"), *extra)
    return result.exit_code, result.output


def test_a_line_that_is_not_json_is_named_by_its_number(tmp_path: Path, good: Path) -> None:
    lines = lines_of(good)
    lines[3] = b'{"topic": "dossier.settled", oops\n'
    code, output = diff_exit(write(tmp_path / "bad.jsonl", lines), good)
    assert code == 2
    assert "bad.jsonl:4: not JSON" in output


def test_a_value_that_is_not_a_valid_envelope_names_line_and_field(
    tmp_path: Path, good: Path
) -> None:
    lines = lines_of(good)
    record = orjson.loads(lines[5])
    del record["value"]["simtime"]
    lines[5] = orjson.dumps(record) + b"\n"
    code, output = diff_exit(write(tmp_path / "bad.jsonl", lines), good)
    assert code == 2
    assert "bad.jsonl:6: record on dossier.settled" in output
    assert "value is not a valid CloudEvent: simtime" in output


def test_a_payload_that_does_not_fit_its_topic_is_a_bad_envelope(
    tmp_path: Path, good: Path
) -> None:
    lines = lines_of(good)
    record = orjson.loads(lines[5])
    record["value"]["data"]["outcome"] = "maybe"
    lines[5] = orjson.dumps(record) + b"\n"
    code, output = diff_exit(write(tmp_path / "bad.jsonl", lines), good)
    assert code == 2
    assert "bad.jsonl:6:" in output and "data.outcome" in output


def test_a_record_line_missing_its_fields_is_named(tmp_path: Path, good: Path) -> None:
    lines = lines_of(good)
    lines[2] = b'{"topic": "dossier.submitted", "partition": 0}\n'
    code, output = diff_exit(write(tmp_path / "bad.jsonl", lines), good)
    assert code == 2
    assert "bad.jsonl:3: record field 'offset'" in output


def test_an_unknown_format_version_is_refused_on_line_1(tmp_path: Path, good: Path) -> None:
    lines = lines_of(good)
    header = orjson.loads(lines[0])
    header["version"] = 7
    lines[0] = orjson.dumps(header) + b"\n"
    code, output = diff_exit(write(tmp_path / "v7.jsonl", lines), good, "--skip-bad")
    assert code == 2
    assert "v7.jsonl:1: unknown format version 7 (this portalsim reads version 1)" in output


def test_a_file_that_is_not_an_event_log_is_refused_on_line_1(tmp_path: Path, good: Path) -> None:
    other = write(tmp_path / "other.jsonl", [b'{"hello": "world"}\n'])
    code, output = diff_exit(other, good)
    assert code == 2
    assert "other.jsonl:1: not an event-log header" in output


def test_a_plain_log_cut_inside_a_line_is_truncated_there(tmp_path: Path, good: Path) -> None:
    lines = lines_of(good)
    cut = write(tmp_path / "cut.jsonl", [*lines[:7], lines[7][:40]])
    code, output = diff_exit(cut, good)
    assert code == 2
    assert "cut.jsonl:8: truncated: the last line is cut short" in output


def test_a_log_cut_between_lines_lacks_its_end_line(tmp_path: Path, good: Path) -> None:
    cut = write(tmp_path / "cut.jsonl", lines_of(good)[:7])
    code, output = diff_exit(cut, good)
    assert code == 2
    assert "cut.jsonl:8: truncated: the log ends after line 7 without its end line" in output


def test_a_cut_gzip_log_is_truncated(tmp_path: Path) -> None:
    builder = LogBuilder()
    for n in range(40):
        builder.dossier(f"d{n}")
    whole = builder.write(tmp_path / "whole.jsonl.gz")
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    code, output = diff_exit(cut, whole)
    assert code == 2
    assert "cut.jsonl.gz:" in output and "truncated" in output


def test_skip_bad_reads_the_rest_and_reports_how_many_were_skipped(
    tmp_path: Path, good: Path
) -> None:
    lines = lines_of(good)
    lines[3] = b"not json at all\n"
    lines[8] = b'{"topic": "dossier.settled"}\n'
    bad = write(tmp_path / "bad.jsonl", lines)
    code, output = diff_exit(bad, good, "--skip-bad")
    assert code == 1  # it read on: d1 lost a status, d2 its settlement
    assert "skipped 2 bad line(s)" in output
    assert "bad.jsonl:4: not JSON" in output and "bad.jsonl:9:" in output


def test_skip_bad_on_a_truncated_gzip_log_counts_the_lost_line(tmp_path: Path) -> None:
    builder = LogBuilder()
    for n in range(40):
        builder.dossier(f"d{n}")
    whole = builder.write(tmp_path / "whole.jsonl.gz")
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    code, output = diff_exit(cut, whole, "--skip-bad")
    assert code == 1
    assert "skipped 1 bad line(s)" in output


def test_replay_refuses_a_bad_log_before_starting_anything(tmp_path: Path, good: Path) -> None:
    lines = lines_of(good)
    lines[2] = b"{not json\n"
    result = portalsim("replay", str(write(tmp_path / "bad.jsonl", lines)))
    assert result.exit_code == 2
    assert "bad.jsonl:3: not JSON" in result.output


def test_replay_skip_bad_goes_on_and_reports_the_count(
    tmp_path: Path, good: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = lines_of(good)
    lines[2] = b"{not json\n"
    seen: dict[str, Any] = {}

    def fake_replay(plan: ReplayPlan, console: Any) -> ReplayResult:
        seen["inputs"] = plan.inputs
        plan.out.write_bytes(gzip.compress(b""))
        return ReplayResult(
            ReplayStats(), records=0, settled=0, complete=True, inputs_s=1, wall_s=1
        )

    monkeypatch.setattr("simulator.commands.replay.run_replay", fake_replay)
    bad = write(tmp_path / "bad.jsonl", lines)
    result = portalsim(
        "replay",
        str(bad),
        "--skip-bad",
        "--bootstrap",
        "x:1",
        "--against",
        "city_portal=a,one_stop=b,population_db=c,national_portal=d",
    )
    assert result.exit_code == 0, result.output
    assert "skipped 1 bad line(s)" in result.output
    assert "replay rate:" in result.output
    assert seen["inputs"].items == []  # its online dossiers have no account to replay
    assert len(seen["inputs"].unreplayable) == 2


@pytest.mark.parametrize("speed", ["fast", "0", "-2"])
def test_a_bad_speed_is_a_usage_error(good: Path, speed: str) -> None:
    result = portalsim("replay", str(good), "--speed", speed)
    assert result.exit_code == 2
    assert "--speed" in result.output
