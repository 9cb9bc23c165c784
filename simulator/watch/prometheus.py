"""A real Prometheus server for a run: started on loopback, pointed at the run, stopped after.

The binary is Debian's `prometheus` package (`/usr/bin/prometheus`, or `PORTALSIM_PROMETHEUS`).
Its configuration, data and log live in the run's folder (`<out>/prometheus/`). Each run of
the command (the scenario, then each variant) gets its own targets: the configuration is
rewritten and reloaded (`POST /-/reload`). `query` asks its HTTP API (`/api/v1/query`).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from simulator.system.processes import free_port
from simulator.watch.scrape_config import scrape_config

__all__ = ["PrometheusError", "PrometheusServer", "prometheus_binary"]

BINARY_ENV = "PORTALSIM_PROMETHEUS"


class PrometheusError(RuntimeError):
    """Prometheus is missing, did not start, or did not answer."""


def prometheus_binary() -> str:
    """The Prometheus executable: `$PORTALSIM_PROMETHEUS`, else `prometheus` on the PATH."""
    found = os.environ.get(BINARY_ENV) or shutil.which("prometheus")
    if not found or not os.access(found, os.X_OK):
        raise PrometheusError(
            "prometheus not found: install it (apt-get install prometheus) "
            f"or set {BINARY_ENV} to its path"
        )
    return found


@dataclass
class PrometheusServer:
    """One Prometheus process whose files are under `folder`."""

    folder: Path
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    client: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=5.0))

    @property
    def url(self) -> str:
        """The server's base URL."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def config_file(self) -> Path:
        """The scrape configuration it reads."""
        return self.folder / "prometheus.yml"

    def start(self, targets: Mapping[str, str], run: str, timeout_s: float = 60.0) -> None:
        """Start scraping these targets (service -> URL); return once it is ready."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.config_file.write_text(scrape_config(targets, run), encoding="utf-8")
        self.port = self.port or free_port()
        log = (self.folder / "prometheus.log").open("ab")
        command = [
            prometheus_binary(),
            f"--config.file={self.config_file}",
            f"--storage.tsdb.path={self.folder / 'data'}",
            f"--web.listen-address=127.0.0.1:{self.port}",
            "--web.enable-lifecycle",
        ]
        self.process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        self._wait("/-/ready", timeout_s)

    def retarget(self, targets: Mapping[str, str], run: str) -> None:
        """Scrape these targets from now on (the configuration rewritten and reloaded)."""
        self.config_file.write_text(scrape_config(targets, run), encoding="utf-8")
        self.client.post(self.url + "/-/reload").raise_for_status()

    def _wait(self, path: str, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise PrometheusError(f"prometheus exited early; see {self.folder}/prometheus.log")
            try:
                if self.client.get(self.url + path).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise PrometheusError(f"prometheus not ready after {timeout_s:.0f} s")

    def query(self, promql: str) -> list[dict[str, Any]]:
        """The result vector of an instant query: [{"metric": {...}, "value": [t, "v"]}]."""
        response = self.client.get(self.url + "/api/v1/query", params={"query": promql})
        response.raise_for_status()
        answer: dict[str, Any] = response.json()
        if answer.get("status") != "success":
            raise PrometheusError(f"{promql}: {answer.get('error')}")
        result: list[dict[str, Any]] = answer["data"]["result"]
        return result

    def stop(self, timeout_s: float = 15.0) -> None:
        """SIGTERM, then SIGKILL after `timeout_s`."""
        process, self.process = self.process, None
        self.client.close()
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
