"""Comparing one service's outputs in two runs, event by event, matched by their cause.

An output is an event the service published (its `source` is the service). Two runs'
outputs are matched by their cause, in three passes: by event id (a follow-up's id
derives from its producer, its cause and its position among the cause's follow-ups);
then the rest by topic, cause and Kafka key (the n-th with the n-th, in partition
order), where the cause is the `causationid` (the event the output answers) or, for an
output of an HTTP input, which has none, its correlation id (the account or dossier id
of the input); then the rest by place (`simulator.eventlog.places`: the same event
caused by the other of two racing inputs). What is left is missing or extra.

Compared: the Kafka key, the envelope's `type`, `source`, `subject`, `correlationid` and
`simtime`, and the `data` field by field. Left out, because they legitimately differ
from run to run: the event `id` (it is the match), `time`, `signer` and `signature` (made
when published), dossier codes (`dossier_code`, allocated in arrival order), and the
`simtime` of an account's identity check (the city portal takes it from the wall clock).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from simulator.eventlog.format import LogRecord
from simulator.eventlog.places import Place, PlaceCounter

__all__ = [
    "COMPARED_ATTRIBUTES",
    "OUTPUT_KINDS",
    "OutputDiff",
    "OutputDifference",
    "diff_outputs",
    "procedures_of",
]

OUTPUT_KINDS = ("same", "changed", "missing", "extra")
COMPARED_ATTRIBUTES = ("type", "source", "subject", "correlationid", "simtime")
IGNORED_DATA_FIELDS = frozenset({"dossier_code"})


@dataclass(frozen=True)
class OutputDifference:
    """One output that differs: changed fields (path -> (recorded, replayed)), or on one
    side only (`missing`: recorded, not replayed; `extra`: replayed, not recorded)."""

    topic: str
    procedure: str
    kind: str
    cause: str
    key: str | None
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    data: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        """Plain JSON: changed fields as {"a": ..., "b": ...}."""
        result: dict[str, Any] = {
            "topic": self.topic,
            "procedure": self.procedure,
            "kind": self.kind,
            "cause": self.cause,
            "key": self.key,
        }
        if self.fields:
            result["fields"] = {k: {"a": a, "b": b} for k, (a, b) in self.fields.items()}
        if self.data is not None:
            result["data"] = self.data
        return result


@dataclass
class OutputDiff:
    """One service's outputs in run A (recorded) and run B (replayed), compared."""

    service: str
    a: str
    b: str
    counts: dict[tuple[str, str], Counter[str]]
    differences: list[OutputDifference]
    compared: int
    by_place: int = 0

    @property
    def identical(self) -> bool:
        """True when every output was the same."""
        return not self.differences

    def totals(self) -> Counter[str]:
        """Outputs by kind."""
        total: Counter[str] = Counter({kind: 0 for kind in OUTPUT_KINDS})
        for counts in self.counts.values():
            total.update(counts)
        return total

    def as_json(self) -> dict[str, Any]:
        """The whole diff as plain JSON."""
        return {
            "service": self.service,
            "a": self.a,
            "b": self.b,
            "identical": self.identical,
            "compared": self.compared,
            "matched_by_place": self.by_place,
            "compared_attributes": list(COMPARED_ATTRIBUTES),
            "ignored_data_fields": sorted(IGNORED_DATA_FIELDS),
            "totals": dict(self.totals()),
            "by_topic": [
                {"topic": topic, "procedure": procedure, **{k: c.get(k, 0) for k in OUTPUT_KINDS}}
                for (topic, procedure), c in sorted(self.counts.items())
            ],
            "differences": [d.as_json() for d in self.differences],
        }


def procedures_of(records: Iterable[LogRecord]) -> dict[str, str]:
    """Dossier id -> procedure code, from every record that names both."""
    found: dict[str, str] = {}
    for record in records:
        data = record.data
        dossier_id, code = data.get("dossier_id"), data.get("procedure_code")
        if isinstance(dossier_id, str) and isinstance(code, str):
            found.setdefault(dossier_id, code)
    return found


def _flat(value: Any, prefix: str, into: dict[str, Any]) -> dict[str, Any]:
    if isinstance(value, dict):
        for name, item in value.items():
            if name not in IGNORED_DATA_FIELDS:
                _flat(item, f"{prefix}.{name}" if prefix else name, into)
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            _flat(item, f"{prefix}.{index}", into)
    else:
        into[prefix] = value
    return into


def _compared(record: LogRecord) -> dict[str, Any]:
    """The compared fields of an output, flattened to dotted paths."""
    value = record.value or {}
    data = record.data
    fields: dict[str, Any] = {"key": record.key}
    for name in COMPARED_ATTRIBUTES:
        fields[name] = value.get(name)
    if record.topic == "identity.check.requested" and data.get("requester_kind") == "account":
        del fields["simtime"]
    return _flat(data, "data", fields)


def _procedure(record: LogRecord, procedures: Mapping[str, str]) -> str:
    data = record.data
    if record.topic == "account.registered" or data.get("requester_kind") == "account":
        return "account"
    code = data.get("procedure_code") or (data.get("submission") or {}).get("procedure_code")
    if isinstance(code, str):
        return code
    for name in ("dossier_id", "requester_id"):
        found = procedures.get(str(data.get(name)))
        if found is not None:
            return found
    return procedures.get(str((record.value or {}).get("correlationid")), "?")


@dataclass(frozen=True)
class _Output:
    record: LogRecord
    cause: str  # the causationid, or the correlation of an HTTP input's output
    place: Place

    @property
    def topic(self) -> str:
        return self.record.topic


def _outputs(records: Iterable[LogRecord]) -> list[_Output]:
    places = PlaceCounter()
    found = []
    for record in records:
        value = record.value or {}
        cause = value.get("causationid") or f"input {value.get('correlationid')}"
        found.append(_Output(record, str(cause), places.place(record.topic, record.key, value)))
    return found


def _match(
    a: list[_Output], b: list[_Output], key: Callable[[_Output], Hashable]
) -> tuple[list[tuple[_Output, _Output]], list[_Output], list[_Output]]:
    """Pairs of outputs with the same key (the n-th with the n-th), and the rest of each."""

    def by_key(outputs: list[_Output]) -> dict[tuple[Hashable, int], _Output]:
        found: dict[tuple[Hashable, int], _Output] = {}
        seen: Counter[Hashable] = Counter()
        for output in outputs:
            name = key(output)
            found[(name, seen[name])] = output
            seen[name] += 1
        return found

    left, right = by_key(a), by_key(b)
    both = left.keys() & right.keys()
    rest_a = [output for name, output in left.items() if name not in both]
    rest_b = [output for name, output in right.items() if name not in both]
    return [(left[name], right[name]) for name in both], rest_a, rest_b


def _pairs(
    a: list[_Output], b: list[_Output]
) -> tuple[list[tuple[_Output | None, _Output | None]], int]:
    """Outputs paired by event id (it derives from the cause), then by cause and key, then
    by place; the rest on one side only. Also how many were paired by place."""
    by_id, a, b = _match(a, b, lambda o: (o.topic, (o.record.value or {}).get("id")))
    by_cause, a, b = _match(a, b, lambda o: (o.topic, o.cause, o.record.key))
    by_place, a, b = _match(a, b, lambda o: o.place)
    pairs: list[tuple[_Output | None, _Output | None]] = [*by_id, *by_cause, *by_place]
    pairs += [(output, None) for output in a] + [(None, output) for output in b]

    def order(pair: tuple[_Output | None, _Output | None]) -> tuple[str, str, str, int]:
        output = pair[0] or pair[1]
        assert output is not None
        return (output.topic, output.cause, output.record.key or "", output.place[3])

    return sorted(pairs, key=order), len(by_place)


def _changed(left: LogRecord, right: LogRecord) -> dict[str, tuple[Any, Any]]:
    one, two = _compared(left), _compared(right)
    return {
        path: (one.get(path), two.get(path))
        for path in sorted(one.keys() | two.keys())
        if one.get(path) != two.get(path)
    }


def diff_outputs(
    recorded: Iterable[LogRecord],
    replayed: Iterable[LogRecord],
    *,
    service: str,
    procedures: Mapping[str, str],
    a_name: str = "A",
    b_name: str = "B",
) -> OutputDiff:
    """Compare the outputs (each event once, in log order) of a recorded and a replayed run."""
    pairs, by_place = _pairs(_outputs(recorded), _outputs(replayed))
    counts: dict[tuple[str, str], Counter[str]] = {}
    differences: list[OutputDifference] = []
    for left, right in pairs:
        either = left or right
        assert either is not None
        topic, cause, key = either.topic, either.cause, either.record.key
        procedure = _procedure(either.record, procedures)
        if left is None or right is None:
            kind = "extra" if left is None else "missing"
            data = either.record.data
            difference = OutputDifference(topic, procedure, kind, cause, key, data=data)
        else:
            changed = _changed(left.record, right.record)
            kind = "changed" if changed else "same"
            difference = OutputDifference(topic, procedure, kind, cause, key, changed)
        counts.setdefault((topic, procedure), Counter())[kind] += 1
        if kind != "same":
            differences.append(difference)
    return OutputDiff(service, a_name, b_name, counts, differences, len(pairs), by_place)
