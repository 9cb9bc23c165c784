"""Dead letters: what a consumer could not handle, set aside with its reason.

A dead letter keeps the original record's key, value bytes and headers unchanged
and adds `deadletter.*` headers saying why, where from, by whom and when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = [
    "DEADLETTER_HEADERS",
    "DeadLetterInfo",
    "deadletter_headers",
    "read_deadletter_headers",
]

_PREFIX = "deadletter."
DEADLETTER_HEADERS = (
    "deadletter.reason",
    "deadletter.detail",
    "deadletter.service",
    "deadletter.time",
    "deadletter.topic",
    "deadletter.partition",
    "deadletter.offset",
)


@dataclass(frozen=True)
class DeadLetterInfo:
    """Why and where a record was dead-lettered."""

    reason: str
    detail: str
    service: str
    time: datetime
    topic: str
    partition: int
    offset: int


def deadletter_headers(info: DeadLetterInfo) -> list[tuple[str, bytes]]:
    """The headers added to a dead letter (values UTF-8 encoded)."""
    values = {
        "reason": info.reason,
        "detail": info.detail[:2000],
        "service": info.service,
        "time": info.time.isoformat(),
        "topic": info.topic,
        "partition": str(info.partition),
        "offset": str(info.offset),
    }
    return [(_PREFIX + name, value.encode()) for name, value in values.items()]


def read_deadletter_headers(headers: list[tuple[str, bytes]]) -> DeadLetterInfo:
    """Read the `deadletter.*` headers of a dead letter back; KeyError if one is missing."""
    values = {k[len(_PREFIX) :]: v.decode() for k, v in headers if k.startswith(_PREFIX)}
    return DeadLetterInfo(
        reason=values["reason"],
        detail=values["detail"],
        service=values["service"],
        time=datetime.fromisoformat(values["time"]),
        topic=values["topic"],
        partition=int(values["partition"]),
        offset=int(values["offset"]),
    )
