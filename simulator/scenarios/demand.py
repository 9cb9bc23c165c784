"""Synthetic demand: the dossiers a scenario submits, generated deterministically from its seed.

The same scenario and seed give byte-identical demand (`demand_fingerprint`).
Arrivals are spread uniformly over office hours (08:00-17:00) of each simulated
working day; the count per day is the daily volume, its fraction drawn.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import orjson

from contracts.catalogue import load_catalogue
from contracts.people import DeclaredPerson, PersonRole
from contracts.worktime import HANOI_TZ, is_working_day
from simulator.scenarios.applicants import ApplicantPool, DossierDraft, declared
from simulator.scenarios.scenario import Scenario

__all__ = ["DemandItem", "demand_fingerprint", "generate_demand", "working_days"]

#: Procedures a foreigner applies for in the simulation (residence, stay, tax, electricity).
FOREIGNER_PROCEDURES = frozenset({4, 6, 18, 24, 25})
#: Procedures taken at the commune's desk (civil status, residence); others at the district's.
COMMUNE_DESK_PROCEDURES = frozenset({3, 4, 5, 6, 9, 10, 11, 15, 16})
NATIONALITIES = ("KR", "CN", "JP", "US", "FR", "DE", "AU", "TH", "SG", "GB")
_OFFICE_SECONDS = 9 * 3600


@dataclass(frozen=True)
class DemandItem:
    """One dossier a citizen (or a foreigner) will hand in, online or at a desk."""

    index: int
    client_ref: str
    procedure_code: str
    channel: str
    unit_code: str
    simtime: datetime
    draft: DossierDraft
    account_holder: DeclaredPerson
    foreigner: bool = False
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """A canonical JSON form (for fingerprints and logs)."""
        return {
            "index": self.index,
            "client_ref": self.client_ref,
            "procedure_code": self.procedure_code,
            "channel": self.channel,
            "unit_code": self.unit_code,
            "simtime": self.simtime.isoformat(),
            "persons": [p.model_dump(mode="json") for p in self.draft.persons],
            "form": self.draft.form,
            "account_holder": self.account_holder.model_dump(mode="json"),
            "foreigner": self.foreigner,
            "error": self.error,
        }


def working_days(start: date, count: int) -> list[date]:
    """The first `count` working days from `start` (weekends skipped)."""
    days: list[date] = []
    day = start
    while len(days) < count:
        if is_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def _count(rng: random.Random, expected: float) -> int:
    whole = int(expected)
    return whole + (1 if rng.random() < expected - whole else 0)


def _foreigner(rng: random.Random, like: DeclaredPerson) -> DeclaredPerson:
    return DeclaredPerson(
        role=PersonRole.APPLICANT,
        passport_number=f"P{rng.randrange(10**7):07d}",
        nationality=rng.choice(NATIONALITIES),
        full_name=f"Visitor {rng.randrange(10**5):05d}",
        birth_date=like.birth_date,
        sex=like.sex,
    )


def _with_error(
    rng: random.Random, scenario: Scenario, pool: ApplicantPool, draft: DossierDraft
) -> tuple[DossierDraft, str | None]:
    quality = scenario.data_quality
    roll = rng.random()
    applicant = draft.applicant
    if roll < quality.name_typo_rate:
        wrong = applicant.model_copy(update={"full_name": applicant.full_name + "h"})
        error = "name_typo"
    elif roll < quality.name_typo_rate + quality.wrong_birth_date_rate:
        shifted = applicant.birth_date + timedelta(days=rng.choice([-400, -31, 1, 31, 365]))
        wrong = applicant.model_copy(update={"birth_date": shifted})
        error = "wrong_birth_date"
    elif roll < quality.name_typo_rate + quality.wrong_birth_date_rate + quality.deceased_id_rate:
        wrong = declared(pool.dead_person(), PersonRole.APPLICANT)
        error = "deceased_id"
    else:
        return draft, None
    return DossierDraft([wrong, *draft.persons[1:]], draft.form), error


def generate_demand(scenario: Scenario, pool: ApplicantPool) -> list[DemandItem]:
    """Every dossier of the scenario, in order of simulated arrival."""
    catalogue = load_catalogue()
    rng = random.Random(f"demand:{scenario.name}:{scenario.seed}")
    pool.reset(f"applicants:{scenario.name}:{scenario.seed}")
    items: list[DemandItem] = []
    demand = scenario.demand
    for day in working_days(scenario.start_date, scenario.days):
        opening = datetime.combine(day, time(8, 0), HANOI_TZ)
        for code, volume in sorted(demand.procedures.items()):
            procedure = catalogue.by_code(code)
            online_share = (
                demand.online_share if volume.online_share is None else volume.online_share
            )
            for _ in range(_count(rng, volume.daily * demand.scale)):
                simtime = opening + timedelta(seconds=rng.randrange(_OFFICE_SECONDS))
                draft = pool.draft(procedure)
                holder = draft.applicant
                foreigner = (
                    procedure.number in FOREIGNER_PROCEDURES
                    and rng.random() < scenario.foreigner_share
                )
                error = None
                if foreigner:
                    holder = _foreigner(rng, draft.applicant)
                    draft = DossierDraft([holder], draft.form)
                else:
                    draft, error = _with_error(rng, scenario, pool, draft)
                    if error == "deceased_id":
                        holder = declared(pool.adult(), PersonRole.APPLICANT)
                online = foreigner or rng.random() < online_share
                residence = pool.residence_of(holder)
                items.append(
                    DemandItem(
                        index=0,
                        client_ref="",
                        procedure_code=procedure.code,
                        channel="online" if online else "desk",
                        unit_code=(
                            residence
                            if not online and procedure.number in COMMUNE_DESK_PROCEDURES
                            else residence[:3]
                        ),
                        simtime=simtime,
                        draft=draft,
                        account_holder=holder,
                        foreigner=foreigner,
                        error=error,
                    )
                )
    items.sort(key=lambda item: (item.simtime, item.procedure_code))
    prefix = f"{scenario.name}:{scenario.seed}"
    return [
        DemandItem(
            index=i,
            client_ref=f"{prefix}:{i}",
            procedure_code=item.procedure_code,
            channel=item.channel,
            unit_code=item.unit_code,
            simtime=item.simtime,
            draft=item.draft,
            account_holder=item.account_holder,
            foreigner=item.foreigner,
            error=item.error,
        )
        for i, item in enumerate(items)
    ]


def demand_fingerprint(items: list[DemandItem]) -> str:
    """SHA-256 of the canonical JSON lines of the demand."""
    digest = hashlib.sha256()
    for item in items:
        digest.update(orjson.dumps(item.as_json(), option=orjson.OPT_SORT_KEYS) + b"\n")
    return digest.hexdigest()
