"""The CloudEvents 1.0 envelope every Kafka value carries (structured JSON mode).

An event on the wire is one JSON object: the CloudEvents context attributes
(`specversion`, `id`, `source`, `type`, `time`, `subject`, `datacontenttype`),
portalsim's extension attributes (`correlationid`, `causationid`, `simtime`,
`signer`, `signature`) and `data`, a payload model from `contracts.events`.

Envelope versions (`ENVELOPE_VERSION`; each event's `type` versions its payload):
1. the attributes above without `signer` and `signature`;
2. adds `signer` and `signature` (Ed25519 over the canonical bytes, `contracts.signing`),
   optional in the model: a service running signed refuses events without them;
3. `signature` may also be the batch form: one Ed25519 signature over the Merkle root of
   the events a producer publishes together, with the event's proof
   (`contracts.signature_batches`); verifiers accept both forms;
4. adds the optional `traceparent` (the CloudEvents distributed-tracing extension, W3C
   Trace Context format): the trace and the span of the handler or request that produced
   the event. Like every attribute but `signature` it is covered by the signature; an
   event without it (any earlier version) is valid as before.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

__all__ = [
    "CONTENT_TYPE",
    "ENVELOPE_VERSION",
    "EVENT_TYPE_PATTERN",
    "TRACEPARENT_PATTERN",
    "CloudEvent",
    "EnvelopeError",
    "event_type_for",
    "parse_envelope",
    "parse_event",
]

CONTENT_TYPE = "application/cloudevents+json"
ENVELOPE_VERSION = 4
_UNSIGNED = {"signer", "signature"}
TRACEPARENT_PATTERN = r"^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$"
EVENT_TYPE_PATTERN = r"^vn\.portalsim\.[a-z_]+(\.[a-z_]+)*\.v[0-9]+$"
_EVENT_TYPE_RE = re.compile(EVENT_TYPE_PATTERN)

DataT = TypeVar("DataT")


class EnvelopeError(ValueError):
    """A Kafka value that is not a valid portalsim CloudEvent.

    `field` names the first offending attribute as a dotted path
    (`data.procedure_code`, `simtime`, or `<value>` when the bytes are not
    a JSON object at all); `reason` is a short machine-readable code.
    """

    def __init__(self, field: str, message: str, reason: str = "invalid_envelope") -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.reason = reason


class CloudEvent(BaseModel, Generic[DataT]):
    """A CloudEvents 1.0 envelope in structured JSON mode with portalsim's extensions."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    specversion: Literal["1.0"] = Field(
        "1.0", description="CloudEvents specification version; always 1.0."
    )
    id: str = Field(
        min_length=1,
        max_length=200,
        description="Unique id of this event; consumers deduplicate on it.",
    )
    source: str = Field(
        min_length=1,
        max_length=200,
        description="URI reference of the producing service, e.g. /portalsim/city_portal.",
    )
    type: str = Field(
        pattern=EVENT_TYPE_PATTERN,
        description="Event type with version, e.g. vn.portalsim.dossier.submitted.v2.",
    )
    time: AwareDatetime = Field(
        description="Wall-clock time (UTC) at which the event was produced."
    )
    subject: str | None = Field(
        None, max_length=200, description="What the event is about: a dossier id, an ID number."
    )
    datacontenttype: Literal["application/json"] = Field(
        "application/json", description="Media type of `data`; always application/json."
    )
    correlationid: str = Field(
        min_length=1,
        max_length=200,
        description="Id of the root of the causal chain: the root dossier (or account) id.",
    )
    causationid: str | None = Field(
        None, max_length=200, description="Id of the event that caused this one; none for inputs."
    )
    simtime: AwareDatetime = Field(
        description="Simulated time (timezone-aware) at which the event happened in the domain."
    )
    traceparent: str | None = Field(
        None,
        pattern=TRACEPARENT_PATTERN,
        description="Extension (envelope v4, CloudEvents distributed tracing): the W3C "
        "`traceparent` of the span that produced the event, `00-<trace id>-<span id>-<flags>`; "
        "covered by the signature. Absent: the event is not traced.",
    )
    signer: str | None = Field(
        None,
        max_length=200,
        description="Extension (envelope v2): the principal that signed the event, "
        "a service name or `simulator`.",
    )
    signature: str | None = Field(
        None,
        max_length=1200,
        description="Extension (envelope v2): base64url (unpadded) Ed25519 signature of the "
        "canonical bytes: the envelope without `signature`, keys sorted, compact JSON; since "
        "v3 also the batch form `<root signature>.<index>.<count>.<sibling hashes>` "
        "(one signature over the Merkle root of events published together).",
    )
    data: DataT = Field(description="The event payload, a model from contracts.events.")

    def to_bytes(self) -> bytes:
        """Serialise to the Kafka value bytes (compact UTF-8 JSON; unsigned: no signer;
        untraced: no traceparent)."""
        unsigned = self.signer is None and self.signature is None
        left_out = set(_UNSIGNED) if unsigned else set()
        if self.traceparent is None:
            left_out.add("traceparent")
        return self.model_dump_json(exclude=left_out or None).encode()


def event_type_for(topic: str, version: int) -> str:
    """The CloudEvents `type` of a topic's events: `vn.portalsim.<topic>.v<version>`."""
    event_type = f"vn.portalsim.{topic}.v{version}"
    if not _EVENT_TYPE_RE.match(event_type):
        raise ValueError(f"topic {topic!r} gives an invalid event type {event_type!r}")
    return event_type


def _error_from_validation(exc: ValidationError) -> EnvelopeError:
    first = exc.errors()[0]
    location = ".".join(str(part) for part in first["loc"] if part != "function-after")
    kind = first["type"]
    if kind == "json_invalid":
        return EnvelopeError("<value>", f"not valid JSON ({first['msg']})", "not_json")
    if kind in {"model_type", "model_attributes_type"} and not location:
        return EnvelopeError("<value>", "not a JSON object", "not_envelope")
    reason = "invalid_payload" if location.startswith("data") else "invalid_envelope"
    return EnvelopeError(location or "<value>", first["msg"], reason)


def _check_bytes(raw: bytes) -> None:
    if not raw:
        raise EnvelopeError("<value>", "empty value", "empty")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise EnvelopeError("<value>", f"invalid UTF-8 at byte {exc.start}", "not_utf8") from None


def parse_envelope(raw: bytes) -> CloudEvent[dict[str, Any]]:
    """Parse Kafka value bytes into an envelope whose `data` is left as a JSON object."""
    _check_bytes(raw)
    try:
        return CloudEvent[dict[str, Any]].model_validate_json(raw)
    except ValidationError as exc:
        raise _error_from_validation(exc) from None


def parse_event(
    raw: bytes, payload: type[DataT], expected_type: str | None = None
) -> CloudEvent[DataT]:
    """Parse Kafka value bytes into an envelope with a validated payload model.

    `expected_type`, when given, must equal the envelope's `type`.
    Raises `EnvelopeError` naming the first offending field.
    """
    _check_bytes(raw)
    try:
        event = CloudEvent[payload].model_validate_json(raw)  # type: ignore[valid-type]
    except ValidationError as exc:
        payload_error = _error_from_validation(exc)
        envelope = parse_envelope(raw)  # raises the envelope's own error first
        if expected_type is not None and envelope.type != expected_type:
            raise _wrong_type(expected_type, envelope.type) from None
        raise payload_error from None
    if expected_type is not None and event.type != expected_type:
        raise _wrong_type(expected_type, event.type)
    return event


def _wrong_type(expected: str, actual: str) -> EnvelopeError:
    return EnvelopeError("type", f"expected {expected!r}, got {actual!r}", "wrong_event_type")


def utc_now() -> datetime:
    """The current wall-clock time in UTC (the envelope's `time`)."""
    return datetime.now(UTC)
