"""`portalsim record` reads a running system's topics into an event log, inputs included."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from contracts.catalogue import load_catalogue
from contracts.signing import TrustStore
from simulator.diff import outcomes_from_records
from simulator.drive.driver import PortalAccount, PortalDriver
from simulator.eventlog import EventLogReader
from simulator.eventlog.signatures import SignatureCheck, trust_for
from simulator.replay.inputs import extract_inputs
from simulator.scenarios.applicants import ApplicantPool
from simulator.system.keys import trust_path
from tests.system import START

TEMPORARY_RESIDENCE = load_catalogue().by_number(4)


async def test_record_from_a_time_holds_the_inputs_and_outcomes_since(
    kafka_bootstrap: str, driver: PortalDriver, pool: ApplicantPool, tmp_path: Path
) -> None:
    since = datetime.now(UTC) - timedelta(seconds=1)
    ref = uuid.uuid4().hex[:10]
    draft = pool.draft(TEMPORARY_RESIDENCE)
    opened = await driver.open_account(draft.applicant, client_ref=f"holder:{ref}")
    assert opened.status_code == 201, opened.text
    account = PortalAccount.from_answer(opened.json())
    online = await driver.submit_online(
        account, TEMPORARY_RESIDENCE.code, draft, START, f"online:{ref}"
    )
    desk = await driver.submit_at_desk(
        "00601", TEMPORARY_RESIDENCE.code, pool.draft(TEMPORARY_RESIDENCE), START, f"desk:{ref}"
    )
    await driver.wait_settled([online["dossier_code"], desk["dossier_code"]], within=120)
    log = tmp_path / "recorded.jsonl.gz"
    command = [sys.executable, "-m", "simulator.cli", "record", "--out", str(log)]
    command += ["--bootstrap", kafka_bootstrap, "--from", since.isoformat(), "--quiet", "2"]
    done = await asyncio.to_thread(
        subprocess.run,
        [*command, "--max-seconds", "60"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "recorded" in done.stdout
    reader = EventLogReader(log)
    refs = {
        (i.kind, i.key): getattr(i.payload, "client_ref", None)
        for i in extract_inputs(reader, str(log)).items
    }
    assert reader.header.origin == "record"
    assert refs[("account", account.account_id)] == f"holder:{ref}"
    assert refs[("online", online["dossier_id"])] == f"online:{ref}"
    assert refs[("desk", desk["dossier_id"])] == f"desk:{ref}"
    outcomes = outcomes_from_records(reader)
    for dossier in (online, desk):
        assert outcomes[dossier["dossier_id"]].terminal == "approved"
    statuses = [s.split(" by ")[0] for s in outcomes[desk["dossier_id"]].compared()["statuses"]]
    assert statuses[:2] == ["received", "digitising"] and statuses[-1] == "returned_at_desk"


async def test_a_recording_given_the_trust_keeps_it_and_every_record_verifies(
    kafka_bootstrap: str,
    driver: PortalDriver,
    pool: ApplicantPool,
    tmp_path: Path,
    key_folder: Path,
) -> None:
    since = datetime.now(UTC) - timedelta(seconds=1)
    draft = pool.draft(TEMPORARY_RESIDENCE)
    ref = f"desk:{uuid.uuid4().hex[:10]}"
    desk = await driver.submit_at_desk("00601", TEMPORARY_RESIDENCE.code, draft, START, ref)
    await driver.wait_settled([desk["dossier_code"]], within=120)
    log = tmp_path / "trusted.jsonl"
    command = [sys.executable, "-m", "simulator.cli", "record", "--out", str(log), "--quiet", "2"]
    command += ["--bootstrap", kafka_bootstrap, "--from", since.isoformat()]
    command += ["--trust", str(trust_path(key_folder)), "--max-seconds", "60"]
    done = await asyncio.to_thread(
        subprocess.run, command, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    reader = EventLogReader(log)
    assert reader.header.trust == TrustStore.from_file(trust_path(key_folder)).keys
    check = SignatureCheck(trust_for(reader.header, None))
    settled = [r for r in check.verified(reader) if r.topic == "dossier.settled"]
    assert check.checked > 0 and check.forged == []
    assert desk["dossier_id"] in {r.data["dossier_id"] for r in settled}
