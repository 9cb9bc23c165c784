"""Reading an event log line by line, with errors that name the line and what is wrong.

`EventLogReader(path)` reads and checks the header at once; iterating it yields the
records (each pass reads the file again, so a log larger than memory streams).
With `skip_bad=True` a bad record line is counted in `skipped` and the rest is read;
a header that cannot be used is always an error.
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, cast

import orjson
from pydantic import ValidationError

from contracts.envelope import EnvelopeError, parse_envelope, parse_event
from contracts.topics import DEADLETTER_PREFIX, TOPICS
from simulator.eventlog.format import (
    FORMAT_NAME,
    FORMAT_VERSION,
    EventLogError,
    LogEnd,
    LogHeader,
    LogRecord,
    record_from_json,
)

__all__ = ["EventLogReader", "read_header"]

GZIP_MAGIC = b"\x1f\x8b"
_TOPICS = {t.name: t for t in TOPICS}
_TYPE_VERSION = re.compile(r"\.v([0-9]+)$")


def _open(path: Path) -> IO[bytes]:
    with path.open("rb") as probe:
        magic = probe.read(2)
    if magic == GZIP_MAGIC:
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """(line number, raw line) pairs; a cut compressed stream is a `truncated` error."""
    number = 0
    with _open(path) as stream:
        while True:
            try:
                raw = stream.readline()
            except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
                raise EventLogError(
                    str(path),
                    number + 1,
                    f"truncated: the compressed stream ends early ({exc})",
                    "truncated",
                ) from None
            if not raw:
                return
            number += 1
            yield number, raw


def _json(path: Path, number: int, raw: bytes) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        if not raw.endswith(b"\n"):
            message = "truncated: the last line is cut short (no end of line, incomplete JSON)"
            raise EventLogError(str(path), number, message, "truncated") from None
        raise EventLogError(str(path), number, f"not JSON ({exc})", "not_json") from None


def _header(path: Path, number: int, raw: bytes) -> LogHeader:
    obj = _json(path, number, raw)
    if not isinstance(obj, dict) or obj.get("format") != FORMAT_NAME:
        message = f'not an event-log header (expected {{"format": "{FORMAT_NAME}", ...}})'
        raise EventLogError(str(path), number, message, "bad_header")
    version = obj.get("version")
    if version != FORMAT_VERSION:
        message = (
            f"unknown format version {version!r} (this portalsim reads version {FORMAT_VERSION})"
        )
        raise EventLogError(str(path), number, message, "unknown_version")
    try:
        return LogHeader.model_validate(obj)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "<header>"
        raise EventLogError(
            str(path), number, f"bad header: {where}: {first['msg']}", "bad_header"
        ) from None


def read_header(path: Path) -> LogHeader:
    """The log's header; `EventLogError` when the file has none that this version reads."""
    if not path.exists():
        raise EventLogError(str(path), 0, "no such file", "missing")
    for number, raw in _lines(path):
        if raw.strip():
            return _header(path, number, raw)
    raise EventLogError(str(path), 1, "empty log: no header line", "bad_header")


def check_value(path: Path, record: LogRecord) -> None:
    """A registered topic's value must be a CloudEvent whose data is that topic's payload,
    of a version this portalsim reads (today's, or an older one the registry keeps)."""
    if record.topic.startswith(DEADLETTER_PREFIX):
        return
    where = f"record on {record.topic} (partition {record.partition}, offset {record.offset})"
    registered = _TOPICS.get(record.topic)
    try:
        if record.value is None:
            parse_envelope(record.raw or b"")
        elif registered is not None:
            raw = orjson.dumps(record.value)
            version = _version_of(record.value.get("type"))
            payload = registered.payload_of_version(version or registered.version)
            if payload is None:
                read = ", ".join(f"v{v}" for v in registered.versions_read)
                message = (
                    f"{where}: payload version v{version} ({record.value.get('type')}) is "
                    f"not one this portalsim reads ({read})"
                )
                raise EventLogError(str(path), record.line, message, "unknown_payload_version")
            parse_event(raw, payload)
        else:
            parse_envelope(orjson.dumps(record.value))
    except EnvelopeError as exc:
        message = f"{where}: value is not a valid CloudEvent: {exc}"
        raise EventLogError(str(path), record.line, message, "bad_envelope") from None


def check_current(path: Path, record: LogRecord) -> None:
    """A record a service is fed or compared on must be of today's payload version: a
    running service reads no other (a whole-system replay and a diff read older ones)."""
    registered = _TOPICS.get(record.topic)
    if registered is None or record.value is None:
        return
    version = _version_of(record.value.get("type"))
    if version is not None and version != registered.version:
        message = (
            f"record on {record.topic} (partition {record.partition}, offset "
            f"{record.offset}): payload version v{version} ({record.value.get('type')}); "
            f"a service alone is fed today's v{registered.version} only: replay the whole "
            "system (`portalsim replay LOG`), or record the run again"
        )
        raise EventLogError(str(path), record.line, message, "old_payload_version")


def _version_of(event_type: Any) -> int | None:
    """The `v<N>` an event type ends with; None when it has none."""
    found = _TYPE_VERSION.search(event_type) if isinstance(event_type, str) else None
    return int(found.group(1)) if found else None


class EventLogReader:
    """A log on disk: its header, and its records on iteration."""

    def __init__(self, path: Path, *, skip_bad: bool = False, validate: bool = True) -> None:
        self.path = Path(path)
        self.skip_bad = skip_bad
        self.validate = validate
        self.header = read_header(self.path)
        self.skipped: list[EventLogError] = []
        self.warnings: list[str] = []
        self.end: LogEnd | None = None
        self.record_lines = 0

    def _bad(self, error: EventLogError, *, count: bool = True) -> None:
        """Raise `error`, or with `skip_bad` count it (when a line was lost) and go on."""
        if not self.skip_bad:
            raise error
        if count:
            self.skipped.append(error)
        else:
            self.warnings.append(str(error))

    def __iter__(self) -> Iterator[LogRecord]:
        self.skipped, self.warnings, self.end, self.record_lines = [], [], None, 0
        path, last = self.path, 0
        try:
            for number, raw in _lines(path):
                last = number
                if number == 1 or not raw.strip():
                    continue
                if self.end is not None:
                    raise EventLogError(str(path), number, "a line after the end line", "bad_end")
                record = self._record(number, raw)
                if record is not None:
                    yield record
        except EventLogError as exc:
            if exc.kind != "truncated":
                raise
            self._bad(exc)
            self.warnings.append(f"{exc}; read the {self.record_lines} record lines before it")
            return
        self._check_end(last)

    def _record(self, number: int, raw: bytes) -> LogRecord | None:
        try:
            obj = _json(self.path, number, raw)
            if isinstance(obj, dict) and "end" in obj:
                self.end = self._end_line(number, obj)
                return None
            self.record_lines += 1
            record = record_from_json(obj, str(self.path), number)
            if self.validate:
                check_value(self.path, record)
            return record
        except EventLogError as exc:
            if exc.kind == "truncated":
                raise
            self._bad(exc)
            return None

    def _end_line(self, number: int, obj: dict[str, Any]) -> LogEnd:
        try:
            return LogEnd.model_validate(obj)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise EventLogError(
                str(self.path), number, f"bad end line: {where}: {first['msg']}", "bad_end"
            ) from None

    def _check_end(self, last: int) -> None:
        if self.end is None:
            error = EventLogError(
                str(self.path),
                last + 1,
                f"truncated: the log ends after line {last} without its end line",
                "truncated",
            )
            self._bad(error, count=False)
        elif self.end.records != self.record_lines:
            error = EventLogError(
                str(self.path),
                last,
                f"the end line counts {self.end.records} records but the log holds "
                f"{self.record_lines}",
                "bad_end",
            )
            self._bad(error, count=False)
