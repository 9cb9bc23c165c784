"""Dirty population records (a population property) and the campaign that cleans them.

Hanoi's one-year review of Project 06 (February 2023) says the population records were
still being cleaned, naming children's records and those of people with merit; it
publishes no shares, so the defaults here are ASSUMPTIONS standing for 2022-2023: 5% of
children's records incomplete, 5% of the records of people aged 60 or more (standing for
people with merit), 2% of the records of people 14 or older still showing a former
residence. The population database fails the identity check of a dirty record
(`services/population_db/domain/records.py`) until the cleaning campaign
(`policies.record_cleaning_per_day`, none by default) reaches it.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["CATEGORY_NAMES", "PopulationRecords"]

#: The named categories and how the report names them.
CATEGORY_NAMES = {
    "children": "children without full records",
    "merit": "people with merit",
    "moved": "moved residents",
}


class PopulationRecords(BaseModel):
    """Shares of the seeded records that fail identity checks until cleaned (ASSUMED)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    dirty_children_share: float = Field(
        0.05, ge=0, le=1, description="Share of children's (under 14) records not complete."
    )
    dirty_merit_share: float = Field(
        0.05,
        ge=0,
        le=1,
        description="Share of the records of people 60 or older (people with merit) not complete.",
    )
    dirty_moved_share: float = Field(
        0.02,
        ge=0,
        le=1,
        description="Share of the records of people 14 or older showing a former residence.",
    )
