"""Fixtures of the unit tests: every model of the project; logging restored after a test."""

from __future__ import annotations

import importlib
import logging
import pkgutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import structlog
from pydantic import BaseModel

import contracts
import services
import simulator
from services.kit.logging import FOREIGN_LOGGERS, configure_logging
from simulator.scenarios.applicants import ApplicantPool
from simulator.scenarios.demand import generate_demand
from simulator.scenarios.scenario import load_scenario

SMALL_SCENARIO = Path(__file__).parents[1] / "e2e" / "small-scenario.yaml"


def _subclasses(cls: type[BaseModel]) -> Iterator[type[BaseModel]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


@pytest.fixture(scope="session")
def project_models() -> list[type[BaseModel]]:
    """Every pydantic model defined in contracts, services and the simulator."""
    for package in (contracts, services, simulator):
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if not module.name.endswith("__main__"):
                importlib.import_module(module.name)
    roots = ("contracts.", "services.", "simulator.")
    return sorted(
        {m for m in _subclasses(BaseModel) if m.__module__.startswith(roots)},
        key=lambda m: f"{m.__module__}.{m.__qualname__}",
    )


@pytest.fixture(scope="session")
def small_demand_form_keys() -> set[str]:
    """Every form key the demand of the small end-to-end scenario fills in."""
    scenario = load_scenario(SMALL_SCENARIO)
    pool = ApplicantPool(scenario.population_size, scenario.population_seed, scenario.start_date)
    return {key for item in generate_demand(scenario, pool) for key in item.draft.form}


@pytest.fixture
def configured_logging() -> Iterator[Callable[[str], None]]:
    """configure_logging(level) for the test; the previous logging setup restored after."""
    root = logging.getLogger()
    saved_root = (list(root.handlers), root.level)
    foreign = {name: logging.getLogger(name) for name in (*FOREIGN_LOGGERS, "aiokafka")}
    saved_foreign = {n: (list(lg.handlers), lg.propagate, lg.level) for n, lg in foreign.items()}

    def configure(level: str) -> None:
        configure_logging("unit-test", level, json_lines=True)

    yield configure
    structlog.reset_defaults()
    structlog.contextvars.clear_contextvars()
    root.handlers[:] = saved_root[0]
    root.setLevel(saved_root[1])
    for name, (handlers, propagate, level) in saved_foreign.items():
        foreign[name].handlers[:] = handlers
        foreign[name].propagate = propagate
        foreign[name].setLevel(level)
