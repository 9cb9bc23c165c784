"""The `/healthz` endpoint every service serves."""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from services.kit.runtime import ServiceRuntime

__all__ = ["Health", "health_router"]


class Health(BaseModel):
    """Whether the service runs, and what its consumer has done."""

    service: str = Field(description="The service's name.")
    status: str = Field(description="ok, or starting (also while it stops).")
    consumer: dict[str, int] = Field(
        description="Records handled, duplicates skipped, dead letters, bad signatures."
    )


def health_router(runtime: ServiceRuntime) -> APIRouter:
    """`GET /healthz`: 200 once the consumer runs, 503 while starting or stopping."""
    router = APIRouter(tags=["health"])

    @router.get(
        "/healthz",
        summary="Liveness and readiness of the service",
        responses={503: {"model": Health, "description": "Starting or stopping."}},
    )
    async def healthz(response: Response) -> Health:
        ready = runtime.ready.is_set()
        response.status_code = 200 if ready else 503
        return Health(
            service=str(runtime.service),
            status="ok" if ready else "starting",
            consumer=dict(runtime.messaging.stats),
        )

    return router
