"""Fuzzing an HTTP API from its OpenAPI document with every check schemathesis has.

`fuzz(url, ...)` runs schemathesis's engine, as `st run --checks all` would, against the
service at `url`: the phases examples, coverage (boundary and invalid values of each
field), fuzzing (positive and negative data) and stateful (chains along inferred links),
every built-in check (no 5xx; statuses, content types, headers and bodies as documented;
schema-valid data accepted and invalid data refused; auth not ignored; ...), one worker,
deterministic data and a bounded number of examples. A check is turned off only by an
`Exemption`, naming one operation, one check and why.
(Schemathesis's pytest plugin is not used: the schema is only known once the cluster runs.)
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import schemathesis
import schemathesis.engine
from schemathesis import Case
from schemathesis.config import SchemathesisConfig
from schemathesis.core.result import Ok
from schemathesis.engine import Status, events

__all__ = ["Exemption", "Fuzzed", "TokenFor", "fuzz"]

#: The bearer token a case is sent with (None: no `Authorization` header).
TokenFor = Callable[[Case[Any]], str | None]


@dataclass(frozen=True)
class Exemption:
    """One check turned off for one operation, and why."""

    method: str
    path: str
    check: str
    why: str

    def as_config(self) -> dict[str, Any]:
        """The `[[operations]]` entry of schemathesis's configuration."""
        return {
            "include-method": self.method,
            "include-path": self.path,
            "checks": {self.check: {"enabled": False}},
        }


@dataclass
class Fuzzed:
    """What a fuzzing run did and found."""

    cases: Counter[str] = field(default_factory=Counter)  # by operation ("POST /dossiers")
    phases: Counter[str] = field(default_factory=Counter)  # cases by phase
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)  # (operation, status)
    checks: Counter[str] = field(default_factory=Counter)  # responses checked, by check
    failures: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        """Cases sent in all."""
        return sum(self.cases.values())

    def report(self) -> str:
        """The failures and errors, each with the curl command that reproduces it."""
        found = [*self.failures, *self.errors]
        return f"{len(found)} problems in {self.total} cases:\n\n" + "\n\n".join(found)


def _config(max_examples: int, stateful_steps: int, exemptions: Iterable[Exemption]) -> Any:
    return SchemathesisConfig.from_dict(
        {
            "workers": 1,
            "request-timeout": 30,
            # the test's timing depends on the shared machine, not on the schema
            "suppress-health-check": ["too_slow"],
            "cache": {"enabled": False},
            "generation": {
                "max-examples": max_examples,
                "deterministic": True,
                "database": "none",
            },
            "phases": {"stateful": {"max-steps": stateful_steps}},
            "operations": [exemption.as_config() for exemption in exemptions],
        }
    )


def _bearer(token_for: TokenFor) -> type:
    """A schemathesis auth provider: each case's token from `token_for`, never cached."""

    class Bearer:
        def get(self, case: Case[Any], ctx: Any) -> str | None:
            return token_for(case)

        def set(self, case: Case[Any], data: str, ctx: Any) -> None:
            case.headers["Authorization"] = f"Bearer {data}"

    return Bearer


def fuzz(
    base_url: str,
    token_for: TokenFor | None = None,
    *,
    exemptions: Iterable[Exemption] = (),
    max_examples: int = 20,
    stateful_steps: int = 10,
) -> Fuzzed:
    """Fuzz every operation of the API at `base_url` with every check (see the module).

    An exemption naming no operation of the API is an error (a stale exemption).
    """
    exemptions = tuple(exemptions)
    config = _config(max_examples, stateful_steps, exemptions)
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json", config=config)
    operations = {
        f"{result.ok().method.upper()} {result.ok().path}"
        for result in schema.get_all_operations()
        if isinstance(result, Ok)
    }
    stale = [e for e in exemptions if f"{e.method} {e.path}" not in operations]
    if stale:
        raise ValueError(f"exemptions of operations the API does not have: {stale}")
    if token_for is not None:
        schema.auth(refresh_interval=None)(_bearer(token_for))
    fuzzed = Fuzzed()
    started = time.monotonic()
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            _record(fuzzed, event)
        elif isinstance(event, events.NonFatalError):
            fuzzed.errors.append(f"error in {event.label}: {event.value!r}")
        elif isinstance(event, events.FatalError):
            fuzzed.errors.append(f"fatal error: {event.exception!r}")
        elif isinstance(event, events.EngineFinished):
            fuzzed.failures.extend(f"after the run: {f.title}: {f.message}" for f in event.failures)
    fuzzed.seconds = time.monotonic() - started
    return fuzzed


def _record(fuzzed: Fuzzed, event: events.ScenarioFinished) -> None:
    recorder = event.recorder
    if event.status == Status.ERROR:
        fuzzed.errors.append(f"[{event.phase}] {recorder.label}: the scenario errored")
    for case_id, node in recorder.cases.items():
        fuzzed.cases[node.value.operation.label] += 1
        fuzzed.phases[str(event.phase)] += 1
        interaction = recorder.interactions.get(case_id)
        if interaction is not None and interaction.response is not None:
            fuzzed.statuses[node.value.operation.label, interaction.response.status_code] += 1
        for check in recorder.checks.get(case_id, []):
            fuzzed.checks[check.name] += 1
            if check.status == Status.ERROR:
                fuzzed.errors.append(f"{node.value.operation.label}: check {check.name} errored")
            info = check.failure_info
            if check.status != Status.FAILURE or info is None:
                continue
            failure = info.failure
            steps = "\n".join(step.curl for step in info.steps) or info.code_sample
            fuzzed.failures.append(
                f"[{event.phase}] {failure.operation}: {failure.code} {failure.title} "
                f"({check.name})\n{failure.message}\n{steps}"
            )
