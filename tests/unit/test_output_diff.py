"""One service's outputs in a recorded and a replayed run: matched by cause, compared by
payload, with what legitimately differs left out."""

from __future__ import annotations

from typing import Any

from simulator.diff.outputs import diff_outputs, procedures_of
from simulator.eventlog.format import LogRecord
from tests.unit.conversations import event

MARRIAGE, BIRTH = "1.000894", "1.001193"


def settled(event_id: str, cause: str, dossier: str = "d1", **data: Any) -> LogRecord:
    values = {"dossier_id": dossier, "procedure_code": MARRIAGE, "outcome": "approved"}
    return event(
        "dossier.settled",
        "city_portal",
        event_id,
        cause=cause,
        key=dossier,
        data={
            **values,
            **data,
        },
    )


def compare(a: list[LogRecord], b: list[LogRecord]) -> Any:
    return diff_outputs(a, b, service="city_portal", procedures=procedures_of(a + b))


def test_the_same_outputs_are_the_same_whatever_their_ids_times_signatures_and_codes() -> None:
    a = [settled("e1", "answer", dossier_code="001-260302-0001")]
    b = [
        event(
            "dossier.settled",
            "city_portal",
            "other-id",
            cause="answer",
            key="d1",
            data={**a[0].data, "dossier_code": "001-260302-0002"},
            time="2027-01-01T00:00:00Z",
            signature="another",
        )
    ]
    diff = compare(a, b)
    assert diff.identical
    assert diff.totals()["same"] == 1


def test_a_changed_payload_shows_each_changed_field() -> None:
    diff = compare(
        [settled("e1", "answer")],
        [settled("e1", "answer", outcome="rejected", reason_code="under_marriage_age")],
    )
    [difference] = diff.differences
    assert difference.kind == "changed"
    assert difference.procedure == MARRIAGE
    assert difference.fields == {
        "data.outcome": ("approved", "rejected"),
        "data.reason_code": (None, "under_marriage_age"),
    }


def test_outputs_are_counted_per_topic_and_procedure_as_same_changed_missing_or_extra() -> None:
    diff = compare(
        [settled("e1", "a1"), settled("e2", "a2", dossier="d2", procedure_code=BIRTH)],
        [settled("e1", "a1", outcome="rejected"), settled("e3", "a3", dossier="d3")],
    )
    counts = {key: dict(value) for key, value in diff.counts.items()}
    assert counts == {
        ("dossier.settled", MARRIAGE): {"changed": 1, "extra": 1},
        ("dossier.settled", BIRTH): {"missing": 1},
    }
    assert not diff.identical


def test_an_output_caused_by_the_other_of_two_racing_inputs_is_paired_by_its_place() -> None:
    diff = compare([settled("e1", "settlement")], [settled("e2", "record-change")])
    assert diff.identical
    assert diff.by_place == 1


def test_outputs_of_http_inputs_are_matched_by_their_correlation() -> None:
    a = [event("account.registered", "city_portal", "x1", key="acc", correlation="acc")]
    b = [event("account.registered", "city_portal", "x2", key="acc", correlation="acc")]
    diff = compare(a, b)
    assert diff.identical
    assert list(diff.counts) == [("account.registered", "account")]


def test_the_wall_clock_simtime_of_an_accounts_identity_check_is_no_difference() -> None:
    def check(simtime: str) -> LogRecord:
        data = {"requester_kind": "account", "requester_id": "acc", "check_id": "acc:applicant"}
        return event(
            "identity.check.requested", "city_portal", "c", key="001", data=data, simtime=simtime
        )

    assert compare(
        [check("2026-03-02T09:00:00+07:00")], [check("2026-12-03T16:00:00+07:00")]
    ).identical


def test_the_diff_as_json_lists_counts_and_differences() -> None:
    document = compare([settled("e1", "a1")], []).as_json()
    assert document["identical"] is False
    assert document["totals"] == {"same": 0, "changed": 0, "missing": 1, "extra": 0}
    assert document["by_topic"] == [
        {
            "topic": "dossier.settled",
            "procedure": MARRIAGE,
            "same": 0,
            "changed": 0,
            "missing": 1,
            "extra": 0,
        }
    ]
    assert document["differences"][0]["data"]["outcome"] == "approved"


def test_outputs_of_one_cause_published_in_another_order_are_matched_by_their_ids() -> None:
    def queue(event_id: str, length: int) -> LogRecord:
        data = {"unit_code": "018", "queue_length": length, "dossier_id": "d1"}
        return event("desk.queue.changed", "one_stop", event_id, key="018", data=data)

    diff = compare([queue("enter", 1), queue("leave", 0)], [queue("leave", 0), queue("enter", 1)])
    assert diff.identical
