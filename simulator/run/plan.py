"""What one run is (`RunPlan`) and what it produced (`RunOutcome`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from simulator.drive.client_trace import DEFAULT_SAMPLE
from simulator.drive.observations import Observations
from simulator.scenarios.checks import Finding
from simulator.scenarios.demand import DemandItem
from simulator.scenarios.scenario import Policies, Scenario, Variant
from simulator.system.lifecycle import SystemPlan
from simulator.system.restarts import RestartPolicy, Supervision
from simulator.system.settings import (
    service_settings,
    startup_settings,
    traced,
    wanted_policies,
)
from simulator.system.stores import StoreKind
from simulator.system.tokens import RunCredentials
from simulator.watch.session import RunWatch

__all__ = ["RunOutcome", "RunPlan", "variant_log"]


def variant_log(log: Path, variant: str) -> Path:
    """Where a variant's event log goes: `run.jsonl.gz` -> `run.<variant>.jsonl.gz`."""
    head, dot, rest = log.name.partition(".")
    return log.with_name(f"{head}.{variant}{dot}{rest}")


@dataclass(frozen=True)
class RunPlan:
    """One run of a scenario (or of one of its variants), where it goes and what it runs on.

    The report goes to `out`, the services' logs to `out/logs`; with `record_to` the run's
    event log too (docs/eventlog.md). The system: a fresh local broker unless `bootstrap`
    (a fresh secure one with `secure`, a fresh cluster of `brokers` local nodes), the four
    services started at `log_level` unless `against` names a running deployment's, called
    with `tokens` (default: from the environment); their state in `store`, with `replicas`
    processes per service. The started services are supervised by `restart` (`--restart`).
    `keys`: a deployment's key folder (its simulator key signs the run's simulated clock).
    `watch`: the command's live page and Prometheus (docs/watching.md). The dossiers
    sampled at `trace_sample` are traced, their spans in `out/traces` (`traces_dir`).
    """

    scenario: Scenario
    out: Path
    variant: Variant | None = None
    bootstrap: str | None = None
    against: Mapping[str, str] | None = None
    secure: bool = False
    brokers: int = 1
    tokens: RunCredentials | None = None
    record_to: Path | None = None
    keys: Path | None = None
    log_level: str = "WARNING"
    store: StoreKind = "sqlite"
    replicas: Mapping[str, int] = field(default_factory=dict)
    restart: RestartPolicy = field(default_factory=RestartPolicy)
    watch: RunWatch | None = None
    trace_sample: float = DEFAULT_SAMPLE

    @property
    def seed(self) -> int:
        """The seed of the demand."""
        return self.scenario.seed

    @property
    def policies(self) -> Policies:
        """The policies played: the scenario's, or its variant's."""
        return self.scenario.policies_of(self.variant)

    @property
    def traces_dir(self) -> Path:
        """Where the run's spans go, one JSON-lines file per process (docs/watching.md)."""
        return self.out / "traces"

    @property
    def logs_to(self) -> Path:
        """Where the services' logs are kept."""
        return self.out / "logs"

    def of_variant(self, variant: Variant) -> RunPlan:
        """The run of one of the scenario's variants: beside this one's report and log."""
        return replace(
            self,
            variant=variant,
            out=self.out / "variants" / variant.name,
            record_to=variant_log(self.record_to, variant.name) if self.record_to else None,
        )

    def wanted_policies(self) -> dict[str, dict[str, Any]]:
        """Each service's run-time policies in this run (`simulator.run.operations`)."""
        return wanted_policies(service_settings(self.scenario, self.policies, self.log_level))

    def system_plan(self, desk_units: Iterable[str]) -> SystemPlan:
        """The system the run plays on; fresh services accept tokens of these desks only."""
        if self.against is not None:
            return SystemPlan(
                bootstrap=self.bootstrap,
                against=self.against,
                tokens=self.tokens,
                keys=self.keys,
                logs_to=self.logs_to,
            )
        return SystemPlan(
            bootstrap=self.bootstrap,
            secure=self.secure,
            brokers=self.brokers,
            # the policies come through the operations API once the services run
            settings=traced(startup_settings(self.scenario, self.log_level), self.traces_dir),
            tokens=RunCredentials.generate(desk_units),
            logs_to=self.logs_to,
            store=self.store,
            replicas=self.replicas,
        )


@dataclass
class RunOutcome:
    """What one run produced.

    `supervision`: the deaths and restarts of the started services (None against a
    deployment); `ended_early`: why the run stopped before its end (a service lost);
    `warnings`: the scenario's settings that did nothing in this run; `read_back`: the
    services' policies and consumption as read back from them `during` and `after` the run.
    """

    observations: Observations
    wall_seconds: float
    demand: list[DemandItem]
    fingerprint: str
    timed_out: bool
    extra: dict[str, Any] = field(default_factory=dict)
    supervision: Supervision | None = None
    ended_early: str | None = None
    warnings: list[Finding] = field(default_factory=list)
    read_back: dict[str, Any] = field(default_factory=dict)
