"""The committed AsyncAPI document passes the official AsyncAPI CLI (`asyncapi validate`,
npm `@asyncapi/cli`, installed by `scripts/bootstrap-node.sh`), and the same check fails a
broken copy of it, so a document that stops being valid AsyncAPI 3 fails the suite.

Without the CLI the tests skip (run `bash scripts/bootstrap-node.sh`), except in CI,
where `scripts/test.sh` installs it and its absence is a failure.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from simulator.contract_files.asyncapi import DOCUMENT_PATH

ROOT = Path(__file__).resolve().parents[2]


def _cli_path() -> Path:
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "bootstrap-node.sh"), "--path"],
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(done.stdout.strip())


@pytest.fixture(scope="module")
def cli() -> Path:
    path = _cli_path()
    if not path.exists():
        message = f"the AsyncAPI CLI is not installed at {path}: bash scripts/bootstrap-node.sh"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def validate(cli: Path, document: Path) -> tuple[int, str]:
    """`asyncapi validate DOCUMENT`: its exit code and what it said (metrics off, offline)."""
    analytics = cli.parents[2] / "analytics.json"
    env = {**os.environ, "CI": "true", "ASYNCAPI_METRICS_CONFIG_PATH": str(analytics)}
    done = subprocess.run(
        [str(cli), "validate", str(document)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    return done.returncode, done.stdout + done.stderr


def test_the_committed_asyncapi_document_passes_the_official_asyncapi_cli(cli: Path) -> None:
    code, said = validate(cli, DOCUMENT_PATH)
    assert code == 0, said
    assert "is valid" in said


def test_the_official_asyncapi_cli_fails_a_broken_copy_of_the_document(
    cli: Path, tmp_path: Path
) -> None:
    text = DOCUMENT_PATH.read_text(encoding="utf-8")
    assert "action: send" in text
    broken = tmp_path / "asyncapi.yaml"
    broken.write_text(text.replace("action: send", "action: publish", 1), encoding="utf-8")
    code, said = validate(cli, broken)
    assert code != 0, said
    assert "action" in said and "error" in said
