"""The operations API every service mounts: its run-time policies and its consumption.

Only an official token passes (`official_token_hashes`; else 401). Routes:

- `GET /ops/policies`: the policies in force, the defaults (what the service started
  with), and whether it consumes;
- `PATCH /ops/policies`: change some (the body names only run-time policies; a value the
  service cannot take: 422 naming the field);
- `POST /ops/policies/reset`: back to the defaults;
- `POST /ops/consumption/pause`, `POST /ops/consumption/resume`: the outage fault.

Every change is published on `service.policy.changed` (`contracts.operations`) through
the outbox, so it is in the event log at the point it took effect.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, Field, ValidationError

from contracts.envelope import utc_now
from contracts.operations import OperationKind, ServicePolicyChanged
from services.kit.http_types import BODY_REFUSALS, refusals
from services.kit.policies import LivePolicies, PolicyRefusedError, policy_patch_model
from services.kit.public_api import official_check
from services.kit.runtime import ServiceRuntime

__all__ = ["OperationsState", "mount_operations", "operations_router"]


class OperationsState(BaseModel):
    """What is in force in the service that answers."""

    service: str = Field(description="The service.")
    replica: str = Field(description="The replica that answered.")
    consuming: bool = Field(description="False while its consumption is paused.")
    in_force: dict[str, Any] = Field(description="Each run-time policy and its value now.")
    defaults: dict[str, Any] = Field(description="Each run-time policy as the service started.")


def _refusal(fields: list[str], message: str) -> HTTPException:
    detail = [{"loc": ["body", name], "msg": message, "type": "value_error"} for name in fields]
    return HTTPException(422, detail=detail)


def _refused_fields(error: ValidationError, given: set[str]) -> list[str]:
    named = {str(e["loc"][0]) for e in error.errors() if e["loc"]}
    return sorted(named & given) or sorted(given)


def operations_router(runtime: ServiceRuntime, live: LivePolicies[Any]) -> APIRouter:
    """The `/ops` routes of a service whose policies `live` holds."""
    router = APIRouter(
        prefix="/ops",
        tags=["operations"],
        dependencies=[Depends(official_check(runtime.settings))],
        responses=refusals(401),
    )
    messaging = runtime.messaging
    replica = runtime.settings.replica or str(runtime.service)
    patch_model = policy_patch_model(type(live.settings))

    def state() -> OperationsState:
        return OperationsState(
            service=str(runtime.service),
            replica=replica,
            consuming=messaging.gate.consuming,
            in_force=live.in_force(),
            defaults=live.default_values(),
        )

    async def published(kind: OperationKind, changed: dict[str, Any]) -> OperationsState:
        now = state()
        event = ServicePolicyChanged(
            service=now.service,
            replica=replica,
            kind=kind,
            changed=changed,
            in_force=now.in_force,
            consuming=now.consuming,
        )
        record = messaging.factory.record(
            "service.policy.changed",
            event,
            event_id=str(uuid.uuid4()),
            correlation_id=str(uuid.uuid4()),
            simtime=utc_now(),
        )
        await messaging.publish_input([record])
        return now

    @router.get("/policies", summary="The run-time policies in force, and the defaults")
    async def get_policies() -> OperationsState:
        return state()

    async def patch_policies(body: BaseModel) -> OperationsState:
        changes = body.model_dump(exclude_unset=True, exclude_none=True)  # null: unchanged
        try:
            live.change(changes)
        except ValidationError as exc:
            raise _refusal(
                _refused_fields(exc, set(changes)), str(exc.errors()[0]["msg"])
            ) from None
        except PolicyRefusedError as exc:
            raise _refusal([exc.field], exc.reason) from None
        in_force = live.in_force()
        return await published(OperationKind.POLICIES, {name: in_force[name] for name in changes})

    # the body's model is the service's own policies, built at run time
    patch_policies.__annotations__["body"] = patch_model
    router.patch(
        "/policies",
        summary="Change run-time policies (each change is an event)",
        responses=refusals(
            *BODY_REFUSALS,
            why={
                422: "A field that is no run-time policy, or a value the "
                "service cannot take: each error's `loc` names the field."
            },
        ),
    )(patch_policies)

    @router.post("/policies/reset", summary="Every run-time policy back to its default")
    async def reset_policies() -> OperationsState:
        live.reset()
        return await published(OperationKind.RESET, {})

    @router.post("/consumption/pause", summary="Stop consuming (the outage fault)")
    async def pause() -> OperationsState:
        messaging.gate.pause()
        return await published(OperationKind.PAUSED, {})

    @router.post("/consumption/resume", summary="Consume again")
    async def resume() -> OperationsState:
        messaging.gate.resume()
        return await published(OperationKind.RESUMED, {})

    return router


def mount_operations(runtime: ServiceRuntime) -> LivePolicies[Any]:
    """Mount the `/ops` routes on the service's HTTP API; its live policies, for listeners."""
    live: LivePolicies[Any] = LivePolicies(runtime.settings)
    runtime.http.include_router(operations_router(runtime, live))
    return live
