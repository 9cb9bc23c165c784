"""The machine a benchmark's figures come from: cores, memory, load, software; and the
benchmark process's own peak memory."""

from __future__ import annotations

import contextlib
import os
import platform
import resource
import time
from pathlib import Path
from typing import Any

__all__ = ["machine", "peak_rss_mb"]


def peak_rss_mb() -> float:
    """This process's peak resident memory since it started (MB; Linux counts KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def machine() -> dict[str, Any]:
    """Cores, memory, load and software of the machine the figures come from."""
    memory_kb = 0
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_kb = int(line.split()[1])
    return {
        "cores": os.cpu_count(),
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
