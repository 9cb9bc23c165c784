"""``portalsim postgres up/status/down`` against a real PostgreSQL server (Debian's 15).

The test uses its own data folder and a free port; the server is stopped before the
module ends, also when a step fails.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from simulator.kafka_local import free_port
from simulator.postgres_local import LocalPostgres

REPO = Path(__file__).resolve().parents[2]


def postgres(*args: str) -> subprocess.CompletedProcess[str]:
    """Run ``portalsim postgres ARGS`` in a subprocess and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "simulator.commands.postgres", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


@pytest.fixture
def data_dir() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="portalsim-pg-cli-"))
    folder.chmod(0o711)  # the server account walks through it as root's tests run
    try:
        yield folder / "pg"
    finally:
        LocalPostgres(folder / "pg").stop()
        shutil.rmtree(folder, ignore_errors=True)


def test_up_status_down_are_idempotent_and_the_url_connects(data_dir: Path) -> None:
    port = free_port()
    up = postgres("up", "--data", str(data_dir), "--port", str(port))
    assert up.returncode == 0, up.stderr
    url = up.stdout.strip().splitlines()[-1]
    assert url.startswith("postgresql://portalsim:") and url.endswith(
        f"@127.0.0.1:{port}/portalsim"
    )
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == ("portalsim",)

    again = postgres("up", "--data", str(data_dir))
    assert again.returncode == 0, again.stderr
    assert "already running" in again.stdout
    assert again.stdout.strip().splitlines()[-1] == url

    status = postgres("status", "--data", str(data_dir))
    assert status.returncode == 0
    assert f"127.0.0.1:{port}" in status.stdout

    down = postgres("down", "--data", str(data_dir))
    assert down.returncode == 0, down.stderr
    assert "stopped" in down.stdout
    assert postgres("status", "--data", str(data_dir)).returncode == 3
    assert "not running" in postgres("down", "--data", str(data_dir)).stdout


def test_a_restart_keeps_the_data_and_the_port(data_dir: Path) -> None:
    server = LocalPostgres(data_dir, port=free_port())
    url = server.start()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE kept (n INTEGER)")
        conn.execute("INSERT INTO kept VALUES (7)")
    server.stop()
    assert server.status() is None
    assert LocalPostgres(data_dir).start() == url
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT n FROM kept").fetchone() == (7,)


def test_a_folder_the_server_account_cannot_reach_is_refused(tmp_path: Path) -> None:
    closed = Path(tempfile.mkdtemp(prefix="portalsim-pg-closed-"))  # 0700, root's
    try:
        result = postgres("up", "--data", str(closed / "pg"), "--port", str(free_port()))
        if result.returncode == 0:  # not root: the server runs as ourselves, and may
            postgres("down", "--data", str(closed / "pg"))
            pytest.skip("not root: every folder of ours is reachable")
        assert result.returncode == 1
        assert "closed to the server account" in result.stderr
    finally:
        shutil.rmtree(closed, ignore_errors=True)
