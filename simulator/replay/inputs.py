"""A log's inputs: what entered the system from outside, in the order it entered.

- accounts: `account.registered` (kind, person, client_ref);
- online dossiers: `dossier.submitted` with channel online from the city portal;
- desk dossiers: `desk.dossier.received` (also those whose scan later failed);
- injected dossiers: `dossier.submitted` published by the simulator itself;
- policy changes: `service.policy.changed` (an official changed a service's policies or
  paused/resumed its consumption through its operations API); a replay applies each at
  the same point of the stream, every one of them (one per replica that took it);
- the simulated clock: `simulated.clock.advanced` (the run's watermark for the ID-card
  line, published by the simulator); a replay publishes each again at its point of the
  stream (not when the inputs are filtered: the counts it carries would not be reached).

Everything else (statuses, checks, routings, settlements, linked steps, desk
submissions after digitisation) the services produce again themselves. Inputs are in
wall order (Kafka timestamp, then line); the desk dossiers of one unit keep the order
the desk took them in (from `desk.queue.changed`), which decides their queue; the online
dossiers of one unit and day keep the order of their codes, which is the order the city
portal took them in (dossiers held for an account are published later, together, in
code order, but two records of one millisecond are logged in no set order).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError

from contracts.clock_events import SimulatedClockAdvanced
from contracts.dossier_codes import parse_dossier_code
from contracts.events import AccountRegistered, DeskDossierReceived, DossierSubmitted
from contracts.operations import ServicePolicyChanged
from simulator.eventlog.format import EventLogError, LogRecord

__all__ = ["Input", "InputFilter", "Inputs", "extract_inputs"]

SIMULATOR_SOURCE = "/portalsim/simulator"
CITY_PORTAL_SOURCE = "/portalsim/city_portal"


@dataclass(frozen=True)
class Input:
    """One input: `kind` is account, online, desk, injected, policy or clock; `payload` its
    data."""

    kind: str
    line: int
    timestamp: int
    key: str
    payload: (
        AccountRegistered
        | DossierSubmitted
        | DeskDossierReceived
        | ServicePolicyChanged
        | SimulatedClockAdvanced
    )
    record: LogRecord

    @property
    def simtime(self) -> datetime | None:
        """Simulated time of a dossier input (none for accounts)."""
        return getattr(self.payload, "received_simtime", None)

    @property
    def procedure_code(self) -> str | None:
        """Procedure of a dossier input (none for accounts)."""
        return getattr(self.payload, "procedure_code", None)


@dataclass(frozen=True)
class InputFilter:
    """Which dossier inputs to replay: a procedure, a simulated-time window."""

    procedure_code: str | None = None
    from_simtime: datetime | None = None
    to_simtime: datetime | None = None

    def keeps(self, item: Input) -> bool:
        """True for an input the filter lets through (accounts are decided separately)."""
        if self.procedure_code is not None and item.procedure_code != self.procedure_code:
            return False
        moment = item.simtime
        if moment is not None and self.from_simtime is not None and moment < self.from_simtime:
            return False
        return not (
            moment is not None and self.to_simtime is not None and moment >= self.to_simtime
        )

    @property
    def active(self) -> bool:
        """True when it filters anything."""
        return any(v is not None for v in (self.procedure_code, self.from_simtime, self.to_simtime))


@dataclass
class Inputs:
    """A log's inputs in replay order, and what could not be replayed."""

    items: list[Input] = field(default_factory=list)
    unreplayable: list[str] = field(default_factory=list)

    def count(self, kind: str) -> int:
        """Inputs of one kind."""
        return sum(1 for item in self.items if item.kind == kind)

    @property
    def dossier_ids(self) -> set[str]:
        """Ids of the dossiers the inputs submit (the roots a replay's diff covers)."""
        return {item.key for item in self.items if item.kind not in NOT_DOSSIERS}


NOT_DOSSIERS = frozenset({"account", "policy", "clock"})

_MODELS: dict[str, Any] = {
    "account.registered": AccountRegistered,
    "service.policy.changed": ServicePolicyChanged,
    "dossier.submitted": DossierSubmitted,
    "desk.dossier.received": DeskDossierReceived,
    "simulated.clock.advanced": SimulatedClockAdvanced,
}


def _classify(record: LogRecord, path: str) -> Input | None:
    model = _MODELS.get(record.topic)
    if model is None or record.value is None:
        return None
    try:
        payload = model.model_validate(record.value.get("data"))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in ("data", *first["loc"]))
        message = f"input on {record.topic} is not a valid payload: {where}: {first['msg']}"
        raise EventLogError(path, record.line, message, "bad_envelope") from None
    source = record.value.get("source")
    if isinstance(payload, AccountRegistered):
        kind, key = "account", payload.account_id
    elif isinstance(payload, ServicePolicyChanged):
        kind, key = "policy", f"{payload.service}@{record.line}"
    elif isinstance(payload, SimulatedClockAdvanced):
        kind, key = "clock", f"clock@{record.line}"
    elif isinstance(payload, DeskDossierReceived):
        kind, key = "desk", payload.dossier_id
    elif source == SIMULATOR_SOURCE:
        kind, key = "injected", payload.dossier_id
    elif payload.channel == "online" and source == CITY_PORTAL_SOURCE:
        kind, key = "online", payload.dossier_id
    else:
        return None
    return Input(kind, record.line, record.timestamp, key, payload, record)


def _reordered(
    items: list[Input],
    group_of: Callable[[Input], Hashable | None],
    rank: Callable[[Input], tuple[Any, ...]],
) -> list[Input]:
    """Each group's inputs moved into the group's own order (`rank`), in the places the
    group held; inputs of no group (None) untouched."""
    slots: dict[Hashable, list[int]] = {}
    for index, item in enumerate(items):
        group = group_of(item)
        if group is not None:
            slots.setdefault(group, []).append(index)
    result = list(items)
    for positions in slots.values():
        in_order = sorted((items[i] for i in positions), key=rank)
        for position, item in zip(positions, in_order, strict=True):
            result[position] = item
    return result


def _desk_unit(item: Input) -> str | None:
    return item.payload.unit_code if item.kind == "desk" else None  # type: ignore[union-attr]


def _online_unit_day(item: Input) -> tuple[str, date] | None:
    """An online dossier's unit and day, from its code (one that is not a dossier code
    belongs to no group: it keeps its wall order)."""
    if item.kind != "online":
        return None
    try:
        code = parse_dossier_code(item.payload.dossier_code)  # type: ignore[union-attr]
    except ValueError:
        return None
    return code.unit_code, code.received


def extract_inputs(
    records: Iterable[LogRecord], path: str, selection: InputFilter | None = None
) -> Inputs:
    """The inputs of a log's records, filtered; duplicates (same key) count once."""
    found: dict[tuple[str, str], Input] = {}
    desk_order: dict[str, int] = {}
    for record in records:
        if record.topic == "desk.queue.changed":
            dossier_id = record.data.get("dossier_id")
            if isinstance(dossier_id, str):
                desk_order.setdefault(dossier_id, len(desk_order))
            continue
        item = _classify(record, path)
        if item is not None:
            found.setdefault((item.kind, item.key), item)
    ordered = sorted(found.values(), key=lambda it: (it.timestamp, it.line))
    ordered = _reordered(
        ordered, _desk_unit, lambda it: (desk_order.get(it.key, len(desk_order)), it.timestamp)
    )
    ordered = _reordered(ordered, _online_unit_day, lambda it: (it.payload.dossier_code,))  # type: ignore[union-attr]
    return _select(ordered, selection or InputFilter())


def _account_of(item: Input) -> str | None:
    return getattr(item.payload, "account_id", None) if item.kind == "online" else None


def _select(ordered: list[Input], selection: InputFilter) -> Inputs:
    """The dossiers the filter keeps, with the accounts they need (all accounts unfiltered)."""
    accounts = {it.key for it in ordered if it.kind == "account"}
    chosen = {
        id(it)
        for it in ordered
        if it.kind == "policy"
        or (it.kind == "clock" and not selection.active)
        or (it.kind not in {"account", "clock"} and selection.keeps(it))
    }
    needed = {_account_of(it) for it in ordered if id(it) in chosen} - {None}
    keep_accounts = needed if selection.active else accounts
    result = Inputs()
    for item in ordered:
        if item.kind == "account":
            if item.key in keep_accounts:
                result.items.append(item)
        elif id(item) in chosen:
            account = _account_of(item)
            if item.kind == "online" and account is None:
                result.unreplayable.append(f"dossier {item.key}: submitted online without account")
                continue
            if account is not None and account not in accounts:
                result.unreplayable.append(
                    f"dossier {item.key}: account {account} is not in the log"
                )
                continue
            result.items.append(item)
    return result
