"""Builders of what a run observes (`simulator.drive.observations`), for the report's tests."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from simulator.drive.observations import Settlement, Submission

SIMTIME = "2026-03-02T09:00:00+07:00"


def observed_submission(dossier_id: str, code: str, wall_ms: int, **kw: Any) -> Submission:
    """A dossier first seen on `dossier.submitted` at `wall_ms` (online, unit 00101)."""
    base = Submission(dossier_id, f"C-{dossier_id}", code, "online", "00101", None, 0, SIMTIME)
    return replace(base, wall_ms=wall_ms, **kw)


def observed_settlement(dossier_id: str, code: str, by: str, wall_ms: int, **kw: Any) -> Settlement:
    """A `dossier.settled` event (approved by `by`) seen at `wall_ms`."""
    ids: tuple[Any, ...] = (f"ev-{dossier_id}", dossier_id, f"C-{dossier_id}", code, "online")
    rest: tuple[Any, ...] = ("approved", by, None, None, "KS-1", 1.0, None, None, SIMTIME, SIMTIME)
    fields: tuple[Any, ...] = (*ids, "00101", None, *rest, wall_ms)
    return replace(Settlement(*fields), **kw)
