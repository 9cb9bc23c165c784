"""`portalsim run` refuses a scenario with a setting that could never take effect."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from simulator.cli import app

BIRTHS_WITH_FOREIGNERS = """
name: inert
description: Foreigners among births?
foreigner_share: 0.6
demand:
  procedures:
    "9": {per_day: 5}
"""


def test_a_scenario_with_a_setting_that_could_never_take_effect_exits_2_naming_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "inert.yaml"
    path.write_text(BIRTHS_WITH_FOREIGNERS, encoding="utf-8")
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "foreigner_share" in result.output
    assert "no applicant would be a foreigner" in result.output
    assert not (tmp_path / "out").exists()
