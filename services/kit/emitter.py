"""Building outgoing events: CloudEvents envelopes as outbox records.

Events produced while handling another event get ids derived from the producer and
the cause (`uuid5(producer / cause id / n)`), so a redelivered event yields byte-identical
follow-ups and downstream deduplication catches any republished one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from contracts.envelope import CONTENT_TYPE, CloudEvent, utc_now
from contracts.topics import ServiceName, topic
from services.kit.store import OutboxRecord

__all__ = ["EVENT_ID_NAMESPACE", "EventFactory", "HandlerContext"]

EVENT_ID_NAMESPACE = uuid.UUID("6f1c8e7a-3b1d-4c53-9d4f-5e0e6a1d2b90")


@dataclass(frozen=True)
class EventFactory:
    """Makes the envelopes a service publishes, stamped with its source."""

    service: ServiceName | str

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
    ) -> OutboxRecord:
        """One outbox record carrying `payload` on `topic_name`."""
        registered = topic(topic_name)
        if not isinstance(payload, registered.payload):
            raise TypeError(
                f"{topic_name} carries {registered.payload.__name__}, not {type(payload).__name__}"
            )
        envelope: CloudEvent[Any] = CloudEvent(
            id=event_id,
            source=self.source,
            type=registered.event_type,
            time=utc_now(),
            subject=subject,
            correlationid=correlation_id,
            causationid=causation_id,
            simtime=simtime,
            data=payload,
        )
        return OutboxRecord(
            topic=topic_name,
            key=registered.key_of(payload),
            value=envelope.to_bytes(),
            headers=(("content-type", CONTENT_TYPE),),
        )


def derived_event_id(cause_id: str, index: int, producer: str) -> str:
    """Deterministic id of the index-th event that `producer` published because of `cause_id`.

    The producer is part of it: two services handling the same event must not give their
    follow-ups the same id, or a consumer of both would take one for a duplicate.
    """
    return str(uuid.uuid5(EVENT_ID_NAMESPACE, f"{producer}/{cause_id}/{index}"))


@dataclass
class HandlerContext:
    """What a handler gets besides the event: a way to emit follow-up events."""

    factory: EventFactory
    event: CloudEvent[Any]
    outgoing: list[OutboxRecord] = field(default_factory=list)

    def emit(
        self,
        topic_name: str,
        payload: BaseModel,
        *,
        simtime: datetime | None = None,
        subject: str | None = None,
        correlation_id: str | None = None,
    ) -> None:
        """Queue a follow-up event; it is published after the handler's effects are stored."""
        self.outgoing.append(
            self.factory.record(
                topic_name,
                payload,
                event_id=derived_event_id(
                    self.event.id, len(self.outgoing), str(self.factory.service)
                ),
                correlation_id=correlation_id or self.event.correlationid,
                simtime=simtime or self.event.simtime,
                causation_id=self.event.id,
                subject=subject,
            )
        )
