"""Signatures in event logs: `diff` and `replay` verify records and report forged ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from contracts.signing import Signer, TrustStore
from simulator.cli import app
from simulator.eventlog import EventLogReader
from simulator.eventlog.signatures import SignatureCheck, trust_for
from simulator.replay.inputs import extract_inputs
from simulator.system.keys import init_keys, trust_path
from tests.eventlogs import LogBuilder
from tests.factories import submission

RUNNER = CliRunner()


@pytest.fixture
def signed_log(tmp_path: Path, signers: dict[str, Signer], trust: TrustStore) -> Path:
    """Two signed marriage registrations (5 records each), the trust in the header."""
    builder = LogBuilder(signers=signers).dossier("d1").dossier("d2")
    return builder.write(tmp_path / "signed.jsonl", trust=trust.keys)


def _rewrite(log: Path, out: Path, change: Any) -> Path:
    """The log with `change(record)` applied to every record line (header and end kept)."""
    lines = log.read_bytes().splitlines()
    changed = [lines[0]]
    for raw in lines[1:-1]:
        record = orjson.loads(raw)
        change(record)
        changed.append(orjson.dumps(record))
    out.write_bytes(b"\n".join([*changed, lines[-1]]) + b"\n")
    return out


def _settled_to_rejected(record: dict[str, Any]) -> None:
    if record["topic"] == "dossier.settled" and record["value"]["data"]["dossier_id"] == "d2":
        record["value"]["data"]["outcome"] = "rejected"


def _diff(a: Path, b: Path, tmp_path: Path, *extra: str) -> tuple[int, str, dict[str, Any]]:
    out = tmp_path / "diff.json"
    result = RUNNER.invoke(
        app, ["diff", str(a), str(b), "--json", str(out), *extra], env={"COLUMNS": "300"}
    )
    return result.exit_code, result.output, orjson.loads(out.read_bytes())


def test_a_signed_log_diffed_with_itself_has_no_forged_records(
    signed_log: Path, tmp_path: Path
) -> None:
    code, output, report = _diff(signed_log, signed_log, tmp_path)
    assert code == 0, output
    assert report["signatures"][str(signed_log)] == {
        "checked": 10,
        "forged": 0,
        "first_forged": [],
    }


def test_a_tampered_record_is_reported_as_forged_and_diff_exits_3(
    signed_log: Path, tmp_path: Path
) -> None:
    tampered = _rewrite(signed_log, tmp_path / "tampered.jsonl", _settled_to_rejected)
    code, output, report = _diff(signed_log, tampered, tmp_path)
    assert code == 3, output
    [forged] = report["signatures"][str(tampered)]["first_forged"]
    assert forged["topic"] == "dossier.settled"
    assert "bad signature" in forged["detail"]
    assert "1 of 10 records forged" in output


def test_a_forged_settlement_does_not_count_as_the_dossiers_outcome(
    signed_log: Path, tmp_path: Path
) -> None:
    tampered = _rewrite(signed_log, tmp_path / "tampered.jsonl", _settled_to_rejected)
    _, _, report = _diff(signed_log, tampered, tmp_path)
    [d2] = [d for d in report["differences"] if d["dossier_id"] == "d2"]
    assert d2["fields"]["terminal"]["b"] != "rejected"


def test_an_unsigned_record_in_a_log_with_trust_is_reported(
    signed_log: Path, tmp_path: Path
) -> None:
    def unsign(record: dict[str, Any]) -> None:
        if record["topic"] == "dossier.submitted":
            del record["value"]["signer"], record["value"]["signature"]

    unsigned = _rewrite(signed_log, tmp_path / "unsigned.jsonl", unsign)
    code, _, report = _diff(signed_log, unsigned, tmp_path)
    assert code == 3
    details = [f["detail"] for f in report["signatures"][str(unsigned)]["first_forged"]]
    assert details == ["unsigned: no signer or no signature attribute"] * 2


def test_trust_given_on_the_command_line_overrides_the_headers(
    signed_log: Path, tmp_path: Path
) -> None:
    other_keys = tmp_path / "other-keys"
    init_keys(other_keys)
    code, _, report = _diff(
        signed_log, signed_log, tmp_path, "--trust", str(trust_path(other_keys))
    )
    assert code == 3
    assert report["signatures"][str(signed_log)]["forged"] == 10


def test_a_log_without_trust_is_not_checked(tmp_path: Path) -> None:
    log = LogBuilder().dossier("d1").write(tmp_path / "old.jsonl")
    code, output, report = _diff(log, log, tmp_path)
    assert code == 0
    assert report["signatures"][str(log)]["checked"] is None
    assert "signatures not checked" in output


def test_a_replay_leaves_out_a_forged_input(
    tmp_path: Path, signers: dict[str, Signer], trust: TrustStore
) -> None:
    builder = LogBuilder("simulator", signers)
    builder.add("dossier.submitted", submission(dossier_id="kept"))
    builder.add("dossier.submitted", submission(dossier_id="forged"))
    log = builder.write(tmp_path / "injected.jsonl", trust=trust.keys)

    def forge(record: dict[str, Any]) -> None:
        if record["value"]["data"]["dossier_id"] == "forged":
            record["value"]["data"]["procedure_code"] = "1.004222"

    forged_log = _rewrite(log, tmp_path / "forged.jsonl", forge)
    reader = EventLogReader(forged_log)
    check = SignatureCheck(trust_for(reader.header, None))
    inputs = extract_inputs(check.verified(reader), str(forged_log))
    assert [item.key for item in inputs.items] == ["kept"]
    assert [f.event_id for f in check.forged] == [
        orjson.loads(forged_log.read_bytes().splitlines()[2])["value"]["id"]
    ]
