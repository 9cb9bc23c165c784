"""Building event logs by hand for the event-log and diff tests."""

from __future__ import annotations

import itertools
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson

from contracts.events import (
    Channel,
    DossierSettled,
    DossierStatus,
    DossierStatusChanged,
    Outcome,
    StatusTransition,
)
from contracts.signing import Signer
from contracts.topics import topic
from services.kit.emitter import EventFactory
from simulator.drive.inject import submission_records
from simulator.eventlog import EventLogWriter, LogHeader, record_to_json
from simulator.eventlog.scenarios import header_for
from simulator.scenarios.applicants import ApplicantPool
from simulator.scenarios.demand import generate_demand
from simulator.scenarios.scenario import Scenario
from tests.factories import SIMTIME, submission

__all__ = ["LogBuilder", "injected_log", "settled", "status"]

_OFFSETS = itertools.count()


def settled(dossier_id: str, **overrides: Any) -> DossierSettled:
    """An approval of a marriage registration settled on the city portal."""
    values: dict[str, Any] = {
        "dossier_id": dossier_id,
        "dossier_code": "001-260302-0001",
        "procedure_code": "1.000894",
        "channel": Channel.ONLINE,
        "received_unit": "001",
        "outcome": Outcome.APPROVED,
        "settled_by": "city_portal",
        "result_document_number": "KH-2026-000001",
        "received_simtime": SIMTIME,
        "settled_simtime": SIMTIME + timedelta(hours=1),
        "working_days_taken": 0.125,
        "legal_limit_days": 0,
        "within_legal_limit": True,
    }
    values.update(overrides)
    return DossierSettled(**values)


def status(dossier_id: str, state: str, by: str = "city_portal") -> DossierStatusChanged:
    """A status change of a marriage registration."""
    return DossierStatusChanged(
        dossier_id=dossier_id,
        dossier_code="001-260302-0001",
        procedure_code="1.000894",
        transitions=[StatusTransition(status=DossierStatus(state), by=by, simtime=SIMTIME)],
    )


class LogBuilder:
    """Record lines built from payloads, written as a log (header and end line)."""

    def __init__(self, service: str = "city_portal", signers: dict[str, Signer] | None = None):
        self.signers = signers or {}
        self.factory = EventFactory(service, self.signers.get(service))
        self.lines: list[bytes] = []

    def add(
        self,
        topic_name: str,
        payload: Any,
        partition: int = 0,
        service: str | None = None,
        timestamp: int | None = None,
    ) -> LogBuilder:
        """One record of `payload` on `topic_name`, with fresh event id and offset."""
        factory = EventFactory(service, self.signers.get(service)) if service else self.factory
        record = factory.record(
            topic_name,
            payload,
            event_id=str(uuid.uuid4()),
            correlation_id=str(getattr(payload, "dossier_id", "root")),
            simtime=SIMTIME,
        )
        self.lines.append(
            record_to_json(
                topic_name,
                partition,
                next(_OFFSETS),
                topic(topic_name).key_of(payload),
                [(k, v.encode()) for k, v in record.headers],
                timestamp if timestamp is not None else 1_772_000_000_000 + len(self.lines),
                record.value,
            )
        )
        return self

    def add_versioned(self, topic_name: str, payload: Any, version: int, data: Any) -> LogBuilder:
        """One record whose `type` is version `version` of the topic and whose `data` is
        `data` (a record as an older or newer portalsim wrote it)."""
        self.add(topic_name, payload)
        line = orjson.loads(self.lines[-1])
        line["value"]["type"] = f"vn.portalsim.{topic_name}.v{version}"
        line["value"]["data"] = data
        self.lines[-1] = orjson.dumps(line)
        return self

    def dossier_v1(self, dossier_id: str) -> LogBuilder:
        """The run of `dossier` as status version 1 wrote it: one change per event."""
        sub = submission(dossier_id=dossier_id, procedure_code="1.000894")
        self.add("dossier.submitted", sub)
        decision = settled(dossier_id)
        for state in ("received", "identity_check", decision.outcome.value):
            change = status(dossier_id, state)
            data = change.model_dump(mode="json", exclude={"transitions"})
            data.update(status=state, by="city_portal", note="")
            self.add_versioned("dossier.status.changed", change, 1, data)
        return self.add_versioned(
            "dossier.settled",
            decision,
            1,
            decision.model_dump(mode="json", exclude={"transitions"}),
        )

    def dossier(self, dossier_id: str, **settle: Any) -> LogBuilder:
        """A whole online marriage registration: submitted, statuses, settled."""
        sub = submission(dossier_id=dossier_id, procedure_code="1.000894")
        self.add("dossier.submitted", sub)
        for state in ("received", "identity_check"):
            self.add("dossier.status.changed", status(dossier_id, state))
        decision = settled(dossier_id, **settle)
        self.add("dossier.status.changed", status(dossier_id, decision.outcome.value))
        return self.add("dossier.settled", decision)

    def write(self, path: Path, **header: Any) -> Path:
        """The log at `path` (gzip when it ends in .gz)."""
        values: dict[str, Any] = {"topics": ["dossier.submitted"], "recorded_at": SIMTIME}
        values.update(header)
        with EventLogWriter(path, LogHeader(**values)) as writer:
            for line in self.lines:
                writer.write_line(line)
        return path


def injected_log(scenario: Scenario, path: Path) -> int:
    """A log of the scenario's demand as injected submissions only (no system needed).

    Replaying it publishes them to `dossier.submitted` straight away, as the benchmark
    does; the services produce everything else. Returns the number of inputs.
    """
    pool = ApplicantPool(scenario.population_size, scenario.population_seed, scenario.start_date)
    records = submission_records(generate_demand(scenario, pool))
    header = header_for(scenario, ["dossier.submitted"], origin="record")
    with EventLogWriter(path, header) as writer:
        for offset, record in enumerate(records):
            writer.write_line(
                record_to_json(
                    record.topic,
                    0,
                    offset,
                    record.key,
                    [(k, v.encode()) for k, v in record.headers],
                    1_772_000_000_000 + offset,
                    record.value,
                )
            )
    return len(records)
