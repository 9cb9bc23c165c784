"""The report says which volumes are published (online counts) and which synthetic, shows the
calendar of the run with its holidays, and counts arrivals per channel."""

from __future__ import annotations

from datetime import date
from typing import Any

from simulator.drive.observations import Settlement, Submission
from simulator.report.answer import data_note
from simulator.report.channels import arrivals_by_channel, calendar_block, volume_block
from simulator.report.demand_md import demand_section, source_mark
from simulator.report.dossiers import RootView
from simulator.scenarios.scenario import BUILT_IN_DIR, Scenario, load_scenario

STAY, RESIDENCE, BIRTH = "2.001159", "1.004222", "1.001193"
HANOI_DAY = load_scenario(BUILT_IN_DIR / "hanoi-day.yaml")


def tiny(**fields: Any) -> Scenario:
    demand = {"9": {"per_day": 10}, "3": {"per_year": 118880, "published": True}}
    raw = {"name": "tiny", "description": "A tiny scenario.", "demand": {"procedures": demand}}
    return Scenario.model_validate(raw | fields)


def rows(scenario: Scenario) -> dict[str, dict[str, Any]]:
    return {
        code: {"number": n, "name_en": name, "volume": volume_block(scenario, code)}
        for code, n, name in [
            (RESIDENCE, 3, "Permanent residence registration"),
            (STAY, 6, "Stay notification"),
            (BIRTH, 9, "Birth registration"),
        ]
        if code in scenario.demand.procedures
    }


def test_a_published_figure_labels_the_online_volume_and_its_desk_volume_is_synthetic() -> None:
    volume = volume_block(HANOI_DAY, STAY)
    assert volume is not None
    assert volume["published_figure"] == {"per_year": 302_220}
    assert volume["published_counts"] == "online submissions"
    assert (volume["online"]["source"], volume["desk"]["source"]) == ("published", "synthetic")
    assert volume["online"]["per_calendar_day"] == round(302_220 / 365, 3)
    assert volume["desk"]["per_working_day"] == round(15_906 / 250, 3)
    assert volume["source"] == "online published, desk synthetic"
    assert source_mark(volume) == " (P+S)"


def test_a_synthetic_volume_is_synthetic_on_both_channels() -> None:
    volume = volume_block(HANOI_DAY, BIRTH)
    assert volume is not None
    assert volume["source"] == "synthetic" and source_mark(volume) == " (S)"
    assert volume["online"]["source"] == volume["desk"]["source"] == "synthetic"


def test_a_published_figure_sent_partly_to_desks_is_not_labelled_published_online() -> None:
    split = {"per_year": 118880, "published": True, "online_share": 0.8}
    volume = volume_block(tiny(demand={"procedures": {"3": split}}), RESIDENCE)
    assert volume is not None
    assert volume["online"]["source"] == "80% of a published online count"
    assert volume["desk"]["source"] == "synthetic"


def test_the_data_note_names_the_published_online_counts_and_the_synthetic_rest() -> None:
    note = data_note(rows(HANOI_DAY))
    assert note["published"] == [RESIDENCE, STAY]
    assert note["synthetic"] == [BIRTH]
    assert note["synthetic_desk_on_published"] == [RESIDENCE, STAY]
    text = note["text"]
    assert text.startswith("Published figures, counts of online submissions: 3. Permanent")
    assert "6. Stay notification: 302,220 online submissions a year, run as its online" in text
    assert "a SYNTHETIC desk volume on top" in text
    assert text.endswith(
        "Every other volume (1 procedure) is SYNTHETIC: an assumption, not a published figure."
    )


def test_desk_backlog_says_it_samples_the_published_counts_and_invents_its_desk_volumes() -> None:
    scenario = load_scenario(BUILT_IN_DIR / "desk-backlog.yaml")
    text = data_note(rows(scenario))["text"]
    assert "run as its online volume at scale 0.3" in text
    assert text.count("a SYNTHETIC desk volume on top") == 2


def test_the_calendar_names_the_holidays_of_the_period() -> None:
    block = calendar_block(tiny(start_date=date(2026, 2, 12), days=3))
    assert (block["first_day"], block["last_day"]) == ("2026-02-12", "2026-02-23")
    assert (block["calendar_days"], block["working_days"]) == (12, 3)
    assert [h["date"] for h in block["holidays"]] == [f"2026-02-{d}" for d in range(16, 21)]
    assert block["years_without_holiday_data"] == []


def test_holidays_a_weekend_apart_are_shown_as_one_run_and_unsure_ones_say_so() -> None:
    scenario = tiny(start_date=date(2027, 2, 1), days=10)
    cal = calendar_block(scenario)
    summary = {"calendar": cal, "data_note": data_note({}), "procedures": {}}
    text = "\n".join(demand_section(summary | {"arrivals_by_channel": {}}))
    assert "2027-02-05 to 2027-02-11 Tết Nguyên đán (lunar new year) (dates not sure)" in text


def test_the_calendar_says_which_years_have_no_holiday_data() -> None:
    block = calendar_block(tiny(start_date=date(2027, 12, 30), days=3))
    assert block["years_without_holiday_data"] == [2028]


def _root(dossier_id: str, channel: str, received: str, within: bool | None) -> RootView:
    submission = Submission(dossier_id, "C", BIRTH, channel, "001", None, 0, received)
    settled = Settlement(
        "ev", dossier_id, "C", BIRTH, channel, "001", None, "approved", "city_portal",
        None, None, None, 0.1, 0, within, received, received, 10,
    )  # fmt: skip
    return RootView(dossier_id, "C", BIRTH, channel, submission, settled, 1)


def test_arrivals_per_channel_count_those_outside_office_hours_and_on_closed_days() -> None:
    roots = [
        _root("a", "online", "2026-02-17T21:30:00+07:00", True),  # Tết, in the evening
        _root("b", "online", "2026-03-02T10:00:00+07:00", False),
        _root("c", "online", "2026-03-07T10:00:00+07:00", None),  # a Saturday
        _root("d", "desk", "2026-03-02T09:00:00+07:00", True),
    ]
    table = arrivals_by_channel(roots)
    assert table["online"] == {
        "dossiers": 3,
        "outside_office_hours": 2,
        "on_non_working_days": 2,
        "judged_against_limit": 2,
        "share_within_legal_limit": 0.5,
    }
    assert table["desk"]["outside_office_hours"] == 0


def test_the_demand_section_lists_the_period_holidays_and_the_sources() -> None:
    scenario = tiny(start_date=date(2026, 2, 12), days=3)
    procedures = rows(scenario)
    summary = {
        "calendar": calendar_block(scenario),
        "data_note": data_note(procedures),
        "procedures": procedures,
        "arrivals_by_channel": arrivals_by_channel(
            [_root("a", "online", "2026-02-17T21:30:00+07:00", True)]
        ),
    }
    text = "\n".join(demand_section(summary))
    assert "2026-02-16 to 2026-02-20 Tết Nguyên đán (lunar new year)." in text
    assert "| online | " in text and "published" in text
