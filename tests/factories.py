"""Small builders of valid contract objects for tests."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from contracts.envelope import CloudEvent
from contracts.events import Channel, DossierSubmitted
from contracts.people import DeclaredPerson, MaritalStatus, PersonFacts, PersonRole, Sex
from contracts.worktime import HANOI_TZ

SIMTIME = datetime(2026, 3, 2, 9, 30, tzinfo=HANOI_TZ)


def applicant(**overrides: Any) -> DeclaredPerson:
    values: dict[str, Any] = {
        "role": PersonRole.APPLICANT,
        "id_number": "001087012345",
        "full_name": "Nguyễn Văn An",
        "birth_date": date(1987, 5, 4),
        "sex": Sex.MALE,
    }
    values.update(overrides)
    return DeclaredPerson(**values)


def population_record(person: DeclaredPerson, id_number: str | None = None) -> PersonFacts:
    """The population database's record of a declared person that matches it (alive,
    single, living in 00101); `id_number` when the person declared none."""
    return PersonFacts(
        id_number=id_number or person.id_number or "",
        full_name=person.full_name,
        birth_date=person.birth_date,
        sex=person.sex,
        alive=True,
        marital_status=MaritalStatus.SINGLE,
        residence_unit="00101",
    )


def submission(**overrides: Any) -> DossierSubmitted:
    values: dict[str, Any] = {
        "dossier_id": str(uuid.uuid4()),
        "dossier_code": "001-260302-0001",
        "procedure_code": "1.004194",
        "channel": Channel.ONLINE,
        "received_unit": "001",
        "persons": [applicant()],
        "received_simtime": SIMTIME,
    }
    values.update(overrides)
    return DossierSubmitted(**values)


def envelope(data: Any, **overrides: Any) -> CloudEvent[Any]:
    values: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "source": "/portalsim/test",
        "type": "vn.portalsim.dossier.submitted.v2",
        "time": datetime(2026, 11, 25, 10, 0, tzinfo=HANOI_TZ),
        "subject": getattr(data, "dossier_id", None),
        "correlationid": getattr(data, "dossier_id", "root"),
        "simtime": SIMTIME,
        "data": data,
    }
    values.update(overrides)
    return CloudEvent(**values)
