"""A replay's run-time policies, through the operations API: one rule for every replay.

A replayed system starts with every run-time policy at its default, as `portalsim run`
starts one (`simulator.run.operations`). The replay's scenario's policies are set before
the first input; each recorded `service.policy.changed` is done again at its point of
the stream, except on the policies the replay sets itself (`--policy`, or those another
`--scenario` sets otherwise: a recorded change leaves them as the replay set them, a
recorded reset puts them back); every service is reset to its defaults at the end. A
change the system cannot apply stops the replay (`PoliciesNotAppliedError`, naming it).
The whole-system replay (`session`) and the replay into one service (`alone`) both go
this way.
"""

from __future__ import annotations

import asyncio
import bisect
from collections.abc import Mapping, Sequence
from typing import Any

from contracts.operations import OperationKind, ServicePolicyChanged
from simulator.eventlog.format import LogRecord
from simulator.replay.inputs import Input
from simulator.replay.replayer import ChangeApplier
from simulator.run.operations import Operations
from simulator.scenarios.scenario import Scenario
from simulator.system.settings import service_settings, wanted_policies

__all__ = ["ChangePoints", "ReplayedPolicies", "replay_policies"]

ByService = dict[str, dict[str, Any]]


def replay_policies(
    scenario: Scenario | None, logged: Scenario | None
) -> tuple[ByService, ByService]:
    """Each service's run-time policies under the replay's scenario (none without), and
    the replay's own among them: those that differ from the recorded run's (`logged`,
    the log's own scenario; all of them when the log has none)."""
    if scenario is None:
        return {}, {}
    wanted = wanted_policies(service_settings(scenario, scenario.policies))
    if logged is None:
        return wanted, wanted
    recorded = wanted_policies(service_settings(logged, logged.policies))
    own = {
        service: {n: v for n, v in values.items() if recorded[service].get(n) != v}
        for service, values in wanted.items()
    }
    return wanted, own


class ReplayedPolicies:
    """The policies of one replay into the services at `urls` (see the module).

    `changes`: how many recorded changes the replay will do again; with none and no
    policy wanted, nothing is done at all (a log without operations into a system
    without an official token)."""

    def __init__(
        self,
        urls: Mapping[str, str],
        token: str | None,
        wanted: Mapping[str, Mapping[str, Any]],
        own: Mapping[str, Mapping[str, Any]],
        changes: int,
    ) -> None:
        self.ops = Operations(urls, token)
        self.wanted = {name: dict(v) for name, v in wanted.items() if name in self.ops.urls}
        self.own = own
        self.operated = bool(self.wanted) or changes > 0

    async def start(self) -> None:
        """Set the wanted policies and read them back (or the replay does not start)."""
        if self.operated:
            await self.ops.apply(self.wanted)

    async def redo(self, change: ServicePolicyChanged) -> None:
        """Do a recorded change again (the replay's own policies stay)."""
        await self.ops.redo(change, self.own.get(change.service, {}))

    async def restore(self) -> None:
        """Every service back to its defaults, consuming."""
        if self.operated:
            await self.ops.restore()

    async def close(self) -> None:
        """Close the HTTP client."""
        await self.ops.close()


class ChangePoints:
    """The recorded policy changes of a replay into one service (`alone`), each done at
    its point of the service's stream, where the HTTP inputs and the feed meet:

    - the HTTP inputs recorded before it have been answered (the `Replayer` reached it:
      `reached`, which returns once the change is done);
    - the records recorded before it have been fed (the `Feeder` stops at it);
    - the service has published as many outputs as it had when the change was recorded,
      or (a changed service says otherwise) it is quiet; while it is paused, nothing is
      waited for (it cannot answer until a recorded resume);
    - then the change is done again (`redo`), and only then do the inputs and the records
      recorded after it go.
    """

    def __init__(
        self, changes: list[Input], redo: ChangeApplier, outputs: Sequence[LogRecord]
    ) -> None:
        self.changes = changes
        self.redo = redo
        self.done = 0
        self.paused = False
        positions = sorted((record.timestamp, record.line) for record in outputs)
        #: for each change, how many outputs the service had published before it
        self.outputs_before = [
            bisect.bisect_left(positions, (change.timestamp, change.line)) for change in changes
        ]
        self._reached = [asyncio.Event() for _ in changes]
        self._applied = [asyncio.Event() for _ in changes]
        self._reached_count = 0

    @property
    def pending(self) -> bool:
        """Whether a change is still to be done."""
        return self.done < len(self.changes)

    def before(self, record: LogRecord) -> bool:
        """Whether the next change was recorded before `record` (it goes first)."""
        if not self.pending:
            return False
        change = self.changes[self.done]
        return (change.timestamp, change.line) < (record.timestamp, record.line)

    def inputs_in(self) -> bool:
        """Whether the HTTP inputs recorded before the next change have been answered."""
        return self.pending and self._reached[self.done].is_set()

    async def take(self) -> None:
        """Do the next change again (its inputs answered: `inputs_in`)."""
        index = self.done
        change = self.changes[index].payload
        assert isinstance(change, ServicePolicyChanged)
        await self.redo(change)
        if change.kind is OperationKind.PAUSED:
            self.paused = True
        elif change.kind is OperationKind.RESUMED:
            self.paused = False
        self.done += 1
        self._applied[index].set()

    async def reached(self, change: ServicePolicyChanged) -> None:
        """The `Replayer`'s side: the inputs before the next change are answered; returns
        once the change is done."""
        index = self._reached_count
        self._reached_count += 1
        self._reached[index].set()
        await self._applied[index].wait()
