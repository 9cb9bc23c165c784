"""The tokens of one run: an official token (the simulator) and a token per desk.

Generated at random when the services start; the services get only their SHA-256
hashes (settings `official_token_hashes` and `desk_token_hashes`: `settings_values`),
the simulator's HTTP driver keeps the plain tokens. Against a deployment (`--against`) the tokens
come from the environment: `PORTALSIM_OFFICIAL_TOKEN` and `PORTALSIM_DESK_TOKENS`
(JSON: unit code -> token).
"""

from __future__ import annotations

import json
import os
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from contracts.units import COMMUNES, DISTRICTS
from services.kit.tokens import new_token, token_hash

__all__ = ["ALL_DESK_UNITS", "RunCredentials"]

#: Every one-stop desk: Hanoi's 30 districts and 579 communes.
ALL_DESK_UNITS = tuple(d.code for d in DISTRICTS) + tuple(c.code for c in COMMUNES)


@dataclass(frozen=True)
class RunCredentials:
    """Plain tokens of a run: the official one and one per desk unit."""

    official: str | None = None
    desks: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def generate(cls, desk_units: Iterable[str] = ALL_DESK_UNITS) -> RunCredentials:
        """Fresh random tokens: an official one and one for each of these desks."""
        return cls(new_token(), {unit: new_token() for unit in sorted(set(desk_units))})

    @classmethod
    def from_env(cls) -> RunCredentials:
        """The tokens of a deployment, from `PORTALSIM_OFFICIAL_TOKEN` and `..._DESK_TOKENS`."""
        desks = json.loads(os.environ.get("PORTALSIM_DESK_TOKENS") or "{}")
        return cls(os.environ.get("PORTALSIM_OFFICIAL_TOKEN") or None, desks)

    def desk_token(self, unit_code: str) -> str | None:
        """The token of a desk's clerks, if this run has one."""
        return self.desks.get(unit_code)

    def official_token_hashes(self) -> list[str]:
        """The hash of the official token (none when the run has no official token)."""
        return [token_hash(self.official)] if self.official else []

    def desk_token_hashes(self) -> dict[str, list[str]]:
        """Each desk unit's token hash."""
        return {unit: [token_hash(token)] for unit, token in self.desks.items()}

    def settings_values(self, fields: Collection[str]) -> dict[str, Any]:
        """The token settings among `fields` (a service's), set to these tokens' hashes.

        `official_token_hashes` (every service: its operations API) and `desk_token_hashes`
        (one_stop).
        """
        values: dict[str, Any] = {
            "official_token_hashes": self.official_token_hashes(),
            "desk_token_hashes": self.desk_token_hashes(),
        }
        return {name: value for name, value in values.items() if name in fields}
