"""The event-log format (version 1): one JSON object a line, optionally gzip (`.gz`).

Line 1 is the header (format, version, scenario, seed, topics, time of recording);
then one line per Kafka record (topic, partition, offset, key, headers, timestamp and
the CloudEvents value as it was on the wire); the last line is the end line with the
number of records, so a log cut short is told from a complete one. See docs/eventlog.md.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any, Literal

import orjson
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "EventLogError",
    "LogEnd",
    "LogHeader",
    "LogRecord",
    "record_from_json",
    "record_to_json",
]

FORMAT_NAME = "portalsim.eventlog"
FORMAT_VERSION = 1


class EventLogError(ValueError):
    """A log that cannot be read as it is: names the file, the line and what is wrong.

    `kind` is a short code: `truncated`, `not_json`, `bad_header`, `unknown_version`,
    `bad_record`, `bad_envelope`, `bad_end`, `unknown_payload_version` (a record of a payload
    version no reader knows), `old_payload_version` (an older one, where only today's will do).
    """

    def __init__(self, path: str, line: int, message: str, kind: str) -> None:
        super().__init__(f"{path}:{line}: {message}" if line else f"{path}: {message}")
        self.path = path
        self.line = line
        self.message = message
        self.kind = kind


class LogHeader(BaseModel):
    """The first line of a log: what was recorded, from which scenario, when."""

    model_config = ConfigDict(extra="allow")

    format: Literal["portalsim.eventlog"] = Field(
        "portalsim.eventlog", description="Always portalsim.eventlog."
    )
    version: int = Field(FORMAT_VERSION, description="Version of the log format.")
    scenario: dict[str, Any] | None = Field(
        None, description="The scenario played (its JSON dump), policies included; none if unknown."
    )
    seed: int | None = Field(None, description="Seed of the scenario's demand.")
    topics: list[str] = Field(description="The topics recorded.")
    recorded_at: AwareDatetime = Field(description="Wall-clock time the recording started (UTC).")
    origin: str = Field("record", description="record, run or replay.")
    note: dict[str, Any] = Field(
        default_factory=dict, description="Free details: variant, replay_of, policy overrides."
    )
    trust: dict[str, str] | None = Field(
        None,
        description="The public keys the recorded run trusted (principal -> base64 Ed25519 "
        "key), self-asserted by the recorder; none when unknown.",
    )


class LogEnd(BaseModel):
    """The last line: the recording ended cleanly after `records` record lines."""

    model_config = ConfigDict(extra="allow")

    end: Literal[True] = Field(True, description="Marks the end line.")
    records: int = Field(ge=0, description="Number of record lines written.")
    ended_at: AwareDatetime = Field(description="Wall-clock time the recording ended (UTC).")


@dataclass(frozen=True, slots=True)
class LogRecord:
    """One Kafka record as logged; `value` is the decoded JSON object of the CloudEvent.

    A value that is not a JSON object (a dead letter's poison bytes) is kept in `raw`.
    """

    line: int
    topic: str
    partition: int
    offset: int
    key: str | None
    headers: tuple[tuple[str, str], ...]
    timestamp: int
    value: dict[str, Any] | None
    raw: bytes | None = None

    @property
    def data(self) -> dict[str, Any]:
        """The CloudEvent's `data` (an empty dict when there is none)."""
        data = (self.value or {}).get("data")
        return data if isinstance(data, dict) else {}

    def value_bytes(self) -> bytes:
        """The value as Kafka bytes (compact JSON, or the raw bytes)."""
        if self.value is not None:
            return orjson.dumps(self.value)
        return self.raw or b""


def record_to_json(
    topic: str,
    partition: int,
    offset: int,
    key: bytes | None,
    headers: list[tuple[str, bytes]] | tuple[tuple[str, bytes], ...] | None,
    timestamp: int,
    value: bytes | None,
) -> bytes:
    """One record line (without the newline) from what a Kafka consumer gives."""
    line: dict[str, Any] = {"topic": topic, "partition": partition, "offset": offset}
    try:
        line["key"] = None if key is None else key.decode("utf-8")
    except UnicodeDecodeError:
        line["key"], line["key_b64"] = None, base64.b64encode(key or b"").decode()
    line["headers"] = [[k, v.decode("utf-8", "backslashreplace")] for k, v in headers or ()]
    line["timestamp"] = timestamp
    try:
        decoded = orjson.loads(value) if value else None
    except orjson.JSONDecodeError:
        decoded = None
    if isinstance(decoded, dict):
        line["value"] = decoded
    else:
        line["value"] = None
        line["value_b64"] = base64.b64encode(value or b"").decode()
    return orjson.dumps(line)


def _fail(path: str, line: int, message: str, kind: str = "bad_record") -> EventLogError:
    return EventLogError(path, line, message, kind)


def _int(obj: dict[str, Any], name: str, path: str, line: int) -> int:
    value = obj.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise _fail(path, line, f"record field {name!r} must be a non-negative integer")
    return value


def record_from_json(obj: Any, path: str, line: int) -> LogRecord:
    """A record from its decoded line; `EventLogError` naming the field otherwise."""
    if not isinstance(obj, dict):
        raise _fail(path, line, "a record line must be a JSON object")
    topic = obj.get("topic")
    if not isinstance(topic, str) or not topic:
        raise _fail(path, line, "record field 'topic' is missing or not a string")
    partition, offset = _int(obj, "partition", path, line), _int(obj, "offset", path, line)
    timestamp = _int(obj, "timestamp", path, line)
    key = obj.get("key")
    if key is not None and not isinstance(key, str):
        raise _fail(path, line, "record field 'key' must be a string or null")
    headers = obj.get("headers", [])
    if not isinstance(headers, list) or not all(
        isinstance(h, list) and len(h) == 2 and all(isinstance(p, str) for p in h) for h in headers
    ):
        raise _fail(path, line, "record field 'headers' must be a list of [name, value] strings")
    value = obj.get("value")
    raw = None
    if value is None:
        encoded = obj.get("value_b64")
        if not isinstance(encoded, str):
            raise _fail(path, line, "record has neither a 'value' object nor 'value_b64'")
        raw = base64.b64decode(encoded)
    elif not isinstance(value, dict):
        raise _fail(path, line, "record field 'value' must be a JSON object (the CloudEvent)")
    return LogRecord(
        line=line,
        topic=topic,
        partition=partition,
        offset=offset,
        key=key,
        headers=tuple((h[0], h[1]) for h in headers),
        timestamp=timestamp,
        value=value,
        raw=raw,
    )
