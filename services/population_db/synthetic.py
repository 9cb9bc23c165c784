"""Temporary shim: the synthetic population now lives in the top-level `synthetic_population`.

Only the simulator still imports it from here; its import is switched after merging, and
then this module goes.
"""

from synthetic_population import generate_people  # moved; the simulator's import is switched

__all__ = ["generate_people"]
