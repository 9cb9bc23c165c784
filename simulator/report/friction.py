"""Friction online in the report: who set out online, who abandoned where, the online share.

The figures come from what the driver did with the demand (`Observations.intended` and
`.abandoned`); the shares in force from the scenario's friction under the run's policies.
"""

from __future__ import annotations

from typing import Any

from simulator.drive.observations import Observations
from simulator.report.labels import fmt_int, fmt_pct, table
from simulator.report.stats import share
from simulator.scenarios.abandonment import STAGES
from simulator.scenarios.friction import abandon_rates
from simulator.scenarios.scenario import Policies, Scenario

__all__ = ["friction_block", "friction_compared", "friction_lines", "friction_section"]


def friction_block(
    scenario: Scenario, policies: Policies, observations: Observations
) -> dict[str, Any]:
    """The friction assumed, the help in force, and what it did to the online share."""
    friction = scenario.friction
    rates = abandon_rates(friction, policies.digital_teams_per_commune, policies.simple_sign_in)
    intended, abandoned = observations.intended, observations.abandoned
    by_stage = {
        stage: {"desk": abandoned[f"{stage}:desk"], "gave_up": abandoned[f"{stage}:gave_up"]}
        for stage in STAGES
    }
    total = sum(by_stage[s]["desk"] + by_stage[s]["gave_up"] for s in STAGES)
    gave_up = sum(by_stage[s]["gave_up"] for s in STAGES)
    set_out = sum(intended.values())
    return {
        "assumed": friction.model_dump(mode="json"),
        "help": {
            "digital_teams_per_commune": policies.digital_teams_per_commune,
            "simple_sign_in": policies.simple_sign_in,
        },
        "rates_in_force": {"registration": rates.registration, "complex_form": rates.complex_form},
        "set_out_online": intended["online"],
        "set_out_at_desk": intended["desk"],
        "abandoned": by_stage,
        "abandoned_total": total,
        "went_to_desk": total - gave_up,
        "gave_up": gave_up,
        "abandonment_rate": share(total, intended["online"]),
        "online_share_intended": share(intended["online"], set_out),
        "online_share": share(intended["online"] - total, set_out - gave_up),
    }


def friction_lines(block: dict[str, Any]) -> list[str]:
    """The headline's sentence, when anyone abandoned."""
    if not block.get("abandoned_total"):
        return []
    stages = block["abandoned"]
    at = {s: fmt_int(row["desk"] + row["gave_up"]) for s, row in stages.items()}
    return [
        f"Friction online: {fmt_int(block['abandoned_total'])} of "
        f"{fmt_int(block['set_out_online'])} who set out online abandoned "
        f"({fmt_pct(block['abandonment_rate'])}; {at['registration']} at account registration, "
        f"{at['complex_form']} at a complex form): {fmt_int(block['went_to_desk'])} went to a "
        f"desk, {fmt_int(block['gave_up'])} gave up. Online share "
        f"{fmt_pct(block['online_share'])} instead of {fmt_pct(block['online_share_intended'])}."
    ]


def friction_section(summary: dict[str, Any]) -> list[str]:
    """report.md's friction section (nothing when the scenario assumes no friction)."""
    block = summary.get("friction")
    assumed = block["assumed"] if block else {}
    if not block or not (
        assumed["registration_abandon_rate"] or assumed["complex_form_abandon_rate"]
    ):
        return []
    help_ = block["help"]
    rows = [
        [stage.replace("_", " "), fmt_int(row["desk"]), fmt_int(row["gave_up"])]
        for stage, row in block["abandoned"].items()
    ]
    return [
        "## Friction online and the help against it",
        "",
        f"- Assumed (not published): {fmt_pct(assumed['registration_abandon_rate'])} give up "
        f"at account registration, {fmt_pct(assumed['complex_form_abandon_rate'])} at a "
        f"complex form (procedures {', '.join(map(str, assumed['complex_forms']))}); "
        f"{fmt_pct(assumed['to_desk_share'])} of them go to a desk instead.",
        f"- Help: {help_['digital_teams_per_commune']:g} community digital teams per commune; "
        f"sign-in with VNeID {'on' if help_['simple_sign_in'] else 'off'}. Shares in force: "
        f"{fmt_pct(block['rates_in_force']['registration'])} at registration, "
        f"{fmt_pct(block['rates_in_force']['complex_form'])} at a complex form.",
        f"- Online share {fmt_pct(block['online_share'])} (intended "
        f"{fmt_pct(block['online_share_intended'])}); {fmt_int(block['abandoned_total'])} of "
        f"{fmt_int(block['set_out_online'])} abandoned online "
        f"({fmt_pct(block['abandonment_rate'])}).",
        "",
        *table(["abandoned at", "went to a desk", "gave up"], rows),
        "",
    ]


def friction_compared(s: dict[str, Any]) -> dict[str, Any]:
    """The friction figures a comparison puts side by side (none for older summaries)."""
    block = s.get("friction")
    if not block:
        return {}
    online = block["online_share"]
    return {
        "online share (%)": None if online is None else round(online * 100, 2),
        "abandoned online": block["abandoned_total"],
        "abandoned at registration": sum(block["abandoned"]["registration"].values()),
        "abandoned at a complex form": sum(block["abandoned"]["complex_form"].values()),
        "went to a desk": block["went_to_desk"],
        "gave up": block["gave_up"],
    }
