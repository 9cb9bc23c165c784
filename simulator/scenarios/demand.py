"""Synthetic demand: the dossiers a scenario submits, generated deterministically from its seed.

The same scenario and seed give byte-identical demand (`demand_fingerprint`).
Online submissions arrive on every calendar day of the scenario's period at any hour
(the daily shape of `arrivals`), desk dossiers in office hours (08:00-17:00) of its working
days; the count per day is the channel's daily volume (`volumes`), its fraction drawn.
Foreign applicants are among the online ones (foreigners cannot hand in at a desk here).
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

import orjson

from contracts.catalogue import Procedure, load_catalogue
from contracts.people import DeclaredPerson, PersonRole
from contracts.worktime import is_working_day
from simulator.scenarios.abandonment import apply_friction
from simulator.scenarios.applicants import ApplicantPool, DossierDraft, declared
from simulator.scenarios.arrivals import desk_moment, online_moment
from simulator.scenarios.campaign import with_mobile_teams
from simulator.scenarios.scenario import Policies, Scenario
from simulator.scenarios.volumes import channel_rates, demand_period, working_days

__all__ = ["DemandItem", "demand_fingerprint", "generate_demand", "working_days"]

#: Procedures a foreigner applies for in the simulation (residence, stay, tax, electricity).
FOREIGNER_PROCEDURES = frozenset({4, 6, 18, 24, 25})
#: Procedures taken at the commune's desk (civil status, residence); others at the district's.
COMMUNE_DESK_PROCEDURES = frozenset({3, 4, 5, 6, 9, 10, 11, 15, 16})
NATIONALITIES = ("KR", "CN", "JP", "US", "FR", "DE", "AU", "TH", "SG", "GB")


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
    #: Set when the applicant set out online and abandoned: "<stage>:desk" or "<stage>:gave_up"
    #: (stage: registration or complex_form; simulator/scenarios/abandonment.py).
    abandoned: str | None = None

    @property
    def intended_channel(self) -> str:
        """The channel the applicant set out to use (online for one who abandoned)."""
        return "online" if self.abandoned else self.channel

    @property
    def gave_up(self) -> bool:
        """Whether the applicant abandoned and handed nothing in."""
        return bool(self.abandoned and self.abandoned.endswith(":gave_up"))

    def as_json(self) -> dict[str, Any]:
        """A canonical JSON form (for fingerprints and logs)."""
        return ({"abandoned": self.abandoned} if self.abandoned else {}) | {
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


def _item(
    rng: random.Random,
    scenario: Scenario,
    pool: ApplicantPool,
    procedure: Procedure,
    online: bool,
    simtime: datetime,
) -> DemandItem:
    """One dossier of `procedure` handed in online or at a desk at `simtime`."""
    draft = pool.draft(procedure)
    holder = draft.applicant
    foreigner = (
        online
        and procedure.number in FOREIGNER_PROCEDURES
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
    residence = pool.residence_of(holder)
    desk_unit = residence if procedure.number in COMMUNE_DESK_PROCEDURES else residence[:3]
    return DemandItem(
        index=0,
        client_ref="",
        procedure_code=procedure.code,
        channel="online" if online else "desk",
        unit_code=residence[:3] if online else desk_unit,
        simtime=simtime,
        draft=draft,
        account_holder=holder,
        foreigner=foreigner,
        error=error,
        extra={"desk_unit": desk_unit},
    )


def generate_demand(
    scenario: Scenario,
    pool: ApplicantPool,
    policies: Policies | None = None,
    variant: str | None = None,
) -> list[DemandItem]:
    """Every dossier of the scenario, in order of simulated arrival.

    Under the scenario's friction some online applicants abandon: they go to a desk or give
    up (`abandonment`), fewer under `policies` with help (default: the scenario's policies).
    A `variant`'s dossiers have client refs of their own (`name:seed:variant:i`), so a
    deployment that took the main run's sees new dossiers; the demand is otherwise the same.
    """
    catalogue = load_catalogue()
    rng = random.Random(f"demand:{scenario.name}:{scenario.seed}")
    pool.reset(f"applicants:{scenario.name}:{scenario.seed}")
    items: list[DemandItem] = []
    demand = scenario.demand
    rates = {
        code: channel_rates(volume, demand.online_share)
        for code, volume in sorted(demand.procedures.items())
    }
    for day in demand_period(scenario.start_date, scenario.days).calendar:
        open_desks = is_working_day(day)
        for code, rate in rates.items():
            procedure = catalogue.by_code(code)
            for _ in range(_count(rng, rate.online_per_day * demand.scale)):
                moment = online_moment(rng, day)
                items.append(_item(rng, scenario, pool, procedure, True, moment))
            if not open_desks:
                continue
            for _ in range(_count(rng, rate.desk_per_day * demand.scale)):
                moment = desk_moment(rng, day)
                items.append(_item(rng, scenario, pool, procedure, False, moment))
    items.sort(key=lambda item: (item.simtime, item.procedure_code))
    prefix = f"{scenario.name}:{scenario.seed}"
    refs = f"{prefix}:{variant}" if variant else prefix
    indexed = [replace(item, index=i, client_ref=f"{refs}:{i}") for i, item in enumerate(items)]
    indexed = with_mobile_teams(
        indexed, scenario.id_card_campaign, f"campaign:{prefix}", lambda i: _commune(pool, i)
    )
    return apply_friction(indexed, scenario, scenario.policies if policies is None else policies)


def _commune(pool: ApplicantPool, item: DemandItem) -> str | None:
    record = pool.by_id.get(item.account_holder.id_number or "")
    return record.residence_unit if record else None


def demand_fingerprint(items: list[DemandItem]) -> str:
    """SHA-256 of the canonical JSON lines of the demand."""
    digest = hashlib.sha256()
    for item in items:
        digest.update(orjson.dumps(item.as_json(), option=orjson.OPT_SORT_KEYS) + b"\n")
    return digest.hexdigest()
