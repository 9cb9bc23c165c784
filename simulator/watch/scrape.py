"""Reading services' `/metrics`: the Prometheus text format parsed into plain numbers.

`MetricsText` keys each sample by its name and labels; `total` adds up the samples
of one name that carry the given labels. `scrape_all` asks every service at once and
keeps, for one that does not answer, nothing (the page shows it as unknown).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field

import httpx
from prometheus_client.parser import text_string_to_metric_families

__all__ = ["MetricsText", "parse_metrics", "scrape_all"]


@dataclass(frozen=True)
class MetricsText:
    """The samples of one exposition: (name, sorted label pairs) -> value."""

    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float] = field(default_factory=dict)
    text: str = ""

    def total(self, name: str, **labels: str) -> float:
        """The sum of the samples called `name` whose labels include these."""
        wanted = set(labels.items())
        return sum(
            value
            for (sample, pairs), value in self.samples.items()
            if sample == name and wanted <= set(pairs)
        )

    def by_label(self, name: str, label: str) -> dict[str, float]:
        """The samples called `name`, added up per value of one label."""
        found: dict[str, float] = {}
        for (sample, pairs), value in self.samples.items():
            if sample != name:
                continue
            key = dict(pairs).get(label)
            if key is not None:
                found[key] = found.get(key, 0.0) + value
        return found


def parse_metrics(text: str) -> MetricsText:
    """The samples of a Prometheus text exposition."""
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return MetricsText(samples, text)


async def scrape_all(
    client: httpx.AsyncClient, urls: Mapping[str, str], timeout_s: float = 2.0
) -> dict[str, MetricsText]:
    """Every service's metrics (by name); a service that does not answer is left out."""

    async def one(name: str, url: str) -> tuple[str, MetricsText | None]:
        try:
            response = await client.get(url.rstrip("/") + "/metrics", timeout=timeout_s)
            response.raise_for_status()
        except httpx.HTTPError:
            return name, None
        return name, parse_metrics(response.text)

    answers = await asyncio.gather(*(one(name, url) for name, url in urls.items()))
    return {name: metrics for name, metrics in answers if metrics is not None}
