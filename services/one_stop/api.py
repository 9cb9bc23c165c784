"""The HTTP API of the one-stop desks: take paper dossiers in, show the desks' queues.

A desk takes dossiers in only from its own clerks (a desk token of that unit); the
simulated clock is moved by officials (the simulator); the queues are public, like a
display board in the hall.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, TypeVar

import structlog
from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi import Path as PathParam
from pydantic import AwareDatetime

from contracts.units import is_hanoi_unit, unit_by_code
from services.kit.messaging import ServiceMessaging
from services.kit.public_api import official_check
from services.kit.store import OutboxRecord
from services.kit.tokens import BearerToken, matches_any, unauthorized
from services.one_stop.domain import DeskSequenceExhaustedError
from services.one_stop.schemas import (
    ClockAdvance,
    ClockAdvanced,
    DeskList,
    DeskView,
    IntakeAccepted,
    IntakeRequest,
)
from services.one_stop.settings import OneStopSettings
from services.one_stop.store import OneStopStore
from services.one_stop.workflow import Desks, Intake

__all__ = ["desk_router"]

T = TypeVar("T")

log = structlog.get_logger("portalsim.one_stop.api")


def known_unit(
    unit_code: Annotated[
        str, PathParam(description="Code of a Hanoi district (3 digits) or commune (5 digits).")
    ],
) -> str:
    """The path's unit code, if it is one of Hanoi's 30 districts or 579 communes; else 404."""
    if not is_hanoi_unit(unit_code):
        raise HTTPException(
            status_code=404,
            detail=f"unit_code {unit_code!r} is not one of Hanoi's 30 districts or 579 communes",
        )
    return unit_code


def desk_clerk_check(settings: OneStopSettings) -> Callable[[str, str], None]:
    """A dependency letting a desk's own clerks in: 401 without a known token, 403 with the
    token of another desk (clerks are staff, so telling them so reveals nothing)."""
    every_desk_token = [t for tokens in settings.desk_token_hashes.values() for t in tokens]

    def require_desk_clerk(
        unit_code: Annotated[str, Depends(known_unit)], token: BearerToken
    ) -> None:
        if matches_any(token, settings.desk_token_hashes.get(unit_code, [])):
            return
        if matches_any(token, every_desk_token):
            raise HTTPException(403, detail=f"this token is not one of desk {unit_code}'s")
        raise unauthorized("unknown or expired desk token")

    return require_desk_clerk


def _transaction(store: OneStopStore, work: Callable[[], tuple[T, list[OutboxRecord]]]) -> T:
    """Run ``work`` and store the records it returns, in one transaction (store worker)."""
    store.begin()
    try:
        result, records = work()
        store.add_outbox(records)
        store.commit()
    except BaseException:
        store.rollback()
        raise
    return result


def _desk_view(
    store: OneStopStore, settings: OneStopSettings, unit_code: str, at: datetime | None
) -> DeskView:
    """A desk's state and its queue at ``at`` (default: the latest moment known)."""
    state = store.desk(unit_code)
    as_of = at or store.clock()
    return DeskView(
        unit_code=unit_code,
        unit_name=unit_by_code(unit_code).name,
        capacity_per_day=settings.capacity_of(unit_code),
        free_at=state.free_at if state else None,
        as_of=as_of,
        queue_length=store.queue_length(unit_code, as_of) if state and as_of else 0,
        peak_queue=state.peak_queue if state else 0,
        dossiers_received=state.dossiers_received if state else 0,
        scan_failures=state.scan_failures if state else 0,
    )


def _desk_list(store: OneStopStore, settings: OneStopSettings) -> DeskList:
    """Every desk that took a dossier in, with its queue now and its peak."""
    return DeskList(
        as_of=store.clock(),
        desks=[_desk_view(store, settings, s.unit_code, None) for s in store.desks()],
    )


def desk_router(messaging: ServiceMessaging, desks: Desks, store: OneStopStore) -> APIRouter:
    """The routes of the desks; store work runs on the store worker, then the outbox flushes."""
    router = APIRouter(tags=["desks"])
    settings = desks.settings
    worker = messaging.worker
    desk_clerk = Depends(desk_clerk_check(settings))

    @router.post(
        "/desks/{unit_code}/dossiers",
        status_code=202,
        summary="Take a paper dossier in at a one-stop desk (Bộ phận Một cửa); its clerks only",
        responses={404: {"description": "Unknown unit"}, 409: {"description": "Codes used up"}},
        dependencies=[desk_clerk],
    )
    async def take_in(
        body: IntakeRequest, unit_code: Annotated[str, Depends(known_unit)]
    ) -> IntakeAccepted:
        log.debug("paper dossier handed in", unit_code=unit_code, dossier=body)

        def work() -> tuple[Intake, list[OutboxRecord]]:
            intake = desks.take_in(store, unit_code, body)
            return intake, intake.records

        try:
            intake: Intake = await worker.run(_transaction, store, work)
        except DeskSequenceExhaustedError as exc:
            raise HTTPException(status_code=409, detail=f"unit_code {unit_code!r}: {exc}") from exc
        # Flushed on a repeat too: a request that failed while publishing is retried.
        await messaging.flush_outbox()
        return intake.accepted

    @router.get("/desks", summary="Every desk that took a dossier in, with its peak queue")
    async def list_desks() -> DeskList:
        return await worker.run(_desk_list, store, settings)

    @router.get("/desks/{unit_code}", summary="A desk's capacity and queue in simulated time")
    async def show_desk(
        unit_code: Annotated[str, Depends(known_unit)],
        at: Annotated[
            AwareDatetime | None,
            Query(description="Simulated moment of the queue length; default the latest known."),
        ] = None,
    ) -> DeskView:
        return await worker.run(_desk_view, store, settings, unit_code, at)

    @router.post(
        "/desks/clock",
        summary="The simulated clock reached a moment: publish the queue departures it passes "
        "(officials and the simulator)",
        dependencies=[Depends(official_check(settings))],
    )
    async def advance_clock(body: ClockAdvance) -> ClockAdvanced:
        def work() -> tuple[ClockAdvanced, list[OutboxRecord]]:
            clock, records = desks.advance_clock(store, body.simtime)
            return ClockAdvanced(clock=clock, departures_published=len(records)), records

        advanced: ClockAdvanced = await worker.run(_transaction, store, work)
        await messaging.flush_outbox()
        return advanced

    return router
