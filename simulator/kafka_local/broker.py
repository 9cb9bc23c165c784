"""Lifecycle of one local Kafka broker (KRaft broker + controller) run from Maven jars.

Start (configure the folder, format it once, launch, await, provision a secure one),
find the running broker of a folder, stop it; under the folder's lock. What the folder
holds (mode, configuration, storage) is :mod:`simulator.kafka_local.broker_folder`.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from contracts.rights import acl_entries, parse_rights
from services.kit.kafka_access import KafkaAccess
from simulator.kafka_local.broker_folder import folder_security, format_once, write_config
from simulator.kafka_local.config import (
    HOST,
    NodeRole,
    Ports,
    choose_ports,
    load_ports,
    port_is_free,
    save_ports,
)
from simulator.kafka_local.errors import KafkaLocalError, KafkaStartError
from simulator.kafka_local.jars import ensure_jars, find_java
from simulator.kafka_local.locking import file_lock
from simulator.kafka_local.paths import DataLayout, rights_path
from simulator.kafka_local.process import launch_broker, terminate, wait_ready
from simulator.kafka_local.provision import provision
from simulator.kafka_local.security import (
    BrokerSecurity,
    admin_access,
    credentials_of,
    secure_port,
)
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
    folder serves the same address. ``security`` (see :mod:`simulator.kafka_local.security`)
    is fixed when the folder is formatted; a secure broker gets a SCRAM user and the ACLs
    of each principal of ``rights_file``, and the registered topics, at every start.
    ``role``: a node of a cluster (:mod:`simulator.kafka_local.cluster`), formatted with
    the cluster's ``cluster_id``.
    """

    def __init__(
        self,
        data_dir: Path,
        port: int | None = None,
        controller_port: int | None = None,
        security: BrokerSecurity | None = None,
        rights_file: Path | None = None,
        role: NodeRole | None = None,
        cluster_id: str | None = None,
    ) -> None:
        """Describe a broker in ``data_dir``; ports default to the saved or free ones."""
        self.data_dir = Path(data_dir).expanduser().resolve()
        self.layout = DataLayout(self.data_dir)
        self._port = port
        self._controller_port = controller_port
        self._security = security
        self.rights_file = rights_file or rights_path()
        self.role = role
        self.cluster_id = cluster_id
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

    @property
    def security(self) -> BrokerSecurity:
        """The folder's mode once formatted, else the one asked for, else PLAINTEXT.

        Raises :class:`KafkaStartError` when another mode is asked of a formatted folder.
        """
        return folder_security(self.layout, self._security)

    @property
    def credentials_file(self) -> Path:
        """The JSON file of every principal's password (secure modes only)."""
        return self.layout.credentials_file

    @property
    def secure_bootstrap(self) -> str | None:
        """``127.0.0.1:PORT`` of the SASL listener (None in PLAINTEXT mode)."""
        port = secure_port(self.security, self._plan())
        return f"{HOST}:{port}" if port is not None else None

    def access(self, user: str) -> KafkaAccess:
        """The SASL access of ``user`` (a principal of the rights file, or ``admin``)."""
        bootstrap = self.secure_bootstrap
        if bootstrap is None:
            raise KafkaStartError(f"{self.data_dir} runs without SASL: no credentials")
        return KafkaAccess.from_credentials(bootstrap, self.credentials_file, user)

    def _plan(self) -> Ports:
        """Return the ports this broker would use (explicit, else saved, else free)."""
        saved = load_ports(self.layout.ports_file) or self._planned
        sasl = self.security is BrokerSecurity.PLAINTEXT_AND_SASL
        self._planned = choose_ports(saved, self._port, self._controller_port, sasl=sasl)
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
            security=str(self.security),
            secure_bootstrap=self.secure_bootstrap,
        )

    def start(self, timeout: float = 120, *, wait: bool = True) -> str:
        """Start the broker and wait until it serves clients; return its bootstrap address.

        If a live broker is already recorded in ``data_dir``, return its address and
        start nothing. Without ``wait`` it returns once the JVM is launched (the nodes of
        a cluster start together, none is ready before a quorum; then :meth:`wait_started`).
        Raises :class:`KafkaSetupError` when ``java``/``mvn`` are missing and
        :class:`KafkaStartError` when the broker fails or is not ready in time.
        """
        java = find_java()
        jars = ensure_jars()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        try:
            with file_lock(self.layout.lock_file, timeout + LOCK_SLACK):
                running = self.status()
                if running is not None:
                    return running.bootstrap
                return self._start_locked(java, jars, timeout if wait else None)
        except KafkaStartError:
            raise
        except KafkaLocalError as exc:
            raise KafkaStartError(str(exc)) from exc

    def _start_locked(self, java: Path, jars: Path, timeout: float | None) -> str:
        """Configure, format if needed, launch and (with a ``timeout``) await the broker."""
        ports = self._plan()
        if not port_is_free(ports.port):
            raise KafkaStartError(
                f"port {ports.port} on {HOST} is in use by another program; choose another port"
            )
        self.layout.ensure()
        save_ports(self.layout.ports_file, ports)
        security = self.security
        credentials = self._credentials() if security.enforced else {}
        write_config(self.layout, ports, self.role, security, credentials)
        format_once(java, jars, self.layout, security, credentials, self.cluster_id)
        proc = launch_broker(java, jars, self.layout)
        self._proc = proc
        write_state(self.layout.state_file, self._state(proc.pid, ports, datetime.now(UTC)))
        if timeout is not None:
            self.wait_started(timeout)
            if security.enforced:
                self._guarded(lambda: self._provision(credentials))
        return ports.bootstrap

    def wait_started(self, timeout: float = 120) -> None:
        """Wait until the broker this object launched serves clients (else stop it)."""
        proc = self._proc
        if proc is not None:
            ports = self._plan()
            self._guarded(lambda: wait_ready(proc, self.layout.broker_log, ports.port, timeout))

    def _guarded(self, step: Callable[[], None]) -> None:
        """Run a step of the start; on any failure stop the launched JVM and re-raise."""
        try:
            step()
        except BaseException:
            if self._proc is not None:
                terminate(self._proc.pid, 10.0, self._proc)
            self._proc = None
            clear_state(self.layout.state_file)
            raise

    def _credentials(self) -> dict[str, str]:
        """The saved passwords, plus new ones for principals the rights file added."""
        return credentials_of(self.credentials_file, self.rights_file)

    def _provision(self, credentials: dict[str, str]) -> None:
        """Users, ACLs (from the rights file) and topics, as the super user."""
        rights = parse_rights(self.rights_file.read_text(encoding="utf-8"))
        bootstrap = self.secure_bootstrap
        assert bootstrap is not None
        provision(admin_access(bootstrap, credentials), credentials, acl_entries(rights))

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
