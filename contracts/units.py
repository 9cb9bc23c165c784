"""Hanoi's administrative units (đơn vị hành chính): 30 districts and 579 communes.

District-level units (cấp huyện: quận, huyện, thị xã) are the General Statistics Office
list of 10 April 2023 as docs/design.md ("Hanoi's units") gives them: real codes, names,
commune counts, and how many of each district's communes are wards (phường), rural
communes (xã) and townships (thị trấn): 175, 383 and 21 in all.

Commune-level units (cấp xã: phường, xã, thị trấn) are SYNTHETIC: the real list is not in
docs/design.md, so each district's communes are generated in order with
code = district code (3 digits) + 2-digit sequence (``"001"`` + ``"01"`` -> ``"00101"``).
The 5-digit codes are unique and never collide with the 3-digit district codes, but they
are not the GSO commune codes. Each district has its real number of each kind, in the
order wards, rural communes, townships, named and numbered per kind: "Phường 1 (Quận Ba
Đình)", "Xã 1 (Huyện Ba Vì)", "Thị trấn 1 (Huyện Ba Vì)".

Note: ``HANOI_PROVINCE_CODE`` (``"001"``) belongs to the province code list and equals
Ba Đình's district code; :func:`unit_by_code` looks up district and commune codes only.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "COMMUNES",
    "COMMUNE_KIND_COUNTS",
    "DISTRICTS",
    "HANOI_COMMUNE_COUNT",
    "HANOI_DISTRICT_COUNT",
    "HANOI_PROVINCE_CODE",
    "UNIT_CODE_PATTERN",
    "Commune",
    "CommuneKind",
    "District",
    "DistrictKind",
    "communes_of",
    "district_by_code",
    "is_hanoi_unit",
    "unit_by_code",
]

HANOI_PROVINCE_CODE = "001"
HANOI_DISTRICT_COUNT = 30
HANOI_COMMUNE_COUNT = 579


class DistrictKind(StrEnum):
    """Kind of district-level unit (đơn vị hành chính cấp huyện)."""

    QUAN = "quận"
    HUYEN = "huyện"
    THI_XA = "thị xã"


class CommuneKind(StrEnum):
    """Kind of commune-level unit (đơn vị hành chính cấp xã)."""

    PHUONG = "phường"
    XA = "xã"
    THI_TRAN = "thị trấn"


#: Hanoi's commune-level units by kind (GSO list of 10 April 2023): 175 + 383 + 21 = 579.
COMMUNE_KIND_COUNTS: dict[CommuneKind, int] = {
    CommuneKind.PHUONG: 175,
    CommuneKind.XA: 383,
    CommuneKind.THI_TRAN: 21,
}


class District(BaseModel):
    """A district-level unit of Hanoi (quận, huyện or thị xã), real GSO data."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(pattern=r"^[0-9]{3}$", description="GSO 3-digit district code.")
    name: str = Field(min_length=1, description="Full name with its kind, e.g. 'Quận Ba Đình'.")
    kind: DistrictKind = Field(description="Quận (urban), huyện (rural) or thị xã (town).")
    commune_count: int = Field(ge=1, description="Number of commune-level units it contains.")
    phuong_count: int = Field(ge=0, description="How many of them are wards (phường).")
    xa_count: int = Field(ge=0, description="How many are rural communes (xã).")
    thi_tran_count: int = Field(ge=0, description="How many are townships (thị trấn).")

    @model_validator(mode="after")
    def _kinds_add_up(self) -> District:
        if self.phuong_count + self.xa_count + self.thi_tran_count != self.commune_count:
            raise ValueError(f"{self.name}: its communes by kind do not add up to the count")
        return self

    def count_of(self, kind: CommuneKind) -> int:
        """How many of its communes are of this kind."""
        return {
            CommuneKind.PHUONG: self.phuong_count,
            CommuneKind.XA: self.xa_count,
            CommuneKind.THI_TRAN: self.thi_tran_count,
        }[kind]


class Commune(BaseModel):
    """A commune-level unit of Hanoi (phường, xã, thị trấn); synthetic code and name."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(
        pattern=r"^[0-9]{5}$", description="Synthetic 5-digit code: district code + sequence."
    )
    name: str = Field(min_length=1, description="Synthetic name, e.g. 'Phường 1 (Quận Ba Đình)'.")
    kind: CommuneKind = Field(
        description="Phường, xã or thị trấn: the district's real number of each, synthetic order."
    )
    district_code: str = Field(description="Code of the district it belongs to.")
    synthetic: bool = Field(True, description="Always true: not the GSO commune list.")


_KIND_PREFIX = {
    DistrictKind.QUAN: "Quận ",
    DistrictKind.HUYEN: "Huyện ",
    DistrictKind.THI_XA: "Thị xã ",
}

# (code, full name, phường, xã, thị trấn), as in docs/design.md ("Hanoi's units").
_DISTRICT_ROWS: tuple[tuple[str, str, int, int, int], ...] = (
    ("001", "Quận Ba Đình", 14, 0, 0),
    ("002", "Quận Hoàn Kiếm", 18, 0, 0),
    ("003", "Quận Tây Hồ", 8, 0, 0),
    ("004", "Quận Long Biên", 14, 0, 0),
    ("005", "Quận Cầu Giấy", 8, 0, 0),
    ("006", "Quận Đống Đa", 21, 0, 0),
    ("007", "Quận Hai Bà Trưng", 18, 0, 0),
    ("008", "Quận Hoàng Mai", 14, 0, 0),
    ("009", "Quận Thanh Xuân", 11, 0, 0),
    ("016", "Huyện Sóc Sơn", 0, 25, 1),
    ("017", "Huyện Đông Anh", 0, 23, 1),
    ("018", "Huyện Gia Lâm", 0, 20, 2),
    ("019", "Quận Nam Từ Liêm", 10, 0, 0),
    ("020", "Huyện Thanh Trì", 0, 15, 1),
    ("021", "Quận Bắc Từ Liêm", 13, 0, 0),
    ("250", "Huyện Mê Linh", 0, 16, 2),
    ("268", "Quận Hà Đông", 17, 0, 0),
    ("269", "Thị xã Sơn Tây", 9, 6, 0),
    ("271", "Huyện Ba Vì", 0, 30, 1),
    ("272", "Huyện Phúc Thọ", 0, 20, 1),
    ("273", "Huyện Đan Phượng", 0, 15, 1),
    ("274", "Huyện Hoài Đức", 0, 19, 1),
    ("275", "Huyện Quốc Oai", 0, 20, 1),
    ("276", "Huyện Thạch Thất", 0, 22, 1),
    ("277", "Huyện Chương Mỹ", 0, 30, 2),
    ("278", "Huyện Thanh Oai", 0, 20, 1),
    ("279", "Huyện Thường Tín", 0, 28, 1),
    ("280", "Huyện Phú Xuyên", 0, 25, 2),
    ("281", "Huyện Ứng Hòa", 0, 28, 1),
    ("282", "Huyện Mỹ Đức", 0, 21, 1),
)


def _kind_of(name: str) -> DistrictKind:
    for kind, prefix in _KIND_PREFIX.items():
        if name.startswith(prefix):
            return kind
    raise ValueError(f"district name {name!r} has no known kind prefix")  # pragma: no cover


def _build_districts() -> tuple[District, ...]:
    return tuple(
        District(
            code=code,
            name=name,
            kind=_kind_of(name),
            commune_count=phuong + xa + thi_tran,
            phuong_count=phuong,
            xa_count=xa,
            thi_tran_count=thi_tran,
        )
        for code, name, phuong, xa, thi_tran in _DISTRICT_ROWS
    )


_COMMUNE_LABEL = {
    CommuneKind.PHUONG: "Phường",
    CommuneKind.XA: "Xã",
    CommuneKind.THI_TRAN: "Thị trấn",
}


def _build_communes(districts: tuple[District, ...]) -> tuple[Commune, ...]:
    communes: list[Commune] = []
    for district in districts:
        kinds = [kind for kind in CommuneKind for _ in range(district.count_of(kind))]
        for seq, kind in enumerate(kinds, start=1):
            communes.append(
                Commune(
                    code=f"{district.code}{seq:02d}",
                    name=f"{_COMMUNE_LABEL[kind]} {kinds[:seq].count(kind)} ({district.name})",
                    kind=kind,
                    district_code=district.code,
                )
            )
    return tuple(communes)


DISTRICTS: tuple[District, ...] = _build_districts()
COMMUNES: tuple[Commune, ...] = _build_communes(DISTRICTS)

_DISTRICTS_BY_CODE: dict[str, District] = {d.code: d for d in DISTRICTS}
_COMMUNES_BY_CODE: dict[str, Commune] = {c.code: c for c in COMMUNES}

_KIND_TOTALS = {kind: sum(1 for c in COMMUNES if c.kind is kind) for kind in CommuneKind}
if (
    len(_DISTRICTS_BY_CODE) != HANOI_DISTRICT_COUNT
    or len(_COMMUNES_BY_CODE) != HANOI_COMMUNE_COUNT
    or _KIND_TOTALS != COMMUNE_KIND_COUNTS
):  # pragma: no cover - guards the table above
    raise RuntimeError(
        f"Hanoi must have {HANOI_DISTRICT_COUNT} districts and {HANOI_COMMUNE_COUNT} communes"
        f" ({COMMUNE_KIND_COUNTS}) with unique codes; found {len(_DISTRICTS_BY_CODE)},"
        f" {len(_COMMUNES_BY_CODE)} ({_KIND_TOTALS})"
    )


def _digits(low: int, high: int) -> str:
    return str(low) if low == high else f"[{low}-{high}]"


def _two_digits_up_to(last: int) -> str:
    """A regular expression of the two-digit numbers 01 to `last` (1-99)."""
    tens, units = divmod(last, 10)
    if tens == 0:
        return f"0{_digits(1, units)}"
    parts = ["0[1-9]"]
    if tens >= 2:
        parts.append(f"{_digits(1, tens - 1)}[0-9]")
    parts.append(f"{tens}{_digits(0, units)}")
    return "|".join(parts)


#: The codes of Hanoi's districts and communes as a regular expression (a JSON schema
#: ``pattern``): each district's code, alone or followed by its communes' sequence numbers.
#: A string matches it exactly when :func:`is_hanoi_unit` accepts it.
UNIT_CODE_PATTERN = (
    "^(?:"
    + "|".join(f"{d.code}(?:{_two_digits_up_to(d.commune_count)})?" for d in DISTRICTS)
    + ")$"
)


def district_by_code(code: str) -> District:
    """The district with this 3-digit code; ``KeyError`` naming the code if there is none."""
    try:
        return _DISTRICTS_BY_CODE[code]
    except KeyError:
        raise KeyError(f"no Hanoi district has code {code!r}") from None


def communes_of(district_code: str) -> tuple[Commune, ...]:
    """The communes of a district, in sequence order; ``KeyError`` for an unknown district."""
    district_by_code(district_code)
    return tuple(c for c in COMMUNES if c.district_code == district_code)


def unit_by_code(code: str) -> District | Commune:
    """The district (3-digit code) or commune (5-digit code); ``KeyError`` if unknown."""
    unit: District | Commune | None = _DISTRICTS_BY_CODE.get(code) or _COMMUNES_BY_CODE.get(code)
    if unit is None:
        raise KeyError(f"no Hanoi district or commune has code {code!r}")
    return unit


def is_hanoi_unit(code: str) -> bool:
    """Whether ``code`` is the code of one of Hanoi's districts or communes."""
    return code in _DISTRICTS_BY_CODE or code in _COMMUNES_BY_CODE
