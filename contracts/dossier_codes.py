"""Dossier codes (mã hồ sơ, Circular 01/2018/TT-VPCP): ``<unit code>-YYMMDD-XXXX``.

- unit code: the receiving unit, a Hanoi district (3 digits) or commune (5 digits, synthetic;
  see :mod:`contracts.units`);
- YYMMDD: the date received, years 2000-2099;
- XXXX: the unit's sequence number of dossiers that day, 0001-9999.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from contracts.units import is_hanoi_unit

__all__ = [
    "DOSSIER_CODE_PATTERN",
    "MAX_SEQUENCE",
    "DossierCode",
    "format_dossier_code",
    "parse_dossier_code",
]

MAX_SEQUENCE = 9999

#: Shape of a dossier code (the unit code must also be a known Hanoi unit).
DOSSIER_CODE_PATTERN = re.compile(
    r"^(?P<unit_code>[0-9]{3}|[0-9]{5})-(?P<received>[0-9]{6})-(?P<sequence>[0-9]{4})$"
)


@dataclass(frozen=True)
class DossierCode:
    """A parsed dossier code (mã hồ sơ)."""

    unit_code: str
    received: date
    sequence: int

    def __str__(self) -> str:
        return format_dossier_code(self.unit_code, self.received, self.sequence)


def format_dossier_code(unit_code: str, received: date, sequence: int) -> str:
    """The dossier code of the ``sequence``-th dossier received by ``unit_code`` that day.

    Raises ``ValueError`` for an unknown unit, a year outside 2000-2099 or a sequence
    outside 1-9999.
    """
    if not is_hanoi_unit(unit_code):
        raise ValueError(f"unknown receiving unit code {unit_code!r}")
    if not 2000 <= received.year <= 2099:
        raise ValueError(f"received year {received.year} cannot be written as YY (2000-2099)")
    if not 1 <= sequence <= MAX_SEQUENCE:
        raise ValueError(f"sequence {sequence} is outside 1-{MAX_SEQUENCE}")
    return f"{unit_code}-{received:%y%m%d}-{sequence:04d}"


def parse_dossier_code(code: str) -> DossierCode:
    """Parse ``<unit code>-YYMMDD-XXXX``; ``ValueError`` naming the part that is wrong."""
    if not isinstance(code, str):
        raise ValueError(f"a dossier code must be a string, not {type(code).__name__}")
    parts = code.split("-")
    if len(parts) != 3:
        raise ValueError(
            f"dossier code {code!r} must have 3 parts '<unit code>-YYMMDD-XXXX', found {len(parts)}"
        )
    unit_code, received_text, sequence_text = parts
    if not re.fullmatch(r"[0-9]{3}|[0-9]{5}", unit_code):
        raise ValueError(f"dossier code {code!r}: unit code {unit_code!r} must be 3 or 5 digits")
    if not is_hanoi_unit(unit_code):
        raise ValueError(f"dossier code {code!r}: unknown receiving unit code {unit_code!r}")
    if not re.fullmatch(r"[0-9]{6}", received_text):
        raise ValueError(f"dossier code {code!r}: date {received_text!r} must be 6 digits YYMMDD")
    try:
        received = date(
            2000 + int(received_text[:2]), int(received_text[2:4]), int(received_text[4:])
        )
    except ValueError as exc:
        raise ValueError(
            f"dossier code {code!r}: date {received_text!r} is not a calendar date ({exc})"
        ) from None
    if not re.fullmatch(r"[0-9]{4}", sequence_text):
        raise ValueError(f"dossier code {code!r}: sequence {sequence_text!r} must be 4 digits")
    sequence = int(sequence_text)
    if sequence == 0:
        raise ValueError(f"dossier code {code!r}: sequence 0000 is not allowed (starts at 0001)")
    return DossierCode(unit_code=unit_code, received=received, sequence=sequence)
