"""Building outgoing events: CloudEvents envelopes as outbox records.

Events produced while handling another event get ids derived from the producer and
the cause (`uuid5(producer / cause id / n)`), so a redelivered event yields byte-identical
follow-ups and downstream deduplication catches any republished one. A factory with a
`Signer` signs every envelope it makes (`signer` and `signature` appended). A traced
event's follow-ups carry the `traceparent` of its handler's span; an input event made
while a traced HTTP request is answered (`record_input`), that of the request's span
(`tracing.py`).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

import orjson
from pydantic import BaseModel

from contracts.envelope import CONTENT_TYPE, CloudEvent, utc_now
from contracts.signing import Signer
from contracts.topics import ServiceName, topic
from services.kit.outgoing import Outgoing
from services.kit.status_folding import fold_statuses
from services.kit.store import OutboxRecord
from services.kit.tracing import annotate_request, current_traceparent

__all__ = ["EVENT_ID_NAMESPACE", "Emitted", "EventFactory", "HandlerContext"]

EVENT_ID_NAMESPACE = uuid.UUID("6f1c8e7a-3b1d-4c53-9d4f-5e0e6a1d2b90")
_NAMESPACE_BYTES = EVENT_ID_NAMESPACE.bytes
_EVENT_TYPES: dict[str, str] = {}


@dataclass(frozen=True)
class EventFactory:
    """Makes the envelopes a service publishes, stamped with its source (signed with a signer)."""

    service: ServiceName | str
    signer: Signer | None = None

    @property
    def source(self) -> str:
        """The CloudEvents `source` of this service."""
        return f"/portalsim/{self.service}"

    def record(
        self,
        topic_name: str,
        payload: BaseModel,
        *,
        event_id: str,
        correlation_id: str,
        simtime: datetime,
        causation_id: str | None = None,
        subject: str | None = None,
        time: datetime | None = None,
        sign: bool = True,
        traceparent: str | None = None,
    ) -> OutboxRecord:
        """One outbox record carrying `payload` on `topic_name` (made at `time`, default now).

        With `sign=False` a signing factory leaves it to `sign_all`, which signs many at once.
        `traceparent`: that of the span it comes from, if traced.
        """
        registered = topic(topic_name)
        if not isinstance(payload, registered.payload):
            raise TypeError(
                f"{topic_name} carries {registered.payload.__name__}, not {type(payload).__name__}"
            )
        if simtime.tzinfo is None:
            raise ValueError("simtime must be timezone-aware")
        value = envelope_bytes(
            id=event_id,
            source=self.source,
            type=event_type_of(topic_name),
            time=time or utc_now(),
            subject=subject,
            correlationid=correlation_id,
            causationid=causation_id,
            simtime=simtime,
            traceparent=traceparent,
            data=payload,
        )
        return OutboxRecord(
            topic=topic_name,
            key=registered.key_of(payload),
            value=value if self.signer is None or not sign else self.signer.sign_bytes(value),
            headers=(("content-type", CONTENT_TYPE),),
        )

    def record_input(
        self, event: Outgoing, *, event_id: str, simtime: datetime | None = None
    ) -> OutboxRecord:
        """The record of an event entering from outside (an HTTP use case), with the id the
        use case derives; at `simtime`, default the event's own (one of them is needed),
        correlated by the event's correlation id (needed: there is no cause to take it from).
        """
        at = simtime or event.simtime
        if at is None or event.correlation_id is None:
            raise ValueError(
                f"an input event on {event.topic} needs a simtime and a correlation id"
            )
        annotate_request(event.correlation_id, getattr(event.payload, "procedure_code", None))
        return self.record(
            event.topic,
            event.payload,
            event_id=event_id,
            correlation_id=event.correlation_id,
            simtime=at,
            subject=event.subject,
            traceparent=current_traceparent(),
        )

    def sign_all(self, records: list[OutboxRecord]) -> list[OutboxRecord]:
        """Records made with `sign=False`, signed together (one signature per batch of them)."""
        if self.signer is None or not records:
            return records
        values = self.signer.sign_many_bytes([r.value for r in records])
        return [
            OutboxRecord(r.topic, r.key, v, r.headers, r.seq)
            for r, v in zip(records, values, strict=True)
        ]


def event_type_of(topic_name: str) -> str:
    """The CloudEvents `type` of a registered topic's events (computed once per topic)."""
    found = _EVENT_TYPES.get(topic_name)
    if found is None:
        found = _EVENT_TYPES[topic_name] = topic(topic_name).event_type
    return found


def envelope_bytes(*, data: BaseModel, **attributes: Any) -> bytes:
    """The JSON of `CloudEvent(**attributes, data=data)`, byte for byte as `to_bytes()` makes it.

    The context attributes are written by orjson and the payload by its own pydantic
    serializer, without building (and validating) the envelope model first.
    """
    head = orjson.dumps(
        {
            "specversion": "1.0",
            "id": attributes["id"],
            "source": attributes["source"],
            "type": attributes["type"],
            "time": attributes["time"],
            "subject": attributes.get("subject"),
            "datacontenttype": "application/json",
            "correlationid": attributes["correlationid"],
            "causationid": attributes.get("causationid"),
            "simtime": attributes["simtime"],
        },
        option=orjson.OPT_UTC_Z,
    )
    traceparent = attributes.get("traceparent")
    if traceparent is not None:
        head = head[:-1] + b',"traceparent":' + orjson.dumps(traceparent) + b"}"
    return head[:-1] + b',"data":' + data.__pydantic_serializer__.to_json(data) + b"}"


def derived_event_id(cause_id: str, index: int, producer: str) -> str:
    """Deterministic id of the index-th event that `producer` published because of `cause_id`.

    The producer is part of it: two services handling the same event must not give their
    follow-ups the same id, or a consumer of both would take one for a duplicate.
    """
    return _uuid5(f"{producer}/{cause_id}/{index}")


def _uuid5(name: str) -> str:
    """`str(uuid.uuid5(EVENT_ID_NAMESPACE, name))`, without building UUID objects."""
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + name.encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class Emitted(NamedTuple):
    """What an emitted event's envelope says: its id, when it was made, its simulated time."""

    event_id: str
    time: datetime
    simtime: datetime


@dataclass
class HandlerContext:
    """What a handler gets besides the event: a way to emit follow-up events.

    They are made unsigned: the kit signs all the follow-ups of a batch together
    (`EventFactory.sign_all`) before storing them.
    """

    factory: EventFactory
    event: CloudEvent[Any]
    outgoing: list[OutboxRecord] = field(default_factory=list)
    traceparent: str | None = None  # of the handler's span: the follow-ups carry it

    def emit(
        self,
        topic_name: str,
        payload: BaseModel,
        *,
        simtime: datetime | None = None,
        subject: str | None = None,
        correlation_id: str | None = None,
        traceparent: str | None = None,
    ) -> Emitted:
        """Queue a follow-up event; it is published after the handler's effects are stored.

        It carries the handler span's `traceparent`, or the one given (another trace's)."""
        emitted = Emitted(
            derived_event_id(self.event.id, len(self.outgoing), str(self.factory.service)),
            utc_now(),
            simtime or self.event.simtime,
        )
        self.outgoing.append(
            self.factory.record(
                topic_name,
                payload,
                event_id=emitted.event_id,
                correlation_id=correlation_id or self.event.correlationid,
                simtime=emitted.simtime,
                causation_id=self.event.id,
                subject=subject,
                time=emitted.time,
                sign=False,
                traceparent=traceparent or self.traceparent,
            )
        )
        return emitted

    def publish(self, events: Iterable[Outgoing]) -> list[Emitted]:
        """Queue the events a domain decided on, in order (see `emit`), a dossier's status
        changes folded into one event (`fold_statuses`); for each given event, the
        emitted event that carries it."""
        folded, carried_by = fold_statuses(list(events))
        emitted = [
            self.emit(
                e.topic,
                e.payload,
                simtime=e.simtime,
                subject=e.subject,
                correlation_id=e.correlation_id,
                traceparent=e.traceparent,
            )
            for e in folded
        ]
        return [emitted[index] for index in carried_by]
