"""The HTTP API of the one-stop desks: take paper dossiers in, show the desks' queues.

A desk takes dossiers in only from its own clerks (a desk token of that unit); the
simulated clock is moved by officials (the simulator); the queues are public, like a
display board in the hall. The routes are thin: each parses and authorises, runs one
use case (`use_cases.py`) on the store worker, flushes what it stored in the outbox and
turns the result or error into an HTTP answer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

import structlog
from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi import Path as PathParam
from starlette.convertors import Convertor, register_url_convertor

from contracts.units import is_hanoi_unit
from services.kit.http_types import BODY_REFUSALS, Moment, refusals, unit_code_schema
from services.kit.messaging import ServiceMessaging
from services.kit.public_api import official_check
from services.kit.tokens import BearerToken, matches_any, unauthorized
from services.one_stop import use_cases
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
from services.one_stop.use_cases import DeskConfig

__all__ = ["desk_router"]

log = structlog.get_logger("portalsim.one_stop.api")

_UNKNOWN_UNIT = "unit_code is not one of Hanoi's 30 districts or 579 communes."


class _UnitShaped(Convertor[str]):
    """Path segments shaped like a unit code (3 or 5 digits): `/desks/clock` is then no
    desk, and a wrong method on it is answered 405 `Allow: POST`, not 404. Whether the
    code is a Hanoi unit is `known_unit`'s to say (404 naming it)."""

    regex = "[0-9]{3}(?:[0-9]{2})?"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("unit", _UnitShaped())


async def known_unit(
    unit_code: Annotated[
        str,
        unit_code_schema("Code of a Hanoi district (3 digits) or commune (5 digits)."),
        PathParam(),
    ],
) -> str:
    """The path's unit code, if it is one of Hanoi's 30 districts or 579 communes; else 404."""
    if not is_hanoi_unit(unit_code):
        raise HTTPException(
            status_code=404,
            detail=f"unit_code {unit_code!r} is not one of Hanoi's 30 districts or 579 communes",
        )
    return unit_code


def desk_clerk_check(settings: OneStopSettings) -> Callable[[str, str], Awaitable[None]]:
    """A dependency letting a desk's own clerks in: 401 without a known token, 403 with the
    token of another desk (clerks are staff, so telling them so reveals nothing)."""
    every_desk_token = [t for tokens in settings.desk_token_hashes.values() for t in tokens]

    async def require_desk_clerk(
        unit_code: Annotated[str, Depends(known_unit)], token: BearerToken
    ) -> None:
        if matches_any(token, settings.desk_token_hashes.get(unit_code, [])):
            return
        if matches_any(token, every_desk_token):
            raise HTTPException(403, detail=f"this token is not one of desk {unit_code}'s")
        raise unauthorized("unknown or expired desk token")

    return require_desk_clerk


def desk_router(messaging: ServiceMessaging, desks: DeskConfig, store: OneStopStore) -> APIRouter:
    """The routes of the desks; store work runs on the store worker, then the outbox flushes."""
    router = APIRouter(tags=["desks"])
    settings = desks.settings
    worker = messaging.worker
    desk_clerk = Depends(desk_clerk_check(settings))

    @router.post(
        "/desks/{unit_code:unit}/dossiers",
        status_code=202,
        summary="Take a paper dossier in at a one-stop desk (Bộ phận Một cửa); its clerks only",
        responses=refusals(
            *BODY_REFUSALS,
            why={
                401: "No token of a desk, or one that is unknown or expired.",
                403: "The token is another desk's.",
                404: _UNKNOWN_UNIT,
                409: "The desk has used all its dossier codes for that day.",
            },
        ),
        dependencies=[desk_clerk],
    )
    async def take_in(
        body: IntakeRequest, unit_code: Annotated[str, Depends(known_unit)]
    ) -> IntakeAccepted:
        log.debug("paper dossier handed in", unit_code=unit_code, dossier=body)
        try:
            # a repeat stores nothing; after a failed publish its first events go out too
            accepted = await messaging.requests.run(
                use_cases.take_in, store, desks, unit_code, body
            )
        except DeskSequenceExhaustedError as exc:
            raise HTTPException(status_code=409, detail=f"unit_code {unit_code!r}: {exc}") from exc
        return accepted

    @router.get("/desks", summary="Every desk that took a dossier in, with its peak queue")
    async def list_desks() -> DeskList:
        return await worker.run(use_cases.list_desks, store, settings)

    @router.get(
        "/desks/{unit_code:unit}",
        summary="A desk's capacity and queue in simulated time",
        responses=refusals(422, why={404: _UNKNOWN_UNIT}),
    )
    async def show_desk(
        unit_code: Annotated[str, Depends(known_unit)],
        at: Annotated[
            Moment | None,
            Query(description="Simulated moment of the queue length; default the latest known."),
        ] = None,
    ) -> DeskView:
        return await worker.run(use_cases.desk_view, store, settings, unit_code, at)

    @router.post(
        "/desks/clock",
        summary="The simulated clock reached a moment: publish the queue departures it passes "
        "(officials and the simulator)",
        dependencies=[Depends(official_check(settings))],
        responses=refusals(401, *BODY_REFUSALS),
    )
    async def advance_clock(body: ClockAdvance) -> ClockAdvanced:
        return await messaging.requests.run(use_cases.advance_clock, store, desks, body.simtime)

    return router
