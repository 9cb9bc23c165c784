"""The run's collector knows a dossier waiting for its identity checks from the bus.

The city portal keeps a dossier's `received` and `identity_check` for its next event
(docs/flow.md), so the collector takes an identity check asked for a dossier as the
dossier being in `identity_check`, unless it has seen the dossier further on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import orjson
from aiokafka.structs import ConsumerRecord

from simulator.drive.collector import EventCollector


@dataclass(frozen=True)
class Record:
    topic: str
    value: bytes
    timestamp: int = 1_000
    headers: tuple[tuple[str, bytes], ...] = ()


def _record(topic: str, data: dict[str, Any]) -> ConsumerRecord[bytes, bytes]:
    event = {"id": "e", "simtime": "2026-03-02T02:00:00+00:00", "data": data}
    return cast(ConsumerRecord[bytes, bytes], Record(topic, orjson.dumps(event)))


def _check_asked(dossier_id: str) -> ConsumerRecord[bytes, bytes]:
    return _record(
        "identity.check.requested",
        {"requester_kind": "dossier", "requester_id": dossier_id, "check_id": f"{dossier_id}:a"},
    )


def _routed(dossier_id: str) -> ConsumerRecord[bytes, bytes]:
    transitions = [
        {"status": s, "by": "city_portal", "note": "", "simtime": "2026-03-02T02:00:00+00:00"}
        for s in ("received", "identity_check", "routed")
    ]
    return _record("dossier.routed", {"dossier_id": dossier_id, "transitions": transitions})


def test_a_dossier_whose_identity_check_is_asked_is_seen_in_identity_check() -> None:
    collector = EventCollector("unused:1")
    collector.observe(_check_asked("d1"))
    assert collector.observations.last_status["d1"] == ("identity_check", "city_portal")


def test_an_identity_check_read_after_the_routing_does_not_take_the_dossier_back() -> None:
    collector = EventCollector("unused:1")
    collector.observe(_routed("d1"))
    collector.observe(_check_asked("d1"))  # another partition, read later
    assert collector.observations.last_status["d1"] == ("routed", "city_portal")


def test_an_accounts_identity_check_is_no_dossiers_status() -> None:
    collector = EventCollector("unused:1")
    collector.observe(
        _record("identity.check.requested", {"requester_kind": "account", "requester_id": "a1"})
    )
    assert collector.observations.last_status == {}
