"""One service's side of a recorded run: what it heard, what it said, what came over HTTP.

For a replay into one service alone (`simulator.replay.alone`), a log's records split
into:

- the **feed**: every record on a topic the service consumes (the topic registry's
  `consumers`) that another principal produced, as recorded and signed by its producer,
  in recorded order (Kafka timestamp, then line; an event redelivered counts once);
- each fed record's **trigger**: the first event of the service met when walking up its
  causation chain in the log (`causationid`, then that event's, ...), with its id and
  its place (`simulator.eventlog.places`). A record with a trigger answers something
  the service said (an identity check answering the check the city portal asked, a
  linked step's settlement answering the step the national portal submitted); one
  without is news from outside (a desk dossier digitised, a routing);
- each fed record's **replies**: how many of the service's events it caused;
- the **outputs**: the service's own events (`source` is the service), which the replay
  produces again and the output diff compares;
- the **HTTP inputs**: the log's inputs (`simulator.replay.inputs`) that entered through
  this service's HTTP API (the city portal's accounts and online dossiers, the one-stop
  desks' intakes), which the replay hands in again over HTTP, and the service's recorded
  policy changes (`service.policy.changed` about it), done again through its operations
  API at their points of the stream (`simulator.replay.policies.ChangePoints`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from contracts.topics import TOPICS, ServiceName
from simulator.eventlog.format import LogRecord
from simulator.eventlog.places import Place, PlaceCounter
from simulator.replay.inputs import Input, Inputs, extract_inputs

OPERATIONS_TOPIC = "service.policy.changed"
__all__ = [
    "HTTP_INPUTS",
    "Conversation",
    "FeedRecord",
    "conversation_of",
    "outputs_of",
    "source_of",
    "vetted",
]

#: The kinds of log inputs (`simulator.replay.inputs`) that reach each service over HTTP.
HTTP_INPUTS: dict[str, frozenset[str]] = {
    ServiceName.CITY_PORTAL: frozenset({"account", "online"}),
    ServiceName.ONE_STOP: frozenset({"desk"}),
}


def source_of(service: str) -> str:
    """The CloudEvents `source` a service writes on its events."""
    return f"/portalsim/{service}"


@dataclass(frozen=True)
class FeedRecord:
    """A record to hand the service: its position in recorded order, the id and place of
    the service's event it answers (if any), and how many events the service published
    because of it."""

    position: int
    record: LogRecord
    trigger: str | None = None
    trigger_place: Place | None = None
    replies: int = 0

    @property
    def event_id(self) -> str:
        """The recorded event's id."""
        return str((self.record.value or {}).get("id"))


@dataclass
class Conversation:
    """What one service heard and said in a recorded run (see the module's docstring)."""

    service: str
    feed: list[FeedRecord] = field(default_factory=list)
    outputs: list[LogRecord] = field(default_factory=list)
    inputs: Inputs = field(default_factory=Inputs)

    @property
    def answers(self) -> int:
        """Fed records that answer something the service said."""
        return sum(1 for item in self.feed if item.trigger is not None)


class _Causes:
    """The log's causation graph: event id -> (producer source, cause id)."""

    def __init__(self, records: list[LogRecord], own: str) -> None:
        self.own = own
        self.events: dict[str, tuple[str, str | None]] = {}
        for record in records:
            value = record.value or {}
            event_id, cause = value.get("id"), value.get("causationid")
            if isinstance(event_id, str) and event_id not in self.events:
                self.events[event_id] = (
                    str(value.get("source")),
                    cause if isinstance(cause, str) else None,
                )
        self._found: dict[str, str | None] = {}

    def trigger(self, cause: str | None) -> str | None:
        """The nearest own event on the chain that starts at `cause`, if any."""
        chain: list[str] = []
        found: str | None = None
        seen: set[str] = set()
        while cause is not None and cause not in seen:
            if cause in self._found:
                found = self._found[cause]
                break
            seen.add(cause)
            node = self.events.get(cause)
            if node is None:
                break
            if node[0] == self.own:
                found = cause
                break
            chain.append(cause)
            cause = node[1]
        for link in chain:
            self._found[link] = found
        return found


def vetted(conversation: Conversation, keeps: Callable[[LogRecord], bool]) -> Conversation:
    """The conversation without the records `keeps` refuses (forged, unreadable): they are
    neither fed nor handed in nor compared. `keeps` sees each record once."""
    feed = [item for item in conversation.feed if keeps(item.record)]
    inputs = conversation.inputs
    items = [item for item in inputs.items if keeps(item.record)]
    outputs = [record for record in conversation.outputs if keeps(record)]
    return Conversation(conversation.service, feed, outputs, Inputs(items, inputs.unreplayable))


def _once(records: Iterable[LogRecord]) -> Iterator[LogRecord]:
    """The records in order, each event once (a redelivered one is left out)."""
    seen: set[tuple[str, str]] = set()
    for record in records:
        identity = (record.topic, str((record.value or {}).get("id")))
        if identity not in seen:
            seen.add(identity)
            yield record


def outputs_of(records: Iterable[LogRecord], service: str) -> list[LogRecord]:
    """The service's own events on the topics it produces, each once, in log order (each
    partition's records in offset order). Its operations (`service.policy.changed`: what an
    operator did to it, not what it answered) are not outputs."""
    own = source_of(service)
    produced = {t.name for t in TOPICS if service in t.producers} - {OPERATIONS_TOPIC}
    return [
        record
        for record in _once(records)
        if record.topic in produced and (record.value or {}).get("source") == own
    ]


def conversation_of(records: Iterable[LogRecord], service: str, path: str) -> Conversation:
    """The service's conversation in the records of a log (read once, kept in memory).

    `EventLogError` (from the inputs) when an input record is not a valid payload.
    """
    every = [record for record in records if record.value is not None]
    own = source_of(service)
    consumed = {t.name for t in TOPICS if service in t.consumers}
    causes = _Causes(every, own)
    conversation = Conversation(service, outputs=outputs_of(every, service))
    counter, places = PlaceCounter(), {}
    for output in conversation.outputs:
        value = output.value or {}
        places[str(value.get("id"))] = counter.place(output.topic, output.key, value)
    replies = Counter(str((o.value or {}).get("causationid")) for o in conversation.outputs)
    for record in _once(sorted(every, key=lambda r: (r.timestamp, r.line))):
        value = record.value or {}
        if value.get("source") != own and record.topic in consumed:
            cause = value.get("causationid")
            trigger = causes.trigger(cause if isinstance(cause, str) else None)
            conversation.feed.append(
                FeedRecord(
                    len(conversation.feed),
                    record,
                    trigger,
                    places.get(trigger) if trigger is not None else None,
                    replies[str(value.get("id"))],
                )
            )
    kinds = HTTP_INPUTS.get(service, frozenset())
    inputs = extract_inputs(
        every if kinds else [r for r in every if r.topic == OPERATIONS_TOPIC], path
    )
    items = [item for item in inputs.items if item.kind in kinds or _changes(item, service)]
    conversation.inputs = Inputs(items, list(inputs.unreplayable))
    return conversation


def _changes(item: Input, service: str) -> bool:
    """Whether the input is a recorded policy change of the service."""
    return item.kind == "policy" and getattr(item.payload, "service", None) == service
