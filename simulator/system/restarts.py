"""What the run's supervisor does when a service dies: the restart policy and the records.

The policy is compose's `restart: on-failure` with Kubernetes' back-off: a service that
dies is started again after a delay that doubles with each restart in the window (0.5 s,
1 s, 2 s, 4 s, 8 s, then 8 s), and the supervisor gives up once a service has been
restarted `max_restarts` times within `window_s` (a crash loop), or at once with
`--restart no`. Any exit the runner did not ask for counts as a failure, exit code 0
included: a service never finishes on its own. Pure: times are given, not read.
"""

from __future__ import annotations

import signal
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = ["Death", "RestartMode", "RestartPolicy", "Supervision", "describe_exit"]


class RestartMode(StrEnum):
    """`portalsim run --restart`: restart a service that dies, or end the run."""

    ON_FAILURE = "on-failure"
    NO = "no"


def describe_exit(status: int) -> str:
    """A Popen exit status in words: `SIGKILL` for -9, `exit code 1` for 1."""
    if status < 0:
        try:
            return signal.Signals(-status).name
        except ValueError:
            return f"signal {-status}"
    return f"exit code {status}"


@dataclass(frozen=True)
class RestartPolicy:
    """When to restart a service that died, and when to give up on it."""

    mode: RestartMode = RestartMode.ON_FAILURE
    first_delay_s: float = 0.5
    max_delay_s: float = 8.0
    max_restarts: int = 5
    window_s: float = 60.0
    #: how long a restarted service may take to answer /healthz before it counts as lost
    start_timeout_s: float = 120.0

    def next_delay(self, restarts_at: Sequence[float], now: float) -> float | None:
        """Seconds to wait before restarting a service that died at `now`, or None: give up.

        `restarts_at` are the moments (same clock as `now`) the service was restarted before.
        """
        if self.mode is RestartMode.NO:
            return None
        recent = sum(1 for moment in restarts_at if now - moment < self.window_s)
        if recent >= self.max_restarts:
            return None
        return float(min(self.first_delay_s * 2**recent, self.max_delay_s))

    def describe(self) -> str:
        """The policy in one line (console and report)."""
        if self.mode is RestartMode.NO:
            return "no restarts (--restart no): a service that dies ends the run"
        return (
            f"on-failure: restart after {self.first_delay_s:g} s doubling to "
            f"{self.max_delay_s:g} s, at most {self.max_restarts} restarts in {self.window_s:g} s"
        )

    def as_json(self) -> dict[str, Any]:
        """The policy's settings (summary.json)."""
        return {
            "restart": self.mode.value,
            "first_delay_s": self.first_delay_s,
            "max_delay_s": self.max_delay_s,
            "max_restarts": self.max_restarts,
            "window_s": self.window_s,
        }


@dataclass
class Death:
    """A service process that exited unasked, and when (if) it was back.

    Wall seconds count from the start of the run; `*_ms` are the same moments as Unix
    milliseconds, comparable with the Kafka timestamps of the observations. `at_wall_s` is
    when the supervisor noticed (within one poll of the exit).
    """

    service: str
    pid: int | None
    exit_status: int
    at_wall_s: float
    at_ms: int
    #: which process of the service: its own name, or a replica's (`national_portal-2`)
    process: str = ""
    restarted_at_wall_s: float | None = None
    up_at_wall_s: float | None = None
    up_at_ms: int | None = None
    restarted_pid: int | None = None

    @property
    def exit(self) -> str:
        """The exit in words (`SIGKILL`, `exit code 1`)."""
        return describe_exit(self.exit_status)

    @property
    def down_s(self) -> float | None:
        """Seconds from the death to the service answering again (None: it never did)."""
        return None if self.up_at_wall_s is None else self.up_at_wall_s - self.at_wall_s

    def as_json(self) -> dict[str, Any]:
        """The death as summary.json lists it."""
        return {
            "service": self.service,
            "process": self.process or self.service,
            "pid": self.pid,
            "exit": self.exit,
            "exit_status": self.exit_status,
            "at_wall_s": round(self.at_wall_s, 2),
            "restarted_at_wall_s": _rounded(self.restarted_at_wall_s),
            "up_at_wall_s": _rounded(self.up_at_wall_s),
            "down_s": _rounded(self.down_s),
            "restarted_pid": self.restarted_pid,
        }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


@dataclass
class Supervision:
    """What the supervisor saw and did during one run."""

    policy: RestartPolicy
    deaths: list[Death] = field(default_factory=list)
    restarts: int = 0
    #: the service given up on (the run ended early), and why
    gave_up: Death | None = None
    gave_up_reason: str | None = None
