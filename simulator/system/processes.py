"""The four services as separate OS processes: start, wait healthy, stop, kill, restart.

Used by `portalsim run`, replay, bench, the end-to-end tests and the fault tests. Each
service gets its own data folder, a free HTTP port and a log file; its settings, a typed
object, go by environment variables (`PORTALSIM_<SERVICE>_<SETTING>`, `environment_of`).
The cluster runs signed: each service gets its key and the trust file of a key folder
(`keys`, made in the data root when not given); `signed=False` runs it unsigned.

Each service runs in its own session and process group, which `stop` and `kill` signal as
a whole. A process that ends without `stop` or `kill` asking it to has *died*
(`unasked_exit`): the run's supervisor (`simulator.system.supervisor`) tells the two apart.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from contracts.signing import Signer, TrustStore
from services.kit import ServiceSettings, env_var_names
from services.kit.kafka_access import KafkaAccess
from simulator.kafka_local import free_port
from simulator.system.keys import ensure_keys, service_key_settings, signer_from
from simulator.system.settings import SERVICE_NAMES, SETTINGS_CLASSES, environment_of, with_values
from simulator.system.tokens import RunCredentials

__all__ = ["ServiceCluster", "ServiceProcess", "free_port", "replica_names"]


@dataclass
class ServiceProcess:
    """One service running as `python -m services.<name>` with these settings (complete)."""

    name: str
    settings: ServiceSettings
    process: subprocess.Popen[bytes] | None = None
    replica: str = ""  # e.g. national_portal-2 for a second replica; "" for the first
    _stop_requested: bool = field(default=False, init=False, repr=False)

    @property
    def data_dir(self) -> Path:
        """The service's data folder (its SQLite state and its log)."""
        return self.settings.data_dir

    @property
    def http_port(self) -> int:
        """The port of the service's HTTP API."""
        return self.settings.http_port

    @property
    def url(self) -> str:
        """Base URL of the service's HTTP API."""
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def log_path(self) -> Path:
        """Where the service's stderr goes."""
        return self.data_dir / f"{self.replica or self.name}.log"

    def environment(self) -> dict[str, str]:
        """The process environment: this one, but the service's settings exactly `settings`."""
        own = set(env_var_names(type(self.settings)).values())
        env = {name: value for name, value in os.environ.items() if name not in own}
        env.update(environment_of(self.settings))
        return env

    @property
    def process_name(self) -> str:
        """The process's own name: the service's, or its replica's (`national_portal-2`)."""
        return self.replica or self.name

    @property
    def pid(self) -> int | None:
        """The process id of the current (or last, until stopped) process."""
        return self.process.pid if self.process is not None else None

    @property
    def stopped_on_purpose(self) -> bool:
        """True when not started, or while and after `stop` or `kill` was asked for."""
        return self.process is None or self._stop_requested

    def unasked_exit(self) -> int | None:
        """The exit status of a process that ended unasked (a death), else None.

        The status is Popen's: 0 or more is an exit code, -N means killed by signal N.
        """
        if self.stopped_on_purpose or self.process is None:
            return None
        return self.process.poll()

    def start(self) -> None:
        """Start the process (no wait), in its own session and process group."""
        self._stop_requested = False
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", f"services.{self.name}"],
            env=self.environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

    def is_running(self) -> bool:
        """True while the process lives."""
        return self.process is not None and self.process.poll() is None

    def wait_healthy(self, timeout: float = 120.0) -> None:
        """Wait until `/healthz` answers 200; raise with the log's tail otherwise."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.is_running():
                raise RuntimeError(f"{self.name} exited early:\n{self.log_tail()}")
            try:
                if httpx.get(self.url + "/healthz", timeout=2.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"{self.name} not healthy after {timeout:.0f} s:\n{self.log_tail()}")

    async def healthy(self) -> bool:
        """One probe: does `/healthz` answer 200 now?"""
        try:
            async with httpx.AsyncClient(timeout=2.0) as client:
                return (await client.get(self.url + "/healthz")).status_code == 200
        except httpx.HTTPError:
            return False

    def _signal_group(self, sig: signal.Signals) -> None:
        """Send `sig` to the service's process group (while its leader is not reaped)."""
        if self.process is None or self.process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, sig)

    def request_stop(self) -> None:
        """Ask the process group to stop (SIGTERM) without waiting."""
        self._stop_requested = True
        self._signal_group(signal.SIGTERM)

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM (graceful), then SIGKILL after `timeout`, to the whole process group."""
        if self.process is None:
            return
        self.request_stop()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self._signal_group(signal.SIGKILL)
            self.process.wait(10)
        self.process = None

    def kill(self) -> None:
        """kill -9 (the process group): no goodbye, nothing flushed."""
        if self.process is not None:
            self._stop_requested = True
            self._signal_group(signal.SIGKILL)
            self.process.wait(10)
        self.process = None

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of the service's log."""
        if not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def replica_names(name: str, count: int) -> list[str]:
    """The process names of a service's replicas: `name`, `name-2`, `name-3`, ..."""
    return [name] + [f"{name}-{i}" for i in range(2, count + 1)]


@dataclass
class ServiceCluster:
    """The four services, each a process, against one broker.

    `settings` are the services' own (by name; a missing one has its class defaults); the
    cluster sets what only it knows: the broker, the data folder under `data_root`, a free
    HTTP port, the key files and the token hashes (see `simulator.system.settings`). With
    `credentials` (the credentials file of a secure broker, `bootstrap` its SASL
    listener) each service connects as its own principal and creates no topics. `only`
    names the services to run (default: all four), for a replay into one service alone.
    """

    bootstrap: str
    data_root: Path
    settings: Mapping[str, ServiceSettings] = field(default_factory=dict)
    services: dict[str, ServiceProcess] = field(default_factory=dict)
    credentials: Path | None = None  # the Kafka credentials file of a secure broker
    #: the run's HTTP tokens; the services get their hashes (default: fresh, every desk)
    tokens: RunCredentials = field(default_factory=RunCredentials.generate)
    keys: Path | None = None
    signed: bool = True
    only: tuple[str, ...] | None = None
    trust: TrustStore | None = field(init=False, default=None)  # the keys' trust, when signed
    #: processes per service (default 1): the second is `<name>-2`, in the same consumer
    #: group, with a port and a folder of its own; replicas share state through `store_url`
    replicas: Mapping[str, int] = field(default_factory=dict)
    #: a PostgreSQL database every service keeps its state in (a schema each); none: SQLite
    store_url: str | None = None

    def __post_init__(self) -> None:
        if self.signed:
            self.keys = Path(self.keys or self.data_root / "keys")
            self.trust = ensure_keys(self.keys)
        unknown = sorted(set(self.only or ()) - set(SERVICE_NAMES))
        if unknown:
            raise ValueError(f"unknown service {', '.join(unknown)}; known: {SERVICE_NAMES}")
        for name in SERVICE_NAMES if self.only is None else self.only:
            for key in replica_names(name, self.replicas.get(name, 1)):
                replica = "" if key == name else key
                self.services[key] = ServiceProcess(
                    name, self._laid_out(name, key), replica=replica
                )

    def _laid_out(self, name: str, key: str | None = None) -> ServiceSettings:
        """The service's settings with the cluster's part set (`key`: which replica)."""
        settings_class = SETTINGS_CLASSES[name]
        given = self.settings.get(name)
        if given is not None and not isinstance(given, settings_class):
            raise TypeError(f"{name}: {settings_class.__name__} expected, got {type(given)}")
        values: dict[str, Any] = {
            "kafka_bootstrap": self.bootstrap,
            "data_dir": self.data_root / (key or name),
            "http_port": free_port(exclude=frozenset(s.http_port for s in self.services.values())),
            **({"store_url": self.store_url, "replica": key or name} if self.store_url else {}),
            **self._kafka_principal(name),
            **(service_key_settings(self.keys, name) if self.keys and self.signed else {}),
            **self.tokens.settings_values(settings_class.model_fields),
        }
        return with_values(given or settings_class(), **values)

    def _kafka_principal(self, name: str) -> dict[str, Any]:
        """On a secure broker: the service's own principal, its password (from the broker's
        credentials file) and no topic creation (the admin made the topics)."""
        if self.credentials is None:
            return {}
        access = KafkaAccess.from_credentials(self.bootstrap, self.credentials, name)
        return {
            "kafka_security_protocol": access.security_protocol,
            "kafka_username": access.username,
            "kafka_password": access.password,
            "create_topics": False,
        }

    def signer(self) -> Signer | None:
        """The simulator's signer (what it publishes itself); None when running unsigned."""
        return signer_from(self.keys) if self.keys and self.signed else None

    def __getitem__(self, name: str) -> ServiceProcess:
        return self.services[name]

    @property
    def urls(self) -> dict[str, str]:
        """Base URL of each service."""
        return {name: s.url for name, s in self.services.items()}

    def start(self, timeout: float = 180.0) -> None:
        """Start every service and wait until all are healthy."""
        for service in self.services.values():
            service.start()
        try:
            for service in self.services.values():
                service.wait_healthy(timeout)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop every service gracefully: all are asked at once, then each is waited for."""
        for service in self.services.values():
            service.request_stop()
        for service in self.services.values():
            service.stop()

    def __enter__(self) -> ServiceCluster:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
