"""Writing an event log: the header, one line per record, the end line on close.

A path ending in `.gz` is written gzip-compressed; anything else as plain JSON lines.
"""

from __future__ import annotations

import base64
import gzip
from pathlib import Path
from types import TracebackType
from typing import IO, cast

import orjson

from contracts.envelope import utc_now
from simulator.eventlog.format import LogEnd, LogHeader, LogRecord

__all__ = ["EventLogWriter"]


def _open_for_writing(path: Path) -> IO[bytes]:
    """The file, gzip-compressed when its name ends in `.gz` (kept open until close())."""
    if path.name.endswith(".gz"):
        return cast(IO[bytes], gzip.open(path, "wb", compresslevel=6))
    return path.open("wb")


class EventLogWriter:
    """Writes one log; use as a context manager (the end line is written on close)."""

    def __init__(self, path: Path, header: LogHeader) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.records = 0
        self._stream = _open_for_writing(self.path)
        self._stream.write(header.model_dump_json(exclude_none=False).encode() + b"\n")
        self.closed = False

    def write_line(self, line: bytes) -> None:
        """Append one record line (a JSON object without its newline)."""
        self._stream.write(line + b"\n")
        self.records += 1

    def write_record(self, record: LogRecord) -> None:
        """Append a record read from another log."""
        line = {
            "topic": record.topic,
            "partition": record.partition,
            "offset": record.offset,
            "key": record.key,
            "headers": [list(h) for h in record.headers],
            "timestamp": record.timestamp,
            "value": record.value,
        }
        if record.value is None:
            line["value_b64"] = base64.b64encode(record.raw or b"").decode()
        self.write_line(orjson.dumps(line))

    def close(self) -> None:
        """Write the end line and close the file (once)."""
        if self.closed:
            return
        self.closed = True
        end = LogEnd(records=self.records, ended_at=utc_now())
        self._stream.write(end.model_dump_json().encode() + b"\n")
        self._stream.close()

    def __enter__(self) -> EventLogWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
