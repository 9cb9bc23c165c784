"""The desks' electronic archive: retention per procedure, what is kept, what is reused."""

from __future__ import annotations

from datetime import datetime

from contracts.catalogue import load_catalogue
from contracts.worktime import HANOI_TZ
from services.one_stop.domain.archive import (
    PERMANENT_YEARS,
    archive_entry,
    kept_until,
    retention_years,
    reusable,
    scan_capacity,
)

CATALOGUE = load_catalogue()
DIGITISED = datetime(2026, 3, 2, 10, 0, tzinfo=HANOI_TZ)
ID_NUMBER = "001087012345"


def test_civil_status_is_kept_permanently_and_a_stay_notification_a_year() -> None:
    assert retention_years(CATALOGUE.by_number(9)) == PERMANENT_YEARS
    assert retention_years(CATALOGUE.by_number(6)) == 1
    assert retention_years(CATALOGUE.by_number(20)) == 10  # no entry: the default


def test_retention_from_29_february_ends_on_28_february() -> None:
    leap = datetime(2028, 2, 29, 9, 0, tzinfo=HANOI_TZ)
    assert kept_until(leap, 1) == datetime(2029, 2, 28, 9, 0, tzinfo=HANOI_TZ)


def test_a_failed_scan_or_a_dossier_without_an_id_number_is_not_kept() -> None:
    procedure = CATALOGUE.by_number(4)
    assert archive_entry("d", "001-260302-6000", procedure, ID_NUMBER, None) is None
    assert archive_entry("d", "001-260302-6000", procedure, None, DIGITISED) is None


def test_a_dossier_is_reused_from_its_digitisation_until_its_retention_ends() -> None:
    entry = archive_entry("d", "001-260302-6000", CATALOGUE.by_number(6), ID_NUMBER, DIGITISED)
    assert entry is not None
    assert reusable([entry], DIGITISED.replace(hour=9)) == []  # not digitised yet
    assert reusable([entry], DIGITISED.replace(day=20)) == ["001-260302-6000"]
    assert reusable([entry], DIGITISED.replace(year=2027, day=3)) == []  # kept a year


def test_a_dossier_that_reuses_documents_is_scanned_twice_as_fast() -> None:
    assert scan_capacity(8, ["001-260302-6000"]) == 16
    assert scan_capacity(8, []) == 8
