"""Checking a log's signatures: which records were not signed by a trusted producer.

The trust comes from `--trust FILE` or else from the log's header (`trust`, the public
keys the recording run used: self-asserted by whoever wrote the log, so it proves that
records were not changed after recording, not who recorded them). Each record on a
registered topic is verified like a consumer would (`TrustStore.verify`); dead-letter
topics hold what was refused, as it came, and are not checked. A log without any trust
is not checked at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contracts.signing import SignatureError, TrustStore
from contracts.topics import TOPICS
from simulator.eventlog.format import EventLogError, LogHeader, LogRecord

__all__ = ["ForgedRecord", "SignatureCheck", "trust_for"]

_REGISTERED = frozenset(t.name for t in TOPICS)


def trust_for(header: LogHeader, trust_file: Path | None, path: str = "") -> TrustStore | None:
    """The trust to check a log against: the file given, else the header's, else none."""
    try:
        if trust_file is not None:
            return TrustStore.from_file(trust_file)
        if header.trust:
            return TrustStore(header.trust)
    except (OSError, ValueError) as exc:
        where = str(trust_file) if trust_file is not None else f"{path}: the header's trust"
        raise EventLogError(where, 0, f"unusable trust: {exc}", "bad_trust") from None
    return None


@dataclass(frozen=True)
class ForgedRecord:
    """A record that failed verification: where it was and why."""

    topic: str
    partition: int
    offset: int
    line: int
    event_id: str | None
    detail: str

    def __str__(self) -> str:
        return (
            f"line {self.line}: {self.topic} partition {self.partition} offset {self.offset} "
            f"event {self.event_id or '?'}: {self.detail}"
        )


@dataclass
class SignatureCheck:
    """Verifies records as they stream by, keeping the forged ones out."""

    trust: TrustStore | None
    checked: int = 0
    forged: list[ForgedRecord] = field(default_factory=list)

    def passes(self, record: LogRecord) -> bool:
        """True for a record to keep: verified, or not one that is checked."""
        if self.trust is None or record.topic not in _REGISTERED:
            return True
        self.checked += 1
        try:
            if record.value is None:
                raise SignatureError("not a JSON object: nothing to verify")
            self.trust.verify(record.topic, record.value)
        except SignatureError as exc:
            event_id = (record.value or {}).get("id")
            self.forged.append(
                ForgedRecord(
                    record.topic,
                    record.partition,
                    record.offset,
                    record.line,
                    event_id if isinstance(event_id, str) else None,
                    exc.detail,
                )
            )
            return False
        return True

    def verified(self, records: Iterable[LogRecord]) -> Iterator[LogRecord]:
        """The records that pass, in order; the others are counted in `forged`."""
        return (record for record in records if self.passes(record))

    def summary(self, name: str, limit: int = 5) -> list[str]:
        """Lines for the terminal: what was checked, the count and first few forged records."""
        if self.trust is None:
            return [f"{name}: signatures not checked (no trust in the header; --trust FILE)"]
        if not self.forged:
            return [f"{name}: {self.checked:,} records verified, none forged"]
        lines = [
            f"{name}: {len(self.forged):,} of {self.checked:,} records forged or unsigned "
            "(left out)"
        ]
        lines += [f"  {forged}" for forged in self.forged[:limit]]
        return lines

    def as_json(self, limit: int = 20) -> dict[str, Any]:
        """The check as plain JSON: counts and the first forged records."""
        return {
            "checked": self.checked if self.trust is not None else None,
            "forged": len(self.forged),
            "first_forged": [vars(forged) for forged in self.forged[:limit]],
        }
