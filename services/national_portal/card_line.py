"""The national portal's ID-card line: verified cards held, then produced in simulated order.

Following the simulated clock (`card_line_follows_clock`, set by the simulator for the
services it starts), an approved ID-card application is not settled when it is taken:
its card is held (status `awaiting_card`) until a clock (`simulated.clock.advanced`)
says that every application received before `until` has been taken. The portal keeps the
latest clock; once it has itself taken as many applications received before `until` as
the clock counts (a replayed clock may come before the replayed applications), the held
cards ready before `until` go on the line in the order they were ready
(`id_cards.released`) and settle. Whether the take or the clock comes last, the release
happens then, under the line's lock. Without the clock the line serves the cards in the
order the portal takes them (a deployment driven by other clients), settling each at once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from contracts.catalogue import Catalogue, Portal, Procedure
from contracts.clock_events import SimulatedClockAdvanced
from contracts.events import DossierRouted, DossierStatus, Outcome
from services.kit import Outgoing
from services.national_portal.card_store import moment_of
from services.national_portal.domain import processing_status, settlement_of
from services.national_portal.id_cards import (
    HeldCard,
    line_slots,
    ready_at,
    released,
    settled_decision,
)
from services.national_portal.ministries.base import Adapter, Decision
from services.national_portal.store import NationalPortalStore

__all__ = ["AWAITING_NOTE", "CardLine"]

AWAITING_NOTE = "verified; the card waits for Public Security's card line"
Publish = Callable[[list[Outgoing]], None]


class CardLine:
    """Takes ID-card applications and releases their cards (see the module)."""

    def __init__(self, store: NationalPortalStore, catalogue: Catalogue, follows_clock: bool):
        self.store = store
        self.catalogue = catalogue
        self.follows_clock = follows_clock

    def take(
        self,
        routed: DossierRouted,
        procedure: Procedure,
        adapter: Adapter,
        decision: Decision,
        policies: tuple[float, Mapping[Portal, Adapter]],
        publish: Publish,
    ) -> None:
        """An ID-card application verified: settled, or its card held for the line
        (`policies`: the line's capacity a working day and the adapters in force)."""
        capacity_per_day = policies[0]
        self.store.lock_card_line()
        on_line = decision.outcome is Outcome.APPROVED and capacity_per_day > 0
        if not self.follows_clock:  # the take order
            slot = None
            if on_line:
                card = HeldCard(routed.dossier_id, ready_at(decision, routed))
                [(_, slot)] = line_slots([card], self.store.card_line_free_at(), capacity_per_day)
                assert slot is not None
                self.store.save_card_line(slot.done)
            decision = settled_decision(decision, routed, slot)
            events = settlement_of(routed, procedure, adapter, decision)[1]
            publish([processing_status(routed, adapter), *events])
            return
        ready = ready_at(decision, routed) if on_line else None
        self.store.take_id_card(routed, ready, decision if on_line else None)
        if ready is None:
            events = settlement_of(routed, procedure, adapter, decision)[1]
            publish([processing_status(routed, adapter), *events])
        else:
            waiting = processing_status(
                routed, adapter, DossierStatus.AWAITING_CARD, at=ready, note=AWAITING_NOTE
            )
            publish([processing_status(routed, adapter), waiting])
        self.release(policies, publish)

    def clock(
        self,
        clock: SimulatedClockAdvanced,
        policies: tuple[float, Mapping[Portal, Adapter]],
        publish: Publish,
    ) -> None:
        """A clock heard: kept if it is the latest, then the line released as far as it may."""
        self.store.lock_card_line()
        self.store.save_card_clock(clock.until, clock.final, clock.id_cards_taken)
        self.release(policies, publish)

    def release(self, policies: tuple[float, Mapping[Portal, Adapter]], publish: Publish) -> None:
        """Settle the held cards the latest clock releases, if every application it counts
        has been taken (the caller holds the line's lock)."""
        capacity_per_day, adapters = policies
        kept = self.store.card_clock()
        if kept is None or self.store.id_cards_taken_before(kept.until_us) < kept.taken:
            return
        held = {h.card.dossier_id: h for h in self.store.held_cards(kept.until_us)}
        order = released([h.card for h in held.values()], moment_of(kept.until_us))
        if not order:
            return
        free_at = self.store.card_line_free_at()
        events: list[Outgoing] = []
        for card, slot in line_slots(order, free_at, capacity_per_day):
            application = held[card.dossier_id]
            routed = application.routed
            procedure = self.catalogue.by_code(routed.submission.procedure_code)
            adapter = adapters[routed.route_to]
            decision = settled_decision(application.decision, routed, slot)
            events += settlement_of(routed, procedure, adapter, decision)[1]
            if slot is not None:
                free_at = slot.done
        if free_at is not None:
            self.store.save_card_line(free_at, len(order))
        self.store.release_cards([card.dossier_id for card in order])
        publish(events)
