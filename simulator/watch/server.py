"""The simulator's own web app: the live page, its server-sent events, and `/metrics`.

It runs on loopback in a thread of its own (uvicorn with its own event loop), so it
outlives each run of a command (the scenario, its variants) and can stay up after the
last (`--live-hold`). The run publishes a snapshot a second (`publish`); the app only
serves the latest: `GET /` the page, `GET /events` the snapshots as server-sent events,
`GET /snapshot` the latest as JSON, `GET /metrics` the simulator's metrics.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator
from importlib import resources
from typing import Any

import orjson
import uvicorn
from fastapi import FastAPI, Response
from fastapi.responses import HTMLResponse, StreamingResponse

from simulator.system.processes import free_port
from simulator.watch.sim_metrics import SimulatorMetrics

__all__ = ["WatchServer"]

ASSETS = resources.files("simulator.watch") / "assets"
MEDIA_TYPES = {"live.js": "text/javascript", "live.css": "text/css"}


class WatchServer:
    """The app and its server thread; `publish` hands it the figures of the moment."""

    def __init__(self, port: int = 0, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = port or free_port()
        self.snapshot: dict[str, Any] | None = None
        self.version = 0
        self.finished = False
        self.metrics = SimulatorMetrics(lambda: self.snapshot)
        self.app = self._app()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The page's address."""
        return f"http://{self.host}:{self.port}/"

    def publish(self, snapshot: dict[str, Any], finished: bool = False) -> None:
        """The figures now (from the run's thread); `finished`: the run is over."""
        self.snapshot = {**snapshot, "finished": finished}
        self.finished = finished
        self.version += 1

    def _app(self) -> FastAPI:
        app = FastAPI(title="portalsim live", docs_url=None, redoc_url=None, openapi_url=None)

        @app.get("/", response_class=HTMLResponse)
        async def page() -> HTMLResponse:
            return HTMLResponse((ASSETS / "live.html").read_text(encoding="utf-8"))

        @app.get("/assets/{name}")
        async def asset(name: str) -> Response:
            if name not in MEDIA_TYPES:
                return Response(status_code=404)
            body = (ASSETS / name).read_bytes()
            return Response(body, media_type=MEDIA_TYPES[name])

        @app.get("/snapshot")
        async def snapshot() -> Response:
            return Response(orjson.dumps(self.snapshot), media_type="application/json")

        @app.get("/events")
        async def events() -> StreamingResponse:
            return StreamingResponse(self._stream(), media_type="text/event-stream")

        @app.get("/metrics")
        async def metrics() -> Response:
            return Response(self.metrics.exposition(), media_type="text/plain; version=0.0.4")

        return app

    async def _stream(self) -> AsyncIterator[bytes]:
        sent = -1
        while self._server is not None and not self._server.should_exit:
            if self.version != sent and self.snapshot is not None:
                sent = self.version
                yield b"data: " + orjson.dumps(self.snapshot) + b"\n\n"
            await asyncio.sleep(0.2)

    def start(self, timeout_s: float = 15.0) -> None:
        """Serve in a thread of its own; return once it listens."""
        config = uvicorn.Config(
            self.app,
            host=self.host,
            port=self.port,
            log_level="warning",
            log_config=None,
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=2,
        )
        self._server = server = uvicorn.Server(config)
        self._thread = threading.Thread(target=server.run, name="portalsim-watch", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"the live page could not listen on {self.host}:{self.port}")
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop serving (open event streams end)."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)
