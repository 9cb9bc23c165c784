"""A run's trace folder: each process's spans (`<name>.jsonl`) and how dossiers were sampled.

The services append their spans to `<run>/traces/<service or replica>.jsonl`, the
simulator its client spans to `simulator.jsonl`, and `sampling.json` says at which ratio
dossiers were traced. `read_spans` merges every file of the folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson

from services.kit.tracing_export import tracing_for
from simulator.drive.client_trace import ClientTracing

__all__ = ["SAMPLING_FILE", "client_tracing", "read_sampling", "read_spans", "reset_folder"]

SAMPLING_FILE = "sampling.json"


def reset_folder(folder: Path, ratio: float) -> None:
    """An empty trace folder for a new run (an earlier run's spans removed)."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.jsonl"):
        old.unlink()
    (folder / SAMPLING_FILE).write_bytes(orjson.dumps({"ratio": ratio}))


@contextmanager
def client_tracing(folder: Path, ratio: float) -> Iterator[ClientTracing]:
    """The simulator's client spans for a run, written to `folder/simulator.jsonl`."""
    tracing = tracing_for("simulator", folder)
    try:
        yield ClientTracing(tracing, ratio)
    finally:
        tracing.shutdown()


def read_sampling(folder: Path) -> float | None:
    """The ratio at which the run traced dossiers (None when it did not say)."""
    path = folder / SAMPLING_FILE
    if not path.is_file():
        return None
    return float(orjson.loads(path.read_bytes())["ratio"])


def read_spans(folder: Path) -> list[dict[str, Any]]:
    """Every span of the folder's files, by start time (a torn last line is skipped)."""
    spans: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_bytes().splitlines():
            try:
                spans.append(orjson.loads(line))
            except orjson.JSONDecodeError:
                continue
    spans.sort(key=lambda span: (span["start_ns"], span["end_ns"]))
    return spans
