"""The plans of run and replay, and the lifecycle's choices that need no broker."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.eventlog.scenarios import header_for
from simulator.replay.inputs import Inputs
from simulator.replay.replayer import Pace
from simulator.replay.session import ReplayPlan
from simulator.run.plan import RunPlan
from simulator.scenarios.scenario import BUILT_IN_DIR, Scenario, Variant, load_scenario
from simulator.system.lifecycle import SystemPlan, running_system
from simulator.system.tokens import RunCredentials

URLS = {
    "city_portal": "http://c",
    "one_stop": "http://o",
    "population_db": "http://p",
    "national_portal": "http://n",
}


def scenario() -> Scenario:
    return load_scenario(BUILT_IN_DIR / "hanoi-day.yaml")


def test_a_variants_plan_goes_beside_the_base_run(tmp_path: Path) -> None:
    base = RunPlan(scenario(), tmp_path / "out", record_to=tmp_path / "run.jsonl.gz")
    variant = Variant(name="open", policies={"foreigners_may_register": True})
    other = base.of_variant(variant)
    assert other.out == tmp_path / "out" / "variants" / "open"
    assert other.logs_to == tmp_path / "out" / "variants" / "open" / "logs"
    assert other.record_to == tmp_path / "run.open.jsonl.gz"
    assert other.policies.foreigners_may_register is True
    assert base.policies.foreigners_may_register is False
    assert other.seed == base.seed


def test_a_runs_fresh_services_start_at_the_default_policies_with_tokens_of_its_desks(
    tmp_path: Path,
) -> None:
    variant = Variant(name="strict", policies={"ministry_rejection_rate": 0.5})
    plan = RunPlan(scenario(), tmp_path, log_level="DEBUG").of_variant(variant)
    system = plan.system_plan(["001", "00101", "001"])
    assert system.against is None
    assert system.settings is not None
    assert system.settings.national_portal.rejection_rate == 0.03  # set through /ops later
    assert system.settings.one_stop.log_level == "DEBUG"
    assert system.tokens is not None
    assert set(system.tokens.desks) == {"001", "00101"}
    assert system.logs_to == plan.logs_to


def test_a_run_sets_its_variants_policies_through_the_operations_api(tmp_path: Path) -> None:
    variant = Variant(name="strict", policies={"ministry_rejection_rate": 0.5})
    plan = RunPlan(scenario(), tmp_path).of_variant(variant)
    wanted = plan.wanted_policies()
    assert wanted["national_portal"]["rejection_rate"] == 0.5
    assert wanted["national_portal"]["late_rate"] == 0.05
    assert set(wanted) == {"population_db", "city_portal", "national_portal", "one_stop"}


def test_a_run_against_a_deployment_starts_no_services(tmp_path: Path) -> None:
    tokens = RunCredentials("official", {"001": "desk"})
    plan = RunPlan(scenario(), tmp_path, bootstrap="kafka:9092", against=URLS, tokens=tokens)
    system = plan.system_plan(["001"])
    assert system.settings is None
    assert system.tokens == tokens
    assert system.against == URLS


def test_a_deployment_is_used_as_it_is(tmp_path: Path) -> None:
    tokens = RunCredentials("official", {"001": "desk"})
    plan = SystemPlan(bootstrap="kafka:9092", against=URLS, tokens=tokens, logs_to=tmp_path)
    with running_system(plan) as system:
        assert system.bootstrap == "kafka:9092"
        assert dict(system.urls) == URLS
        assert system.tokens == tokens
        assert system.cluster is None
        assert system.trust is None and system.signer is None


def test_a_deployment_with_keys_gives_their_trust_and_the_simulators_signer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORTALSIM_OFFICIAL_TOKEN", "from-env")
    plan = SystemPlan(bootstrap="kafka:9092", against=URLS, keys=tmp_path / "keys")
    with running_system(plan) as system:
        assert system.tokens.official == "from-env"
        assert system.trust is not None and "simulator" in system.trust.keys
        assert system.signer is not None


def test_what_the_lifecycle_refuses() -> None:
    with pytest.raises(ValueError, match="bootstrap"), running_system(SystemPlan(against=URLS)):
        pass
    with pytest.raises(ValueError, match="settings"), running_system(SystemPlan(bootstrap="k:1")):
        pass
    with (
        pytest.raises(ValueError, match="secure"),
        running_system(SystemPlan(bootstrap="k:1", secure=True, against=URLS)),
    ):
        pass


def test_a_fresh_replay_needs_the_scenario(tmp_path: Path) -> None:
    header = header_for(None, [], origin="replay")
    plan = ReplayPlan(Inputs(), tmp_path / "r.jsonl", header, Pace.parse("max"))
    with pytest.raises(ValueError, match="--scenario"):
        plan.system_plan()
    fresh = ReplayPlan(Inputs(), tmp_path / "r.jsonl", header, Pace.parse("max"), scenario())
    system = fresh.system_plan()
    assert system.settings is not None and system.purpose == "replay"
