"""A valid payload for every consumed topic, to be broken in every way by the poison tests."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel

from contracts.catalogue import Portal
from contracts.clock_events import SimulatedClockAdvanced
from contracts.envelope import CloudEvent
from contracts.events import (
    DossierRouted,
    DossierSettled,
    DossierStatus,
    DossierStatusChanged,
    IdentityCheckCompleted,
    IdentityCheckRequested,
    IdentityResult,
    Outcome,
    PopulationRecordChanged,
    RecordChange,
    RequesterKind,
    StatusTransition,
)
from contracts.people import MaritalStatus, PersonFacts, PersonRole
from contracts.topics import topic
from tests.factories import SIMTIME, applicant, submission

FACTS = PersonFacts(
    id_number="001087012345",
    full_name="Nguyễn Văn An",
    birth_date=applicant().birth_date,
    sex=applicant().sex,
    alive=True,
    marital_status=MaritalStatus.SINGLE,
    residence_unit="00101",
)


def sample_payload(topic_name: str) -> BaseModel:
    """A valid payload of `topic_name` about a dossier no test uses."""
    sub = submission(dossier_id=str(uuid.uuid4()))
    samples: dict[str, BaseModel] = {
        "dossier.submitted": sub,
        "identity.check.requested": IdentityCheckRequested(
            check_id=f"{sub.dossier_id}:applicant",
            requester_kind=RequesterKind.DOSSIER,
            requester_id=sub.dossier_id,
            id_number="001087012345",
            person=applicant(),
        ),
        "identity.check.completed": IdentityCheckCompleted(
            check_id=f"{sub.dossier_id}:applicant",
            requester_kind=RequesterKind.DOSSIER,
            requester_id=sub.dossier_id,
            role=PersonRole.APPLICANT,
            result=IdentityResult.MATCH,
            record=FACTS,
        ),
        "dossier.routed": DossierRouted(
            dossier_id=sub.dossier_id,
            route_to=Portal.MINISTRY_PUBLIC_SECURITY,
            submission=sub,
            routed_simtime=SIMTIME,
        ),
        "dossier.settled": DossierSettled(
            dossier_id=sub.dossier_id,
            dossier_code=sub.dossier_code,
            procedure_code=sub.procedure_code,
            channel=sub.channel,
            received_unit=sub.received_unit,
            outcome=Outcome.REJECTED,
            settled_by=Portal.MINISTRY_PUBLIC_SECURITY,
            reason_code="test",
            received_simtime=SIMTIME,
            settled_simtime=SIMTIME,
            working_days_taken=0,
        ),
        "dossier.status.changed": DossierStatusChanged(
            dossier_id=sub.dossier_id,
            dossier_code=sub.dossier_code,
            procedure_code=sub.procedure_code,
            transitions=[
                StatusTransition(status=DossierStatus.PROCESSING, by="test", simtime=SIMTIME)
            ],
        ),
        "simulated.clock.advanced": SimulatedClockAdvanced(
            run=f"poison-test-{sub.dossier_id}", until=SIMTIME, id_cards_taken=0
        ),
        "population.record.changed": PopulationRecordChanged(
            id_number="001087012345",
            change=RecordChange.MOVED,
            dossier_id=sub.dossier_id,
            record=FACTS,
        ),
    }
    return samples[topic_name]


def envelope_dict(topic_name: str, event_type: str | None = None) -> dict[str, Any]:
    """A valid envelope of `topic_name` as a JSON-ready dict."""
    payload = sample_payload(topic_name)
    event: CloudEvent[Any] = CloudEvent(
        id=str(uuid.uuid4()),
        source="/portalsim/poison-test",
        type=event_type or topic(topic_name).event_type,
        time=SIMTIME,
        correlationid=str(uuid.uuid4()),
        simtime=SIMTIME,
        data=payload,
    )
    return event.model_dump(mode="json")
