"""CPU seconds and memory of processes, read from /proc (Linux; no dependency).

`/proc/<pid>/stat` gives user and system CPU time in clock ticks; `/proc/<pid>/status`
gives the resident set (`VmRSS`) and its peak (`VmHWM`). Writing `5` to
`/proc/<pid>/clear_refs` resets the peak, so a run's own peak can be told apart from
start-up (the population seed); where that is not allowed, the sampled maximum of
`VmRSS` is the run's peak.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["ProcessMeter", "ProcessSample", "sample"]

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass(frozen=True)
class ProcessSample:
    """One reading of a process."""

    cpu_seconds: float
    rss_mb: float
    hwm_mb: float


def sample(pid: int) -> ProcessSample | None:
    """CPU seconds so far, resident and peak resident memory in MB; None once it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    cpu = (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime
    kb = {}
    for line in status.splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            name, value = line.split(":", 1)
            kb[name] = int(value.split()[0])
    return ProcessSample(cpu, kb.get("VmRSS", 0) / 1024, kb.get("VmHWM", 0) / 1024)


def reset_peak(pid: int) -> bool:
    """Reset the process's peak resident memory; False when not allowed."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


@dataclass
class ProcessMeter:
    """Measures named processes over a window: CPU seconds used and peak resident memory."""

    pids: dict[str, int]
    interval_s: float = 0.25
    start: dict[str, ProcessSample] = field(default_factory=dict)
    end: dict[str, ProcessSample] = field(default_factory=dict)
    max_rss_mb: dict[str, float] = field(default_factory=dict)
    lifetime_peak_mb: dict[str, float] = field(default_factory=dict)
    peak_reset: dict[str, bool] = field(default_factory=dict)
    _task: asyncio.Task[None] | None = None

    def begin(self) -> None:
        """Take the first reading, reset the peaks, start sampling."""
        for name, pid in self.pids.items():
            first = sample(pid)
            if first is None:
                continue
            self.start[name] = first
            self.lifetime_peak_mb[name] = first.hwm_mb
            self.max_rss_mb[name] = first.rss_mb
            self.peak_reset[name] = reset_peak(pid)
        self._task = asyncio.create_task(self._sample_loop())

    async def _sample_loop(self) -> None:
        while True:
            self._read()
            await asyncio.sleep(self.interval_s)

    def _read(self) -> None:
        for name, pid in self.pids.items():
            now = sample(pid)
            if now is None:
                continue
            self.end[name] = now
            self.max_rss_mb[name] = max(self.max_rss_mb.get(name, 0.0), now.rss_mb)

    async def finish(self) -> dict[str, dict[str, float | bool]]:
        """Stop sampling; per process: CPU seconds in the window, peak RSS in and before it."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._read()
        result: dict[str, dict[str, float | bool]] = {}
        for name, first in self.start.items():
            last = self.end.get(name, first)
            peak = max(self.max_rss_mb[name], last.hwm_mb if self.peak_reset[name] else 0.0)
            result[name] = {
                "cpu_seconds": round(last.cpu_seconds - first.cpu_seconds, 2),
                "peak_rss_mb": round(peak, 1),
                "rss_end_mb": round(last.rss_mb, 1),
                "peak_rss_since_start_mb": round(max(self.lifetime_peak_mb[name], last.hwm_mb), 1),
            }
        return result
