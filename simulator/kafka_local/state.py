"""The state file ``broker.json`` and the checks that a recorded broker is still alive."""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from simulator.kafka_local.config import HOST, write_atomic

#: The JVM main class of the broker.
MAIN_CLASS = "kafka.Kafka"
_PROC = Path("/proc")


@dataclass(frozen=True)
class BrokerStatus:
    """A running local broker, as recorded in its data folder."""

    pid: int
    port: int
    bootstrap: str
    data_dir: Path
    started_at: datetime
    controller_port: int
    security: str = "plaintext"
    secure_bootstrap: str | None = None


def write_state(path: Path, status: BrokerStatus) -> None:
    """Record ``status`` in ``broker.json`` atomically."""
    data = {
        "pid": status.pid,
        "port": status.port,
        "controller_port": status.controller_port,
        "bootstrap": status.bootstrap,
        "data_dir": str(status.data_dir),
        "started_at": status.started_at.isoformat(),
        "security": status.security,
        "secure_bootstrap": status.secure_bootstrap,
    }
    write_atomic(path, json.dumps(data, indent=2) + "\n")


def read_state(path: Path) -> BrokerStatus | None:
    """Read ``broker.json``; ``None`` when missing or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        port = int(data["port"])
        return BrokerStatus(
            pid=int(data["pid"]),
            port=port,
            bootstrap=str(data.get("bootstrap") or f"{HOST}:{port}"),
            data_dir=Path(data["data_dir"]),
            started_at=datetime.fromisoformat(data["started_at"]),
            controller_port=int(data["controller_port"]),
            security=str(data.get("security") or "plaintext"),
            secure_bootstrap=data.get("secure_bootstrap"),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def clear_state(path: Path) -> None:
    """Remove ``broker.json`` if present."""
    path.unlink(missing_ok=True)


def _reap(pid: int) -> None:
    """Collect ``pid`` if it is a dead child of this process (it would linger as a zombie)."""
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def pid_alive(pid: int) -> bool:
    """Tell whether ``pid`` is a live (not zombie) process."""
    if pid <= 0:
        return False
    _reap(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = _PROC / str(pid) / "stat"
    try:
        # Field 3 is the state; the command name in field 2 may hold spaces and ')'.
        state = stat.read_text(encoding="ascii", errors="replace").rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True  # no /proc (not Linux): trust kill(0)
    return state not in ("Z", "X")


def _cmdline(pid: int) -> list[str] | None:
    """Return the arguments of ``pid`` from /proc, or ``None`` when unavailable."""
    try:
        raw = (_PROC / str(pid) / "cmdline").read_bytes()
    except OSError:
        return None
    return [part.decode("utf-8", "replace") for part in raw.split(b"\0") if part]


def is_broker_process(pid: int, config_path: Path) -> bool:
    """Tell whether ``pid`` is alive and is the broker JVM started with ``config_path``.

    Guards against a recycled pid. Where /proc is missing, liveness alone decides.
    """
    if not pid_alive(pid):
        return False
    args = _cmdline(pid)
    if args is None:
        return not _PROC.is_dir()
    return MAIN_CLASS in args and str(config_path) in args


def find_broker_pids(config_path: Path) -> list[int]:
    """Return the pids of every live broker JVM started with ``config_path`` (Linux)."""
    if not _PROC.is_dir():
        return []
    found: list[int] = []
    for entry in _PROC.iterdir():
        if entry.name.isdigit() and entry.name != str(os.getpid()):
            pid = int(entry.name)
            args = _cmdline(pid)
            if args and MAIN_CLASS in args and str(config_path) in args and pid_alive(pid):
                found.append(pid)
    return sorted(found)
