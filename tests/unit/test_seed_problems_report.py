"""The report's sections on the ID-card campaign, dirty records and the e-archive."""

from __future__ import annotations

from typing import Any

import pytest

from contracts.catalogue import load_catalogue
from simulator.drive.observations import Observations, Settlement, Submission
from simulator.report.archive import archive_block, archive_section
from simulator.report.campaign import campaign_block, campaign_section
from simulator.report.compare import compare_summaries
from simulator.report.dossiers import root_views
from simulator.report.records import records_block, records_section
from simulator.report.summary import build_summary
from simulator.scenarios.scenario import Policies, Scenario

ID_CARD = "2.001194"
RESIDENCE = "1.004194"


def scenario(**fields: Any) -> Scenario:
    raw = {
        "name": "s",
        "description": "What?",
        "start_date": "2026-12-28",
        "days": 4,
        "demand": {"scale": 0.001, "procedures": {"2": {"per_day": 1}}},
    }
    return Scenario.model_validate(raw | fields)


class Run:
    """Observations built dossier by dossier."""

    def __init__(self) -> None:
        self.seen = Observations()

    def dossier(
        self,
        n: int,
        received: str,
        settled: str | None,
        *,
        procedure: str = ID_CARD,
        channel: str = "desk",
        unit: str = "001",
        outcome: str = "approved",
        reason: tuple[str, str] | None = None,
        days: float = 1.0,
    ) -> str:
        dossier_id = f"d{n}"
        self.seen.accepted[dossier_id] = f"001-261228-{n:04d}"
        fields: dict[str, Any] = {
            "dossier_id": dossier_id,
            "dossier_code": f"001-261228-{n:04d}",
            "procedure_code": procedure,
            "channel": channel,
            "received_unit": unit,
            "parent_dossier_id": None,
            "received_simtime": received,
        }
        self.seen.submissions[dossier_id] = Submission(**fields, wall_ms=n)
        if settled is not None:
            code, text = reason or (None, None)
            self.seen.settlements[dossier_id] = {
                f"e{n}": Settlement(
                    event_id=f"e{n}",
                    **fields,
                    outcome=outcome,
                    settled_by="ministry.public_security",
                    reason_code=code,
                    reason_text=text,
                    result_document_number="CCCD-1" if outcome == "approved" else None,
                    working_days_taken=days,
                    legal_limit_days=None,
                    within_legal_limit=None,
                    settled_simtime=settled,
                    wall_ms=n + 1,
                )
            }
        return dossier_id

    def roots(self) -> Any:
        return root_views(self.seen, load_catalogue())


def test_cards_returned_count_up_to_the_periods_end_and_the_queue_follows_them() -> None:
    run = Run()
    run.dossier(1, "2026-12-28T09:00:00+07:00", "2026-12-29T09:00:00+07:00")
    run.dossier(2, "2026-12-28T10:00:00+07:00", "2027-01-04T09:00:00+07:00", unit="00101")
    run.dossier(3, "2026-12-29T10:00:00+07:00", "2026-12-30T09:00:00+07:00", outcome="rejected")
    block, plot = campaign_block(scenario(), Policies(id_card_capacity_per_day=2000), run.roots())
    assert block["period_end"] == "2026-12-31"
    assert (block["applications"], block["returned_in_period"], block["returned_after"]) == (
        3,
        1,
        1,
    )
    assert block["returned_ratio"] == pytest.approx(1 / 3, abs=1e-4)
    assert block["capacity_per_day_run"] == pytest.approx(2.0)
    assert block["taken_at_communes"] == 1
    assert (block["waiting_at_period_end"], block["peak_waiting"]["count"]) == (1, 2)
    assert plot["waiting"] == [1, 2, 1, 2, 1, 0]
    assert "| returned / taken | 33.3% | 92.3% |" in "\n".join(
        campaign_section({"id_card_campaign": block})
    )


def test_without_id_card_applications_there_is_no_campaign_section() -> None:
    run = Run()
    run.dossier(1, "2026-12-28T09:00:00+07:00", "2026-12-29T09:00:00+07:00", procedure=RESIDENCE)
    assert campaign_block(scenario(), Policies(), run.roots()) == ({}, {})


def test_identity_failures_are_counted_per_week_by_the_category_the_record_names() -> None:
    run = Run()
    dirty = ("identity_mismatch", "The declared record_merit of the applicant differ ...")
    typo = ("identity_mismatch", "The declared full_name of the applicant differ ...")
    run.dossier(1, "2026-12-28T09:00:00+07:00", "2026-12-28T09:01:00+07:00", reason=dirty)
    run.dossier(2, "2026-12-29T09:00:00+07:00", "2026-12-29T09:01:00+07:00", reason=typo)
    run.dossier(3, "2027-01-05T09:00:00+07:00", "2027-01-05T09:01:00+07:00", reason=dirty)
    run.dossier(4, "2027-01-05T09:00:00+07:00", "2027-01-06T09:00:00+07:00")
    run.seen.accounts["a"] = {
        "status": "refused",
        "reason": "identity check: mismatch record_children: The child's ...",
    }
    block = records_block(scenario(), Policies(record_cleaning_per_day=5), run.roots(), run.seen)
    assert [(r["week"], r["merit"], r["declaration"], r["total"]) for r in block["per_week"]] == [
        ("2026-12-28", 1, 1, 2),
        ("2027-01-04", 1, 0, 1),
    ]
    assert block["dirty_failures"] == 2
    assert block["accounts_refused"]["children"] == 1
    assert "| 2026-12-28 | 0 | 1 | 0 | 1 | 2 |" in records_section({"population_records": block})


def test_the_archive_block_counts_reuse_among_repeat_applicants_and_their_days() -> None:
    run = Run()
    run.dossier(1, "2026-12-28T09:00:00+07:00", "2026-12-30T09:00:00+07:00", days=2.0)
    again = run.dossier(2, "2026-12-29T09:00:00+07:00", "2026-12-30T09:00:00+07:00", days=1.0)
    other = run.dossier(3, "2026-12-29T10:00:00+07:00", None)
    run.seen.repeat_desk |= {again, other}
    run.seen.desk_reused.update({again: 1, other: 0})
    block = archive_block(Policies(e_archive=True), run.roots(), run.seen)
    assert (block["desk_dossiers"], block["archive_size"], block["results_kept"]) == (3, 3, 2)
    assert (block["reused"], block["reuse_rate"]) == (1, 0.5)
    assert block["mean_days"] == {"all_desk": 1.5, "repeat": 1.0, "reused": 1.0}
    assert archive_block(Policies(), run.roots(), run.seen)["archive_size"] == 0
    assert "archive size 3 dossiers" in "\n".join(archive_section({"e_archive": block}))


def test_the_comparison_puts_the_three_sections_side_by_side() -> None:
    run = Run()
    run.dossier(1, "2026-12-28T09:00:00+07:00", "2026-12-29T09:00:00+07:00")
    a = build_summary(scenario(), run.seen, wall_seconds=1.0, seed=6)
    b = build_summary(scenario(), run.seen, wall_seconds=1.0, seed=6)
    sections = compare_summaries(a, b)["sections"]
    assert {"id_card_campaign", "population_records", "e_archive"} <= set(sections)
