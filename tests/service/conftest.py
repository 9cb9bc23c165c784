"""Fixtures of the service tests: the kit's consumer on FastStream's in-memory broker."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
from faststream.kafka import KafkaBroker, TestKafkaBroker
from psycopg import sql

from contracts.envelope import CloudEvent
from contracts.events import DossierStatus, DossierStatusChanged, StatusTransition
from contracts.signing import Signer, TrustStore
from contracts.topics import ServiceName
from services.kit import HandlerContext, ServiceMessaging, ServiceStore, StoreWorker


@dataclass
class KitHarness:
    """The city portal's kit consumer of `dossier.submitted`, and what it did."""

    broker: Any  # the TestKafkaBroker: publish to it
    messaging: ServiceMessaging
    handled: list[str] = field(default_factory=list)  # event ids handled
    published: list[Any] = field(default_factory=list)  # follow-ups and dead letters


async def _raw(msg: Any) -> Any:
    return msg.raw_message


KitHarnessFactory = Callable[..., AbstractAsyncContextManager[KitHarness]]


@pytest.fixture
def kit_harness(tmp_path: Path) -> KitHarnessFactory:
    """Builds a harness whose handler emits a status change per submission; signed when
    given a signer and a trust store."""

    @asynccontextmanager
    async def build(
        signer: Signer | None = None, trust: TrustStore | None = None, tracing: Any = None
    ) -> AsyncIterator[KitHarness]:
        broker = KafkaBroker("127.0.0.1:9")
        worker = StoreWorker(ServiceStore(tmp_path / "kit.sqlite"))
        messaging = ServiceMessaging(
            broker, ServiceName.CITY_PORTAL, worker, signer=signer, trust=trust, tracing=tracing
        )
        harness = KitHarness(broker, messaging)

        @messaging.on("dossier.submitted")
        def on_submitted(event: CloudEvent[Any], ctx: HandlerContext) -> None:
            harness.handled.append(event.id)
            ctx.emit(
                "dossier.status.changed",
                DossierStatusChanged(
                    dossier_id=event.data.dossier_id,
                    dossier_code=event.data.dossier_code,
                    procedure_code=event.data.procedure_code,
                    transitions=[
                        StatusTransition(
                            status=DossierStatus.RECEIVED, by="city_portal", simtime=event.simtime
                        )
                    ],
                ),
            )

        messaging.subscribe()

        @broker.subscriber("dossier.status.changed", "deadletter.dossier.submitted", decoder=_raw)
        async def record(body: Any) -> None:
            harness.published.append(body)

        async with TestKafkaBroker(broker) as test_broker:
            harness.broker = test_broker
            yield harness
        worker.close()

    return build


@pytest.fixture(params=["sqlite", "postgresql"])
def store_settings(request: pytest.FixtureRequest) -> Iterator[dict[str, Any]]:
    """A service's store settings: its SQLite file (none to give), or the session's
    PostgreSQL server, whose schemas are dropped after the test."""
    if request.param == "sqlite":
        yield {}
        return
    url = request.getfixturevalue("postgres_url")
    yield {"store_url": url}
    with psycopg.connect(url, autocommit=True) as conn:
        for service in ServiceName:
            conn.execute(
                sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(service))
            )
