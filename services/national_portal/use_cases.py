"""What the national portal's HTTP API does, one function per request, on the store worker.

Both are reads: a dossier the portal knows (with its group when it is a linked group's
parent, or as a step when only its group knows it) and a linked group.
"""

from __future__ import annotations

from dataclasses import asdict

from services.national_portal.http_models import DossierView, GroupView
from services.national_portal.linked.state import GroupState
from services.national_portal.store import NationalPortalStore

__all__ = ["dossier_view", "group_view", "group_view_of"]


def group_view_of(state: GroupState) -> GroupView:
    """The API view of a group's state."""
    parent = state.parent.submission
    return GroupView(
        parent_dossier_id=state.parent_id,
        dossier_code=parent.dossier_code,
        procedure_code=parent.procedure_code,
        status=str(state.outcome) if state.outcome else "awaiting_steps",
        child_id_number=state.child.id_number if state.child else None,
        settled_simtime=state.settled_simtime,
        steps=list(state.steps),
    )


def dossier_view(store: NationalPortalStore, dossier_id: str) -> DossierView | None:
    """What the portal knows of a dossier; a step only its group knows, as a step; or None."""
    record = store.dossier(dossier_id)
    if record is None:
        parent = store.parent_of_step(dossier_id)
        group = store.group(parent) if parent else None
        step = group.step_by_dossier(dossier_id) if group else None
        if step is None:
            return None
        return DossierView(
            dossier_id=dossier_id,
            dossier_code=step.dossier_code,
            status=str(step.status),
            parent_dossier_id=parent,
            step_index=step.index,
        )
    state = store.group(dossier_id)
    return DossierView(**asdict(record), group=group_view_of(state) if state else None)


def group_view(store: NationalPortalStore, parent_dossier_id: str) -> GroupView | None:
    """A linked group and its steps, or None when it is not one of this portal's."""
    state = store.group(parent_dossier_id)
    return None if state is None else group_view_of(state)
