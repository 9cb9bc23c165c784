"""The city portal's Kafka handlers: one `on_<topic>` per consumed topic.

Each loads what it needs from the store, lets the domain decide (`domain`, `accounts`),
saves the new state and hands the events the domain returned to `ctx.publish`. Each runs
on the store worker inside the kit's batch transaction.

The city portal records its own status changes in the dossier's timeline as it publishes
them, in the same transaction (those it keeps for the dossier's next event, `received` and
`identity_check` while the checks are out, as it makes them, with the event it handles);
its consumer skips them when they come back (`skip_own`), so each change is recorded once.
Changes made by other services are recorded when they arrive. An entry is the same either
way: status, by, note, simulated time, the envelope's time and the event id.
"""

from __future__ import annotations

from typing import Any

from contracts.catalogue import Catalogue, Portal
from contracts.envelope import CloudEvent
from contracts.events import (
    DossierSettled,
    DossierStatusChanged,
    DossierSubmitted,
    IdentityCheckCompleted,
    PopulationRecordChanged,
    RecordChange,
    RequesterKind,
    StatusTransition,
)
from services.city_portal.accounts import account_checked, released
from services.city_portal.civil_status import MarriagePolicy
from services.city_portal.domain import CheckResult, Reaction, checks_answered, receive_dossier
from services.city_portal.records import TimelineEntry
from services.city_portal.store import CityPortalStore
from services.kit import HandlerContext, Outgoing
from services.kit.status_folding import STATUS_TOPIC, fold_statuses

__all__ = ["CityPortalHandlers"]


class CityPortalHandlers:
    """Handlers of the topics the city portal consumes."""

    def __init__(
        self, store: CityPortalStore, catalogue: Catalogue, policy: MarriagePolicy
    ) -> None:
        self.store = store
        self.follow(catalogue, policy)
        # submissions recorded lately, parsed: the identity answers usually follow at once
        self._submissions: dict[str, tuple[bytes, DossierSubmitted]] = {}

    def follow(self, catalogue: Catalogue, policy: MarriagePolicy) -> None:
        """Route and check by this catalogue and policy from now on (a run-time change)."""
        self.catalogue = catalogue
        self.policy = policy
        self._procedure = {c: p for p in catalogue.procedures for c in (p.code, *p.related_codes)}

    def on_dossier_submitted(
        self, event: CloudEvent[DossierSubmitted], ctx: HandlerContext
    ) -> None:
        """Record the dossier, ask for its identity checks (or decide at once)."""
        sub = event.data
        stored = self.store.add_dossier(sub)
        if stored is not None:
            if len(self._submissions) >= 4096:  # the oldest go: answers come within seconds
                del self._submissions[next(iter(self._submissions))]
            self._submissions[sub.dossier_id] = (stored, sub)
        # a dossier recorded before (handed in over HTTP, or redelivered) is read once; one
        # just recorded here is not settled and keeps nothing
        already_settled, kept_before = (
            (False, None) if stored is not None else self.store.settled_and_kept(sub.dossier_id)
        )
        procedure = self._procedure.get(sub.procedure_code)
        reaction = receive_dossier(
            sub,
            procedure,
            event.simtime,
            self.policy,
            already_settled=already_settled,
            account_refusal=self.store.account_refusal(sub.account_id) if sub.account_id else None,
        )
        self._carry_out(sub.dossier_id, reaction, ctx, kept_before)

    def on_identity_check_completed(
        self, event: CloudEvent[IdentityCheckCompleted], ctx: HandlerContext
    ) -> None:
        """Store the answer; when a dossier has all its answers, decide or route it.

        An account's answer activates or refuses the pending account, and releases the
        dossiers held for it.
        """
        answer = event.data
        if answer.requester_kind == RequesterKind.ACCOUNT:
            self._account_checked(answer, ctx)
            return
        role = answer.role.value
        # locked: its answers counted by one replica at a time (an answer changes only the
        # checks, so the row read here is the dossier's when the last answer is in)
        dossier = self.store.dossier(answer.requester_id, lock=True)
        self.store.answer_check(answer.requester_id, role, answer.model_dump_json().encode())
        checks = self.store.checks(answer.requester_id)
        if not checks or any(check.answer is None for check in checks):
            return
        if dossier is None or dossier.settlement is not None or dossier.status == "routed":
            return
        cached = self._submissions.pop(answer.requester_id, None)
        if cached is not None and cached[0] == dossier.submission:
            sub = cached[1]
        else:
            sub = DossierSubmitted.model_validate_json(dossier.submission)
        results = [
            CheckResult.of(
                answer
                if check.role == role
                else IdentityCheckCompleted.model_validate_json(check.answer or b"")
            )
            for check in checks
        ]
        procedure = self._procedure[sub.procedure_code]
        reaction = checks_answered(sub, procedure, results, event.simtime, self.policy)
        self._carry_out(sub.dossier_id, reaction, ctx, dossier.kept_statuses)

    def _account_checked(self, answer: IdentityCheckCompleted, ctx: HandlerContext) -> None:
        """Decide the pending account, then release the dossiers held for it."""
        self.store.lock(f"account:{answer.requester_id}")  # no submission held meanwhile
        account = self.store.account(answer.requester_id)
        checked = account_checked(account, answer) if account is not None else None
        if checked is None:
            return
        decided, registered = checked
        self.store.put_account(decided)
        ctx.publish([registered])
        held = self.store.held_dossiers(decided.account_id)
        for dossier in held:
            self.store.release_held(dossier.submission.dossier_id)
        if held:
            ctx.publish(released(held))

    def on_dossier_settled(self, event: CloudEvent[DossierSettled], ctx: HandlerContext) -> None:
        """Record a decision made elsewhere (the national portal, a desk) and the status
        changes it carries (the city portal's own were time-lined as it published them)."""
        settled = event.data
        if self.store.dossier(settled.dossier_id) is None:  # settled before it reached us
            self.store.add_settled_elsewhere(settled)
        self.store.settle(settled)
        if settled.settled_by != Portal.CITY_PORTAL:
            self._time_line(settled.dossier_id, settled.transitions, event)

    def on_dossier_status_changed(
        self, event: CloudEvent[DossierStatusChanged], ctx: HandlerContext
    ) -> None:
        """Append the changes another service made to the dossier's timeline."""
        self._time_line(event.data.dossier_id, event.data.transitions, event)

    def _time_line(
        self, dossier_id: str, changes: list[StatusTransition], event: CloudEvent[Any]
    ) -> None:
        for change in changes:
            self.store.record_status(dossier_id, TimelineEntry.of(change, event.id, event.time))

    def on_population_record_changed(
        self, event: CloudEvent[PopulationRecordChanged], ctx: HandlerContext
    ) -> None:
        """Remember the ID number a birth registration gave the child."""
        if event.data.change == RecordChange.BORN:
            self.store.set_new_id_number(event.data.dossier_id, event.data.id_number)

    def _carry_out(
        self, dossier_id: str, reaction: Reaction, ctx: HandlerContext, kept_before: bytes | None
    ) -> None:
        """Record the reaction's state, publish its events (with the status changes kept
        for them: `kept_before`, as the dossier's row had them, None for a dossier just
        received), and time-line its own statuses."""
        if reaction.awaited_checks:
            self.store.expect_checks(dossier_id, reaction.awaited_checks)
        if reaction.settled is not None:
            self.store.settle(reaction.settled)
        earlier = self._keep(dossier_id, reaction, ctx, kept_before)
        emitted = ctx.publish([*earlier, *reaction.events])[len(earlier) :]
        for outgoing, carrier in zip(reaction.events, emitted, strict=True):
            if isinstance(outgoing.payload, DossierStatusChanged):
                for change in outgoing.payload.transitions:
                    entry = TimelineEntry.of(change, carrier.event_id, carrier.time)
                    self.store.record_status(dossier_id, entry)

    def _keep(
        self, dossier_id: str, reaction: Reaction, ctx: HandlerContext, kept_before: bytes | None
    ) -> list[Outgoing]:
        """Keep the reaction's `kept` status changes (time-lined now, with the event being
        handled); or, when it publishes, the changes kept before, to go first (and no
        longer kept)."""
        if reaction.kept:
            [kept], _ = fold_statuses(reaction.kept)
            assert isinstance(kept.payload, DossierStatusChanged)
            self.store.keep_statuses(kept.payload)
            for change in kept.payload.transitions:
                entry = TimelineEntry.of(change, ctx.event.id, ctx.event.time)
                self.store.record_status(dossier_id, entry)
            return []
        if kept_before is None or not reaction.events:
            return []
        self.store.clear_kept_statuses(dossier_id)
        earlier = DossierStatusChanged.model_validate_json(kept_before)
        return [Outgoing(STATUS_TOPIC, earlier, earlier.transitions[-1].simtime)]
