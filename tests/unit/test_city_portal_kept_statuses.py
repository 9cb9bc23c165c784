"""The status changes the city portal keeps with a dossier: carried by its next event, then
cleared, read only with the dossier's row (both engines; statements counted by a spy)."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
import pytest

from contracts.catalogue import load_catalogue
from contracts.envelope import CloudEvent
from contracts.events import (
    DossierSubmitted,
    IdentityCheckCompleted,
    IdentityResult,
    RequesterKind,
)
from contracts.topics import ServiceName
from services.city_portal.civil_status import MarriagePolicy
from services.city_portal.handlers import CityPortalHandlers
from services.city_portal.store import CityPortalStore
from services.kit import EventFactory, HandlerContext
from tests.factories import applicant, envelope, population_record, submission
from tests.stores import StoreBackend

PASSPORT = load_catalogue().by_number(4)  # settled by the national portal: routed
_SEQUENCE = itertools.count(1)


class StatementSpy:
    """The store's connection, every statement it runs written down."""

    def __init__(self, db: Any) -> None:
        self.db = db
        self.statements: list[str] = []

    def execute(self, statement: str, params: Sequence[Any] = ()) -> Any:
        self.statements.append(statement)
        return self.db.execute(statement, params)

    def executemany(self, statement: str, rows: Iterable[Sequence[Any]]) -> Any:
        self.statements.append(statement)
        return self.db.executemany(statement, rows)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.db, name)


@dataclass
class CityPortal:
    """The city portal's handlers on a store whose statements are counted."""

    store: CityPortalStore
    handlers: CityPortalHandlers
    spy: StatementSpy
    published: list[dict[str, Any]] = field(default_factory=list)

    def handle(self, handler: Callable[[Any, HandlerContext], None], event: Any) -> list[str]:
        """Handle one event in a transaction; the statements the handler ran."""
        ctx = HandlerContext(EventFactory(ServiceName.CITY_PORTAL), event)
        start = len(self.spy.statements)
        with self.store.transaction():
            handler(event, ctx)
        ran = self.spy.statements[start + 1 : -1]  # without BEGIN and COMMIT
        self.published += [orjson.loads(record.value) for record in ctx.outgoing]
        return ran

    def on(self, topic: str) -> list[dict[str, Any]]:
        return [e["data"] for e in self.published if e["type"].startswith(f"vn.portalsim.{topic}.")]


@pytest.fixture
def portal(store_backend: StoreBackend) -> Iterator[CityPortal]:
    store = store_backend.open(CityPortalStore)
    spy = StatementSpy(store.db)
    store.db = spy
    yield CityPortal(store, CityPortalHandlers(store, load_catalogue(), MarriagePolicy()), spy)
    store.close()


def passport_request(**persons: Any) -> DossierSubmitted:
    code = f"001-260302-{next(_SEQUENCE):04d}"
    person = applicant(**persons)
    return submission(dossier_code=code, procedure_code=PASSPORT.code, persons=[person])


def matched(asked: DossierSubmitted) -> CloudEvent[IdentityCheckCompleted]:
    person = asked.persons[0]
    record = population_record(person)
    answer = IdentityCheckCompleted(
        check_id=f"{asked.dossier_id}:{person.role.value}",
        requester_kind=RequesterKind.DOSSIER,
        requester_id=asked.dossier_id,
        role=person.role,
        result=IdentityResult.MATCH,
        record=record,
    )
    return envelope(answer, id=str(uuid.uuid4()), type="vn.portalsim.identity.check.completed.v1")


def kept_statuses(store: CityPortalStore, dossier_id: str) -> bytes | None:
    dossier = store.dossier(dossier_id)
    assert dossier is not None
    return dossier.kept_statuses


def reading_dossiers(statements: list[str]) -> list[str]:
    return [s for s in statements if s.startswith("SELECT") and "FROM dossiers" in s]


def touching_kept(statements: list[str]) -> list[str]:
    return [s for s in statements if "kept_statuses" in s]


def test_a_dossiers_kept_statuses_go_first_in_its_routing_and_are_then_cleared(
    portal: CityPortal,
) -> None:
    asked = passport_request()
    portal.handle(portal.handlers.on_dossier_submitted, envelope(asked))
    assert kept_statuses(portal.store, asked.dossier_id) is not None
    portal.handle(portal.handlers.on_identity_check_completed, matched(asked))
    [routed] = portal.on("dossier.routed")
    assert [t["status"] for t in routed["transitions"]] == ["received", "identity_check", "routed"]
    assert kept_statuses(portal.store, asked.dossier_id) is None


def test_carrying_kept_statuses_runs_one_statement_on_them_the_clearing(
    portal: CityPortal,
) -> None:
    asked = passport_request()
    portal.handle(portal.handlers.on_dossier_submitted, envelope(asked))
    ran = portal.handle(portal.handlers.on_identity_check_completed, matched(asked))
    [clearing] = touching_kept(ran)
    assert clearing.startswith("UPDATE dossiers SET kept_statuses = NULL")


def test_the_last_identity_answer_reads_its_dossier_once(portal: CityPortal) -> None:
    asked = passport_request()
    portal.handle(portal.handlers.on_dossier_submitted, envelope(asked))
    ran = portal.handle(portal.handlers.on_identity_check_completed, matched(asked))
    assert len(reading_dossiers(ran)) == 1
    assert len(portal.on("dossier.routed")) == 1


def test_a_dossier_received_with_nothing_to_check_costs_no_query_of_kept_statuses(
    portal: CityPortal,
) -> None:
    unchecked = passport_request(id_number=None)
    ran = portal.handle(portal.handlers.on_dossier_submitted, envelope(unchecked))
    assert touching_kept(ran) == []
    [routed] = portal.on("dossier.routed")
    assert [t["status"] for t in routed["transitions"]] == ["received", "routed"]


def test_a_dossier_handed_in_before_its_submission_arrives_is_read_once(
    portal: CityPortal,
) -> None:
    unchecked = passport_request(id_number=None)
    with portal.store.transaction():
        portal.store.add_dossier(unchecked)  # as the HTTP API does
    ran = portal.handle(portal.handlers.on_dossier_submitted, envelope(unchecked))
    assert len(reading_dossiers(ran)) == 1
    assert len(portal.on("dossier.routed")) == 1
