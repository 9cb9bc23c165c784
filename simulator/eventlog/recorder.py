"""Recording the bus: every record of the system's topics into an event log.

An aiokafka consumer without a group is assigned every partition of the topics and
starts where it is told (the beginning, a wall-clock time, the end offsets taken before
a run); a background task writes each record as one log line. `wait_quiet` returns once
the recorder has read up to the topics' end offsets and nothing new came for a while.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import ConsumerRecord

from contracts.topics import all_topic_names
from services.kit.kafka_access import simulator_access
from services.kit.topics_admin import topic_partitions
from simulator.eventlog.format import LogHeader, record_to_json
from simulator.eventlog.writer import EventLogWriter

__all__ = ["RecordObserver", "Recorder", "start_recording"]

#: Called with each record as it is written (e.g. to follow settlements during a replay).
RecordObserver = Callable[[ConsumerRecord[bytes, bytes]], None]


class Recorder:
    """Copies the records of `topics` (default: all, dead letters included) to a writer."""

    def __init__(
        self,
        bootstrap: str,
        writer: EventLogWriter,
        topics: list[str] | None = None,
        observer: RecordObserver | None = None,
    ) -> None:
        self.bootstrap = bootstrap
        self.writer = writer
        self.topics = topics or all_topic_names()
        self.observer = observer
        self.partitions: list[TopicPartition] = []
        self.last_record_at = time.monotonic()
        self.started_at = time.monotonic()
        self._consumer: AIOKafkaConsumer | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def count(self) -> int:
        """Records written so far."""
        return self.writer.records

    @property
    def recorded_topics(self) -> list[str]:
        """The topics that existed and are being recorded."""
        return sorted({p.topic for p in self.partitions})

    async def start(
        self,
        *,
        start_offsets: dict[TopicPartition, int] | None = None,
        from_time: datetime | None = None,
        from_end: bool = False,
    ) -> None:
        """Assign the partitions, seek (default: the beginning) and start writing."""
        consumer = AIOKafkaConsumer(
            **simulator_access(self.bootstrap).aiokafka_options(),
            enable_auto_commit=False,
            client_id="portalsim-recorder",
            max_partition_fetch_bytes=4 * 1024 * 1024,
        )
        await consumer.start()
        try:
            known = await topic_partitions(self.bootstrap, self.topics)
            self.partitions = [TopicPartition(t, p) for t, nums in known.items() for p in nums]
            consumer.assign(self.partitions)
            await self._seek(consumer, start_offsets, from_time, from_end)
        except BaseException:
            await consumer.stop()
            raise
        self._consumer = consumer
        self.started_at = self.last_record_at = time.monotonic()
        self._task = asyncio.create_task(self._run())

    async def _seek(
        self,
        consumer: AIOKafkaConsumer,
        start_offsets: dict[TopicPartition, int] | None,
        from_time: datetime | None,
        from_end: bool,
    ) -> None:
        if not self.partitions:
            return
        if start_offsets is not None:
            ends = await consumer.end_offsets(self.partitions)
            for partition in self.partitions:
                consumer.seek(partition, start_offsets.get(partition, ends[partition]))
        elif from_time is not None:
            ms = int(from_time.timestamp() * 1000)
            found = await consumer.offsets_for_times({p: ms for p in self.partitions})
            ends = await consumer.end_offsets(self.partitions)
            for partition in self.partitions:
                hit = found.get(partition)
                consumer.seek(partition, hit.offset if hit is not None else ends[partition])
        elif from_end:  # resolved now: records produced after start() must not be missed
            for partition, offset in (await consumer.end_offsets(self.partitions)).items():
                consumer.seek(partition, offset)
        else:
            await consumer.seek_to_beginning(*self.partitions)

    async def _run(self) -> None:
        assert self._consumer is not None
        write, observer = self.writer.write_line, self.observer
        while True:
            batches = await self._consumer.getmany(timeout_ms=200, max_records=5000)
            for records in batches.values():
                for record in records:
                    write(
                        record_to_json(
                            record.topic,
                            record.partition,
                            record.offset,
                            record.key,
                            record.headers,
                            record.timestamp,
                            record.value,
                        )
                    )
                    if observer is not None:
                        observer(record)
                if records:
                    self.last_record_at = time.monotonic()

    async def caught_up(self) -> bool:
        """True when every partition has been read up to its end offset right now."""
        consumer = self._consumer
        if consumer is None or not self.partitions:
            return True
        ends = await consumer.end_offsets(self.partitions)
        for partition in self.partitions:
            if await consumer.position(partition) < ends[partition]:
                return False
        return True

    async def read_to(self, ends: Mapping[TopicPartition, int], max_s: float = 30.0) -> bool:
        """Wait until each partition has been read (and observed) up to `ends`.

        Take the end offsets with another client: this one's fetch, long-polling the
        broker, would hold the request up by up to half a second. False when `max_s`
        seconds passed first or the recording task died.
        """
        consumer = self._consumer
        if consumer is None:
            return True
        deadline = time.monotonic() + max_s
        behind = [p for p in self.partitions if ends.get(p, 0) > 0]
        while behind:
            behind = [p for p in behind if await consumer.position(p) < ends[p]]
            if behind:
                if time.monotonic() > deadline or (self._task is not None and self._task.done()):
                    return False
                await asyncio.sleep(0.002)
        return True

    async def wait_quiet(
        self,
        quiet_s: float,
        max_s: float,
        ready: Callable[[], bool] | None = None,
    ) -> bool:
        """Wait until `ready()` holds, all is read and nothing came for `quiet_s` seconds.

        False when `max_s` seconds passed first (or the recording task died).
        """
        deadline = time.monotonic() + max_s
        while time.monotonic() < deadline:
            if self._task is not None and self._task.done():
                return False
            quiet = time.monotonic() - self.last_record_at >= quiet_s
            if quiet and (ready is None or ready()) and await self.caught_up():
                return True
            await asyncio.sleep(0.2)
        return False

    async def stop(self) -> None:
        """Stop reading (the caller closes the writer). Raises what the recording task hit."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._consumer is not None:
            await self._consumer.stop()
            self._consumer = None

    async def finish(self, quiet_s: float = 1.5, max_s: float = 30.0) -> bool:
        """Wait (bounded) until the bus is quiet, stop, and close the log with its end line."""
        try:
            return await self.wait_quiet(quiet_s, max_s)
        finally:
            await self.close()

    async def close(self) -> None:
        """Stop reading and close the log (its end line is written)."""
        try:
            await self.stop()
        finally:
            self.writer.close()


async def start_recording(
    bootstrap: str,
    path: Path,
    header: LogHeader,
    *,
    start_offsets: dict[TopicPartition, int] | None = None,
    from_time: datetime | None = None,
    from_end: bool = False,
    observer: RecordObserver | None = None,
) -> Recorder:
    """Open the log at `path` with `header` and start recording `header.topics` into it."""
    writer = EventLogWriter(path, header)
    recorder = Recorder(bootstrap, writer, header.topics, observer)
    try:
        await recorder.start(start_offsets=start_offsets, from_time=from_time, from_end=from_end)
    except BaseException:
        writer.close()
        raise
    return recorder
