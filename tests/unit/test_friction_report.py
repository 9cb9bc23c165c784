"""The report shows the online share and the abandonment, with and without the help."""

from __future__ import annotations

from typing import Any

import pytest

from simulator.drive.observations import Observations
from simulator.report.compare import compare_summaries
from simulator.report.friction import friction_block, friction_lines, friction_section
from simulator.scenarios.friction import Friction
from simulator.scenarios.scenario import Policies, Scenario

FRICTION = {"registration_abandon_rate": 0.25, "complex_form_abandon_rate": 0.15}


def scenario(**fields: Any) -> Scenario:
    raw = {"name": "f", "description": "Friction?", "demand": {"procedures": {"6": {"per_day": 1}}}}
    return Scenario.model_validate(raw | fields)


def observed(online: int, desk: int, **abandoned: int) -> Observations:
    seen = Observations()
    seen.intended.update({"online": online, "desk": desk})
    seen.abandoned.update({key.replace("__", ":"): n for key, n in abandoned.items()})
    return seen


def block(policies: Policies | None = None, **abandoned: int) -> dict[str, Any]:
    seen = observed(80, 20, **abandoned)
    return friction_block(scenario(friction=FRICTION), policies or Policies(), seen)


def test_the_block_counts_abandonment_by_stage_and_the_online_share_it_leaves() -> None:
    figures = block(registration__desk=14, registration__gave_up=6, complex_form__desk=3)
    assert figures["abandoned"] == {
        "registration": {"desk": 14, "gave_up": 6},
        "complex_form": {"desk": 3, "gave_up": 0},
    }
    assert (figures["abandoned_total"], figures["went_to_desk"], figures["gave_up"]) == (23, 17, 6)
    assert figures["abandonment_rate"] == pytest.approx(23 / 80, abs=1e-4)
    assert figures["online_share_intended"] == pytest.approx(0.8)
    assert figures["online_share"] == pytest.approx((80 - 23) / (100 - 6), abs=1e-4)


def test_the_block_names_the_help_and_the_shares_it_leaves_in_force() -> None:
    figures = block(Policies(digital_teams_per_commune=10, simple_sign_in=True))
    assert figures["help"] == {"digital_teams_per_commune": 10, "simple_sign_in": True}
    assert figures["rates_in_force"] == pytest.approx(
        {"registration": 0.025, "complex_form": 0.075}
    )


def test_the_headline_and_the_section_say_how_many_abandoned_and_the_online_share() -> None:
    figures = block(registration__desk=14, registration__gave_up=6)
    [line] = friction_lines(figures)
    assert line.startswith("Friction online: 20 of 80 who set out online abandoned (25.0%")
    assert "Online share 63.8% instead of 80.0%." in line
    text = "\n".join(friction_section({"friction": figures}))
    assert "## Friction online and the help against it" in text
    assert "Assumed (not published): 25.0% give up at account registration" in text
    assert "| registration | 14 | 6 |" in text


def test_no_friction_no_section_and_no_headline() -> None:
    quiet = friction_block(scenario(), Policies(), observed(80, 20))
    assert quiet["assumed"] == Friction().model_dump(mode="json")
    assert friction_lines(quiet) == [] and friction_section({"friction": quiet}) == []


def test_a_comparison_puts_the_online_share_and_abandonment_side_by_side() -> None:
    def summary(figures: dict[str, Any]) -> dict[str, Any]:
        return minimal_summary() | {"friction": figures}

    a = summary(block(registration__desk=14, registration__gave_up=6))
    b = summary(block(registration__desk=3, registration__gave_up=1))
    rows = {r["figure"]: r for r in compare_summaries(a, b)["sections"]["friction"]}
    assert rows["abandoned online"]["delta"] == -16
    assert rows["gave up"]["delta"] == -5
    assert rows["online share (%)"]["delta"] > 0


def minimal_summary() -> dict[str, Any]:
    counts: dict[str, Any] = dict.fromkeys(("submitted", "approved", "rejected", "lost"), 0)
    counts |= {"unfinished": 0, "duplicated": 0, "approval_rate": None}
    return {
        "scenario": {"name": "f", "variant": None},
        "run": {"seed": 6, "wall_seconds": 1.0},
        "counts": counts,
        "linked_steps": {"count": 0},
        "refused": {"total": 0, "by_reason": {}},
        "accounts": {"refused_by_reason": {}},
        "deadletters": {"total": 0, "by_topic": {}},
        "desk_backlog": {"peak": {"total": 0}, "districts": []},
        "settled_per_portal": {},
        "rejections": [],
        "latency_per_path": {},
        "procedures": {},
    }
