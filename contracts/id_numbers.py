"""Personal ID numbers (số định danh cá nhân): parse, generate, compare with a person's record.

A personal ID number is the 12-digit number printed on the citizen ID card. It has no
checksum. Its digits (docs/design.md, "Identity checks and ID numbers"):

- 1-3: code of the province where the birth was registered (Circular 07/2016/TT-BCA;
  Hà Nội = ``001``), one of the 63 codes in :data:`PROVINCE_CODES`;
- 4: century and sex: 0/1 born in the 1900s (male/female), 2/3 in the 2000s, 4/5 in the
  2100s, 6/7 in the 2200s. This module supports birth years 1900-2299 (digits 0-7);
  8 and 9 are rejected;
- 5-6: last two digits of the birth year;
- 7-12: a random serial.

Error messages never repeat the full number: it is personal data and messages get logged.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

__all__ = [
    "ID_NUMBER_LENGTH",
    "ID_NUMBER_PATTERN",
    "MAX_BIRTH_YEAR",
    "MIN_BIRTH_YEAR",
    "PROVINCE_CODES",
    "IdNumber",
    "IdNumberError",
    "IdNumberStr",
    "Sex",
    "generate_id_number",
    "id_number_consistency",
    "parse_id_number",
]

ID_NUMBER_LENGTH = 12
MIN_BIRTH_YEAR = 1900
MAX_BIRTH_YEAR = 2299

#: Province codes of Circular 07/2016/TT-BCA (63 provinces and centrally-run cities).
PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội",
    "002": "Hà Giang",
    "004": "Cao Bằng",
    "006": "Bắc Kạn",
    "008": "Tuyên Quang",
    "010": "Lào Cai",
    "011": "Điện Biên",
    "012": "Lai Châu",
    "014": "Sơn La",
    "015": "Yên Bái",
    "017": "Hòa Bình",
    "019": "Thái Nguyên",
    "020": "Lạng Sơn",
    "022": "Quảng Ninh",
    "024": "Bắc Giang",
    "025": "Phú Thọ",
    "026": "Vĩnh Phúc",
    "027": "Bắc Ninh",
    "030": "Hải Dương",
    "031": "Hải Phòng",
    "033": "Hưng Yên",
    "034": "Thái Bình",
    "035": "Hà Nam",
    "036": "Nam Định",
    "037": "Ninh Bình",
    "038": "Thanh Hóa",
    "040": "Nghệ An",
    "042": "Hà Tĩnh",
    "044": "Quảng Bình",
    "045": "Quảng Trị",
    "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng",
    "049": "Quảng Nam",
    "051": "Quảng Ngãi",
    "052": "Bình Định",
    "054": "Phú Yên",
    "056": "Khánh Hòa",
    "058": "Ninh Thuận",
    "060": "Bình Thuận",
    "062": "Kon Tum",
    "064": "Gia Lai",
    "066": "Đắk Lắk",
    "067": "Đắk Nông",
    "068": "Lâm Đồng",
    "070": "Bình Phước",
    "072": "Tây Ninh",
    "074": "Bình Dương",
    "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu",
    "079": "Hồ Chí Minh",
    "080": "Long An",
    "082": "Tiền Giang",
    "083": "Bến Tre",
    "084": "Trà Vinh",
    "086": "Vĩnh Long",
    "087": "Đồng Tháp",
    "089": "An Giang",
    "091": "Kiên Giang",
    "092": "Cần Thơ",
    "093": "Hậu Giang",
    "094": "Sóc Trăng",
    "095": "Bạc Liêu",
    "096": "Cà Mau",
}
if len(PROVINCE_CODES) != 63:  # pragma: no cover - guards the table above
    raise RuntimeError(f"expected 63 province codes, found {len(PROVINCE_CODES)}")

#: The rule of :func:`parse_id_number` as a regular expression (a JSON schema ``pattern``):
#: a province code of :data:`PROVINCE_CODES`, a century/sex digit 0-7, then 8 digits. A
#: string matches it exactly when :func:`parse_id_number` accepts it.
ID_NUMBER_PATTERN = "^(?:" + "|".join(PROVINCE_CODES) + ")[0-7][0-9]{8}$"


class Sex(StrEnum):
    """Sex (giới tính) as the population database records it."""

    MALE = "male"
    FEMALE = "female"


class IdNumberError(ValueError):
    """A personal ID number is malformed; ``reason`` is a short machine-readable code.

    Reasons: ``not_a_string``, ``empty``, ``wrong_length``, ``non_digit``,
    ``unknown_province``, ``bad_century_sex``, ``birth_year_out_of_range`` (generation only).
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class IdNumber:
    """A parsed personal ID number (số định danh cá nhân)."""

    value: str
    province_code: str
    sex: Sex
    birth_year: int
    serial: str

    @property
    def province_name(self) -> str:
        """Name of the province where the birth was registered."""
        return PROVINCE_CODES[self.province_code]

    @classmethod
    def parse(cls, value: str) -> IdNumber:
        """Same as :func:`parse_id_number`."""
        return parse_id_number(value)


def _century_digit(sex: Sex, birth_year: int) -> str:
    century_index = (birth_year - MIN_BIRTH_YEAR) // 100
    return str(2 * century_index + (1 if sex is Sex.FEMALE else 0))


def parse_id_number(value: str) -> IdNumber:
    """Parse a 12-digit personal ID number; raise :class:`IdNumberError` saying what is wrong."""
    if not isinstance(value, str):
        raise IdNumberError(
            "not_a_string", f"a personal ID number must be a string, not {type(value).__name__}"
        )
    if value == "":
        raise IdNumberError("empty", "a personal ID number must not be empty")
    if len(value) != ID_NUMBER_LENGTH:
        raise IdNumberError(
            "wrong_length",
            f"a personal ID number has {ID_NUMBER_LENGTH} digits; {len(value)} characters given",
        )
    bad_positions = [i + 1 for i, ch in enumerate(value) if ch not in "0123456789"]
    if bad_positions:
        listed = ", ".join(str(p) for p in bad_positions)
        raise IdNumberError(
            "non_digit", f"a personal ID number has only digits 0-9; non-digit at position {listed}"
        )
    province_code, century_sex, year_digits, serial = value[:3], value[3], value[4:6], value[6:]
    if province_code not in PROVINCE_CODES:
        raise IdNumberError(
            "unknown_province",
            f"unknown province code {province_code!r} in digits 1-3 "
            "(not one of the 63 codes of Circular 07/2016/TT-BCA)",
        )
    digit = int(century_sex)
    if digit > 7:
        raise IdNumberError(
            "bad_century_sex",
            f"century/sex digit (digit 4) is {digit}; supported are 0-7 (births 1900-2299)",
        )
    birth_year = MIN_BIRTH_YEAR + 100 * (digit // 2) + int(year_digits)
    sex = Sex.FEMALE if digit % 2 else Sex.MALE
    return IdNumber(
        value=value, province_code=province_code, sex=sex, birth_year=birth_year, serial=serial
    )


def _year_of(birth: date | int) -> int:
    return birth.year if isinstance(birth, date) else birth


def generate_id_number(
    sex: Sex, birth: date | int, province_code: str = "001", *, rng: random.Random
) -> str:
    """A new ID number for a person of ``sex`` born on ``birth`` (a date or a year).

    Deterministic given the state of ``rng``: the serial (digits 7-12) is drawn from it.
    Raises :class:`IdNumberError` for an unknown province or a year outside 1900-2299.
    """
    year = _year_of(birth)
    if province_code not in PROVINCE_CODES:
        raise IdNumberError("unknown_province", f"unknown province code {province_code!r}")
    if not MIN_BIRTH_YEAR <= year <= MAX_BIRTH_YEAR:
        raise IdNumberError(
            "birth_year_out_of_range",
            f"birth year {year} cannot be encoded; supported are {MIN_BIRTH_YEAR}-{MAX_BIRTH_YEAR}",
        )
    serial = rng.randrange(1_000_000)
    return f"{province_code}{_century_digit(Sex(sex), year)}{year % 100:02d}{serial:06d}"


def id_number_consistency(value: str, sex: Sex, birth_date: date | int) -> list[str]:
    """Fields of a person's record that the ID number contradicts: ``"sex"``, ``"birth_date"``.

    An empty list means the number is consistent with the record. Raises
    :class:`IdNumberError` if ``value`` is not a well-formed ID number.
    """
    parsed = parse_id_number(value)
    mismatches: list[str] = []
    if parsed.sex != Sex(sex):
        mismatches.append("sex")
    if parsed.birth_year != _year_of(birth_date):
        mismatches.append("birth_date")
    return mismatches


def _validate_id_number(value: str) -> str:
    try:
        parse_id_number(value)
    except IdNumberError as exc:
        raise PydanticCustomError(
            "id_number", "{message}", {"reason": exc.reason, "message": exc.message}
        ) from exc
    return value


#: A ``str`` field holding a well-formed personal ID number; invalid ones fail validation
#: with error type ``id_number``, the :class:`IdNumberError` message and ``ctx.reason``.
IdNumberStr = Annotated[
    str,
    AfterValidator(_validate_id_number),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": ID_NUMBER_PATTERN,
            "description": "12-digit personal ID number (số định danh cá nhân): a province "
            "code of Circular 07/2016/TT-BCA, a century/sex digit 0-7, 8 more digits.",
        }
    ),
]
