"""The `/healthz` endpoint every service serves."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from services.kit.runtime import ServiceRuntime

__all__ = ["health_router"]


def health_router(runtime: ServiceRuntime) -> APIRouter:
    """`GET /healthz`: 200 once the consumer runs, 503 while starting or stopping."""
    router = APIRouter(tags=["health"])

    @router.get("/healthz", summary="Liveness and readiness of the service")
    async def healthz(response: Response) -> dict[str, Any]:
        ready = runtime.ready.is_set()
        response.status_code = 200 if ready else 503
        return {
            "service": str(runtime.service),
            "status": "ok" if ready else "starting",
            "consumer": dict(runtime.messaging.stats),
        }

    return router
