"""The city portal's Kafka handlers: thin adapters from events to the domain and the store.

Each runs on the store worker inside the kit's batch transaction.
"""

from __future__ import annotations

from datetime import datetime

from contracts.catalogue import Catalogue, Portal, Procedure
from contracts.envelope import CloudEvent
from contracts.events import (
    AccountRegistered,
    AccountStatus,
    DossierRouted,
    DossierSettled,
    DossierStatus,
    DossierStatusChanged,
    DossierSubmitted,
    IdentityCheckCompleted,
    IdentityCheckRequested,
    IdentityResult,
    PopulationRecordChanged,
    RecordChange,
    RequesterKind,
)
from contracts.people import DeclaredPerson, PersonRole
from contracts.worktime import next_office_moment, within_legal_limit, working_days_between
from services.city_portal.domain import (
    CheckResult,
    Decision,
    MarriagePolicy,
    decide_city_procedure,
    identity_verdict,
    result_document_number,
)
from services.city_portal.store import CityPortalStore
from services.city_portal.timeline import publish_status, record_change
from services.kit import HandlerContext

__all__ = ["CityPortalHandlers"]


class CityPortalHandlers:
    """Handlers of the topics the city portal consumes."""

    def __init__(
        self, store: CityPortalStore, catalogue: Catalogue, policy: MarriagePolicy
    ) -> None:
        self.store = store
        self.catalogue = catalogue
        self.policy = policy
        self._procedure = {c: p for p in catalogue.procedures for c in (p.code, *p.related_codes)}
        # submissions recorded lately, parsed: the identity answers usually follow at once
        self._submissions: dict[str, tuple[bytes, DossierSubmitted]] = {}

    # -- dossier.submitted ----------------------------------------------------------
    def on_dossier_submitted(
        self, event: CloudEvent[DossierSubmitted], ctx: HandlerContext
    ) -> None:
        """Record the dossier, ask for its identity checks (or decide at once)."""
        sub = event.data
        stored = sub.model_dump_json().encode()
        if self.store.add_dossier(
            sub.dossier_id,
            sub.dossier_code,
            sub.procedure_code,
            sub.channel.value,
            sub.parent_dossier_id,
            stored,
            sub.account_id,
        ):
            if len(self._submissions) >= 4096:  # the oldest go: answers come within seconds
                del self._submissions[next(iter(self._submissions))]
            self._submissions[sub.dossier_id] = (stored, sub)
        publish_status(self.store, ctx, sub, DossierStatus.RECEIVED, sub.channel)
        try:
            procedure = self._procedure[sub.procedure_code]
        except KeyError:
            decision = Decision.reject("unknown_procedure", "The procedure code is not offered.")
            self._settle(sub, None, decision, event.simtime, ctx)
            return
        to_check = [p for p in sub.persons if p.id_number]
        if not to_check:
            self._proceed(sub, procedure, [], event.simtime, ctx)
            return
        self.store.expect_checks(sub.dossier_id, [p.role.value for p in to_check])
        for person in to_check:
            ctx.emit("identity.check.requested", self._check_request(sub.dossier_id, person))
        publish_status(self.store, ctx, sub, DossierStatus.IDENTITY_CHECK)

    @staticmethod
    def _check_request(requester_id: str, person: DeclaredPerson) -> IdentityCheckRequested:
        return IdentityCheckRequested(
            check_id=f"{requester_id}:{person.role.value}",
            requester_kind=RequesterKind.DOSSIER,
            requester_id=requester_id,
            id_number=person.id_number or "",
            person=person,
        )

    # -- identity.check.completed ---------------------------------------------------
    def on_identity_check_completed(
        self, event: CloudEvent[IdentityCheckCompleted], ctx: HandlerContext
    ) -> None:
        """Store the answer; when a dossier has all its answers, decide or route it."""
        answer = event.data
        if answer.requester_kind == RequesterKind.ACCOUNT:
            self._answer_account(answer, ctx)
            return
        role = answer.role.value
        self.store.answer_check(answer.requester_id, role, answer.model_dump_json().encode())
        checks = self.store.checks(answer.requester_id)
        if not checks or any(raw is None for _, raw in checks):
            return
        row = self.store.dossier(answer.requester_id)
        if row is None or row["settlement"] is not None or row["status"] == "routed":
            return
        cached = self._submissions.pop(answer.requester_id, None)
        if cached is not None and cached[0] == row["submission"]:
            sub = cached[1]
        else:
            sub = DossierSubmitted.model_validate_json(row["submission"])
        results = [
            _check_result(answer if checked_role == role else raw)
            for checked_role, raw in checks
            if raw is not None
        ]
        self._proceed(sub, self._procedure[sub.procedure_code], results, event.simtime, ctx)

    def _answer_account(self, answer: IdentityCheckCompleted, ctx: HandlerContext) -> None:
        account = self.store.account(answer.requester_id)
        if account is None or account["status"] != AccountStatus.PENDING:
            return
        ok = answer.result == IdentityResult.MATCH
        status = AccountStatus.ACTIVE if ok else AccountStatus.REFUSED
        reason = None if ok else f"identity check: {answer.result.value} {answer.detail}".strip()
        self.store.put_account(
            answer.requester_id,
            account["kind"],
            status.value,
            account["person"],
            reason,
            account["client_ref"],
        )
        ctx.emit(
            "account.registered",
            AccountRegistered(
                account_id=answer.requester_id,
                kind=account["kind"],
                status=status,
                reason=reason,
                person=DeclaredPerson.model_validate(account["person"]),
                client_ref=account["client_ref"],
            ),
            correlation_id=answer.requester_id,
        )

    # -- deciding ---------------------------------------------------------------------
    def _proceed(
        self,
        sub: DossierSubmitted,
        procedure: Procedure,
        checks: list[CheckResult],
        now: datetime,
        ctx: HandlerContext,
    ) -> None:
        verdict = identity_verdict(procedure, checks)
        if verdict is not None:
            self._settle(sub, procedure, verdict, now, ctx)
            return
        if procedure.settled_by == Portal.CITY_PORTAL:
            records = {c.role: c.record for c in checks if c.record is not None}
            decision = decide_city_procedure(procedure, sub, records, now, self.policy)
            self._settle(sub, procedure, decision, now, ctx)
            return
        self.store.set_status(sub.dossier_id, DossierStatus.ROUTED.value)
        routed = DossierRouted(
            dossier_id=sub.dossier_id,
            route_to=procedure.settled_by,
            submission=sub,
            identities=[c.record for c in checks if c.record is not None],
            routed_simtime=now,
        )
        ctx.emit("dossier.routed", routed)
        note = f"to {procedure.settled_by.value}"
        publish_status(self.store, ctx, sub, DossierStatus.ROUTED, note)

    def _settle(
        self,
        sub: DossierSubmitted,
        procedure: Procedure | None,
        decision: Decision,
        now: datetime,
        ctx: HandlerContext,
    ) -> None:
        settled_at = next_office_moment(now)
        days = working_days_between(sub.received_simtime, settled_at)
        limit = procedure.legal_time_limit_days if procedure else None
        approved = decision.reason_code is None
        settled = DossierSettled(
            dossier_id=sub.dossier_id,
            dossier_code=sub.dossier_code,
            procedure_code=sub.procedure_code,
            channel=sub.channel,
            received_unit=sub.received_unit,
            parent_dossier_id=sub.parent_dossier_id,
            outcome=decision.outcome,
            settled_by=Portal.CITY_PORTAL,
            result_document_number=(
                result_document_number(decision.document_prefix, sub.dossier_id, settled_at.year)
                if approved
                else None
            ),
            reason_code=decision.reason_code,
            reason_text=decision.reason_text,
            received_simtime=sub.received_simtime,
            settled_simtime=settled_at,
            working_days_taken=days,
            legal_limit_days=limit,
            within_legal_limit=within_legal_limit(sub.received_simtime, settled_at, limit),
            civil_status_change=decision.change,
        )
        if not self.store.settle(
            sub.dossier_id, decision.outcome.value, settled.model_dump_json().encode()
        ):
            return
        ctx.emit("dossier.settled", settled, simtime=settled_at)
        status = DossierStatus.APPROVED if approved else DossierStatus.REJECTED
        note = settled.result_document_number or f"{decision.reason_code}: {decision.reason_text}"
        publish_status(self.store, ctx, sub, status, note, simtime=settled_at)

    # -- what other services did ------------------------------------------------------
    def on_dossier_settled(self, event: CloudEvent[DossierSettled], ctx: HandlerContext) -> None:
        """Record a decision made elsewhere (the national portal, a desk)."""
        settled = event.data
        if self.store.dossier(settled.dossier_id) is None:  # settled before it reached us
            self.store.add_dossier(
                settled.dossier_id,
                settled.dossier_code,
                settled.procedure_code,
                settled.channel.value,
                settled.parent_dossier_id,
                b"{}",
            )
        self.store.settle(
            settled.dossier_id, settled.outcome.value, settled.model_dump_json().encode()
        )

    def on_dossier_status_changed(
        self, event: CloudEvent[DossierStatusChanged], ctx: HandlerContext
    ) -> None:
        """Append a change another service made to the dossier's timeline."""
        record_change(self.store, event.data, event.id, event.simtime, event.time)

    def on_population_record_changed(
        self, event: CloudEvent[PopulationRecordChanged], ctx: HandlerContext
    ) -> None:
        """Remember the ID number a birth registration gave the child."""
        if event.data.change == RecordChange.BORN:
            self.store.set_new_id_number(event.data.dossier_id, event.data.id_number)


def _check_result(answer: IdentityCheckCompleted | bytes) -> CheckResult:
    if isinstance(answer, bytes):
        answer = IdentityCheckCompleted.model_validate_json(answer)
    return CheckResult(
        role=PersonRole(answer.role),
        result=answer.result,
        mismatched_fields=tuple(answer.mismatched_fields),
        detail=answer.detail,
        record=answer.record,
    )
