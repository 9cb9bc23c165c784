"""The Prometheus scrape configuration of a run, and of the compose deployment.

One job, `portalsim`, scraping `/metrics` of the four services and of the simulator every
second, each target labelled with its `service` (and, in a run, the `run` it belongs to:
the scenario, or `scenario/variant`). `portalsim run --prometheus` writes it into the run's
folder with the services' loopback URLs; `deploy/prometheus/prometheus.yml` is the same
configuration for the compose network (`compose_config`; a unit test keeps the file in
step).
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

import yaml

__all__ = ["COMPOSE_TARGETS", "SCRAPE_INTERVAL", "compose_config", "scrape_config", "service_of"]

SCRAPE_INTERVAL = "1s"
#: The services of deploy/docker-compose.yml, by their names in the compose network.
COMPOSE_TARGETS = {
    "city_portal": "http://city_portal:8101",
    "population_db": "http://population_db:8102",
    "national_portal": "http://national_portal:8103",
    "one_stop": "http://one_stop:8104",
}
HEADER = (
    "# portalsim: Prometheus scrape configuration (simulator/watch/scrape_config.py).\n"
    "# One job scraping /metrics of every service; each target labelled with its service.\n"
)


def _host_port(url: str) -> str:
    parts = urlsplit(url)
    if parts.hostname is None:
        raise ValueError(f"{url}: no host")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{parts.hostname}:{port}"


def service_of(name: str) -> str:
    """The service of a process name: `national_portal-2` (a replica) -> `national_portal`."""
    base, dash, number = name.rpartition("-")
    return base if dash and number.isdigit() else name


def scrape_config(targets: Mapping[str, str], run: str | None = None) -> str:
    """The configuration (YAML text) scraping these targets (process name -> base URL).

    A replica (`national_portal-2`) is labelled with its service and `replica` its name.
    """
    static = []
    for name, url in targets.items():
        service = service_of(name)
        labels = {
            "service": service,
            **({"replica": name} if service != name else {}),
            **({"run": run} if run else {}),
        }
        static.append({"targets": [_host_port(url)], "labels": labels})
    config = {
        "global": {"scrape_interval": SCRAPE_INTERVAL, "scrape_timeout": SCRAPE_INTERVAL},
        "scrape_configs": [
            {"job_name": "portalsim", "metrics_path": "/metrics", "static_configs": static}
        ],
    }
    return HEADER + yaml.safe_dump(config, sort_keys=False)


def compose_config() -> str:
    """deploy/prometheus/prometheus.yml: the services of the compose network."""
    return scrape_config(COMPOSE_TARGETS)
