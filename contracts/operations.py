"""Operations events: what an official changed in a running service, and when.

A service's run-time policies and its consumption (paused for an outage fault) change
through its operations API (`/ops/...`, docs/operations.md); each change is published
on `service.policy.changed`, so an event log shows when the policies changed and a
replay applies them at the same point.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, ClassVar

from pydantic import BaseModel, Field

from contracts.payload_types import FROZEN

__all__ = ["OperationKind", "ServicePolicyChanged"]


class OperationKind(StrEnum):
    """What an operations request changed."""

    POLICIES = "policies"
    RESET = "reset"
    PAUSED = "paused"
    RESUMED = "resumed"


class ServicePolicyChanged(BaseModel):
    """A running service's policies or consumption changed through its operations API."""

    model_config = FROZEN
    VERSION: ClassVar[int] = 1

    service: str = Field(min_length=1, max_length=40, description="The service; the key.")
    replica: str = Field(max_length=200, description="The replica that took the request.")
    kind: OperationKind = Field(description="policies, reset (to its defaults), paused, resumed.")
    changed: dict[str, Any] = Field(
        default_factory=dict, description="The policy fields this request set, with their values."
    )
    in_force: dict[str, Any] = Field(
        description="Every run-time policy of the service after the change (JSON values)."
    )
    consuming: bool = Field(description="Whether the service consumes its topics after it.")
