"""Reading consumed records: the event each carries, or its dead letter.

Parsing is one pydantic validation of the envelope with its topic's payload (the
parametrised model made once per topic); only a record that fails it goes through
`parse_event` again, for the precise reason of the dead letter. A service may skip its
own events on a topic (`skip_own`): they are recognised by the envelope's `source`
and never parsed.

With a trust store every event is verified before it is validated or handled: the value
is parsed once (orjson), its signature checked (`TrustStore.verify`), and the same dict
validated by pydantic. An unsigned, forged, unknown-signer or wrong-producer event is
dead-lettered with reason `signature`; a value that is not a JSON object keeps its own
reason (empty, not_utf8, not_json, ...), and is never handled either.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import orjson
import structlog
from aiokafka import ConsumerRecord
from pydantic import ValidationError

from contracts.deadletter import DeadLetterInfo, deadletter_headers
from contracts.envelope import CloudEvent, EnvelopeError, parse_event, utc_now
from contracts.signing import SignatureError, TrustStore
from contracts.topics import topic
from services.kit.emitter import event_type_of
from services.kit.metrics import ServiceMetrics
from services.kit.store import OutboxRecord

__all__ = ["RecordReader", "deadletter"]

log = structlog.get_logger("portalsim.kit.messaging")


def deadletter(
    record: ConsumerRecord[bytes, bytes], reason: str, detail: str, service: str
) -> OutboxRecord:
    """The dead letter of a record: its original bytes and headers, plus the reason."""
    log.warning(
        "dead letter", topic=record.topic, offset=record.offset, reason=reason, detail=detail
    )
    info = DeadLetterInfo(
        reason=reason,
        detail=detail,
        service=service,
        time=utc_now(),
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
    )
    original = [(k, v.decode("utf-8", "backslashreplace")) for k, v in record.headers or ()]
    added = [(k, v.decode()) for k, v in deadletter_headers(info)]
    return OutboxRecord(
        topic=topic(record.topic).deadletter,
        key=record.key,
        value=record.value or b"",
        headers=tuple(original + added),
    )


class RecordReader:
    """Turns consumed records into events (or dead letters) for one service."""

    def __init__(
        self,
        service: str,
        source: str,
        max_event_bytes: int,
        stats: Counter[str],
        trust: TrustStore | None = None,
        metrics: ServiceMetrics | None = None,
    ):
        self.service = service
        self.source = source
        self.max_event_bytes = max_event_bytes
        self.stats = stats
        self.trust = trust
        self.metrics = metrics
        self._models: dict[str, type[CloudEvent[Any]]] = {}
        self._own: dict[str, bytes] = {}

    def skip_own(self, topic_name: str) -> None:
        """Leave the service's own events on this topic unparsed (see `ServiceMessaging`)."""
        self._own[topic_name] = f'","source":"{self.source}","type":"'.encode()

    def read(self, record: ConsumerRecord[bytes, bytes]) -> CloudEvent[Any] | OutboxRecord | None:
        """The event a record carries, its dead letter, or None for an own event skipped."""
        value = record.value or b""
        own = self._own.get(record.topic)
        if own is not None and value.find(own, 0, 300) != -1:
            self.stats["own"] += 1
            return None
        if len(value) > self.max_event_bytes:
            detail = f"<value>: {len(value)} bytes, over the limit of {self.max_event_bytes}"
            return self.deadletter(record, "too_large", detail)
        registered = topic(record.topic)
        model = self._models.get(record.topic)
        if model is None:
            payload: Any = registered.payload
            model = self._models[record.topic] = CloudEvent[payload]
        validate: Any = model.model_validate_json
        candidate: Any = value
        if self.trust is not None:
            checked = self._verified(record, value)
            if checked is None:  # not a JSON object: its own reason, never handled
                return self._precise(record, value, verified=False)
            if isinstance(checked, OutboxRecord):
                return checked
            candidate, validate = checked, model.model_validate  # one JSON parse only
        try:  # the usual case, in one step; anything else gets parse_event's precise error
            event: CloudEvent[Any] = validate(candidate)
            if event.type == event_type_of(record.topic):
                return event
        except ValidationError:
            pass
        return self._precise(record, value)

    def _verified(
        self, record: ConsumerRecord[bytes, bytes], value: bytes
    ) -> dict[str, Any] | OutboxRecord | None:
        """The envelope as a verified dict, the dead letter of a bad signature, or None."""
        assert self.trust is not None
        try:
            envelope = orjson.loads(value)
        except orjson.JSONDecodeError:
            return None
        if not isinstance(envelope, dict):
            return None
        try:
            self.trust.verify(record.topic, envelope)
        except SignatureError as exc:
            self._bad_signature(record.topic)
            return self.deadletter(record, "signature", exc.detail)
        return envelope

    def _precise(
        self, record: ConsumerRecord[bytes, bytes], value: bytes, verified: bool = True
    ) -> CloudEvent[Any] | OutboxRecord:
        """The event after all (a value only the full parser takes), or the precise error."""
        registered = topic(record.topic)
        try:
            event = parse_event(value, registered.payload, registered.event_type)
        except EnvelopeError as exc:
            return self.deadletter(record, exc.reason, str(exc))
        if not verified:  # valid to pydantic, yet not a JSON object to orjson: never handled
            self._bad_signature(record.topic)
            return self.deadletter(record, "signature", "the value could not be verified")
        return event

    def _bad_signature(self, topic_name: str) -> None:
        self.stats["bad_signatures"] += 1
        if self.metrics is not None:
            self.metrics.bad_signature(topic_name)

    def deadletter(
        self, record: ConsumerRecord[bytes, bytes], reason: str, detail: str
    ) -> OutboxRecord:
        """A dead letter from this service, counted."""
        self.stats["deadletters"] += 1
        if self.metrics is not None:
            self.metrics.deadletter(record.topic, reason)
        return deadletter(record, reason, detail, self.service)
