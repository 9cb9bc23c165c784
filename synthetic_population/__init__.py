"""The deterministic synthetic population of Hanoi, shared by population_db and the simulator.

The population database seeds its store from it; the simulator regenerates the very same
people (same size and seed) to pick applicants that exist. Pure: it imports only
`contracts` (and faker's name lists), never a service or the simulator.
"""

from synthetic_population.people import (
    GENERATOR_VERSION,
    MAX_AGE,
    REFERENCE_DATE,
    PersonRow,
    facts_from_row,
    generate_people,
    generate_rows,
    iter_rows,
)

__all__ = [
    "GENERATOR_VERSION",
    "MAX_AGE",
    "REFERENCE_DATE",
    "PersonRow",
    "facts_from_row",
    "generate_people",
    "generate_rows",
    "iter_rows",
]
