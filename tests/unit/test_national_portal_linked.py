"""The linked-group state machine: every transition, in and out of order, redelivered."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from contracts.catalogue import Portal, load_catalogue
from contracts.dossier_codes import format_dossier_code, parse_dossier_code
from contracts.dossier_ids import step_dossier_id
from contracts.events import Channel, DossierRouted, DossierSettled, Outcome
from contracts.people import MaritalStatus, PersonFacts, PersonRole, Sex
from services.national_portal.linked import transitions as linked
from services.national_portal.linked.state import GroupState, StepStatus
from tests.factories import SIMTIME, applicant, submission

CATALOGUE = load_catalogue()
CHILD_ID = "001226000123"
BIRTH_FORM = {
    "child_full_name": "Nguyễn Thị Bình",
    "child_sex": "female",
    "child_birth_date": "2026-02-20",
    "residence_unit": "00502",
}
CHILD = PersonFacts(
    id_number=CHILD_ID,
    full_name="Nguyễn Thị Bình",
    birth_date=date(2026, 2, 20),
    sex=Sex.FEMALE,
    alive=True,
    marital_status=MaritalStatus.SINGLE,
    residence_unit="00502",
)


class Codes:
    """A fake allocator: the linked block of each unit and day, from 9000."""

    def __init__(self) -> None:
        self.last: dict[tuple[str, date], int] = {}

    def __call__(self, unit: str, day: date) -> str:
        self.last[(unit, day)] = self.last.get((unit, day), 8999) + 1
        return format_dossier_code(unit, day, self.last[(unit, day)])


def parent(number: int) -> DossierRouted:
    persons = [applicant()]
    if number == 15:
        persons += [
            applicant(role=PersonRole.FATHER),
            applicant(
                role=PersonRole.MOTHER,
                id_number="001190054321",
                full_name="Trần Thị Cúc",
                sex=Sex.FEMALE,
                birth_date=date(1990, 1, 1),
            ),
        ]
        form: dict[str, Any] = BIRTH_FORM
    else:
        persons.append(applicant(role=PersonRole.DECEASED, id_number="001040000111"))
        form = {"date_of_death": "2026-02-28"}
    sub = submission(
        dossier_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"portalsim-test/parent/{number}")),
        procedure_code=CATALOGUE.by_number(number).code,
        persons=persons,
        form=form,
        received_unit="00101",
    )
    return DossierRouted(
        dossier_id=sub.dossier_id,
        route_to=Portal.NATIONAL_PORTAL,
        submission=sub,
        routed_simtime=SIMTIME,
    )


def start(number: int = 15) -> tuple[linked.Transition, Codes]:
    codes = Codes()
    routed = parent(number)
    return linked.start_group(routed, CATALOGUE.by_number(number), CATALOGUE, codes), codes


def settled(
    state: GroupState, index: int, outcome: Outcome = Outcome.APPROVED, **kw: Any
) -> DossierSettled:
    step = state.steps[index]
    at: datetime = kw.pop("at", SIMTIME + timedelta(hours=index + 1))
    values: dict[str, Any] = {
        "dossier_id": step.dossier_id,
        "dossier_code": step.dossier_code or "00101-260302-9000",
        "procedure_code": "1.001193",
        "channel": Channel.LINKED,
        "received_unit": "00101",
        "parent_dossier_id": state.parent_id,
        "outcome": outcome,
        "settled_by": step.settled_by,
        "result_document_number": "KS-2026-000001" if outcome is Outcome.APPROVED else None,
        "received_simtime": SIMTIME,
        "settled_simtime": at,
        "working_days_taken": 0.1,
    }
    values.update(kw)
    return DossierSettled(**values)


def on_settled(state: GroupState, event: DossierSettled, codes: Codes) -> linked.Transition:
    return linked.step_settled(state, event, CATALOGUE, codes)


def on_child(state: GroupState, codes: Codes, **kw: Any) -> linked.Transition:
    dossier_id = kw.pop("dossier_id", state.steps[0].dossier_id)
    at = kw.pop("at", SIMTIME + timedelta(hours=1))
    return linked.child_registered(state, dossier_id, CHILD, at, CATALOGUE, codes)


def birth_and_child() -> tuple[linked.Transition, Codes]:
    begun, codes = start(15)
    after_birth = on_settled(begun.state, settled(begun.state, 0), codes)
    return on_child(after_birth.state, codes), codes


def test_a_routed_birth_group_awaits_its_steps_and_submits_the_birth_registration() -> None:
    begun, _ = start(15)
    assert [type(a) for a in begun.actions] == [linked.StartedGroup, linked.SubmitStep]
    sub = begun.actions[1].submission  # type: ignore[union-attr]
    assert sub.procedure_code == CATALOGUE.by_number(9).code
    assert sub.channel is Channel.LINKED
    assert sub.parent_dossier_id == begun.state.parent_id
    assert sub.step_index == 0
    assert sub.dossier_id == step_dossier_id(begun.state.parent_id, 0)
    assert [s.status for s in begun.state.steps] == [StepStatus.STARTED, *[StepStatus.PENDING] * 2]


def test_the_birth_step_carries_the_parents_persons_and_form() -> None:
    begun, _ = start(15)
    sub = begun.actions[1].submission  # type: ignore[union-attr]
    assert sub.persons == begun.state.parent.submission.persons
    assert sub.form == BIRTH_FORM
    assert sub.received_simtime == SIMTIME


def test_step_codes_come_from_the_linked_block_of_the_parents_unit() -> None:
    begun, codes = start(15)
    code = parse_dossier_code(begun.state.steps[0].dossier_code or "")
    assert (code.unit_code, code.received, code.sequence) == ("00101", SIMTIME.date(), 9000)
    assert codes("00101", SIMTIME.date()).endswith("-9001")


def test_a_routed_death_group_submits_the_death_registration() -> None:
    begun, _ = start(16)
    sub = begun.actions[1].submission  # type: ignore[union-attr]
    assert sub.procedure_code == CATALOGUE.by_number(10).code
    assert sub.form == {"date_of_death": "2026-02-28"}
    assert [p.role for p in sub.persons] == [PersonRole.APPLICANT, PersonRole.DECEASED]


def test_birth_approved_before_the_child_record_waits() -> None:
    begun, codes = start(15)
    after = on_settled(begun.state, settled(begun.state, 0), codes)
    assert after.actions == ()
    assert after.state.steps[0].status is StepStatus.APPROVED
    assert after.state.steps[1].status is StepStatus.PENDING


def test_child_record_before_the_birth_settlement_waits() -> None:
    begun, codes = start(15)
    after = on_child(begun.state, codes)
    assert after.actions == ()
    assert after.state.child == CHILD
    assert after.state.steps[1].status is StepStatus.PENDING


def test_birth_then_record_submits_permanent_residence_for_the_child() -> None:
    after, _ = birth_and_child()
    [action] = after.actions
    assert isinstance(action, linked.SubmitStep)
    sub = action.submission
    assert sub.procedure_code == CATALOGUE.by_number(3).code
    assert sub.step_index == 1
    assert [(p.role, p.id_number) for p in sub.persons] == [
        (PersonRole.APPLICANT, "001087012345"),
        (PersonRole.CHILD, CHILD_ID),
    ]
    assert sub.form == {"new_residence_unit": "00502"}


def test_record_then_birth_submits_the_same_permanent_residence() -> None:
    begun, codes = start(15)
    first = on_child(begun.state, codes)
    second = on_settled(first.state, settled(first.state, 0), codes)
    expected, _ = birth_and_child()
    assert second.actions == expected.actions
    assert second.state == expected.state


def test_permanent_residence_starts_at_the_later_of_the_two_events() -> None:
    begun, codes = start(15)
    late = SIMTIME + timedelta(days=1)
    after_birth = on_settled(begun.state, settled(begun.state, 0, at=SIMTIME), codes)
    after = on_child(after_birth.state, codes, at=late)
    assert after.state.steps[1].started_simtime == late
    assert after.actions[0].submission.received_simtime == late  # type: ignore[union-attr]
    assert parse_dossier_code(after.state.steps[1].dossier_code or "").received == late.date()


def test_a_redelivered_birth_settlement_does_nothing() -> None:
    after, codes = birth_and_child()
    again = on_settled(after.state, settled(after.state, 0), codes)
    assert again.actions == ()
    assert again.state == after.state


def test_a_redelivered_record_change_does_nothing() -> None:
    after, codes = birth_and_child()
    again = on_child(after.state, codes)
    assert again == linked.Transition(after.state)


def test_a_record_change_of_another_dossier_does_nothing() -> None:
    begun, codes = start(15)
    after = on_child(begun.state, codes, dossier_id=str(uuid.uuid4()))
    assert after == linked.Transition(begun.state)


def test_a_death_group_ignores_record_changes() -> None:
    begun, codes = start(16)
    after = on_child(begun.state, codes)
    assert after == linked.Transition(begun.state)


def test_a_rejected_step_rejects_the_parent_with_its_reason() -> None:
    begun, codes = start(15)
    rejected = settled(
        begun.state,
        0,
        Outcome.REJECTED,
        reason_code="identity_mismatch",
        reason_text="The declared sex of the mother differ from the population record.",
    )
    after = on_settled(begun.state, rejected, codes)
    [action] = after.actions
    assert isinstance(action, linked.SettleParent)
    parent_settled = action.settled
    assert parent_settled.dossier_id == begun.state.parent_id
    assert parent_settled.outcome is Outcome.REJECTED
    assert parent_settled.settled_by is Portal.NATIONAL_PORTAL
    assert parent_settled.reason_code == "identity_mismatch"
    assert parent_settled.reason_text == (
        "Birth registration: The declared sex of the mother differ from the population record."
    )
    assert parent_settled.settled_simtime == rejected.settled_simtime
    assert after.state.outcome is Outcome.REJECTED


def test_after_the_parent_settled_further_events_do_nothing() -> None:
    begun, codes = start(15)
    after = on_settled(begun.state, settled(begun.state, 0, Outcome.REJECTED), codes)
    assert on_child(after.state, codes) == linked.Transition(after.state)
    approved = settled(after.state, 0)
    assert on_settled(after.state, approved, codes) == linked.Transition(after.state)


def test_a_settlement_of_a_step_not_started_is_ignored() -> None:
    begun, codes = start(15)
    early = on_settled(begun.state, settled(begun.state, 1), codes)
    assert early == linked.Transition(begun.state)


def test_approved_residence_runs_the_child_card_step_here() -> None:
    after, codes = birth_and_child()
    residence = settled(after.state, 1, procedure_code="1.004222")
    nxt = on_settled(after.state, residence, codes)
    [action] = nxt.actions
    assert isinstance(action, linked.RunStep)
    assert action.routed.route_to is Portal.MINISTRY_SOCIAL_INSURANCE
    assert action.routed.routed_simtime == residence.settled_simtime
    assert action.routed.submission.procedure_code == after.state.parent.submission.procedure_code
    assert CHILD in action.routed.identities
    assert action.procedure.name_en == "Health-insurance card for a child under 6"
    assert action.procedure.legal_time_limit_days is None
    assert "step 2" in action.note


def test_all_steps_approved_settle_the_parent_approved() -> None:
    after, codes = birth_and_child()
    after = on_settled(after.state, settled(after.state, 1), codes)
    last_at = SIMTIME + timedelta(days=2)
    done = on_settled(after.state, settled(after.state, 2, at=last_at), codes)
    [action] = done.actions
    assert isinstance(action, linked.SettleParent)
    result = action.settled
    assert result.outcome is Outcome.APPROVED
    assert result.settled_simtime == last_at
    assert result.received_simtime == SIMTIME
    assert result.working_days_taken == 2.0
    assert result.legal_limit_days == 3
    assert result.within_legal_limit is True
    assert (result.result_document_number or "").startswith("LT-2026-")
    assert done.state.outcome is Outcome.APPROVED


def test_an_approved_death_runs_the_deletion_of_residence_here() -> None:
    begun, codes = start(16)
    after = on_settled(begun.state, settled(begun.state, 0), codes)
    [action] = after.actions
    assert isinstance(action, linked.RunStep)
    assert action.routed.route_to is Portal.MINISTRY_PUBLIC_SECURITY
    assert action.routed.submission.persons == begun.state.parent.submission.persons
    assert action.routed.submission.dossier_id == step_dossier_id(begun.state.parent_id, 1)


def test_without_a_declared_unit_the_child_moves_to_the_unit_the_birth_recorded() -> None:
    codes = Codes()
    routed = parent(15)
    form = {k: v for k, v in BIRTH_FORM.items() if k != "residence_unit"}
    sub = routed.submission.model_copy(update={"form": form})
    routed = routed.model_copy(update={"submission": sub})
    begun = linked.start_group(routed, CATALOGUE.by_number(15), CATALOGUE, codes)
    after = on_child(on_settled(begun.state, settled(begun.state, 0), codes).state, codes)
    [action] = after.actions
    assert action.submission.form == {"new_residence_unit": CHILD.residence_unit}  # type: ignore[union-attr]
