"""What the city portal's HTTP API does, one named function per request.

Each runs on the store worker (`await worker.run(use_case, ...)`); one that writes does
it inside `store.transaction()`, the events it publishes stored in the outbox in the same
transaction (the router then flushes the outbox). They know nothing of HTTP: a request
they refuse raises one of the errors below, which the routers turn into answers.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import orjson

from contracts.catalogue import Catalogue
from contracts.dossier_codes import format_dossier_code
from contracts.dossier_ids import SEQUENCE_BLOCKS, dossier_id_for
from contracts.envelope import utc_now
from contracts.events import AccountStatus, Channel, DossierSubmitted
from contracts.id_numbers import IdNumberError, parse_id_number
from contracts.units import is_hanoi_unit
from contracts.worktime import HANOI_TZ
from services.city_portal.accounts import registration, same_registration
from services.city_portal.callers import Caller
from services.city_portal.http_models import AccountRequest, DossierRequest
from services.city_portal.records import Account
from services.city_portal.store import CityPortalStore
from services.kit import EventFactory, Outgoing, derived_event_id
from services.kit.tokens import IssuedToken, issue_token
from services.kit.tracing import annotate_request, current_traceparent

__all__ = [
    "ACCOUNT_NAMESPACE",
    "ClientRefTakenError",
    "DossierCodesExhaustedError",
    "InvalidFieldError",
    "OpenedAccount",
    "Submitted",
    "UnknownAccountError",
    "account_of",
    "check_dossier_request",
    "dossier_counts",
    "dossier_view",
    "open_account",
    "submit_dossier",
]

ACCOUNT_NAMESPACE = uuid.UUID("4d3c1b2a-7e6f-4a5b-8c9d-0e1f2a3b4c5d")
_PRODUCER = "city_portal"


class InvalidFieldError(ValueError):
    """A field of the request is well-formed but not acceptable (`loc`: where in the body)."""

    def __init__(self, loc: list[Any], message: str) -> None:
        super().__init__(message)
        self.loc = loc
        self.message = message


class UnknownAccountError(LookupError):
    """The account named is not known."""


class ClientRefTakenError(Exception):
    """The registration's client_ref belongs to another registration."""


class DossierCodesExhaustedError(Exception):
    """A unit's online block of dossier codes for the day is used up."""


@dataclass(frozen=True)
class OpenedAccount:
    """An account opened (or found again) and the bearer token issued with it, if any."""

    account: Account
    token: IssuedToken | None


@dataclass(frozen=True)
class Submitted:
    """A dossier accepted: its id, code and current status."""

    dossier_id: str
    dossier_code: str
    status: str


# -- accounts --------------------------------------------------------------------------
def open_account(
    store: CityPortalStore,
    factory: EventFactory,
    request: AccountRequest,
    *,
    foreigners_may_register: bool,
    token_ttl: timedelta,
) -> OpenedAccount:
    """Open the account a registration asks for (the same again: the account it opened),
    with a new bearer token valid for `token_ttl` unless the account is refused at once;
    one transaction.

    Its id derives from the kind and the client_ref (a random one without). Raises
    `ClientRefTakenError` when the client_ref was registered with another identity.
    """
    key = request.client_ref or uuid.uuid4().hex
    account_id = str(uuid.uuid5(ACCOUNT_NAMESPACE, f"{request.kind}:{key}"))
    person = request.person()
    with store.transaction():
        account = store.account(account_id)
        if account is not None:
            if not same_registration(account, request.kind, person):
                raise ClientRefTakenError("client_ref is already used by another registration")
        else:
            account, event = registration(
                account_id,
                request.kind,
                person,
                request.client_ref,
                foreigners_may_register=foreigners_may_register,
            )
            store.put_account(account)
            event_id = derived_event_id(account_id, 0, _PRODUCER)
            simtime = utc_now().astimezone(HANOI_TZ)
            store.add_outbox([factory.record_input(event, event_id=event_id, simtime=simtime)])
        token = None
        if account.status != AccountStatus.REFUSED:
            token = issue_token(token_ttl)
            store.add_token(token.sha256, account_id, token.expires_at)
    return OpenedAccount(account, token)


def account_of(store: CityPortalStore, account_id: str) -> Account | None:
    """The account, or None."""
    return store.account(account_id)


# -- dossiers --------------------------------------------------------------------------
def check_dossier_request(catalogue: Catalogue, request: DossierRequest) -> None:
    """Raise `InvalidFieldError` for an unknown procedure, a unit outside Hanoi or a
    malformed ID number."""
    try:
        catalogue.by_code(request.procedure_code)
    except KeyError:
        raise InvalidFieldError(
            ["procedure_code"], f"unknown procedure code {request.procedure_code!r}"
        ) from None
    if not is_hanoi_unit(request.unit_code):
        raise InvalidFieldError(["unit_code"], f"{request.unit_code!r} is not a Hanoi unit")
    for index, person in enumerate(request.persons):
        if person.id_number is not None:
            try:
                parse_id_number(person.id_number)
            except IdNumberError as exc:
                raise InvalidFieldError(["persons", index, "id_number"], str(exc)) from None


def submit_dossier(
    store: CityPortalStore,
    factory: EventFactory,
    catalogue: Catalogue,
    request: DossierRequest,
    account_id: str,
) -> Submitted:
    """Accept a dossier: its code, the dossier, `dossier.submitted` (an active or a refused
    account), or its code and the dossier held until the account's identity check is
    answered (a pending one; `accounts.released` then publishes it).

    A refused account's dossier is accepted and then rejected on receipt (`account_refused`),
    as a dossier held for it is when its check fails: the outcome is the same whether the
    check was answered before or after the submission (docs/flow.md section 0).
    The same client_ref again gives the dossier accepted before. Raises
    `InvalidFieldError`, `UnknownAccountError` or `DossierCodesExhaustedError`.
    """
    check_dossier_request(catalogue, request)
    dossier_id = dossier_id_for(
        Channel.ONLINE, request.client_ref and f"{account_id}:{request.client_ref}"
    )
    day = request.submitted_simtime.astimezone(HANOI_TZ).date()
    first, last = SEQUENCE_BLOCKS[Channel.ONLINE]
    with store.transaction():
        store.lock(f"account:{account_id}")  # its check's answer releases what is held
        status = store.account_status(account_id)
        if status is None:
            raise UnknownAccountError(f"account_id {account_id!r} is unknown")
        existing = store.dossier(dossier_id)
        if existing is not None:
            return Submitted(dossier_id, existing.dossier_code, existing.status)
        held = status == AccountStatus.PENDING
        number = store.next_sequence(request.unit_code, day, first)
        if number > last:
            raise DossierCodesExhaustedError(
                f"unit_code {request.unit_code}: no dossier codes left for {day}"
            )
        submission = DossierSubmitted(
            dossier_id=dossier_id,
            dossier_code=format_dossier_code(request.unit_code, day, number),
            procedure_code=request.procedure_code,
            channel=Channel.ONLINE,
            account_id=account_id,
            received_unit=request.unit_code,
            persons=request.persons,
            form=request.form,
            received_simtime=request.submitted_simtime,
            client_ref=request.client_ref,
        )
        event = Outgoing(
            "dossier.submitted", submission, request.submitted_simtime, correlation_id=dossier_id
        )
        traceparent = None
        if held:  # its event later carries this request's trace (`accounts.released`)
            annotate_request(dossier_id, request.procedure_code)
            traceparent = current_traceparent()
        store.add_dossier(submission, held=held, traceparent=traceparent)
        if not held:
            record = factory.record_input(
                event, event_id=derived_event_id(dossier_id, 0, _PRODUCER)
            )
            store.add_outbox([record])
    return Submitted(dossier_id, submission.dossier_code, "held" if held else "received")


def dossier_view(store: CityPortalStore, code: str, caller: Caller) -> dict[str, Any] | None:
    """A dossier (by code or id) with its settlement and timeline, if the caller may read
    it; None otherwise, exactly as for an unknown one."""
    dossier = store.dossier_by_code(code) or store.dossier(code)
    if dossier is None or not caller.may_read(dossier.account_id):
        return None
    return {
        "dossier_id": dossier.dossier_id,
        "dossier_code": dossier.dossier_code,
        "procedure_code": dossier.procedure_code,
        "channel": dossier.channel,
        "parent_dossier_id": dossier.parent_dossier_id,
        "status": dossier.status,
        "settlement": orjson.loads(dossier.settlement) if dossier.settlement else None,
        "new_id_number": dossier.new_id_number,
        "timeline": [entry.as_json() for entry in store.timeline(dossier.dossier_id)],
    }


def dossier_counts(store: CityPortalStore) -> dict[str, int]:
    """How many dossiers are in each status."""
    return store.counts_by_status()
