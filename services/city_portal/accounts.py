"""The city portal's account rules: who may open an account, and what the check decides.

Pure functions, no IO. A citizen's account waits (`pending`) for the population
database's identity check of its ID number; a foreigner's is decided at once by the
policy `foreigners_may_register`. Either way `account.registered` tells the outcome.
A dossier submitted while its account is pending is held (accepted, nothing published);
once the account is decided, each held dossier is released: its `dossier.submitted`
published, to flow as any other (rejected on receipt if the account was refused).
"""

from __future__ import annotations

from dataclasses import replace

from contracts.events import (
    AccountKind,
    AccountRegistered,
    AccountStatus,
    IdentityCheckCompleted,
    IdentityCheckRequested,
    IdentityResult,
    RequesterKind,
)
from contracts.people import DeclaredPerson
from services.city_portal.records import Account, HeldDossier
from services.kit.outgoing import Outgoing

__all__ = ["account_checked", "registered", "registration", "released", "same_registration"]


def registration(
    account_id: str,
    kind: AccountKind,
    person: DeclaredPerson,
    client_ref: str | None,
    *,
    foreigners_may_register: bool,
) -> tuple[Account, Outgoing]:
    """A new account and the event it starts with: a foreigner's registration (active, or
    refused by the policy), or a citizen's identity check (the account pending)."""
    if kind == AccountKind.FOREIGNER:
        refused = not foreigners_may_register
        status = AccountStatus.REFUSED if refused else AccountStatus.ACTIVE
        account = Account(
            account_id,
            kind,
            status,
            person,
            "foreigners cannot register" if refused else None,
            client_ref,
        )
        return account, Outgoing(
            "account.registered", registered(account), correlation_id=account_id
        )
    account = Account(account_id, kind, AccountStatus.PENDING, person, None, client_ref)
    check = IdentityCheckRequested(
        check_id=f"{account_id}:applicant",
        requester_kind=RequesterKind.ACCOUNT,
        requester_id=account_id,
        id_number=person.id_number or "",
        person=person,
    )
    return account, Outgoing("identity.check.requested", check, correlation_id=account_id)


def same_registration(account: Account, kind: AccountKind, person: DeclaredPerson) -> bool:
    """Whether a registration declares the account's kind and identity (the same client_ref
    with another identity is another registration, refused)."""
    declared = person.model_dump(mode="json")
    return account.kind == kind and account.person.model_dump(mode="json") == declared


def account_checked(
    account: Account, answer: IdentityCheckCompleted
) -> tuple[Account, Outgoing] | None:
    """A pending account's identity check answered: active on a match, else refused.

    None for an account that is not pending (a redelivered answer).
    """
    if account.status != AccountStatus.PENDING:
        return None
    ok = answer.result == IdentityResult.MATCH
    reason = None if ok else f"identity check: {answer.result.value} {answer.detail}".strip()
    status = AccountStatus.ACTIVE if ok else AccountStatus.REFUSED
    checked = replace(account, status=status, reason=reason)
    return checked, Outgoing(
        "account.registered", registered(checked), correlation_id=account.account_id
    )


def registered(account: Account) -> AccountRegistered:
    """The `account.registered` payload of a decided account."""
    return AccountRegistered(
        account_id=account.account_id,
        kind=account.kind,
        status=account.status,
        reason=account.reason,
        person=account.person,
        client_ref=account.client_ref,
    )


def released(held: list[HeldDossier]) -> list[Outgoing]:
    """The `dossier.submitted` of each dossier held for a decided account, at its own
    simulated time, in the trace of the request that handed it in."""
    return [
        Outgoing(
            "dossier.submitted",
            dossier.submission,
            dossier.submission.received_simtime,
            correlation_id=dossier.submission.dossier_id,
            traceparent=dossier.traceparent,
        )
        for dossier in held
    ]
