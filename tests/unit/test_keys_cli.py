"""`portalsim keys init/show`: a key per principal, the trust file, no silent overwrite."""

from __future__ import annotations

import stat
from pathlib import Path

import orjson
from typer.testing import CliRunner

from contracts.signing import fingerprint
from simulator.cli import app
from simulator.system.keys import PRINCIPALS, key_path, signer_from, trust_path

runner = CliRunner()


def test_init_writes_a_private_key_per_principal_readable_by_the_owner_only(
    tmp_path: Path,
) -> None:
    result = runner.invoke(app, ["keys", "init", str(tmp_path / "keys")])
    assert result.exit_code == 0, result.output
    for name in PRINCIPALS:
        mode = stat.S_IMODE(key_path(tmp_path / "keys", name).stat().st_mode)
        assert mode == 0o600, name


def test_init_writes_the_trust_file_of_every_principals_public_key(tmp_path: Path) -> None:
    runner.invoke(app, ["keys", "init", str(tmp_path)])
    trust = orjson.loads(trust_path(tmp_path).read_bytes())
    assert (
        set(trust)
        == set(PRINCIPALS)
        == {
            "city_portal",
            "population_db",
            "national_portal",
            "one_stop",
            "simulator",
        }
    )
    assert all(trust[name] == signer_from(tmp_path, name).public_key for name in PRINCIPALS)


def test_init_refuses_to_overwrite_existing_keys_without_force(tmp_path: Path) -> None:
    runner.invoke(app, ["keys", "init", str(tmp_path)])
    before = trust_path(tmp_path).read_bytes()
    refused = runner.invoke(app, ["keys", "init", str(tmp_path)])
    assert refused.exit_code == 1
    assert "--force" in refused.output
    assert trust_path(tmp_path).read_bytes() == before


def test_init_with_force_replaces_every_key(tmp_path: Path) -> None:
    runner.invoke(app, ["keys", "init", str(tmp_path)])
    before = orjson.loads(trust_path(tmp_path).read_bytes())
    result = runner.invoke(app, ["keys", "init", str(tmp_path), "--force"])
    after = orjson.loads(trust_path(tmp_path).read_bytes())
    assert result.exit_code == 0
    assert all(before[name] != after[name] for name in PRINCIPALS)


def test_show_prints_each_principal_with_its_fingerprint(tmp_path: Path) -> None:
    runner.invoke(app, ["keys", "init", str(tmp_path)])
    trust = orjson.loads(trust_path(tmp_path).read_bytes())
    result = runner.invoke(app, ["keys", "show", str(tmp_path)])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    for name in PRINCIPALS:
        assert any(
            line.startswith(name) and fingerprint(trust[name]) in line and "key matches" in line
            for line in lines
        ), name
