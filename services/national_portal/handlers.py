"""The national portal's Kafka handlers: one `on_<topic>` per consumed topic.

Each loads what it needs from the store, lets the domain decide (`domain.settle_routed`,
the linked groups' state machine), saves the new state and hands the events the domain
returned to `ctx.publish`. Each runs on the store worker inside the kit's batch transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

from contracts.catalogue import Catalogue, Portal
from contracts.clock_events import SimulatedClockAdvanced
from contracts.envelope import CloudEvent
from contracts.events import DossierRouted, DossierSettled, PopulationRecordChanged, RecordChange
from services.kit import HandlerContext, Outgoing, RejectEvent
from services.national_portal import linked
from services.national_portal.card_line import CardLine
from services.national_portal.domain import BY_NATIONAL_PORTAL, find_procedure, settle_routed
from services.national_portal.id_cards import ID_CARD
from services.national_portal.ministries.base import Adapter
from services.national_portal.store import NationalPortalStore, SequenceExhaustedError

__all__ = ["NationalPortalHandlers"]


class NationalPortalHandlers:
    """Handlers of the topics the national portal consumes."""

    def __init__(
        self,
        store: NationalPortalStore,
        catalogue: Catalogue,
        adapters: Mapping[Portal, Adapter],
        id_card_capacity_per_day: float = 24_000.0,
        card_line_follows_clock: bool = False,
    ) -> None:
        self.store = store
        self.catalogue = catalogue
        self.adapters = adapters
        self.id_card_capacity_per_day = id_card_capacity_per_day
        self.card_line = CardLine(store, catalogue, card_line_follows_clock)

    def follow_policies(self, adapters: Mapping[Portal, Adapter], id_cards_per_day: float) -> None:
        """Settle from the next event on with changed policies (the operations API)."""
        self.adapters = adapters
        self.id_card_capacity_per_day = id_cards_per_day

    # -- dossier.routed ---------------------------------------------------------------
    def on_dossier_routed(self, event: CloudEvent[DossierRouted], ctx: HandlerContext) -> None:
        """Settle a routed dossier with its adapter, or start a linked group."""
        routed = event.data
        if self.store.is_taken(routed.dossier_id):
            return
        code = routed.submission.procedure_code
        procedure = find_procedure(self.catalogue, code)
        if procedure is None:
            raise RejectEvent("unknown_procedure", f"procedure code {code!r} is not offered")
        if procedure.linked_steps:
            self.store.take(routed, BY_NATIONAL_PORTAL)
            allocate = self.store.allocate_linked_code
            self._carry_out(linked.start_group(routed, procedure, self.catalogue, allocate), ctx)
            return
        adapter = self.adapters.get(routed.route_to)
        if adapter is None:
            raise RejectEvent(
                "not_settled_here", f"the national portal has no adapter for {routed.route_to}"
            )
        self.store.take(routed, str(adapter.portal))
        decision = adapter.decide(routed, procedure)
        if procedure.number == ID_CARD and routed.submission.parent_dossier_id is None:
            publish = partial(self._publish, ctx=ctx)
            self.card_line.take(routed, procedure, adapter, decision, self._line(), publish)
            return
        settled, events = settle_routed(routed, procedure, adapter, decision=decision)
        self._publish(events, ctx)
        if settled.parent_dossier_id is not None:
            self._step_settled(settled, ctx)

    def _line(self) -> tuple[float, Mapping[Portal, Adapter]]:
        return self.id_card_capacity_per_day, self.adapters

    # -- simulated.clock.advanced -----------------------------------------------------
    def on_simulated_clock_advanced(
        self, event: CloudEvent[SimulatedClockAdvanced], ctx: HandlerContext
    ) -> None:
        """The simulated clock moved on: the ID-card line serves the cards it releases."""
        self.card_line.clock(event.data, self._line(), partial(self._publish, ctx=ctx))

    # -- dossier.settled --------------------------------------------------------------
    def on_dossier_settled(self, event: CloudEvent[DossierSettled], ctx: HandlerContext) -> None:
        """A step of one of our groups settled (anywhere): record it and move the group on."""
        if event.data.parent_dossier_id is not None:
            self._step_settled(event.data, ctx)

    def _step_settled(self, settled: DossierSettled, ctx: HandlerContext) -> None:
        state = self.store.group(settled.parent_dossier_id or "")
        if state is None or state.step_by_dossier(settled.dossier_id) is None:
            return
        self.store.record_settled(settled)
        allocate = self.store.allocate_linked_code
        self._carry_out(linked.step_settled(state, settled, self.catalogue, allocate), ctx)

    # -- population.record.changed ----------------------------------------------------
    def on_population_record_changed(
        self, event: CloudEvent[PopulationRecordChanged], ctx: HandlerContext
    ) -> None:
        """A birth step's child got an ID number: the group may go on."""
        change = event.data
        if change.change is not RecordChange.BORN:
            return
        parent = self.store.parent_of_step(change.dossier_id)
        state = self.store.group(parent) if parent else None
        if state is None:
            return
        transition = linked.child_registered(
            state,
            change.dossier_id,
            change.record,
            event.simtime,
            self.catalogue,
            self.store.allocate_linked_code,
        )
        self._carry_out(transition, ctx)

    # -- shared -----------------------------------------------------------------------
    def _carry_out(self, transition: linked.Transition, ctx: HandlerContext) -> None:
        try:
            state, events = linked.carry_out(
                transition, self.adapters, self.catalogue, self.store.allocate_linked_code
            )
        except linked.MissingAdapterError as exc:
            raise RejectEvent("not_settled_here", str(exc)) from exc
        except SequenceExhaustedError as exc:
            raise RejectEvent("dossier_codes_exhausted", str(exc)) from exc
        self.store.save_group(state)
        self._publish(events, ctx)

    def _publish(self, events: list[Outgoing], ctx: HandlerContext) -> None:
        self.store.track(events)
        ctx.publish(events)
