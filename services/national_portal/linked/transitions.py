"""A linked group's life as a pure state machine: what moves it on, and what to do then.

A transition takes a group's state and what happened (the parent was routed, a step
settled, the population database registered the child) and gives the new state and the
actions to take. Steps run one after another; a step after the birth registration also
waits for the child's new ID number. Events may come in any order and more than once:
whatever does not move the group on gives no action. Dossier codes come from `allocate`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from contracts.catalogue import Catalogue, Portal, Procedure
from contracts.dossier_ids import step_dossier_id
from contracts.events import DossierRouted, DossierSettled, DossierSubmitted, Outcome
from contracts.people import PersonFacts
from contracts.worktime import HANOI_TZ
from services.kit.settlement import Verdict, settle
from services.national_portal.domain import facts_of
from services.national_portal.linked.state import GroupState, StepState, StepStatus
from services.national_portal.linked.steps import (
    birth_step,
    internal_step,
    needs_child,
    step_submission,
)

__all__ = [
    "GROUP_DOCUMENT_PREFIX",
    "Action",
    "Allocate",
    "RunStep",
    "SettleParent",
    "StartedGroup",
    "SubmitStep",
    "Transition",
    "child_registered",
    "start_group",
    "step_settled",
]

#: Result document prefix of an approved linked group (liên thông).
GROUP_DOCUMENT_PREFIX = "LT"

#: Gives the next dossier code of a unit on a day from the linked block.
Allocate = Callable[[str, date], str]


@dataclass(frozen=True)
class StartedGroup:
    """Announce the parent: status `awaiting_steps` at the routing time."""

    simtime: datetime


@dataclass(frozen=True)
class SubmitStep:
    """Publish a step with a catalogue procedure as `dossier.submitted`."""

    submission: DossierSubmitted


@dataclass(frozen=True)
class RunStep:
    """Let the step's adapter settle a step without a catalogue procedure, here."""

    routed: DossierRouted
    procedure: Procedure
    note: str


@dataclass(frozen=True)
class SettleParent:
    """Publish the parent's settlement."""

    settled: DossierSettled


Action = StartedGroup | SubmitStep | RunStep | SettleParent


@dataclass(frozen=True)
class Transition:
    """The group's new state and what to do."""

    state: GroupState
    actions: tuple[Action, ...] = ()


def start_group(
    routed: DossierRouted, procedure: Procedure, catalogue: Catalogue, allocate: Allocate
) -> Transition:
    """A routed parent: a new group, `awaiting_steps`, and its first step started."""
    steps = tuple(
        StepState(
            index=i,
            name_vi=step.name_vi,
            name_en=step.name_en,
            settled_by=step.settled_by,
            procedure_number=step.procedure_number,
            dossier_id=step_dossier_id(routed.dossier_id, i),
        )
        for i, step in enumerate(procedure.linked_steps)
    )
    state = GroupState(parent=routed, steps=steps)
    started = _start_step(state, 0, routed.routed_simtime, catalogue, allocate)
    return Transition(started.state, (StartedGroup(routed.routed_simtime), *started.actions))


def step_settled(
    state: GroupState, settled: DossierSettled, catalogue: Catalogue, allocate: Allocate
) -> Transition:
    """A step's settlement: record it, then reject the parent or go on."""
    step = state.step_by_dossier(settled.dossier_id)
    if state.outcome is not None or step is None or step.status is not StepStatus.STARTED:
        return Transition(state)
    approved = settled.outcome is Outcome.APPROVED
    step = step.model_copy(
        update={
            "status": StepStatus.APPROVED if approved else StepStatus.REJECTED,
            "settled_simtime": settled.settled_simtime,
            "result_document_number": settled.result_document_number,
            "reason_code": settled.reason_code,
            "reason_text": settled.reason_text,
        }
    )
    state = state.with_step(step)
    if not approved:
        return _reject_parent(state, step, catalogue)
    return _advance(state, catalogue, allocate)


def child_registered(
    state: GroupState,
    birth_dossier_id: str,
    record: PersonFacts,
    simtime: datetime,
    catalogue: Catalogue,
    allocate: Allocate,
) -> Transition:
    """The population database gave the child of the birth step an ID number."""
    birth = birth_step(state, catalogue)
    if state.outcome is not None or state.child is not None or birth is None:
        return Transition(state)
    if birth.dossier_id != birth_dossier_id:
        return Transition(state)
    state = state.model_copy(update={"child": record, "child_simtime": simtime})
    return _advance(state, catalogue, allocate)


# -- moving on ----------------------------------------------------------------------------
def _advance(state: GroupState, catalogue: Catalogue, allocate: Allocate) -> Transition:
    following = next((s for s in state.steps if s.status is not StepStatus.APPROVED), None)
    if following is None:
        return _approve_parent(state, catalogue)
    if following.status is not StepStatus.PENDING or following.index == 0:
        return Transition(state)
    previous = state.steps[following.index - 1]
    start = previous.settled_simtime or state.parent.routed_simtime
    if needs_child(state, following, catalogue):
        if state.child is None or state.child_simtime is None:
            return Transition(state)
        start = max(start, state.child_simtime)
    return _start_step(state, following.index, start, catalogue, allocate)


def _start_step(
    state: GroupState, index: int, simtime: datetime, catalogue: Catalogue, allocate: Allocate
) -> Transition:
    code = allocate(state.parent.submission.received_unit, simtime.astimezone(HANOI_TZ).date())
    step = state.steps[index].model_copy(
        update={"dossier_code": code, "status": StepStatus.STARTED, "started_simtime": simtime}
    )
    state = state.with_step(step)
    submission = step_submission(state, step, catalogue)
    if step.procedure_number is not None:
        return Transition(state, (SubmitStep(submission),))
    routed, procedure = internal_step(state, step, submission, catalogue)
    return Transition(state, (RunStep(routed, procedure, step.label),))


# -- settling the parent --------------------------------------------------------------------
def _settle_parent(
    state: GroupState, catalogue: Catalogue, verdict: Verdict, settled_at: datetime
) -> Transition:
    """The parent's settlement, counted from its receipt to `settled_at`."""
    procedure = catalogue.by_code(state.parent.submission.procedure_code)
    settled = settle(
        facts_of(state.parent),
        verdict,
        settled_by=Portal.NATIONAL_PORTAL,
        settled_at=settled_at,
        legal_limit_days=procedure.legal_time_limit_days,
    )
    state = state.model_copy(update={"outcome": verdict.outcome, "settled_simtime": settled_at})
    return Transition(state, (SettleParent(settled),))


def _approve_parent(state: GroupState, catalogue: Catalogue) -> Transition:
    last = state.steps[-1].settled_simtime or state.parent.routed_simtime
    return _settle_parent(state, catalogue, Verdict.approve(GROUP_DOCUMENT_PREFIX), last)


def _reject_parent(state: GroupState, step: StepState, catalogue: Catalogue) -> Transition:
    settled_at = step.settled_simtime or state.parent.routed_simtime
    reason = step.reason_text or step.reason_code or "rejected"
    verdict = Verdict.reject(step.reason_code or "step_rejected", f"{step.name_en}: {reason}")
    return _settle_parent(state, catalogue, verdict, settled_at)
