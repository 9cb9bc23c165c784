"""Can today's code read a log? Every record checked against today's contracts.

A record on a registered topic is readable when a consumer of today would handle it:
its value is a JSON object, a valid CloudEvents envelope (`contracts.envelope`) whose
`type` is the topic's current payload version (`contracts.topics`, each payload's
`VERSION` in `contracts.events`), whose `data` the payload model accepts, and whose
`signer`, when signed, the registry lets produce the topic. Dead-letter topics hold
what a consumer refused, as it came, and are not checked.

Seen per topic: the payload versions (the `type`s) and the envelope versions: 1 unsigned,
2 signed one by one, 3 signed in a batch (the batch form of `signature`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson

from contracts.envelope import EnvelopeError, parse_event
from contracts.topics import DEADLETTER_PREFIX, topic
from simulator.eventlog.format import LogRecord

__all__ = [
    "CompatibilityReport",
    "TopicVersions",
    "Unreadable",
    "check_records",
    "current_type",
    "envelope_version",
]

_VERSION = re.compile(r"\.v([0-9]+)$")


@dataclass(frozen=True)
class Unreadable:
    """A record today's code cannot read: where it is and why."""

    line: int
    topic: str
    partition: int
    offset: int
    event_id: str | None
    reason: str
    detail: str

    def __str__(self) -> str:
        return (
            f"line {self.line}: {self.topic} partition {self.partition} offset {self.offset}: "
            f"{self.reason}: {self.detail}"
        )


@dataclass
class TopicVersions:
    """What one topic of the log holds: records, versions seen, how many are unreadable."""

    records: int = 0
    types: Counter[str] = field(default_factory=Counter)
    envelopes: Counter[int] = field(default_factory=Counter)
    unreadable: int = 0


@dataclass
class CompatibilityReport:
    """The check of a whole log."""

    topics: dict[str, TopicVersions] = field(default_factory=dict)
    unreadable: list[Unreadable] = field(default_factory=list)
    deadletters: int = 0

    @property
    def records(self) -> int:
        """Records checked (dead letters not counted)."""
        return sum(t.records for t in self.topics.values())

    @property
    def readable(self) -> bool:
        """True when today's code reads every record."""
        return not self.unreadable

    def as_json(self) -> dict[str, Any]:
        """The report as plain JSON."""
        return {
            "readable": self.readable,
            "records": self.records,
            "unreadable_count": len(self.unreadable),
            "deadletters_not_checked": self.deadletters,
            "topics": {
                name: {
                    "records": t.records,
                    "current_type": current_type(name),
                    "types": dict(sorted(t.types.items())),
                    "envelope_versions": {str(v): n for v, n in sorted(t.envelopes.items())},
                    "unreadable": t.unreadable,
                }
                for name, t in sorted(self.topics.items())
            },
            "unreadable": [vars(item) for item in self.unreadable],
        }


def current_type(name: str) -> str | None:
    """Today's event type of a registered topic (None for an unknown one)."""
    try:
        return topic(name).event_type
    except KeyError:
        return None


def envelope_version(value: dict[str, Any]) -> int:
    """1 unsigned, 2 signed one by one, 3 signed in a batch, 4 traced (`contracts.envelope`)."""
    if value.get("traceparent") is not None:
        return 4
    signature = value.get("signature")
    if value.get("signer") is None and signature is None:
        return 1
    return 3 if isinstance(signature, str) and "." in signature else 2


def _problem(record: LogRecord) -> tuple[str, str] | None:
    """(reason, detail) when today's consumers of the record's topic would refuse it."""
    try:
        registered = topic(record.topic)
    except KeyError:
        return "unknown_topic", f"{record.topic!r} is not in the topic registry"
    value = record.value
    if value is None:
        return "not_envelope", "the value is not a JSON object"
    event_type = value.get("type")
    if isinstance(event_type, str) and event_type != registered.event_type:
        found = _VERSION.search(event_type)
        now = _VERSION.search(registered.event_type)
        if found and now and event_type[: found.start()] == registered.event_type[: now.start()]:
            detail = f"payload version {found.group(1)}, today's is {now.group(1)} ({event_type})"
        else:
            detail = f"type {event_type!r} is not {registered.event_type!r}"
        return "wrong_event_type", detail
    try:
        parse_event(orjson.dumps(value), registered.payload, registered.event_type)
    except EnvelopeError as exc:
        return exc.reason, str(exc)
    signer = value.get("signer")
    if signer is not None and signer not in registered.producers:
        return "wrong_producer", f"signer {signer!r} may not produce {record.topic}"
    return None


def check_records(records: Iterable[LogRecord]) -> CompatibilityReport:
    """Check every record; dead letters are counted, not checked."""
    report = CompatibilityReport()
    for record in records:
        if record.topic.startswith(DEADLETTER_PREFIX):
            report.deadletters += 1
            continue
        versions = report.topics.setdefault(record.topic, TopicVersions())
        versions.records += 1
        if record.value is not None:
            versions.types[str(record.value.get("type"))] += 1
            versions.envelopes[envelope_version(record.value)] += 1
        problem = _problem(record)
        if problem is not None:
            versions.unreadable += 1
            event_id = (record.value or {}).get("id")
            report.unreadable.append(
                Unreadable(
                    record.line,
                    record.topic,
                    record.partition,
                    record.offset,
                    event_id if isinstance(event_id, str) else None,
                    *problem,
                )
            )
    return report
