"""Friction online: applicants who set out to apply online and abandon, and the help against it.

Hanoi's one-year review of Project 06 (February 2023) says registering an account is
awkward; it publishes no abandonment rate, so every share here is an ASSUMPTION a scenario
sets (`friction`, none by default). Two policies stand for the help the review names:

- community digital teams (tổ công nghệ số cộng đồng; the review counts 5,859 steering
  groups and community digital teams, about 10.1 for each of the 579 communes): with `t`
  teams per commune every abandonment share is multiplied by `1 / (1 + t / 10)`, so the
  review's level about halves it (an assumption: 10 teams per commune halve it);
- simpler sign-in with the national electronic ID (VNeID) instead of registering an
  account: the registration share is multiplied by 0.2 (an assumption: the rest stands for
  applicants without a usable VNeID account).

Whether an applicant abandons is drawn from a hash of their dossier (registration: of the
account holder), not from the demand's random stream: the demand without friction is
unchanged, and the same applicant has the same patience under every policy, so help only
turns abandoners into online applicants.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, field_validator

from contracts.catalogue import load_catalogue

__all__ = [
    "SIGN_IN_KEEPS",
    "TEAMS_HALVING",
    "AbandonRates",
    "Friction",
    "abandon_rates",
    "uniform",
]

#: Teams per commune that halve every abandonment share (assumption).
TEAMS_HALVING = 10.0
#: Share of the registration abandonment left with sign-in by VNeID (assumption).
SIGN_IN_KEEPS = 0.2


class Friction(BaseModel):
    """Applicants who set out to apply online and abandon on the way (ASSUMED shares).

    Each abandons at most once: at account registration (first), or at the form of a
    procedure with a complex form; then goes to a desk (`to_desk_share`) or gives up.
    The policies `digital_teams_per_commune` and `simple_sign_in` cut these shares.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    registration_abandon_rate: float = Field(
        0.0, ge=0, le=1, description="Share who give up at account registration."
    )
    complex_form_abandon_rate: float = Field(
        0.0, ge=0, le=1, description="Share who give up at a complex form."
    )
    complex_forms: list[int] = Field(
        default_factory=lambda: [12, 15, 16, 17, 18, 19, 23],
        description="Numbers of the procedures whose online form is complex.",
    )
    to_desk_share: float = Field(
        0.7, ge=0, le=1, description="Share of those who abandon who go to a desk instead."
    )

    @field_validator("complex_forms")
    @classmethod
    def _known_numbers(cls, value: list[int]) -> list[int]:
        numbers = {p.number for p in load_catalogue().procedures}
        unknown = sorted(set(value) - numbers)
        if unknown:
            raise ValueError(f"no procedure has the number(s) {unknown}")
        return value


@dataclass(frozen=True)
class AbandonRates:
    """The abandonment shares in force under some policies."""

    registration: float
    complex_form: float
    to_desk: float


def abandon_rates(
    friction: Friction, teams_per_commune: float, simple_sign_in: bool
) -> AbandonRates:
    """The friction's shares cut by the help (see the module's docstring)."""
    helped = 1 / (1 + teams_per_commune / TEAMS_HALVING)
    sign_in = SIGN_IN_KEEPS if simple_sign_in else 1.0
    return AbandonRates(
        registration=friction.registration_abandon_rate * helped * sign_in,
        complex_form=friction.complex_form_abandon_rate * helped,
        to_desk=friction.to_desk_share,
    )


def uniform(*parts: str) -> float:
    """A number in [0, 1) drawn from a hash of the parts (the same parts, the same number)."""
    digest = hashlib.sha256(":".join(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64
