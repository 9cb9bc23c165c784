"""Lifecycle of one local Kafka broker (KRaft broker + controller) run from Maven jars."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from simulator.kafka_local.config import (
    HOST,
    Ports,
    choose_ports,
    is_formatted,
    load_ports,
    log4j2_properties,
    port_is_free,
    render_properties,
    save_ports,
    server_properties,
    write_atomic,
)
from simulator.kafka_local.errors import KafkaLocalError, KafkaStartError
from simulator.kafka_local.jars import ensure_jars, find_java
from simulator.kafka_local.locking import file_lock
from simulator.kafka_local.paths import DataLayout
from simulator.kafka_local.process import format_storage, launch_broker, terminate, wait_ready
from simulator.kafka_local.state import (
    BrokerStatus,
    clear_state,
    find_broker_pids,
    is_broker_process,
    read_state,
    write_state,
)

#: Extra seconds a start or stop waits for another one holding the data folder lock.
LOCK_SLACK = 60.0


class LocalKafka:
    """A single-node Kafka broker on 127.0.0.1 whose files live in ``data_dir``.

    The state of a started broker is kept in ``data_dir/broker.json``, so another
    process (or a later ``portalsim kafka`` command) can find, reuse and stop it.
    Ports are chosen once and kept in ``data_dir/ports.json``: a restart on the same
    folder serves the same address.
    """

    def __init__(
        self, data_dir: Path, port: int | None = None, controller_port: int | None = None
    ) -> None:
        """Describe a broker in ``data_dir``; ports default to the saved or free ones."""
        self.data_dir = Path(data_dir).expanduser().resolve()
        self.layout = DataLayout(self.data_dir)
        self._port = port
        self._controller_port = controller_port
        self._planned: Ports | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    def __repr__(self) -> str:
        """Show the data folder."""
        return f"LocalKafka(data_dir={str(self.data_dir)!r})"

    def __enter__(self) -> LocalKafka:
        """Start the broker (or reuse a running one) for a ``with`` block."""
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the broker at the end of a ``with`` block."""
        self.stop()

    @property
    def bootstrap(self) -> str:
        """``127.0.0.1:PORT`` of the running broker, else of the one :meth:`start` would run."""
        running = self.status()
        return running.bootstrap if running else self._plan().bootstrap

    def _plan(self) -> Ports:
        """Return the ports this broker would use (explicit, else saved, else free)."""
        saved = load_ports(self.layout.ports_file) or self._planned
        self._planned = choose_ports(saved, self._port, self._controller_port)
        return self._planned

    def status(self) -> BrokerStatus | None:
        """Return the running broker of ``data_dir``, or ``None``.

        A state file whose process is gone is removed. A broker JVM of this folder
        running without a state file (the file was lost) is adopted.
        """
        state = read_state(self.layout.state_file)
        if state is not None and is_broker_process(state.pid, self.layout.server_properties):
            return state
        clear_state(self.layout.state_file)
        return self._adopt_stray()

    def _adopt_stray(self) -> BrokerStatus | None:
        """Record a broker JVM of this folder that has no state file."""
        pids = find_broker_pids(self.layout.server_properties)
        ports = load_ports(self.layout.ports_file)
        if len(pids) != 1 or ports is None:
            return None
        try:
            started = datetime.fromtimestamp(Path(f"/proc/{pids[0]}").stat().st_mtime, UTC)
        except OSError:
            return None
        state = self._state(pids[0], ports, started)
        write_state(self.layout.state_file, state)
        return state

    def _state(self, pid: int, ports: Ports, started_at: datetime) -> BrokerStatus:
        """Build the status record of a broker process."""
        return BrokerStatus(
            pid=pid,
            port=ports.port,
            bootstrap=ports.bootstrap,
            data_dir=self.data_dir,
            started_at=started_at,
            controller_port=ports.controller_port,
        )

    def start(self, timeout: float = 120) -> str:
        """Start the broker and wait until it serves clients; return its bootstrap address.

        If a live broker is already recorded in ``data_dir``, return its address and
        start nothing. Raises :class:`KafkaSetupError` when ``java``/``mvn`` are missing
        and :class:`KafkaStartError` when the broker fails or is not ready in time.
        """
        java = find_java()
        jars = ensure_jars()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        try:
            with file_lock(self.layout.lock_file, timeout + LOCK_SLACK):
                running = self.status()
                if running is not None:
                    return running.bootstrap
                return self._start_locked(java, jars, timeout)
        except KafkaStartError:
            raise
        except KafkaLocalError as exc:
            raise KafkaStartError(str(exc)) from exc

    def _start_locked(self, java: Path, jars: Path, timeout: float) -> str:
        """Configure, format if needed, launch and await the broker (lock held)."""
        ports = self._plan()
        if not port_is_free(ports.port):
            raise KafkaStartError(
                f"port {ports.port} on {HOST} is in use by another program; choose another port"
            )
        self.layout.ensure()
        save_ports(self.layout.ports_file, ports)
        self._write_config(ports)
        if not is_formatted(self.layout.kraft_dir):
            format_storage(java, jars, self.layout)
        proc = launch_broker(java, jars, self.layout)
        self._proc = proc
        write_state(self.layout.state_file, self._state(proc.pid, ports, datetime.now(UTC)))
        try:
            wait_ready(proc, self.layout.broker_log, ports.port, timeout)
        except BaseException:
            terminate(proc.pid, 10.0, proc)
            self._proc = None
            clear_state(self.layout.state_file)
            raise
        return ports.bootstrap

    def _write_config(self, ports: Ports) -> None:
        """Write ``server.properties`` and the log4j2 files for ``ports``."""
        layout = self.layout
        props = server_properties(ports, layout.kraft_dir)
        write_atomic(layout.server_properties, render_properties(props, "Kafka broker"))
        broker_log = render_properties(log4j2_properties(), "broker log")
        write_atomic(layout.log4j_properties, broker_log)
        tools_log = render_properties(log4j2_properties("WARN"), "storage tool log")
        write_atomic(layout.tools_log4j_properties, tools_log)

    def stop(self, timeout: float = 60) -> None:
        """Stop the broker of ``data_dir`` (SIGTERM, then SIGKILL after ``timeout``).

        Does nothing when no broker runs; always removes the state file.
        """
        if not self.data_dir.is_dir():
            return
        try:
            with file_lock(self.layout.lock_file, timeout + LOCK_SLACK):
                running = self.status()
                pids = set(find_broker_pids(self.layout.server_properties))
                if running is not None:
                    pids.add(running.pid)
                for pid in sorted(pids):
                    terminate(pid, timeout, self._proc)
                self._proc = None
                clear_state(self.layout.state_file)
        except KafkaStartError:
            raise
        except KafkaLocalError as exc:
            raise KafkaStartError(str(exc)) from exc
