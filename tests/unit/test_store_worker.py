"""The store worker: one call at a time, in order, inline on the loop or on its own thread."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from services.kit.store import ServiceStore, StoreWorker
from services.population_db.app import build_runtime
from services.population_db.settings import PopulationDbSettings


def _worker(tmp_path: Path, thread: bool) -> StoreWorker:
    return StoreWorker(ServiceStore(tmp_path / "kit.sqlite"), thread=thread)


async def test_an_inline_worker_runs_calls_on_the_event_loops_thread(tmp_path: Path) -> None:
    worker = _worker(tmp_path, thread=False)
    try:
        assert await worker.run(threading.get_ident) == threading.get_ident()
    finally:
        worker.close()


async def test_a_threaded_worker_runs_calls_on_a_thread_of_its_own(tmp_path: Path) -> None:
    worker = _worker(tmp_path, thread=True)
    try:
        assert await worker.run(threading.get_ident) != threading.get_ident()
    finally:
        worker.close()


async def test_an_inline_call_waits_for_what_was_submitted_to_the_thread_before_it(
    tmp_path: Path,
) -> None:
    worker = _worker(tmp_path, thread=False)
    release = threading.Event()
    order: list[str] = []

    def seed() -> None:
        release.wait(10)
        order.append("submitted")

    try:
        worker.submit(seed)
        threading.Timer(0.05, release.set).start()
        await worker.run(order.append, "inline")
        assert order == ["submitted", "inline"]
    finally:
        worker.close()


def _population_settings(tmp_path: Path, delay_ms: int) -> PopulationDbSettings:
    return PopulationDbSettings(
        data_dir=tmp_path, population_size=1000, check_delay_ms=delay_ms, log_json=False
    )


@pytest.mark.parametrize("delay_ms", [0, 150], ids=["no-delay", "with-a-check-delay"])
def test_population_db_runs_its_store_inline_even_with_a_check_delay(
    tmp_path: Path, delay_ms: int
) -> None:
    # the delay is awaited before each batch (the event loop stays free), not slept in a
    # handler, so it can change at run time (the operations API)
    runtime = build_runtime(_population_settings(tmp_path, delay_ms))
    try:
        assert runtime.messaging.worker.thread is False
        assert runtime.messaging.gate.before_batch is not None
    finally:
        runtime.messaging.worker.close()
