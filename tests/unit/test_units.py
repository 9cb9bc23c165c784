"""Hanoi's administrative units and dossier codes."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.dossier_codes import (
    DOSSIER_CODE_PATTERN,
    DossierCode,
    format_dossier_code,
    parse_dossier_code,
)
from contracts.units import (
    COMMUNE_KIND_COUNTS,
    COMMUNES,
    DISTRICTS,
    UNIT_CODE_PATTERN,
    CommuneKind,
    District,
    DistrictKind,
    communes_of,
    district_by_code,
    is_hanoi_unit,
    unit_by_code,
)

unit_codes = st.sampled_from([d.code for d in DISTRICTS] + [c.code for c in COMMUNES])
received_dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
sequences = st.integers(min_value=1, max_value=9999)


def test_hanoi_has_30_districts() -> None:
    assert len(DISTRICTS) == 30


def test_hanoi_has_579_communes() -> None:
    assert len(COMMUNES) == 579
    assert sum(d.commune_count for d in DISTRICTS) == 579


def test_district_and_commune_codes_are_unique_across_both_levels() -> None:
    codes = [d.code for d in DISTRICTS] + [c.code for c in COMMUNES]
    assert len(set(codes)) == len(codes)


def test_each_district_has_its_listed_number_of_communes() -> None:
    for district in DISTRICTS:
        assert len(communes_of(district.code)) == district.commune_count


def test_district_kinds_are_12_quan_17_huyen_1_thi_xa() -> None:
    kinds = [d.kind for d in DISTRICTS]
    counts = {kind: kinds.count(kind) for kind in DistrictKind}
    assert counts == {DistrictKind.QUAN: 12, DistrictKind.HUYEN: 17, DistrictKind.THI_XA: 1}


def test_communes_are_175_wards_383_rural_communes_and_21_townships() -> None:
    kinds = [c.kind for c in COMMUNES]
    assert {kind: kinds.count(kind) for kind in CommuneKind} == COMMUNE_KIND_COUNTS
    assert COMMUNE_KIND_COUNTS == {
        CommuneKind.PHUONG: 175,
        CommuneKind.XA: 383,
        CommuneKind.THI_TRAN: 21,
    }
    assert sum(COMMUNE_KIND_COUNTS.values()) == 579


def test_each_districts_communes_by_kind_add_up_to_its_count() -> None:
    for district in DISTRICTS:
        kinds = [c.kind for c in communes_of(district.code)]
        assert {kind: kinds.count(kind) for kind in CommuneKind} == {
            kind: district.count_of(kind) for kind in CommuneKind
        }, district.name


def test_quan_have_wards_only_and_huyen_have_no_wards_but_at_least_one_township() -> None:
    for district in DISTRICTS:
        if district.kind is DistrictKind.QUAN:
            assert district.phuong_count == district.commune_count, district.name
        if district.kind is DistrictKind.HUYEN:
            assert district.phuong_count == 0 and district.thi_tran_count >= 1, district.name
    son_tay = district_by_code("269")
    assert (son_tay.phuong_count, son_tay.xa_count, son_tay.thi_tran_count) == (9, 6, 0)


def test_a_district_whose_kinds_do_not_add_up_is_refused() -> None:
    with pytest.raises(ValueError, match="do not add up"):
        District(
            code="999",
            name="Huyện Thử",
            kind=DistrictKind.HUYEN,
            commune_count=3,
            phuong_count=0,
            xa_count=1,
            thi_tran_count=1,
        )


def test_district_by_code_finds_the_district() -> None:
    assert district_by_code("271").name == "Huyện Ba Vì"


def test_district_by_code_names_an_unknown_code() -> None:
    with pytest.raises(KeyError, match="'010'"):
        district_by_code("010")


def test_communes_are_synthetic_and_named_after_their_district() -> None:
    first = communes_of("001")[0]
    assert (first.code, first.name, first.synthetic) == ("00101", "Phường 1 (Quận Ba Đình)", True)
    assert communes_of("271")[0].name == "Xã 1 (Huyện Ba Vì)"
    township = communes_of("271")[-1]
    assert (township.code, township.name, township.kind) == (
        "27131",
        "Thị trấn 1 (Huyện Ba Vì)",
        CommuneKind.THI_TRAN,
    )


def test_unit_by_code_returns_district_or_commune_by_length() -> None:
    assert isinstance(unit_by_code("005"), District)
    assert unit_by_code("00501").district_code == "005"  # type: ignore[union-attr]


def test_unknown_unit_is_not_a_hanoi_unit() -> None:
    assert is_hanoi_unit("00101")
    assert not is_hanoi_unit("00199")
    with pytest.raises(KeyError):
        unit_by_code("00199")


@given(unit=unit_codes, received=received_dates, sequence=sequences)
def test_dossier_code_round_trips(unit: str, received: date, sequence: int) -> None:
    code = format_dossier_code(unit, received, sequence)
    assert DOSSIER_CODE_PATTERN.fullmatch(code)
    assert parse_dossier_code(code) == DossierCode(unit, received, sequence)
    assert str(parse_dossier_code(code)) == code


def test_dossier_code_has_the_circular_01_2018_shape() -> None:
    assert format_dossier_code("00101", date(2023, 2, 15), 7) == "00101-230215-0007"


@pytest.mark.parametrize("sequence", [0, 10000, -1])
def test_formatting_rejects_a_sequence_outside_1_to_9999(sequence: int) -> None:
    with pytest.raises(ValueError, match=f"sequence {sequence} is outside 1-9999"):
        format_dossier_code("001", date(2023, 1, 1), sequence)


def test_formatting_rejects_an_unknown_unit() -> None:
    with pytest.raises(ValueError, match="unknown receiving unit code '999'"):
        format_dossier_code("999", date(2023, 1, 1), 1)


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("001-230215", "must have 3 parts"),
        ("001-230215-0001-1", "must have 3 parts"),
        ("0010-230215-0001", "unit code '0010' must be 3 or 5 digits"),
        ("999-230215-0001", "unknown receiving unit code '999'"),
        ("001-2302150-0001", "date '2302150' must be 6 digits"),
        ("001-231315-0001", "date '231315' is not a calendar date"),
        ("001-230230-0001", "date '230230' is not a calendar date"),
        ("001-230215-001", "sequence '001' must be 4 digits"),
        ("001-230215-00a1", "sequence '00a1' must be 4 digits"),
        ("001-230215-0000", "sequence 0000 is not allowed"),
    ],
)
def test_bad_dossier_code_is_rejected_naming_the_wrong_part(code: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        parse_dossier_code(code)


def test_the_unit_code_pattern_matches_exactly_the_hanoi_units() -> None:
    pattern = re.compile(UNIT_CODE_PATTERN)
    for digits in (1, 2, 3, 4, 5, 6):
        for number in range(10**digits):
            code = f"{number:0{digits}d}"
            assert (pattern.fullmatch(code) is not None) == is_hanoi_unit(code), code
