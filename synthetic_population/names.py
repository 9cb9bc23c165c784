"""Vietnamese full names for the synthetic population, from faker's ``vi_VN`` person lists.

Faker is slow per call, so the population never calls it per person: the family names
(họ), middle names (tên đệm) and given names (tên) of ``faker.providers.person.vi_VN``
are read once, weighted, and combined with a seeded ``random.Random`` into a pool of
full names per sex in Vietnamese order ("Nguyễn Văn Nam"). People then draw from the pools.

The weights are approximate shares (the family-name shares follow commonly cited
figures: Nguyễn about 38%, Trần 11%, Lê 9.5%, ...); they are scenario assumptions, not data.
"""

from __future__ import annotations

import random
from itertools import accumulate

from faker.providers.person.vi_VN import Provider

__all__ = ["POOL_BITS", "name_pools"]

#: Each pool holds 2**POOL_BITS full names, so a person draws one with ``getrandbits``.
POOL_BITS = 11

_FAMILY_WEIGHTS: dict[str, float] = {
    "Nguyễn": 38.0,
    "Trần": 11.0,
    "Lê": 9.5,
    "Phạm": 7.0,
    "Hoàng": 5.1,
    "Vũ": 3.9,
    "Đặng": 2.1,
    "Bùi": 2.0,
    "Dương": 1.0,
    "Mai": 0.5,
}
#: Middle names used by one sex only; the others are shared. "Văn"/"Thị" are the most common.
_MALE_ONLY_MIDDLE = frozenset({"Văn", "Đức", "Thế", "Tấn", "Hữu", "Trí", "Phú", "Quang"})
_FEMALE_ONLY_MIDDLE = frozenset({"Thị", "Mai", "Mai Bảo"})
_MIDDLE_BOOST = {"Văn": 8.0, "Thị": 10.0}


def _unique(names: tuple[str, ...] | list[str]) -> list[str]:
    return list(dict.fromkeys(names))


def _weighted_pick(
    rng: random.Random, names: list[str], weights: list[float], count: int
) -> list[str]:
    cumulative = list(accumulate(weights))
    return rng.choices(names, cum_weights=cumulative, k=count)


def _pool(rng: random.Random, middles: list[str], givens: list[str], size: int) -> list[str]:
    families = _unique(Provider.last_names)
    family_weights = [_FAMILY_WEIGHTS.get(name, 1.0) for name in families]
    middle_weights = [_MIDDLE_BOOST.get(name, 1.0) for name in middles]
    picked_families = _weighted_pick(rng, families, family_weights, size)
    picked_middles = _weighted_pick(rng, middles, middle_weights, size)
    picked_givens = rng.choices(givens, k=size)
    return [
        f"{family} {middle} {given}"
        for family, middle, given in zip(
            picked_families, picked_middles, picked_givens, strict=True
        )
    ]


def name_pools(rng: random.Random) -> tuple[list[str], list[str]]:
    """Pools of ``2**POOL_BITS`` male and female full names, drawn from ``rng``."""
    middles = _unique(Provider.middle_names)
    unisex = list(Provider.first_names_unisex)
    male_middles = [m for m in middles if m not in _FEMALE_ONLY_MIDDLE]
    female_middles = [m for m in middles if m not in _MALE_ONLY_MIDDLE]
    male_givens = _unique(list(Provider.first_names_male) + unisex)
    female_givens = _unique(list(Provider.first_names_female) + unisex)
    size = 2**POOL_BITS
    return (
        _pool(rng, male_middles, male_givens, size),
        _pool(rng, female_middles, female_givens, size),
    )
