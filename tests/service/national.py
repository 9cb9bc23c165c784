"""The national portal on FastStream's in-memory broker, for the service tests: what it
publishes (every topic recorded) and an HTTP client of its API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson
from faststream.kafka import TestKafkaBroker
from pydantic import BaseModel

from contracts.catalogue import load_catalogue
from contracts.events import DossierRouted
from contracts.topics import TOPICS, topic
from services.national_portal.app import build_runtime
from services.national_portal.settings import NationalPortalSettings
from tests.factories import SIMTIME, envelope, submission

CATALOGUE = load_catalogue()


async def _raw(msg: Any) -> Any:
    return msg.raw_message


@dataclass
class Service:
    broker: Any
    http: httpx.AsyncClient
    records: list[Any] = field(default_factory=list)

    def on(self, topic_name: str) -> list[dict[str, Any]]:
        return [orjson.loads(r.value) for r in self.records if r.topic == topic_name]

    def statuses(self, dossier_id: str) -> list[tuple[str, str]]:
        """Every status change published about the dossier, in whichever event it travels."""
        return [
            (t["status"], t["by"])
            for name in ("dossier.status.changed", "dossier.settled")
            for e in self.on(name)
            if e["data"]["dossier_id"] == dossier_id
            for t in e["data"]["transitions"]
        ]

    def settled(self, dossier_id: str) -> list[dict[str, Any]]:
        return [e for e in self.on("dossier.settled") if e["data"]["dossier_id"] == dossier_id]

    async def send(self, topic_name: str, payload: BaseModel, **kw: Any) -> None:
        event = envelope(payload, type=topic(topic_name).event_type, **kw)
        await self.broker.publish(event.to_bytes(), topic_name)


@asynccontextmanager
async def national_portal(tmp_path: Path, **settings: Any) -> AsyncIterator[Service]:
    """The national portal with these settings (no random rejections, none late)."""
    values = {"rejection_rate": 0.0, "late_rate": 0.0, **settings}
    runtime = build_runtime(NationalPortalSettings(data_dir=tmp_path, **values))
    recorded = Service(None, None)  # type: ignore[arg-type]

    @runtime.broker.subscriber(*[t.name for t in TOPICS], "deadletter.dossier.routed", decoder=_raw)
    async def record(body: Any) -> None:
        recorded.records.append(body)

    runtime.messaging.subscribe()
    async with TestKafkaBroker(runtime.broker) as broker:
        runtime.ready.set()
        transport = httpx.ASGITransport(app=runtime.http)
        async with httpx.AsyncClient(transport=transport, base_url="http://national") as client:
            recorded.broker, recorded.http = broker, client
            yield recorded
    runtime.messaging.worker.close()


def routed(number: int, **overrides: Any) -> DossierRouted:
    """A dossier of the catalogue's procedure `number` as the city portal routes it."""
    procedure = CATALOGUE.by_number(number)
    route_to = overrides.pop("route_to", procedure.settled_by)
    routed_simtime = overrides.pop("routed_simtime", SIMTIME)
    sub = submission(procedure_code=procedure.code, **overrides)
    return DossierRouted(
        dossier_id=sub.dossier_id, route_to=route_to, submission=sub, routed_simtime=routed_simtime
    )
