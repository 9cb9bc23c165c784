"""Pure behaviours of the local Kafka manager: configuration, ports, state, CLI errors."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from services.kit.topics_admin import replication_for
from simulator.commands.kafka import kafka_app
from simulator.kafka_local import LocalKafka, Ports, new_cluster_id, port_is_free
from simulator.kafka_local.config import (
    NodeRole,
    choose_ports,
    free_port,
    is_formatted,
    load_ports,
    log4j2_properties,
    parse_properties,
    render_properties,
    save_ports,
    server_properties,
)
from simulator.kafka_local.jars import jars_complete, kafka_version
from simulator.kafka_local.paths import cache_root, default_data_dir, pom_path
from simulator.kafka_local.state import BrokerStatus, read_state, write_state

PORTS = Ports(port=19092, controller_port=19093)


def _never_free(_port: int) -> bool:
    return False


def _always_free(_port: int) -> bool:
    return True


def _picker(*ports: int) -> Iterator[int]:
    yield from ports


@pytest.fixture
def dead_pid() -> int:
    """The pid of a process that has exited and been reaped."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _status(data_dir: Path, pid: int) -> BrokerStatus:
    return BrokerStatus(
        pid=pid,
        port=PORTS.port,
        bootstrap=PORTS.bootstrap,
        data_dir=data_dir,
        started_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        controller_port=PORTS.controller_port,
    )


def test_cluster_id_is_22_url_safe_base64_chars_without_padding() -> None:
    cluster_id = new_cluster_id()
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", cluster_id)


def test_cluster_id_never_starts_with_a_dash(monkeypatch: pytest.MonkeyPatch) -> None:
    values = iter([uuid.UUID(bytes=b"\xf8" + b"\x00" * 15), uuid.UUID(bytes=b"\x00" * 16)])
    monkeypatch.setattr(uuid, "uuid4", lambda: next(values))
    assert new_cluster_id() == "A" * 22


def test_server_properties_bind_every_listener_to_localhost_only() -> None:
    props = server_properties(PORTS, Path("/data/kraft"))
    expected = "PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093"
    assert props["listeners"] == expected
    assert props["advertised.listeners"] == expected


def test_server_properties_declare_a_static_voter_on_the_controller_port() -> None:
    props = server_properties(PORTS, Path("/data/kraft"))
    assert props["controller.quorum.voters"] == "1@127.0.0.1:19093"
    assert "controller.quorum.bootstrap.servers" not in props
    assert props["process.roles"] == "broker,controller"


def test_server_properties_replicate_internal_topics_once_on_one_node() -> None:
    props = server_properties(PORTS, Path("/data/kraft"))
    single_node_keys = [
        "offsets.topic.replication.factor",
        "transaction.state.log.replication.factor",
        "transaction.state.log.min.isr",
        "share.coordinator.state.topic.replication.factor",
        "share.coordinator.state.topic.min.isr",
    ]
    assert {key: props[key] for key in single_node_keys} == dict.fromkeys(single_node_keys, "1")


def test_a_cluster_node_names_every_node_as_a_voter_under_its_own_id() -> None:
    props = server_properties(PORTS, Path("/data/kraft"), NodeRole(2, (19093, 29093, 39093)))
    assert props["node.id"] == "2"
    assert props["controller.quorum.voters"] == (
        "1@127.0.0.1:19093,2@127.0.0.1:29093,3@127.0.0.1:39093"
    )


def test_a_three_node_cluster_keeps_three_copies_of_every_topic_two_in_sync() -> None:
    props = server_properties(PORTS, Path("/data/kraft"), NodeRole(1, (19093, 29093, 39093)))
    copies = ["default.replication.factor", "offsets.topic.replication.factor"]
    copies += ["transaction.state.log.replication.factor"]
    in_sync = ["min.insync.replicas", "transaction.state.log.min.isr"]
    assert {key: props[key] for key in copies} == dict.fromkeys(copies, "3")
    assert {key: props[key] for key in in_sync} == dict.fromkeys(in_sync, "2")


@pytest.mark.parametrize(
    ("brokers", "expected"), [(1, (1, 1)), (2, (2, 1)), (3, (3, 2)), (5, (3, 2))]
)
def test_topics_replicate_on_up_to_three_brokers_all_but_one_in_sync(
    brokers: int, expected: tuple[int, int]
) -> None:
    assert replication_for(brokers) == expected


def test_server_properties_make_groups_rebalance_without_delay() -> None:
    props = server_properties(PORTS, Path("/data/kraft"))
    assert props["group.initial.rebalance.delay.ms"] == "0"


def test_server_properties_auto_create_topics_with_three_partitions() -> None:
    props = server_properties(PORTS, Path("/data/kraft"))
    assert (props["auto.create.topics.enable"], props["num.partitions"]) == ("true", "3")


def test_server_properties_keep_logs_in_the_given_folder() -> None:
    assert server_properties(PORTS, Path("/data/kraft"))["log.dirs"] == "/data/kraft"


def test_rendered_properties_parse_back_to_the_same_values() -> None:
    values = {"log.dirs": "C:\\kafka\\logs", "listeners": "PLAINTEXT://127.0.0.1:1"}
    assert parse_properties(render_properties(values, "test")) == values


def test_log4j2_properties_log_to_the_console_at_the_given_level() -> None:
    props = log4j2_properties("WARN")
    assert props["appender.console.type"] == "Console"
    assert props["rootLogger.level"] == "WARN"
    assert props["rootLogger.appenderRef.stdout.ref"] == props["appender.console.name"]


def test_choose_ports_reuses_the_saved_ports_of_the_folder() -> None:
    assert choose_ports(PORTS, is_free=_always_free, pick_free=lambda _: 1) == PORTS


def test_choose_ports_prefers_explicit_ports_over_saved_ones() -> None:
    assert choose_ports(PORTS, 1000, 1001) == Ports(port=1000, controller_port=1001)


def test_choose_ports_replaces_a_saved_controller_port_that_is_taken() -> None:
    chosen = choose_ports(PORTS, is_free=_never_free, pick_free=lambda _: 20000)
    assert chosen == Ports(port=19092, controller_port=20000)


def test_choose_ports_picks_two_free_ports_for_a_new_folder() -> None:
    picks = _picker(30000, 30001)
    chosen = choose_ports(None, is_free=_always_free, pick_free=lambda _: next(picks))
    assert chosen == Ports(port=30000, controller_port=30001)


def test_choose_ports_rejects_equal_client_and_controller_ports() -> None:
    with pytest.raises(ValueError, match="must differ"):
        choose_ports(None, 1000, 1000)


def test_free_port_can_be_bound_and_avoids_excluded_ports() -> None:
    first = free_port()
    second = free_port(frozenset({first}))
    assert second != first
    assert port_is_free(second)


def test_port_is_free_is_false_while_a_server_listens() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        assert not port_is_free(server.getsockname()[1])


def test_ports_file_round_trips(tmp_path: Path) -> None:
    save_ports(tmp_path / "ports.json", PORTS)
    assert load_ports(tmp_path / "ports.json") == PORTS


@pytest.mark.parametrize("content", [None, "not json", '{"port": 1}'])
def test_missing_or_corrupt_ports_file_reads_as_none(tmp_path: Path, content: str | None) -> None:
    path = tmp_path / "ports.json"
    if content is not None:
        path.write_text(content)
    assert load_ports(path) is None


def test_state_file_round_trips(tmp_path: Path) -> None:
    status = _status(tmp_path, 1234)
    write_state(tmp_path / "broker.json", status)
    assert read_state(tmp_path / "broker.json") == status


def test_status_removes_a_state_file_whose_process_is_gone(tmp_path: Path, dead_pid: int) -> None:
    write_state(tmp_path / "broker.json", _status(tmp_path, dead_pid))
    assert LocalKafka(tmp_path).status() is None
    assert not (tmp_path / "broker.json").exists()


def test_status_ignores_a_live_pid_that_is_not_this_folders_broker(tmp_path: Path) -> None:
    write_state(tmp_path / "broker.json", _status(tmp_path, os.getpid()))
    assert LocalKafka(tmp_path).status() is None


def test_status_treats_a_corrupt_state_file_as_not_running(tmp_path: Path) -> None:
    (tmp_path / "broker.json").write_text("{")
    assert LocalKafka(tmp_path).status() is None


def test_bootstrap_of_a_stopped_folder_is_its_saved_address(tmp_path: Path) -> None:
    save_ports(tmp_path / "ports.json", PORTS)
    assert LocalKafka(tmp_path).bootstrap == "127.0.0.1:19092"


def test_stop_of_a_missing_folder_creates_nothing(tmp_path: Path) -> None:
    LocalKafka(tmp_path / "absent").stop()
    assert not (tmp_path / "absent").exists()


def test_storage_counts_as_formatted_once_meta_properties_exists(tmp_path: Path) -> None:
    before = is_formatted(tmp_path)
    (tmp_path / "meta.properties").write_text("node.id=1\n")
    assert (before, is_formatted(tmp_path)) == (False, True)


def test_default_data_dir_follows_portalsim_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORTALSIM_HOME", str(tmp_path))
    assert default_data_dir() == tmp_path / "kafka"


def test_cache_root_follows_portalsim_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORTALSIM_CACHE", str(tmp_path))
    assert cache_root() == tmp_path


def test_kafka_version_is_read_from_the_repository_pom() -> None:
    assert pom_path().is_file()
    assert kafka_version() == "4.1.2"


def test_jars_folder_is_complete_only_with_broker_jar_and_log4j_binding(tmp_path: Path) -> None:
    (tmp_path / "kafka_2.13-4.1.2.jar").touch()
    before = jars_complete(tmp_path, "4.1.2")
    (tmp_path / "log4j-slf4j-impl-2.25.3.jar").touch()
    assert (before, jars_complete(tmp_path, "4.1.2")) == (False, True)


def test_up_without_java_prints_one_line_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    result = CliRunner().invoke(kafka_app, ["up", "--data", str(tmp_path / "data")])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "portalsim kafka: java not found on PATH; install a JDK 17 "
        "(e.g. apt-get install openjdk-17-jdk-headless)"
    ]


def test_up_without_mvn_and_without_cached_jars_prints_one_line_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    java = shutil.which("java")
    if java is None:
        pytest.skip("needs java on PATH")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "java").symlink_to(java)
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setenv("PORTALSIM_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    result = CliRunner().invoke(kafka_app, ["up", "--data", str(tmp_path / "data")])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "portalsim kafka: mvn not found on PATH; install Maven (e.g. apt-get install maven)"
    ]


def test_status_of_a_folder_without_broker_exits_3(tmp_path: Path) -> None:
    result = CliRunner().invoke(kafka_app, ["status", "--data", str(tmp_path)])
    assert result.exit_code == 3
    assert "Kafka is not running" in result.stdout


def test_down_of_a_folder_without_broker_says_so_and_exits_0(tmp_path: Path) -> None:
    result = CliRunner().invoke(kafka_app, ["down", "--data", str(tmp_path)])
    assert result.exit_code == 0
    assert "Kafka is not running" in result.stdout


def test_a_port_given_out_already_is_not_given_again(monkeypatch: pytest.MonkeyPatch) -> None:
    offered = iter([41000, 41000, 41001])  # the system may offer a free port twice

    class Probe:
        def __init__(self, *args: object) -> None:
            self.port = 0

        def __enter__(self) -> Probe:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def bind(self, address: tuple[str, int]) -> None:
            self.port = next(offered)

        def getsockname(self) -> tuple[str, int]:
            return ("127.0.0.1", self.port)

    monkeypatch.setattr("simulator.kafka_local.config.socket.socket", Probe)
    first = free_port()
    assert free_port(frozenset({first})) == 41001
