"""What the city portal decides about a dossier, and the events that says to publish.

Pure functions, no IO: each takes what the store knows and what happened, and returns a
`Reaction` (the events to publish, in order, and the state to record). A dossier is
received, its declared identities are checked by the population database, then it is
settled here (the three civil-status procedures, `civil_status.py`, and a generic rule
for any other procedure moved here by a routing override) or routed to the portal that
settles it. A failed identity check rejects it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from contracts.catalogue import CivilStatusEffect, Portal, Procedure
from contracts.events import (
    DossierRouted,
    DossierSettled,
    DossierStatus,
    DossierSubmitted,
    IdentityCheckCompleted,
    IdentityCheckRequested,
    IdentityResult,
    RequesterKind,
)
from contracts.people import DeclaredPerson, PersonFacts, PersonRole
from contracts.worktime import next_office_moment
from services.city_portal.civil_status import (
    MarriagePolicy,
    decide_birth,
    decide_death,
    decide_marriage,
)
from services.kit.outgoing import Outgoing
from services.kit.settlement import (
    DossierFacts,
    Verdict,
    settle,
    settlement_events,
    status_change,
)

__all__ = [
    "ACCOUNT_REFUSED",
    "BY",
    "CheckResult",
    "Reaction",
    "checks_answered",
    "decide_city_procedure",
    "identity_verdict",
    "receive_dossier",
]

#: Who the city portal's status changes are by.
BY = str(Portal.CITY_PORTAL)
#: The reason code of a dossier held for an account whose identity check then failed.
ACCOUNT_REFUSED = "account_refused"


@dataclass(frozen=True)
class CheckResult:
    """One answered identity check of a dossier."""

    role: PersonRole
    result: IdentityResult
    mismatched_fields: tuple[str, ...] = ()
    detail: str = ""
    record: PersonFacts | None = None

    @classmethod
    def of(cls, answer: IdentityCheckCompleted) -> CheckResult:
        """The result an answer of the population database gives."""
        return cls(
            role=PersonRole(answer.role),
            result=answer.result,
            mismatched_fields=tuple(answer.mismatched_fields),
            detail=answer.detail,
            record=answer.record,
        )


@dataclass(frozen=True)
class Reaction:
    """What the city portal does about a dossier: the events to publish, in order, the
    roles whose identity checks it now waits for, and the settlement to record.

    `kept`: status changes made now and time-lined now, but published with the dossier's
    next event (its `dossier.routed` or `dossier.settled` carries them): a dossier waiting
    for its identity checks is `received`, then `identity_check`, and no one but the city
    portal needs to hear that before the checks are answered.
    """

    events: tuple[Outgoing, ...] = ()
    awaited_checks: tuple[str, ...] = ()
    settled: DossierSettled | None = None
    kept: tuple[Outgoing, ...] = ()


def identity_verdict(procedure: Procedure, checks: list[CheckResult]) -> Verdict | None:
    """The rejection that the identity checks force, or None when they allow going on.

    For a death registration, the deceased being already recorded dead means the
    death was registered before.
    """
    is_death = procedure.civil_status_effect == CivilStatusEffect.DEATH
    for check in sorted(checks, key=lambda c: list(PersonRole).index(c.role)):
        role = check.role.value
        if check.result == IdentityResult.MATCH:
            continue
        if (
            is_death
            and check.role == PersonRole.DECEASED
            and check.result == IdentityResult.DECEASED
        ):
            return Verdict.reject(
                "death_already_registered", "The death of this person is already registered."
            )
        if check.result == IdentityResult.MISMATCH:
            fields = ", ".join(check.mismatched_fields) or "identity"
            return Verdict.reject(
                "identity_mismatch",
                f"The declared {fields} of the {role} differ from the population record.",
            )
        if check.result == IdentityResult.NOT_FOUND:
            return Verdict.reject(
                "identity_not_found", f"The {role}'s ID number is not in the population database."
            )
        if check.result == IdentityResult.DECEASED:
            return Verdict.reject(
                "person_deceased", f"The {role} is recorded as deceased and cannot apply."
            )
        return Verdict.reject("malformed_id_number", f"The {role}'s ID number is malformed.")
    return None


def decide_city_procedure(
    procedure: Procedure,
    submission: DossierSubmitted,
    records: dict[PersonRole, PersonFacts],
    now: datetime,
    policy: MarriagePolicy,
) -> Verdict:
    """The city portal's decision on a dossier whose identity checks all matched.

    Birth, death and marriage registration follow their rules; any other procedure (one
    a routing override moved here) is approved at once, document prefix `HN`.
    """
    today = now.date()
    effect = procedure.civil_status_effect
    if effect == CivilStatusEffect.BIRTH:
        return decide_birth(submission, records, today)
    if effect == CivilStatusEffect.DEATH:
        return decide_death(submission, records, today)
    if effect == CivilStatusEffect.MARRIAGE:
        return decide_marriage(records, today, policy)
    return Verdict.approve("HN")


def receive_dossier(
    sub: DossierSubmitted,
    procedure: Procedure | None,
    now: datetime,
    policy: MarriagePolicy,
    *,
    already_settled: bool = False,
    account_refusal: str | None = None,
) -> Reaction:
    """A dossier arrives: `received`, then its identity checks asked (status
    `identity_check`; both kept for its next event, see `Reaction`), or, with no ID number
    to check, decided or routed at once.

    An unknown procedure is rejected, and so is a dossier held for an account that was
    then refused (`account_refusal`: why; settled at its own simulated time). A dossier
    settled before it arrived here (its settlement came first) is not settled again.
    """
    received = _status(sub, DossierStatus.RECEIVED, now, str(sub.channel))
    if account_refusal is not None:
        verdict = Verdict.reject(
            ACCOUNT_REFUSED, f"The applicant's account was refused: {account_refusal}"
        )
        at = sub.received_simtime
        then = Reaction() if already_settled else _settle(sub, procedure, verdict, at)
    elif procedure is None:
        verdict = Verdict.reject("unknown_procedure", "The procedure code is not offered.")
        then = Reaction() if already_settled else _settle(sub, None, verdict, now)
    elif to_check := [p for p in sub.persons if p.id_number]:
        return _ask_checks(sub, to_check, now, received)
    else:
        then = _proceed(sub, procedure, [], now, policy, already_settled=already_settled)
    return Reaction((received, *then.events), then.awaited_checks, then.settled)


def checks_answered(
    sub: DossierSubmitted,
    procedure: Procedure,
    checks: Sequence[CheckResult],
    now: datetime,
    policy: MarriagePolicy,
) -> Reaction:
    """Every identity check of a dossier is answered: reject, decide or route it."""
    return _proceed(sub, procedure, list(checks), now, policy)


def _ask_checks(
    sub: DossierSubmitted, persons: list[DeclaredPerson], now: datetime, received: Outgoing
) -> Reaction:
    """The checks asked; `received` and `identity_check` kept for the dossier's next event."""
    requests = tuple(Outgoing("identity.check.requested", _check_request(sub, p)) for p in persons)
    checking = _status(sub, DossierStatus.IDENTITY_CHECK, now)
    return Reaction(requests, tuple(p.role.value for p in persons), kept=(received, checking))


def _status(
    sub: DossierSubmitted, status: DossierStatus, now: datetime, note: str = ""
) -> Outgoing:
    """A status change of the dossier by the city portal, at the cause's simulated time."""
    return status_change(
        sub.dossier_id, sub.dossier_code, sub.procedure_code, status, BY, now, note=note
    )


def _check_request(sub: DossierSubmitted, person: DeclaredPerson) -> IdentityCheckRequested:
    return IdentityCheckRequested(
        check_id=f"{sub.dossier_id}:{person.role.value}",
        requester_kind=RequesterKind.DOSSIER,
        requester_id=sub.dossier_id,
        id_number=person.id_number or "",
        person=person,
    )


def _proceed(
    sub: DossierSubmitted,
    procedure: Procedure,
    checks: list[CheckResult],
    now: datetime,
    policy: MarriagePolicy,
    *,
    already_settled: bool = False,
) -> Reaction:
    verdict = identity_verdict(procedure, checks)
    if verdict is None and procedure.settled_by == Portal.CITY_PORTAL:
        records = {c.role: c.record for c in checks if c.record is not None}
        verdict = decide_city_procedure(procedure, sub, records, now, policy)
    if verdict is not None:
        return Reaction() if already_settled else _settle(sub, procedure, verdict, now)
    routed = DossierRouted(
        dossier_id=sub.dossier_id,
        route_to=procedure.settled_by,
        submission=sub,
        identities=[c.record for c in checks if c.record is not None],
        routed_simtime=now,
    )
    status = _status(sub, DossierStatus.ROUTED, now, f"to {procedure.settled_by.value}")
    return Reaction((Outgoing("dossier.routed", routed), status))


def _settle(
    sub: DossierSubmitted, procedure: Procedure | None, verdict: Verdict, now: datetime
) -> Reaction:
    """Settled at the next office moment; the settlement and its terminal status."""
    settled = settle(
        DossierFacts.of(sub),
        verdict,
        settled_by=Portal.CITY_PORTAL,
        settled_at=next_office_moment(now),
        legal_limit_days=procedure.legal_time_limit_days if procedure else None,
    )
    return Reaction(tuple(settlement_events(settled, BY)), settled=settled)
