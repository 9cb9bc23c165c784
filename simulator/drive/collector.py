"""Reading every topic of the system during a run into `Observations`.

An aiokafka consumer without a group, assigned every partition and starting at the
end offsets taken before the run, so a shared broker's older events are not counted.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import ConsumerRecord

from contracts.topics import DEADLETTER_PREFIX, all_topic_names
from services.kit.kafka_access import simulator_access
from services.kit.topics_admin import topic_partitions
from simulator.drive.observations import Observations, Settlement, Submission
from simulator.eventlog.statuses import status_changes

__all__ = ["EventCollector"]


def _settlement(event: dict[str, Any], wall_ms: int) -> Settlement:
    data = event["data"]
    return Settlement(
        event_id=event["id"],
        dossier_id=data["dossier_id"],
        dossier_code=data["dossier_code"],
        procedure_code=data["procedure_code"],
        channel=data["channel"],
        received_unit=data["received_unit"],
        parent_dossier_id=data.get("parent_dossier_id"),
        outcome=data["outcome"],
        settled_by=data["settled_by"],
        reason_code=data.get("reason_code"),
        reason_text=data.get("reason_text"),
        result_document_number=data.get("result_document_number"),
        working_days_taken=float(data["working_days_taken"]),
        legal_limit_days=data.get("legal_limit_days"),
        within_legal_limit=data.get("within_legal_limit"),
        received_simtime=data["received_simtime"],
        settled_simtime=data["settled_simtime"],
        wall_ms=wall_ms,
    )


class EventCollector:
    """Consumes all topics in the background and keeps `observations` current."""

    def __init__(self, bootstrap: str, observations: Observations | None = None) -> None:
        self.bootstrap = bootstrap
        self.observations = observations or Observations()
        self.topics = all_topic_names()
        self._consumer: AIOKafkaConsumer | None = None
        self._task: asyncio.Task[None] | None = None
        self.start_offsets: dict[TopicPartition, int] = {}

    async def start(self) -> None:
        """Assign every partition at its current end and start reading."""
        consumer = AIOKafkaConsumer(
            **simulator_access(self.bootstrap).aiokafka_options(),
            enable_auto_commit=False,
            client_id="portalsim-collector",
        )
        await consumer.start()
        known = await topic_partitions(self.bootstrap, self.topics)
        partitions = [TopicPartition(t, p) for t, numbers in known.items() for p in numbers]
        consumer.assign(partitions)
        self.start_offsets = await consumer.end_offsets(partitions)
        for partition, offset in self.start_offsets.items():
            consumer.seek(partition, offset)
        self._consumer = consumer
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        assert self._consumer is not None
        while True:
            batches = await self._consumer.getmany(timeout_ms=200, max_records=5000)
            for records in batches.values():
                for record in records:
                    try:
                        self.observe(record)
                    except (KeyError, TypeError, ValueError, AttributeError):
                        # a malformed event: its consumers dead-letter it; it is not ours to judge
                        self.observations.unreadable[record.topic] += 1

    async def stop(self) -> None:
        """Stop reading."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._consumer is not None:
            await self._consumer.stop()

    def observe(self, record: ConsumerRecord[bytes, bytes]) -> None:
        """Take one record into the observations."""
        seen = self.observations
        topic = record.topic
        seen.events_per_topic[topic] += 1
        seen.event_wall_ms.append(record.timestamp)
        if topic.startswith(DEADLETTER_PREFIX):
            headers = {k: v.decode("utf-8", "replace") for k, v in record.headers or ()}
            seen.deadletters[
                (topic[len(DEADLETTER_PREFIX) :], headers.get("deadletter.reason", "?"))
            ] += 1
            return
        try:
            event = orjson.loads(record.value or b"")
            data = event["data"]
        except (orjson.JSONDecodeError, KeyError, TypeError):
            return  # the consuming services dead-letter it; we only count it above
        changes = status_changes(topic, data, event.get("simtime"))
        if changes:
            seen.last_status[data["dossier_id"]] = (changes[-1].status, changes[-1].by)
            if any(change.status == "awaiting_card" for change in changes):
                seen.awaiting_card.add(data["dossier_id"])
        if topic == "dossier.submitted":
            dossier_id = data["dossier_id"]
            if dossier_id not in seen.submissions:
                seen.submissions[dossier_id] = Submission(
                    dossier_id=dossier_id,
                    dossier_code=data["dossier_code"],
                    procedure_code=data["procedure_code"],
                    channel=data["channel"],
                    received_unit=data["received_unit"],
                    parent_dossier_id=data.get("parent_dossier_id"),
                    wall_ms=record.timestamp,
                    received_simtime=data["received_simtime"],
                )
        elif topic == "dossier.settled":
            settlement = _settlement(event, record.timestamp)
            seen.settlements.setdefault(settlement.dossier_id, {}).setdefault(
                settlement.event_id, settlement
            )
        elif topic == "desk.queue.changed":
            seen.desk_queue.append((data["unit_code"], event["simtime"], int(data["queue_length"])))
        elif topic == "desk.dossier.received":
            seen.desk_reused[data["dossier_id"]] = len(data.get("reused_documents") or ())
        elif topic == "account.registered":
            seen.accounts[data["account_id"]] = {
                "kind": data["kind"],
                "status": data["status"],
                "reason": data.get("reason"),
            }
        elif topic == "population.record.changed":
            seen.record_changes[data["change"]] += 1
        elif topic == "identity.check.requested" and data.get("requester_kind") == "dossier":
            _checking(seen, str(data["requester_id"]))


#: The statuses a dossier has before its identity checks are asked.
_BEFORE_CHECKS = ("received", "digitising")


def _checking(seen: Observations, dossier_id: str) -> None:
    """A dossier's identity check asked: it is in `identity_check` (the city portal keeps
    that status for the dossier's next event, docs/flow.md), unless seen further on."""
    if seen.last_status.get(dossier_id, ("received", ""))[0] in _BEFORE_CHECKS:
        seen.last_status[dossier_id] = ("identity_check", "city_portal")
