"""Civil-status changes: what an approved settlement does to the population's records.

Pure: records come in through a ``lookup`` function (a dict's ``get`` in tests, the
store's primary-key read in the service); the result says which records to write and
which ``population.record.changed`` events to publish. Details are sentences without
personal data, since they end up in logs.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from contracts.events import (
    BirthChange,
    CivilStatusChange,
    DeathChange,
    DossierSettled,
    MarriageChange,
    PopulationRecordChanged,
    RecordChange,
    ResidenceChange,
)
from contracts.id_numbers import IdNumberError, generate_id_number
from contracts.people import MaritalStatus, PersonFacts
from contracts.units import HANOI_PROVINCE_CODE, is_hanoi_unit
from services.kit.outgoing import Outgoing

__all__ = [
    "AppliedChange",
    "ChangeRefused",
    "Lookup",
    "RecordChanges",
    "apply_change",
    "birth_id_number",
    "record_changed_events",
]

Lookup = Callable[[str], PersonFacts | None]
#: The records a settlement changed, each with the kind of change, in publishing order.
RecordChanges = tuple[tuple[RecordChange, PersonFacts], ...]


class ChangeRefused(Exception):  # noqa: N818 - a domain outcome, raised to abort the change
    """An approved civil-status change that the database cannot apply.

    Reasons: ``unknown_person``, ``deceased_person``, ``already_married``,
    ``unknown_unit``, ``invalid_change``.
    """

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class AppliedChange:
    """What applying one change does: records to write and record changes to publish."""

    writes: tuple[PersonFacts, ...]
    published: RecordChanges
    born_id_number: str | None = None


def birth_id_number(change: BirthChange, dossier_id: str, taken: Callable[[str], bool]) -> str:
    """The newborn's ID number: Hà Nội, sex and birth year from the change, serial from
    ``random.Random(dossier_id)`` (drawing again while the number is taken)."""
    rng = random.Random(dossier_id)
    while True:
        try:
            number = generate_id_number(change.sex, change.birth_date, HANOI_PROVINCE_CODE, rng=rng)
        except IdNumberError as exc:
            raise ChangeRefused(
                "invalid_change", f"Birth cannot be numbered: {exc.message}."
            ) from exc
        if not taken(number):
            return number


def _existing(lookup: Lookup, id_number: str, role: str) -> PersonFacts:
    record = lookup(id_number)
    if record is None:
        raise ChangeRefused("unknown_person", f"The {role} is not in the population database.")
    return record


def _alive(record: PersonFacts, role: str) -> PersonFacts:
    if not record.alive:
        raise ChangeRefused("deceased_person", f"The {role} is recorded deceased.")
    return record


def _check_unit(unit: str) -> None:
    if not is_hanoi_unit(unit):
        raise ChangeRefused("unknown_unit", f"Residence unit {unit!r} is not a Hanoi unit.")


def _birth(change: BirthChange, dossier_id: str, lookup: Lookup) -> AppliedChange:
    _check_unit(change.residence_unit)
    number = birth_id_number(change, dossier_id, lambda n: lookup(n) is not None)
    child = PersonFacts(
        id_number=number,
        full_name=change.full_name,
        birth_date=change.birth_date,
        sex=change.sex,
        alive=True,
        marital_status=MaritalStatus.SINGLE,
        residence_unit=change.residence_unit,
    )
    return AppliedChange((child,), ((RecordChange.BORN, child),), born_id_number=number)


def _death(change: DeathChange, lookup: Lookup) -> AppliedChange:
    person = _existing(lookup, change.id_number, "deceased")
    dead = person.model_copy(update={"alive": False})
    writes = [dead]
    spouse = lookup(person.spouse_id_number) if person.spouse_id_number else None
    if person.alive and spouse is not None and spouse.spouse_id_number == person.id_number:
        writes.append(
            spouse.model_copy(
                update={"marital_status": MaritalStatus.WIDOWED, "spouse_id_number": None}
            )
        )
    return AppliedChange(tuple(writes), ((RecordChange.DIED, dead),))


def _marriage(change: MarriageChange, lookup: Lookup) -> AppliedChange:
    first_id, second_id = change.id_numbers
    if first_id == second_id:
        raise ChangeRefused("invalid_change", "A marriage needs two different people.")
    first = _alive(_existing(lookup, first_id, "first spouse"), "first spouse")
    second = _alive(_existing(lookup, second_id, "second spouse"), "second spouse")
    for person, other, role in ((first, second, "first"), (second, first, "second")):
        if person.marital_status is MaritalStatus.MARRIED and (
            person.spouse_id_number != other.id_number
        ):
            raise ChangeRefused("already_married", f"The {role} spouse is married to someone else.")
    married = {"marital_status": MaritalStatus.MARRIED}
    first = first.model_copy(update={**married, "spouse_id_number": second_id})
    second = second.model_copy(update={**married, "spouse_id_number": first_id})
    return AppliedChange(
        (first, second), ((RecordChange.MARRIED, first), (RecordChange.MARRIED, second))
    )


def _move(change: ResidenceChange, lookup: Lookup) -> AppliedChange:
    _check_unit(change.new_residence_unit)
    person = _alive(_existing(lookup, change.id_number, "person moving"), "person moving")
    moved = person.model_copy(update={"residence_unit": change.new_residence_unit})
    return AppliedChange((moved,), ((RecordChange.MOVED, moved),))


def apply_change(change: CivilStatusChange, dossier_id: str, lookup: Lookup) -> AppliedChange:
    """Apply an approved civil-status change; raise :class:`ChangeRefused` if it cannot be.

    - birth: a new single, living person with a new ID number (:func:`birth_id_number`);
    - death: the person is deceased; a living spouse linked back becomes widowed, unlinked;
      an already deceased person stays so (the change is published again, idempotently);
    - marriage: both living, unmarried (or already married to each other) people become
      married and linked as spouses;
    - permanent residence: a living person's residence unit changes.
    """
    if isinstance(change, BirthChange):
        return _birth(change, dossier_id, lookup)
    if isinstance(change, DeathChange):
        return _death(change, lookup)
    if isinstance(change, MarriageChange):
        return _marriage(change, lookup)
    return _move(change, lookup)


def record_changed_events(
    settled: DossierSettled, changes: Iterable[tuple[RecordChange, PersonFacts]]
) -> list[Outgoing]:
    """One ``population.record.changed`` per changed record, at the settlement's moment."""
    return [
        Outgoing(
            "population.record.changed",
            PopulationRecordChanged(
                id_number=record.id_number,
                change=kind,
                dossier_id=settled.dossier_id,
                record=record,
            ),
            settled.settled_simtime,
        )
        for kind, record in changes
    ]
