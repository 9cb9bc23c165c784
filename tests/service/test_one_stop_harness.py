"""Harness of the one_stop service tests (no tests here): the service on the in-memory broker.

``open_desk`` builds the service with its settings, subscribes it on FastStream's
``TestKafkaBroker``, records what it publishes with a raw-decoder subscriber and
serves its HTTP API through ``httpx.ASGITransport``. Its client calls as the run's
clerks would: a desk's token for a desk's intake, the official token for the clock.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from faststream.kafka import TestKafkaBroker

from contracts.events import Channel, DossierSettled, Outcome
from contracts.topics import topic
from services.kit.runtime import ServiceRuntime
from services.one_stop.app import build_runtime
from services.one_stop.settings import OneStopSettings
from simulator.system.tokens import RunCredentials
from tests.factories import envelope

__all__ = ["RECEIVED", "Desk", "intake_body", "open_desk", "settlement"]

RECEIVED = "2026-03-02T09:30:00+07:00"
TOPICS = (
    "dossier.status.changed",
    "desk.queue.changed",
    "dossier.submitted",
    "dossier.settled",
    "desk.dossier.received",
)


def intake_body(**overrides: Any) -> dict[str, Any]:
    """A valid body of POST /desks/{unit_code}/dossiers."""
    body: dict[str, Any] = {
        "client_ref": "desk-1",
        "procedure_code": "1.004194",
        "persons": [
            {
                "role": "applicant",
                "id_number": "001087012345",
                "full_name": "Nguyễn Văn An",
                "birth_date": "1987-05-04",
                "sex": "male",
            }
        ],
        "form": {"address": "12 Phố Huế"},
        "received_simtime": RECEIVED,
    }
    body.update(overrides)
    return body


def settlement(accepted: dict[str, Any], **overrides: Any) -> DossierSettled:
    """A settlement of the dossier that an intake answered with ``accepted``."""
    values: dict[str, Any] = {
        "dossier_id": accepted["dossier_id"],
        "dossier_code": accepted["dossier_code"],
        "procedure_code": "1.004194",
        "channel": Channel.DESK,
        "received_unit": accepted["unit_code"],
        "outcome": Outcome.APPROVED,
        "settled_by": "ministry.public_security",
        "result_document_number": "TT-2026-000123",
        "received_simtime": datetime.fromisoformat(RECEIVED),
        "settled_simtime": datetime.fromisoformat("2026-03-04T15:00:00+07:00"),
        "working_days_taken": 2.6,
        "legal_limit_days": 3,
        "within_legal_limit": True,
    }
    values.update(overrides)
    return DossierSettled(**values)


@dataclass
class Desk:
    """The service under test, its HTTP client and what it published."""

    client: httpx.AsyncClient
    broker: Any
    runtime: ServiceRuntime
    published: list[Any] = field(default_factory=list)

    def events(self, topic: str | None = None) -> list[dict[str, Any]]:
        """Envelopes one_stop published, oldest first, optionally of one topic."""
        envelopes = [
            json.loads(r.value) | {"topic": r.topic}
            for r in self.published
            if topic in (None, r.topic)
        ]
        return [e for e in envelopes if e["source"] == "/portalsim/one_stop"]

    def statuses(self) -> list[str]:
        """The statuses one_stop published, oldest first, in whichever event they travel."""
        return [t["status"] for e in self.events() for t in e["data"].get("transitions", [])]

    async def settle(self, data: DossierSettled) -> None:
        """Publish a settlement as another portal would."""
        event = envelope(
            data, type=topic("dossier.settled").event_type, simtime=data.settled_simtime
        )
        await self.broker.publish(event.to_bytes(), "dossier.settled", key=data.dossier_id.encode())


async def _raw(msg: Any) -> Any:
    return msg.raw_message


def clerk_auth(credentials: RunCredentials) -> Callable[[httpx.Request], httpx.Request]:
    """httpx auth: the token of the desk in the path, the official one for anything else."""

    def authorize(request: httpx.Request) -> httpx.Request:
        parts = request.url.path.split("/")
        token = credentials.desk_token(parts[2]) if len(parts) > 2 else None
        request.headers["Authorization"] = f"Bearer {token or credentials.official}"
        return request

    return authorize


async def open_desk(
    tmp_path: Path, credentials: RunCredentials | None = None, **settings: Any
) -> AsyncIterator[Desk]:
    """The service with these settings on the in-memory broker (an async generator)."""
    credentials = credentials or RunCredentials.generate()
    settings = {**credentials.settings_values(OneStopSettings.model_fields), **settings}
    runtime = build_runtime(OneStopSettings(data_dir=tmp_path, **settings))
    runtime.messaging.subscribe()
    published: list[Any] = []

    @runtime.broker.subscriber(*TOPICS, decoder=_raw)
    async def record(body: Any) -> None:
        published.append(body)

    async with TestKafkaBroker(runtime.broker) as broker:
        transport = httpx.ASGITransport(app=runtime.http)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://one-stop", auth=clerk_auth(credentials)
        ) as client:
            yield Desk(client, broker, runtime, published)
    runtime.messaging.worker.close()
