"""Harness for the population database service tests (no tests here): runs the service
on FastStream's in-memory broker and records what it publishes."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from faststream.kafka import TestKafkaBroker
from pydantic import BaseModel

from contracts.envelope import parse_event
from contracts.events import (
    Channel,
    CivilStatusChange,
    DossierSettled,
    IdentityCheckRequested,
    Outcome,
    RequesterKind,
)
from contracts.people import DeclaredPerson, MaritalStatus, PersonFacts, PersonRole, Sex
from contracts.topics import topic
from contracts.worktime import HANOI_TZ
from services.kit.runtime import ServiceRuntime
from services.population_db.app import build_runtime
from services.population_db.settings import PopulationDbSettings
from synthetic_population import REFERENCE_DATE, generate_people
from tests.factories import SIMTIME, envelope

SIZE = 500
SEED = 6
PEOPLE = list(generate_people(SIZE, SEED))
SETTLED_AT = datetime(2026, 3, 3, 10, 0, tzinfo=HANOI_TZ)
RECORDED = ("identity.check.completed", "population.record.changed", "deadletter.dossier.settled")


async def _raw(msg: Any) -> Any:
    return msg.raw_message


@dataclass
class Harness:
    """The running service, its in-memory broker, an HTTP client, and what it published."""

    runtime: ServiceRuntime
    broker: Any
    http: httpx.AsyncClient
    published: list[Any] = field(default_factory=list)

    async def send(self, topic_name: str, data: BaseModel, correlation: str = "root") -> None:
        """Publish ``data`` on a topic in a fresh envelope (a new event id each time)."""
        event = envelope(data, type=topic(topic_name).event_type, correlationid=correlation)
        await self.broker.publish(event.to_bytes(), topic_name)

    def events(self, topic_name: str, payload: type[Any]) -> list[Any]:
        return [parse_event(r.value, payload).data for r in self.published if r.topic == topic_name]

    def deadletters(self) -> list[Any]:
        return [r for r in self.published if r.topic == "deadletter.dossier.settled"]


def adult(sex: Sex, offset: int = 0) -> PersonFacts:
    """The ``offset``-th living, single person of ``sex`` aged 25 or more."""
    adults = [
        p
        for p in PEOPLE
        if p.alive
        and p.sex is sex
        and p.marital_status is MaritalStatus.SINGLE
        and REFERENCE_DATE.year - p.birth_date.year >= 25
    ]
    return adults[offset]


def declared(person: PersonFacts, **overrides: Any) -> DeclaredPerson:
    values: dict[str, Any] = {
        "role": PersonRole.APPLICANT,
        "id_number": person.id_number,
        "full_name": person.full_name,
        "birth_date": person.birth_date,
        "sex": person.sex,
    }
    values.update(overrides)
    return DeclaredPerson(**values)


def check_request(id_number: str, person: DeclaredPerson, requester: str = "dossier-1") -> Any:
    return IdentityCheckRequested(
        check_id=f"{requester}:{person.role}",
        requester_kind=RequesterKind.DOSSIER,
        requester_id=requester,
        id_number=id_number,
        person=person,
    )


def settled_with(
    change: CivilStatusChange | None, outcome: Outcome = Outcome.APPROVED
) -> DossierSettled:
    return DossierSettled(
        dossier_id=str(uuid.uuid4()),
        dossier_code="00101-260302-0001",
        procedure_code="1.001193",
        channel=Channel.ONLINE,
        received_unit="00101",
        outcome=outcome,
        settled_by="city_portal",
        result_document_number="KS-1" if outcome is Outcome.APPROVED else None,
        reason_code=None if outcome is Outcome.APPROVED else "identity_mismatch",
        received_simtime=SIMTIME,
        settled_simtime=SETTLED_AT,
        working_days_taken=0.1,
        civil_status_change=change,
    )


def settings_for(tmp_path: Path, **overrides: Any) -> PopulationDbSettings:
    values: dict[str, Any] = {
        "data_dir": tmp_path / "population_db",
        "population_size": SIZE,
        "population_seed": SEED,
        "kafka_bootstrap": "127.0.0.1:9",
    }
    values.update(overrides)
    return PopulationDbSettings(**values)


async def running_service(settings: PopulationDbSettings) -> AsyncIterator[Harness]:
    """Build the service, await its seed (the on_start hook), run it on TestKafkaBroker."""
    runtime = build_runtime(settings)
    runtime.messaging.subscribe()
    published: list[Any] = []

    @runtime.broker.subscriber(*RECORDED, decoder=_raw)
    async def record(body: Any) -> None:
        published.append(body)

    for hook in runtime.on_start:
        await hook()
    transport = httpx.ASGITransport(app=runtime.http)
    async with (
        TestKafkaBroker(runtime.broker) as broker,
        httpx.AsyncClient(transport=transport, base_url="http://test") as client,
    ):
        yield Harness(runtime, broker, client, published)
    runtime.messaging.worker.close()
