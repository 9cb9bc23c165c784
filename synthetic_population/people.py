"""The deterministic synthetic population of Hanoi: the same size and seed give the same people.

Pure (no IO): the population database seeds its SQLite store from :func:`iter_rows`,
and the simulator regenerates the very same people with :func:`generate_people` to
pick applicants that exist, without reading the database.

The population is as of :data:`REFERENCE_DATE`. All shares below are approximate,
scenario assumptions labelled as such (SYNTHETIC), not official statistics:

- ages 0-95 following the rough shape of Vietnam's 2019 age pyramid (5-year bands);
- about half male; 80% born in Hà Nội (province code ``001``), the others in one of
  the 62 other provinces; ID numbers consistent with sex and birth year, all unique;
- marital status by age band (men from 20, women from 18), married people paired
  into couples in birth order (each links the other; the wife lives with the husband);
- residence uniform over Hanoi's 579 communes;
- about 0.5% deceased, more at older ages; a deceased person is never ``married``.
"""

from __future__ import annotations

import random
from array import array
from bisect import bisect
from collections.abc import Iterable, Iterator
from datetime import date
from itertools import accumulate

from contracts.id_numbers import PROVINCE_CODES, generate_id_number
from contracts.people import MaritalStatus, PersonFacts, Sex
from contracts.units import COMMUNES, HANOI_PROVINCE_CODE
from synthetic_population.names import POOL_BITS, name_pools

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

#: Bumped whenever the generator's output changes, so stored populations are reseeded.
GENERATOR_VERSION = 1
#: The population is as of the end of 2025: a person's age is 2025 minus the birth year.
REFERENCE_DATE = date(2025, 12, 31)
MAX_AGE = 95
MALE_SHARE = 0.498
HANOI_BORN_SHARE = 0.8
MIN_MARRIAGE_AGE = {True: 20, False: 18}  # keyed by "is male"

#: (id_number, full_name, birth_date ISO, sex, alive 0/1, marital status, spouse, residence).
PersonRow = tuple[str, str, str, str, int, str, str | None, str]

# 5-year age bands (first age, last age, percent), roughly Vietnam's 2019 census pyramid.
_AGE_BANDS: tuple[tuple[int, int, float], ...] = (
    (0, 4, 8.0), (5, 9, 8.4), (10, 14, 7.3), (15, 19, 6.9), (20, 24, 7.2),
    (25, 29, 8.2), (30, 34, 8.2), (35, 39, 7.9), (40, 44, 7.2), (45, 49, 6.7),
    (50, 54, 6.0), (55, 59, 5.4), (60, 64, 4.4), (65, 69, 3.1), (70, 74, 1.9),
    (75, 79, 1.2), (80, 84, 0.9), (85, 89, 0.6), (90, 95, 0.4),
)  # fmt: skip
# From this age on: cumulative shares of single, married, widowed (the rest divorced).
_MARITAL_BY_AGE: tuple[tuple[int, tuple[float, float, float]], ...] = (
    (18, (0.72, 0.99, 0.99)),
    (25, (0.33, 0.98, 0.98)),
    (30, (0.11, 0.96, 0.97)),
    (40, (0.04, 0.91, 0.96)),
    (60, (0.02, 0.77, 0.97)),
    (75, (0.02, 0.52, 0.98)),
)
# From this age on: probability of being recorded deceased.
_DEATH_BY_AGE: tuple[tuple[int, float], ...] = ((0, 0.0015), (60, 0.015), (75, 0.06))

_SINGLE, _MARRIED, _WIDOWED, _DIVORCED = 0, 1, 2, 3
_STATUS_TEXT = (
    MaritalStatus.SINGLE.value,
    MaritalStatus.MARRIED.value,
    MaritalStatus.WIDOWED.value,
    MaritalStatus.DIVORCED.value,
)


def _age_table() -> tuple[list[float], list[float]]:
    """Per age 0..MAX_AGE: the cumulative age weights and the probability of being deceased."""
    weights = [0.0] * (MAX_AGE + 1)
    for first, last, percent in _AGE_BANDS:
        for age in range(first, last + 1):
            weights[age] = percent / (last - first + 1)
    death = [
        next(p for first, p in reversed(_DEATH_BY_AGE) if age >= first)
        for age in range(MAX_AGE + 1)
    ]
    return list(accumulate(weights)), death


def _marital_thresholds(age: int) -> tuple[float, float, float] | None:
    for first, thresholds in reversed(_MARITAL_BY_AGE):
        if age >= first:
            return thresholds
    return None


def generate_rows(size: int, seed: int) -> list[PersonRow]:
    """The population of ``size`` people for ``seed`` as rows, in generation order."""
    return list(iter_rows(size, seed))


def iter_rows(size: int, seed: int, *, by_id_number: bool = False) -> Iterator[PersonRow]:
    """The rows of :func:`generate_rows` one by one, in generation order or by ID number.

    The people are drawn first (compact arrays); each row is built only when it is
    yielded, so seeding never holds a million row tuples at once.
    """
    if size < 0:
        raise ValueError(f"population size must not be negative, got {size}")
    rng = random.Random(f"portalsim-population:{seed}")
    rand = rng.random
    male_names, female_names = name_pools(rng)
    cumulative, death = _age_table()
    total = cumulative[-1]
    thresholds = [_marital_thresholds(age) for age in range(MAX_AGE + 1)]
    other_provinces = [code for code in PROVINCE_CODES if code != HANOI_PROVINCE_CODE]
    communes = [c.code for c in COMMUNES]
    year_starts = {
        y: date(y, 1, 1).toordinal()
        for y in range(REFERENCE_DATE.year - MAX_AGE - 1, REFERENCE_DATE.year + 2)
    }
    ref_year = REFERENCE_DATE.year

    ids: list[str] = []
    names: list[str] = []
    births = array("i")
    males = bytearray()
    ages = bytearray()
    alive = bytearray()
    status = bytearray()
    residence = array("H")
    used: set[str] = set()
    for _ in range(size):
        male = rand() < MALE_SHARE
        age = min(bisect(cumulative, rand() * total), MAX_AGE)
        year = ref_year - age
        days = year_starts[year + 1] - year_starts[year]
        births.append(year_starts[year] + int(rand() * days))
        province = (
            HANOI_PROVINCE_CODE
            if rand() < HANOI_BORN_SHARE
            else other_provinces[int(rand() * len(other_provinces))]
        )
        sex = Sex.MALE if male else Sex.FEMALE
        id_number = generate_id_number(sex, year, province, rng=rng)
        while id_number in used:
            id_number = generate_id_number(sex, year, province, rng=rng)
        used.add(id_number)
        ids.append(id_number)
        names.append((male_names if male else female_names)[rng.getrandbits(POOL_BITS)])
        dead = rand() < death[age]
        alive.append(0 if dead else 1)
        shares = thresholds[age] if age >= MIN_MARRIAGE_AGE[male] else None
        kind = _SINGLE
        if shares is not None:
            draw = rand()
            kind = next((k for k, limit in enumerate(shares) if draw < limit), _DIVORCED)
            if dead and kind == _MARRIED:
                kind = _WIDOWED
        status.append(kind)
        males.append(male)
        ages.append(age)
        residence.append(int(rand() * len(communes)))

    del used
    spouses = _pair_couples(rng, births, males, ages, status, residence)
    order: Iterable[int] = range(size)
    if by_id_number:
        order = array("i", sorted(range(size), key=ids.__getitem__))
    for i in order:
        yield (
            ids[i],
            names[i],
            date.fromordinal(births[i]).isoformat(),
            "male" if males[i] else "female",
            alive[i],
            _STATUS_TEXT[status[i]],
            None if spouses[i] < 0 else ids[spouses[i]],
            communes[residence[i]],
        )


def _pair_couples(
    rng: random.Random,
    births: array[int],
    males: bytearray,
    ages: bytearray,
    status: bytearray,
    residence: array[int],
) -> array[int]:
    """Pair married men and women in birth order; the unpaired surplus is unmarried."""
    men = [i for i, s in enumerate(status) if s == _MARRIED and males[i]]
    women = [i for i, s in enumerate(status) if s == _MARRIED and not males[i]]
    larger, smaller = (men, women) if len(men) > len(women) else (women, men)
    surplus = set(rng.sample(larger, len(larger) - len(smaller)))
    for i in surplus:
        status[i] = _SINGLE if ages[i] < 40 else _WIDOWED
    larger[:] = [i for i in larger if i not in surplus]
    spouses = array("i", [-1]) * len(status)
    for man, woman in zip(
        sorted(men, key=births.__getitem__), sorted(women, key=births.__getitem__), strict=True
    ):
        spouses[man] = woman
        spouses[woman] = man
        residence[woman] = residence[man]
    return spouses


def facts_from_row(row: PersonRow) -> PersonFacts:
    """The ``PersonFacts`` of one row (as generated, or as stored)."""
    id_number, full_name, birth_date, sex, alive, marital, spouse, unit = row
    return PersonFacts(
        id_number=id_number,
        full_name=full_name,
        birth_date=date.fromisoformat(birth_date),
        sex=Sex(sex),
        alive=bool(alive),
        marital_status=MaritalStatus(marital),
        spouse_id_number=spouse,
        residence_unit=unit,
    )


def generate_people(size: int, seed: int) -> Iterator[PersonFacts]:
    """The synthetic population of ``size`` people for ``seed``, always the same people.

    For the simulator: regenerate the population the population database seeded
    (same ``population_size`` and ``population_seed``) to draw applicants that exist.
    """
    for row in iter_rows(size, seed):
        yield facts_from_row(row)
