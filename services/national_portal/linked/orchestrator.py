"""Carrying out a linked group's actions: the events to publish, steps settled here.

Pure: a step without a catalogue procedure is decided by its adapter at once, its
settlement fed back into the state machine, until the group waits for an outside event
(a step settled elsewhere, the child's record) or is settled.
"""

from __future__ import annotations

from collections.abc import Mapping

from contracts.catalogue import Catalogue, Portal
from contracts.events import DossierStatus
from services.kit.outgoing import Outgoing
from services.kit.settlement import settlement_events, status_change
from services.national_portal.domain import BY_NATIONAL_PORTAL, settle_routed
from services.national_portal.linked.state import GroupState
from services.national_portal.linked.transitions import (
    Allocate,
    SettleParent,
    StartedGroup,
    SubmitStep,
    Transition,
    step_settled,
)
from services.national_portal.ministries.base import Adapter

__all__ = ["MissingAdapterError", "carry_out"]


class MissingAdapterError(LookupError):
    """A step is settled by a portal that has no adapter here."""


def carry_out(
    transition: Transition,
    adapters: Mapping[Portal, Adapter],
    catalogue: Catalogue,
    allocate: Allocate,
) -> tuple[GroupState, list[Outgoing]]:
    """The group's state after every action, and the events to publish, in order."""
    state = transition.state
    pending = list(transition.actions)
    parent = state.parent.submission
    out: list[Outgoing] = []
    while pending:
        action = pending.pop(0)
        if isinstance(action, StartedGroup):
            out.append(
                status_change(
                    state.parent_id,
                    parent.dossier_code,
                    parent.procedure_code,
                    DossierStatus.AWAITING_STEPS,
                    BY_NATIONAL_PORTAL,
                    action.simtime,
                    note=f"linked group of {len(state.steps)} steps",
                    correlation_id=state.parent_id,
                )
            )
        elif isinstance(action, SubmitStep):
            sub = action.submission
            out.append(Outgoing("dossier.submitted", sub, sub.received_simtime, state.parent_id))
        elif isinstance(action, SettleParent):
            out.extend(
                settlement_events(
                    action.settled, BY_NATIONAL_PORTAL, correlation_id=state.parent_id
                )
            )
        else:
            adapter = adapters.get(action.routed.route_to)
            if adapter is None:
                raise MissingAdapterError(f"no adapter settles steps for {action.routed.route_to}")
            settled, events = settle_routed(
                action.routed,
                action.procedure,
                adapter,
                note=action.note,
                correlation_id=state.parent_id,
            )
            out.extend(events)
            following = step_settled(state, settled, catalogue, allocate)
            state = following.state
            pending = [*following.actions, *pending]
    return state, out
