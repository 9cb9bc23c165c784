"""The simulated clock: how far the simulator has seen every ID-card application taken.

The national portal's ID-card line (Public Security's card production, procedure 2)
serves cards in the order they were ready, in simulated time. A card is ready when its
application has been verified; the portal holds it until the simulator says that every
application received before a moment has been taken, so no card ready earlier can still
come (a watermark, as stream processors have). The simulator publishes this event from
the dossiers' statuses it observes; a replay publishes the recorded ones again.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import AwareDatetime, BaseModel, Field

from contracts.payload_types import FROZEN

__all__ = ["CLOCK_KEY", "SimulatedClockAdvanced"]

#: The key of every clock event (one clock, one partition: its events stay in order).
CLOCK_KEY = "simulated"


class SimulatedClockAdvanced(BaseModel):
    """Every ID-card application received before `until` has been decided or taken by the
    national portal (with `final`: every application of the demand, whenever received)."""

    model_config = FROZEN
    VERSION: ClassVar[int] = 1

    clock: str = Field(CLOCK_KEY, max_length=40, description="The clock; the topic's key.")
    run: str = Field(min_length=1, max_length=100, description="The run (or replay) it belongs to.")
    until: AwareDatetime = Field(
        description="Simulated time before which every ID-card application has been taken "
        "(or decided without the national portal)."
    )
    final: bool = Field(
        False,
        description="The end of the demand: every application handed in, whenever received, "
        "has been taken or decided (sent once all are, or after the run's settle timeout).",
    )
    id_cards_taken: int = Field(
        ge=0,
        description="ID-card applications (procedure 2, not linked steps) received before "
        "`until` (every one when `final`) that the simulator saw the national portal take: a "
        "consumer that has taken fewer waits for the others before it acts on the event.",
    )
