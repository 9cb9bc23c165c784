"""The topic registry: every Kafka topic, its key, its payload, who produces and consumes it.

This registry is the source of truth for topic creation, the AsyncAPI document,
the rights file, the dead-letter topics and the personal fields masked in logs.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel

from contracts.clock_events import SimulatedClockAdvanced
from contracts.envelope import event_type_for
from contracts.events import (
    AccountRegistered,
    DeskDossierReceived,
    DeskQueueChanged,
    DossierRouted,
    DossierSettled,
    DossierStatusChanged,
    DossierStatusChangedV1,
    DossierSubmitted,
    IdentityCheckCompleted,
    IdentityCheckRequested,
    PopulationRecordChanged,
)
from contracts.operations import ServicePolicyChanged
from contracts.personal_data import PersonalData, personal_fields

__all__ = [
    "DEADLETTER_PREFIX",
    "TOPICS",
    "ServiceName",
    "Topic",
    "all_topic_names",
    "personal_fields_of_topics",
    "topic",
]

DEADLETTER_PREFIX = "deadletter."


class ServiceName(StrEnum):
    """The independent services, plus the simulator that drives them from outside."""

    CITY_PORTAL = "city_portal"
    POPULATION_DB = "population_db"
    NATIONAL_PORTAL = "national_portal"
    ONE_STOP = "one_stop"
    SIMULATOR = "simulator"


@dataclass(frozen=True)
class Topic:
    """One Kafka topic of the system."""

    name: str
    payload: type[BaseModel]
    key_field: str
    producers: frozenset[ServiceName]
    consumers: frozenset[ServiceName]
    description: str
    partitions: int = 3
    #: Earlier payload versions still read from event logs, by version (a version whose
    #: data today's payload also accepts maps to today's payload).
    older: tuple[tuple[int, type[BaseModel]], ...] = ()

    @property
    def event_type(self) -> str:
        """The CloudEvents `type` of this topic's events."""
        version: int = getattr(self.payload, "VERSION")  # noqa: B009
        return event_type_for(self.name, version)

    @property
    def deadletter(self) -> str:
        """The topic that receives this topic's dead letters."""
        return DEADLETTER_PREFIX + self.name

    @property
    def version(self) -> int:
        """The current payload version (the `v<N>` its event type ends with)."""
        version: int = getattr(self.payload, "VERSION")  # noqa: B009
        return version

    def payload_of_version(self, version: int) -> type[BaseModel] | None:
        """The payload model that reads that version's data; None for a version not read."""
        if version == self.version:
            return self.payload
        return dict(self.older).get(version)

    @property
    def versions_read(self) -> list[int]:
        """Every payload version read from logs, oldest first."""
        return sorted({self.version, *(v for v, _ in self.older)})

    def key_of(self, payload: BaseModel) -> bytes:
        """The Kafka key of a payload of this topic."""
        return str(getattr(payload, self.key_field)).encode()


_S = ServiceName

TOPICS: tuple[Topic, ...] = (
    Topic(
        "account.registered",
        AccountRegistered,
        "account_id",
        frozenset({_S.CITY_PORTAL}),
        frozenset(),
        "Account registrations decided by the city portal.",
    ),
    Topic(
        "dossier.submitted",
        DossierSubmitted,
        "dossier_id",
        frozenset({_S.CITY_PORTAL, _S.ONE_STOP, _S.NATIONAL_PORTAL, _S.SIMULATOR}),
        frozenset({_S.CITY_PORTAL}),
        "Dossiers submitted online, digitised at a desk, or created as linked steps "
        "(the simulator injects them directly for benchmarks and fault tests).",
    ),
    Topic(
        "identity.check.requested",
        IdentityCheckRequested,
        "id_number",
        frozenset({_S.CITY_PORTAL}),
        frozenset({_S.POPULATION_DB}),
        "Identity checks asked of the national population database, keyed by ID number.",
    ),
    Topic(
        "identity.check.completed",
        IdentityCheckCompleted,
        "requester_id",
        frozenset({_S.POPULATION_DB}),
        frozenset({_S.CITY_PORTAL}),
        "Answers of the population database, keyed by the dossier or account asking.",
    ),
    Topic(
        "dossier.routed",
        DossierRouted,
        "dossier_id",
        frozenset({_S.CITY_PORTAL}),
        frozenset({_S.NATIONAL_PORTAL}),
        "Dossiers handed by the city portal to the national portal or a ministry portal.",
        older=((1, DossierRouted), (2, DossierRouted)),
    ),
    Topic(
        "dossier.settled",
        DossierSettled,
        "dossier_id",
        frozenset({_S.CITY_PORTAL, _S.NATIONAL_PORTAL, _S.ONE_STOP}),
        frozenset({_S.CITY_PORTAL, _S.POPULATION_DB, _S.NATIONAL_PORTAL, _S.ONE_STOP}),
        "Final decisions on dossiers, with the status changes made with them.",
        older=((1, DossierSettled), (2, DossierSettled)),
    ),
    Topic(
        "dossier.status.changed",
        DossierStatusChanged,
        "dossier_id",
        frozenset({_S.CITY_PORTAL, _S.NATIONAL_PORTAL, _S.ONE_STOP}),
        frozenset({_S.CITY_PORTAL}),
        "The status changes of a dossier that travel in no settlement or routing, for the "
        "complete timeline (those a service made together in one event).",
        older=((1, DossierStatusChangedV1), (2, DossierStatusChanged)),
    ),
    Topic(
        "population.record.changed",
        PopulationRecordChanged,
        "id_number",
        frozenset({_S.POPULATION_DB}),
        frozenset({_S.NATIONAL_PORTAL, _S.CITY_PORTAL}),
        "Population records changed by approved civil-status settlements.",
    ),
    Topic(
        "desk.queue.changed",
        DeskQueueChanged,
        "unit_code",
        frozenset({_S.ONE_STOP}),
        frozenset(),
        "Length of each one-stop desk's digitisation queue over simulated time.",
        partitions=1,
    ),
    Topic(
        "desk.dossier.received",
        DeskDossierReceived,
        "dossier_id",
        frozenset({_S.ONE_STOP}),
        frozenset(),
        "Paper dossiers taken in at the one-stop desks, as handed in (before digitisation): "
        "the desk inputs of an event log.",
    ),
    Topic(
        "service.policy.changed",
        ServicePolicyChanged,
        "service",
        frozenset({_S.CITY_PORTAL, _S.POPULATION_DB, _S.NATIONAL_PORTAL, _S.ONE_STOP}),
        frozenset(),
        "Run-time policies and consumption changed through a service's operations API "
        "(docs/operations.md): when each change took effect, for reports and replays.",
        partitions=1,
    ),
    Topic(
        "simulated.clock.advanced",
        SimulatedClockAdvanced,
        "clock",
        frozenset({_S.SIMULATOR}),
        frozenset({_S.NATIONAL_PORTAL}),
        "The simulator's watermark: every ID-card application received before a simulated "
        "moment has been taken; the national portal's card line serves the cards ready "
        "before it, in the order they were ready (docs/flow.md).",
        partitions=1,
    ),
)

_BY_NAME = {t.name: t for t in TOPICS}


def topic(name: str) -> Topic:
    """The registered topic of that name; KeyError naming the known topics otherwise."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown topic {name!r}; known: {', '.join(_BY_NAME)}") from None


def all_topic_names(include_deadletters: bool = True) -> list[str]:
    """Every topic name of the system, dead-letter topics included by default."""
    names = [t.name for t in TOPICS]
    if include_deadletters:
        names += [t.deadletter for t in TOPICS if t.consumers]
    return names


def personal_fields_of_topics() -> dict[str, PersonalData]:
    """Field name -> personal-data kind over every payload of the registry, nested included."""
    return personal_fields(t.payload for t in TOPICS)
