"""Where the local broker keeps its files: repository, cache and data folders."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

#: Environment variable overriding the jar cache root (default ``~/.cache/portalsim``).
CACHE_ENV = "PORTALSIM_CACHE"
#: Environment variable overriding the portalsim home (default ``<repo>/.portalsim``).
HOME_ENV = "PORTALSIM_HOME"


def repo_root() -> Path:
    """Return the root of the portalsim repository this package lives in."""
    return Path(__file__).resolve().parents[2]


def pom_path() -> Path:
    """Return the Maven POM that lists the Kafka broker jars."""
    return repo_root() / "deploy" / "kafka" / "pom.xml"


def rights_path() -> Path:
    """Return ``deploy/rights.yaml``, the broker rights of each principal."""
    return repo_root() / "deploy" / "rights.yaml"


def cache_root() -> Path:
    """Return ``${PORTALSIM_CACHE:-~/.cache/portalsim}``."""
    value = os.environ.get(CACHE_ENV)
    return Path(value).expanduser() if value else Path.home() / ".cache" / "portalsim"


def default_data_dir() -> Path:
    """Return ``${PORTALSIM_HOME:-<repo>/.portalsim}/kafka``, the CLI's default data folder."""
    value = os.environ.get(HOME_ENV)
    home = Path(value).expanduser() if value else repo_root() / ".portalsim"
    return home / "kafka"


@dataclass(frozen=True)
class DataLayout:
    """The files of one broker data folder."""

    root: Path

    @property
    def server_properties(self) -> Path:
        """The broker configuration, rewritten on every start."""
        return self.root / "server.properties"

    @property
    def log4j_properties(self) -> Path:
        """The log4j2 configuration of the broker JVM."""
        return self.root / "log4j2.properties"

    @property
    def tools_log4j_properties(self) -> Path:
        """The quieter (WARN) log4j2 configuration of the storage format tool."""
        return self.root / "log4j2-tools.properties"

    @property
    def state_file(self) -> Path:
        """``broker.json``: pid, ports and start time of the running broker."""
        return self.root / "broker.json"

    @property
    def ports_file(self) -> Path:
        """``ports.json``: the ports chosen once, reused by every restart."""
        return self.root / "ports.json"

    @property
    def security_file(self) -> Path:
        """``security.json``: the mode (plaintext, sasl, both) chosen at format time."""
        return self.root / "security.json"

    @property
    def credentials_file(self) -> Path:
        """``credentials.json`` (mode 0600): the password of the admin and of each principal."""
        return self.root / "credentials.json"

    @property
    def lock_file(self) -> Path:
        """Lock serialising start and stop on this folder."""
        return self.root / ".lock"

    @property
    def logs_dir(self) -> Path:
        """Folder of the broker's console log (``kafka.logs.dir``)."""
        return self.root / "logs"

    @property
    def broker_log(self) -> Path:
        """The broker's stdout and stderr."""
        return self.logs_dir / "broker.out"

    @property
    def kraft_dir(self) -> Path:
        """Kafka's ``log.dirs``: topic partitions and the KRaft metadata log."""
        return self.root / "kraft-logs"

    def ensure(self) -> None:
        """Create the folders of the layout."""
        self.logs_dir.mkdir(parents=True, exist_ok=True)
        self.kraft_dir.mkdir(parents=True, exist_ok=True)
