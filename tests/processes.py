"""A `portalsim run` as a user's process, watched from outside: its output, its children.

The run's own processes (the broker JVM, the four services) are its children; they are
found, and checked gone, through /proc (Linux).
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

__all__ = ["CliRun", "alive", "children_of", "wait_until"]


def wait_until(condition: Callable[[], bool], within: float, what: str) -> None:
    """Poll `condition` every 0.1 s; AssertionError naming `what` after `within` seconds."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within:.0f} s: {what}")
        time.sleep(0.1)


def alive(pid: int) -> bool:
    """True while the process exists and is no zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def children_of(pid: int) -> dict[int, str]:
    """The live children of a process: pid -> command line."""
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found[int(entry.name)] = command
    return found


class CliRun:
    """`portalsim run SCENARIO --out OUT ...` started in the background, output to a file."""

    def __init__(self, scenario: Path, out: Path, *extra: str) -> None:
        self.out = out
        self.output_path = out.with_suffix(".out")
        command = [sys.executable, "-m", "simulator.cli", "run", str(scenario), "--out", str(out)]
        with self.output_path.open("wb") as output:
            self.process = subprocess.Popen(
                [*command, *extra],
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    @property
    def output(self) -> str:
        """What the run printed so far."""
        return self.output_path.read_text(encoding="utf-8", errors="replace")

    def settled(self) -> int:
        """Dossiers settled, by the run's latest progress line (0 before the first)."""
        counts = re.findall(r"settled (\d+), in flight", self.output)
        return int(counts[-1]) if counts else 0

    def service_pid(self, name: str) -> int:
        """The pid of one of the run's services."""
        children = children_of(self.process.pid).items()
        [pid] = [child for child, command in children if f"services.{name}" in command]
        return pid

    def wait(self, within: float) -> int:
        """The run's exit code, once it has ended (within `within` seconds)."""
        return self.process.wait(within)

    def stop(self) -> None:
        """End the run if a test left it running (SIGTERM: it stops what it started)."""
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(120)
