"""What a linked group's step is made of, derived from its parent (pure builders).

Group 15: step 0 birth registration with the parent's persons and form; step 1 permanent
residence of the child (the applicant and the child; `new_residence_unit` = the parent's
`residence_unit`, or the unit the birth recorded when that is no Hanoi unit, as the city
portal's birth registration falls back to it); step 2 the child's health-insurance card.
Group 16: each step gets the parent's persons and form. Steps after a birth registration
need the child's record.
"""

from __future__ import annotations

from contracts.catalogue import Catalogue, CivilStatusEffect, Procedure
from contracts.events import Channel, DossierRouted, DossierSubmitted, FormValue
from contracts.people import DeclaredPerson, PersonFacts, PersonRole
from contracts.units import is_hanoi_unit
from services.national_portal.civil_status import person_with_role
from services.national_portal.linked.state import GroupState, StepState

__all__ = ["birth_step", "internal_step", "needs_child", "step_submission"]


def birth_step(state: GroupState, catalogue: Catalogue) -> StepState | None:
    """The group's birth-registration step, if it has one."""
    for step in state.steps:
        number = step.procedure_number
        if number and catalogue.by_number(number).civil_status_effect is CivilStatusEffect.BIRTH:
            return step
    return None


def needs_child(state: GroupState, step: StepState, catalogue: Catalogue) -> bool:
    """Whether the step comes after the birth registration (and needs the child's record)."""
    birth = birth_step(state, catalogue)
    return birth is not None and step.index > birth.index


def _child_person(child: PersonFacts) -> DeclaredPerson:
    return DeclaredPerson(
        role=PersonRole.CHILD,
        id_number=child.id_number,
        full_name=child.full_name,
        birth_date=child.birth_date,
        sex=child.sex,
    )


def _new_residence_unit(state: GroupState) -> FormValue:
    declared = state.parent.submission.form.get("residence_unit")
    if isinstance(declared, str) and is_hanoi_unit(declared):
        return declared
    return state.child.residence_unit if state.child is not None else declared


def _persons_and_form(
    state: GroupState, step: StepState, catalogue: Catalogue
) -> tuple[list[DeclaredPerson], dict[str, FormValue]]:
    parent = state.parent.submission
    persons, form = list(parent.persons), dict(parent.form)
    if state.child is not None and needs_child(state, step, catalogue):
        applicant = person_with_role(parent, PersonRole.APPLICANT) or parent.persons[0]
        persons = [applicant, _child_person(state.child)]
    number = step.procedure_number
    effect = catalogue.by_number(number).civil_status_effect if number else None
    if effect is CivilStatusEffect.PERMANENT_RESIDENCE:
        form = {"new_residence_unit": _new_residence_unit(state)}
    return persons, form


def step_submission(state: GroupState, step: StepState, catalogue: Catalogue) -> DossierSubmitted:
    """The step as a dossier (it must be started: code and start time set).

    A step with a catalogue procedure carries that procedure's code; one without
    carries the parent's.
    """
    if step.dossier_code is None or step.started_simtime is None:
        raise ValueError(f"step {step.index} is not started")
    parent = state.parent.submission
    persons, form = _persons_and_form(state, step, catalogue)
    number = step.procedure_number
    return DossierSubmitted(
        dossier_id=step.dossier_id,
        dossier_code=step.dossier_code,
        procedure_code=catalogue.by_number(number).code if number else parent.procedure_code,
        channel=Channel.LINKED,
        account_id=parent.account_id,
        received_unit=parent.received_unit,
        persons=persons,
        form=form,
        parent_dossier_id=state.parent_id,
        step_index=step.index,
        received_simtime=step.started_simtime,
    )


def internal_step(
    state: GroupState, step: StepState, submission: DossierSubmitted, catalogue: Catalogue
) -> tuple[DossierRouted, Procedure]:
    """A step without a catalogue procedure as routed to its adapter, with the procedure
    its adapter decides on: the group's, renamed after the step, without a time limit."""
    identities = list(state.parent.identities)
    if state.child is not None and needs_child(state, step, catalogue):
        identities.append(state.child)
    routed = DossierRouted(
        dossier_id=step.dossier_id,
        route_to=step.settled_by,
        submission=submission,
        identities=identities,
        routed_simtime=submission.received_simtime,
    )
    group = catalogue.by_code(state.parent.submission.procedure_code)
    procedure = group.model_copy(
        update={
            "name_vi": step.name_vi,
            "name_en": step.name_en,
            "settled_by": step.settled_by,
            "legal_time_limit_days": None,
            "extended_time_limit_days": None,
            "linked_steps": (),
            "min_applicant_age": None,
        }
    )
    return routed, procedure
