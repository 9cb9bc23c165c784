"""Small builders of valid contract objects for tests."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from contracts.envelope import CloudEvent
from contracts.events import Channel, DossierSubmitted
from contracts.people import DeclaredPerson, PersonRole, Sex
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
