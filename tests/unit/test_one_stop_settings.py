"""Settings of the one_stop service: defaults, environment, flags, per-desk capacities."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.kit.settings import env_var_names, parse_settings
from services.one_stop.settings import OneStopSettings


def test_the_defaults_are_the_documented_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in env_var_names(OneStopSettings).values():
        monkeypatch.delenv(name, raising=False)
    settings = OneStopSettings()
    assert settings.http_port == 8104
    assert str(settings.data_dir) == ".portalsim/data/one_stop"
    assert (settings.desk_capacity_per_day, settings.scan_failure_rate) == (400, 0.01)
    assert settings.desk_capacity_overrides == {}


def test_capacity_overrides_are_read_as_json_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PORTALSIM_ONE_STOP_DESK_CAPACITY_OVERRIDES", '{"001": 50}')
    settings = OneStopSettings()
    assert settings.capacity_of("001") == 50
    assert settings.capacity_of("002") == 400


def test_capacity_overrides_are_read_as_json_from_a_flag() -> None:
    settings = parse_settings(
        OneStopSettings, ["--desk-capacity-overrides", '{"00101": 60}', "--scan-failure-rate", "0"]
    )
    assert settings.capacity_of("00101") == 60
    assert settings.scan_failure_rate == 0.0


def test_an_override_for_a_unit_outside_hanoi_is_refused() -> None:
    with pytest.raises(ValidationError, match="999"):
        OneStopSettings(desk_capacity_overrides={"999": 10})


def test_a_capacity_must_be_positive() -> None:
    with pytest.raises(ValidationError, match="desk_capacity_overrides"):
        OneStopSettings(desk_capacity_overrides={"001": 0})
    with pytest.raises(ValidationError, match="desk_capacity_per_day"):
        OneStopSettings(desk_capacity_per_day=0)
