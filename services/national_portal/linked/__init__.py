"""Linked groups (thủ tục liên thông): one dossier that stands for several procedures.

A citizen hands in one **parent dossier** for a linked procedure; the national portal
settles it by running its **steps** one after another, each a dossier of its own with an
id derived from the parent's (`contracts.dossier_ids.step_dossier_id`):

- procedure 15 (birth, permanent residence, child's health-insurance card): the city
  portal registers the birth, the population database gives the child an ID number,
  public security registers the child's residence, social insurance issues the card;
- procedure 16 (death, deletion of permanent residence, funeral allowance): the city
  portal registers the death, then public security and labour settle the other two.

A step with a catalogue procedure is published as a `dossier.submitted` (channel
`linked`) and settled wherever that procedure is settled; a step without one is decided
here by its adapter. The parent is `awaiting_steps` until every step is approved (then
approved, document prefix `LT`) or one is rejected (then rejected for that reason).

Modules, all pure:

- `state`: the group's state (`GroupState`, `StepState`), stored as JSON;
- `transitions`: the state machine (`start_group`, `step_settled`, `child_registered`);
- `steps`: what a step's dossier is made of, derived from the parent;
- `orchestrator`: `carry_out` turns a transition's actions into the events to publish.
"""

from services.national_portal.linked.orchestrator import MissingAdapterError, carry_out
from services.national_portal.linked.state import GroupState, StepState, StepStatus
from services.national_portal.linked.transitions import (
    Allocate,
    Transition,
    child_registered,
    start_group,
    step_settled,
)

__all__ = [
    "Allocate",
    "GroupState",
    "MissingAdapterError",
    "StepState",
    "StepStatus",
    "Transition",
    "carry_out",
    "child_registered",
    "start_group",
    "step_settled",
]
