"""Scanning log text for personal data left unmasked (the log-masking tests)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson

from simulator.scenarios.applicants import ApplicantPool
from simulator.scenarios.demand import DemandItem, generate_demand
from simulator.scenarios.scenario import load_scenario

__all__ = ["MASKED_ID_NUMBER", "DebugRun", "People", "find_unmasked", "scenario_people"]

_TWELVE_DIGITS = re.compile(r"(?<!\d)\d{12}(?!\d)")
MASKED_ID_NUMBER = re.compile(r"(?<!\d)\d{3}\*{6}\d{3}(?!\d)")


@dataclass(frozen=True)
class People:
    """The ID numbers and full names of the people a scenario's demand declares."""

    id_numbers: frozenset[str]
    names: frozenset[str]


@dataclass(frozen=True)
class DebugRun:
    """A `portalsim --log-level DEBUG run` of the small scenario: its exit code and logs."""

    returncode: int
    logs: dict[str, str]
    """Log text by origin: each service's log file, and the CLI's stderr and stdout."""


def _declared(items: list[DemandItem]) -> Iterator[tuple[str | None, str]]:
    for item in items:
        for person in (item.account_holder, *item.draft.persons):
            yield person.id_number, person.full_name
        child = item.draft.form.get("child_full_name")
        if isinstance(child, str):
            yield None, child


def scenario_people(scenario_file: Path) -> People:
    """Everyone the scenario's demand declares (applicants, relatives, newborns)."""
    scenario = load_scenario(scenario_file)
    pool = ApplicantPool(scenario.population_size, scenario.population_seed, scenario.start_date)
    declared = list(_declared(generate_demand(scenario, pool)))
    return People(
        id_numbers=frozenset(i for i, _ in declared if i),
        names=frozenset(name for _, name in declared),
    )


def _readings(line: str) -> Iterator[str]:
    """A line as written, and (a JSON line) its decoded strings: JSON escapes non-ASCII."""
    yield line
    try:
        decoded = orjson.loads(line)
    except orjson.JSONDecodeError:
        return
    yield orjson.dumps(decoded).decode()  # orjson writes UTF-8, no \\u escapes


def find_unmasked(text: str, people: People) -> list[str]:
    """Each finding of an unmasked ID number or full name of these people in the text."""
    any_name = re.compile("|".join(re.escape(n) for n in sorted(people.names, key=len)[::-1]))
    findings: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        for reading in _readings(line):
            ids = set(_TWELVE_DIGITS.findall(reading)) & people.id_numbers
            names = set(any_name.findall(reading)) if people.names else set()
            findings += [f"line {number}: ID number {i}" for i in sorted(ids)]
            findings += [f"line {number}: name {n!r}" for n in sorted(names)]
    return sorted(set(findings))
