"""An event a service's domain decided to publish, before it becomes an envelope.

Domains are pure: they return `Outgoing` values; the kit turns them into signed
CloudEvents (`HandlerContext.publish` while handling an event, `EventFactory.record_input`
with an id the use case derives for HTTP use cases).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel

__all__ = ["Outgoing"]


@dataclass(frozen=True)
class Outgoing:
    """An event to publish: topic, payload, simulated time (default: the cause's), ids.

    `traceparent`: the trace it continues when that is not its cause's (a dossier held
    for its account goes on in the trace of the request that handed it in).
    """

    topic: str
    payload: BaseModel
    simtime: datetime | None = None
    correlation_id: str | None = None
    subject_override: str | None = None
    traceparent: str | None = None

    @property
    def subject(self) -> str | None:
        """The CloudEvents subject: the dossier the event is about, when it is about one."""
        if self.subject_override is not None:
            return self.subject_override
        value = getattr(self.payload, "dossier_id", None)
        return str(value) if value is not None else None
