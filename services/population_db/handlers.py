"""The population database's Kafka handlers: load the records, ask the domain, save, publish.

Each runs on the store worker inside the kit's batch transaction (see `services.kit.messaging`).
"""

from __future__ import annotations

from collections.abc import Callable

from contracts.envelope import CloudEvent
from contracts.events import (
    BirthChange,
    DossierSettled,
    IdentityCheckRequested,
    Outcome,
    RecordChange,
)
from services.kit import RejectEvent
from services.kit.emitter import HandlerContext
from services.population_db.domain import (
    ChangeRefused,
    RecordChanges,
    apply_change,
    identity_check_completed,
    is_well_formed,
    record_changed_events,
)
from services.population_db.domain.dirty_checks import checked_against_records
from services.population_db.domain.records import CleaningPlan
from services.population_db.store import PopulationStore

__all__ = ["PopulationDbHandlers"]


class PopulationDbHandlers:
    """Handlers of the topics the population database consumes."""

    def __init__(
        self, store: PopulationStore, records: Callable[[], CleaningPlan] | None = None
    ) -> None:
        """``records`` builds the plan of dirty records (at the first check), if any."""
        self.store = store
        self._records = records
        self._plan: CleaningPlan | None = None

    def replan(self) -> None:
        """Build the plan of dirty records again at the next check (its policy changed)."""
        self._plan = None

    # -- identity.check.requested ---------------------------------------------------------
    def on_identity_check_requested(
        self, event: CloudEvent[IdentityCheckRequested], ctx: HandlerContext
    ) -> None:
        """Answer an identity check from the record under the declared number."""
        request = event.data
        well_formed = is_well_formed(request.id_number)
        record = self.store.person(request.id_number) if well_formed else None
        if self._records is None:
            ctx.publish([identity_check_completed(request, record)])
            return
        if self._plan is None:
            self._plan = self._records()
        dirty = self._plan.problem(request.id_number, event.simtime)
        ctx.publish([checked_against_records(request, record, dirty)])

    # -- dossier.settled ------------------------------------------------------------------
    def on_dossier_settled(self, event: CloudEvent[DossierSettled], ctx: HandlerContext) -> None:
        """Apply an approved civil-status change and publish the records it changed.

        A change the database cannot apply is dead-lettered (`RejectEvent`).
        """
        settled = event.data
        change = settled.civil_status_change
        if settled.outcome is not Outcome.APPROVED or change is None:
            return
        changes = self._earlier_birth(settled) if isinstance(change, BirthChange) else None
        if changes is None:
            try:
                applied = apply_change(change, settled.dossier_id, self.store.person_for_update)
            except ChangeRefused as exc:
                raise RejectEvent(exc.reason, exc.detail) from exc
            self.store.save_people(applied.writes)
            changes = applied.published
        for kind, record in changes:
            self.store.record_change(settled.dossier_id, record.id_number, kind.value)
        ctx.publish(record_changed_events(settled, changes))

    def _earlier_birth(self, settled: DossierSettled) -> RecordChanges | None:
        """The child a birth dossier already created (published again, never created twice)."""
        for id_number in self.store.changed_by(settled.dossier_id, RecordChange.BORN.value):
            record = self.store.person(id_number)
            if record is not None:
                return ((RecordChange.BORN, record),)
        return None
