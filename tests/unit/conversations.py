"""Log records built by hand for the single-service replay tests: who said what, because of what."""

from __future__ import annotations

import itertools
from typing import Any

from simulator.eventlog.format import LogRecord

__all__ = ["event"]

_LINES = itertools.count(2)


def event(
    topic: str,
    by: str,
    event_id: str,
    *,
    cause: str | None = None,
    key: str | None = None,
    correlation: str = "root",
    timestamp: int = 1_000,
    data: dict[str, Any] | None = None,
    partition: int = 0,
    **attributes: Any,
) -> LogRecord:
    """A record of `by`'s event `event_id` on `topic`, caused by `cause`."""
    value: dict[str, Any] = {
        "specversion": "1.0",
        "id": event_id,
        "source": f"/portalsim/{by}",
        "type": f"vn.portalsim.{topic}.v1",
        "time": "2026-03-02T02:00:00Z",
        "subject": key,
        "correlationid": correlation,
        "causationid": cause,
        "simtime": "2026-03-02T09:00:00+07:00",
        "signer": by,
        "signature": f"sig-{event_id}",
        "data": data or {},
        **attributes,
    }
    line = next(_LINES)
    return LogRecord(line, topic, partition, line, key, (), timestamp, value)
