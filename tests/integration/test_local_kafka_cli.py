"""``portalsim kafka up/status/down`` against a real broker run from the Maven jars.

Each test uses its own data folder and free ports, and every broker is stopped
(and, failing that, killed) before the module ends.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from simulator.kafka_local import free_port, jars_cached

pytestmark = [
    pytest.mark.kafka,
    pytest.mark.skipif(shutil.which("java") is None, reason="needs java (a JDK 17) on PATH"),
    pytest.mark.skipif(
        shutil.which("mvn") is None and not jars_cached(),
        reason="needs mvn on PATH or the Kafka jars already cached",
    ),
]

REPO = Path(__file__).resolve().parents[2]
CLI_TIMEOUT = 240.0


@dataclass(frozen=True)
class Broker:
    """A broker started through the CLI for the tests of this module."""

    data_dir: Path
    port: int
    up: subprocess.CompletedProcess[str]

    @property
    def address(self) -> str:
        """The expected bootstrap address."""
        return f"127.0.0.1:{self.port}"


def kafka(*args: str) -> subprocess.CompletedProcess[str]:
    """Run ``portalsim kafka ARGS`` in a subprocess and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "simulator.commands.kafka", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT,
        check=False,
    )


def broker_pids(data_dir: Path) -> list[int]:
    """Pids of live broker JVMs started with ``data_dir``'s server.properties (via /proc)."""
    config = str(data_dir / "server.properties")
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        text = [arg.decode(errors="replace") for arg in args]
        if "kafka.Kafka" in text and config in text:
            found.append(int(entry.name))
    return found


def last_line(result: subprocess.CompletedProcess[str]) -> str:
    """The last line of a command's stdout."""
    return result.stdout.strip().splitlines()[-1]


def cleanup(data_dir: Path) -> None:
    """Stop the broker of ``data_dir`` through the CLI, then kill any survivor."""
    kafka("down", "--data", str(data_dir))
    for pid in broker_pids(data_dir):
        os.kill(pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def running_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    """A broker started once with ``kafka up`` for the read-only tests."""
    data_dir = tmp_path_factory.mktemp("kafka-running").resolve()
    port = free_port()
    try:
        up = kafka("up", "--port", str(port), "--data", str(data_dir))
        assert up.returncode == 0, up.stdout + up.stderr
        yield Broker(data_dir=data_dir, port=port, up=up)
    finally:
        cleanup(data_dir)


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    """A fresh data folder whose broker is stopped after the test."""
    folder = tmp_path.resolve() / "kafka"
    try:
        yield folder
    finally:
        cleanup(folder)


def test_up_prints_the_bootstrap_address_alone_on_the_last_line(running_broker: Broker) -> None:
    assert last_line(running_broker.up) == running_broker.address


def test_up_reports_where_kafka_runs(running_broker: Broker) -> None:
    assert (
        f"Kafka is running at {running_broker.address} (data: {running_broker.data_dir})"
        in running_broker.up.stdout
    )


def test_up_leaves_a_broker_accepting_connections(running_broker: Broker) -> None:
    with socket.create_connection(("127.0.0.1", running_broker.port), timeout=5):
        pass


def test_status_of_a_running_broker_shows_its_address_and_exits_0(
    running_broker: Broker,
) -> None:
    result = kafka("status", "--data", str(running_broker.data_dir))
    assert result.returncode == 0, result.stderr
    assert last_line(result) == running_broker.address


def test_up_twice_returns_the_running_broker_address(running_broker: Broker) -> None:
    result = kafka("up", "--data", str(running_broker.data_dir))
    assert result.returncode == 0, result.stderr
    assert f"Kafka already running at {running_broker.address}" in result.stdout
    assert last_line(result) == running_broker.address


def test_up_twice_keeps_a_single_broker_process(running_broker: Broker) -> None:
    kafka("up", "--data", str(running_broker.data_dir))
    assert len(broker_pids(running_broker.data_dir)) == 1


def test_down_stops_the_broker_and_leaves_no_java_process(data_dir: Path) -> None:
    up = kafka("up", "--port", str(free_port()), "--data", str(data_dir))
    assert up.returncode == 0, up.stdout + up.stderr
    down = kafka("down", "--data", str(data_dir))
    assert down.returncode == 0, down.stderr
    assert "Kafka stopped" in down.stdout
    assert broker_pids(data_dir) == []


def test_status_after_down_exits_3(data_dir: Path) -> None:
    up = kafka("up", "--port", str(free_port()), "--data", str(data_dir))
    assert up.returncode == 0, up.stdout + up.stderr
    kafka("down", "--data", str(data_dir))
    assert kafka("status", "--data", str(data_dir)).returncode == 3


def test_up_and_down_repeat_on_the_same_folder_with_the_same_address(data_dir: Path) -> None:
    address = f"127.0.0.1:{free_port()}"
    first = kafka("up", "--port", address.rsplit(":", 1)[1], "--data", str(data_dir))
    assert first.returncode == 0, first.stdout + first.stderr
    addresses = [last_line(first)]
    for _ in range(2):
        assert kafka("down", "--data", str(data_dir)).returncode == 0
        assert broker_pids(data_dir) == []
        again = kafka("up", "--data", str(data_dir))
        assert again.returncode == 0, again.stdout + again.stderr
        addresses.append(last_line(again))
    assert addresses == [address] * 3
