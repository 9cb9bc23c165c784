"""The CloudEvents envelope: round trip to Kafka bytes and one clear error per defect."""

from __future__ import annotations

import orjson
import pytest

from contracts.envelope import EnvelopeError, parse_envelope, parse_event
from contracts.events import DossierSettled, DossierSubmitted
from tests.factories import envelope, submission

SUBMITTED = "vn.portalsim.dossier.submitted.v2"


def test_envelope_round_trips_through_kafka_bytes() -> None:
    original = envelope(submission())
    parsed = parse_event(original.to_bytes(), DossierSubmitted, SUBMITTED)
    assert parsed == original


def test_serialised_envelope_is_structured_cloudevents_json() -> None:
    value = orjson.loads(envelope(submission()).to_bytes())
    assert value["specversion"] == "1.0"
    assert {"id", "source", "type", "time", "subject", "datacontenttype", "data"} <= set(value)
    assert {"correlationid", "causationid", "simtime"} <= set(value)


def _broken(mutate: dict[str, object] | None = None, drop: str | None = None) -> bytes:
    value = orjson.loads(envelope(submission()).to_bytes())
    value.update(mutate or {})
    if drop:
        value.pop(drop)
    return orjson.dumps(value)


@pytest.mark.parametrize(
    ("raw", "field", "reason"),
    [
        (b"", "<value>", "empty"),
        (b"\xff\xfe{", "<value>", "not_utf8"),
        (b"not json", "<value>", "not_json"),
        (b"[1, 2]", "<value>", "not_envelope"),
        (_broken(drop="id"), "id", "invalid_envelope"),
        (_broken({"specversion": "0.3"}), "specversion", "invalid_envelope"),
        (_broken({"type": "dossier submitted"}), "type", "invalid_envelope"),
        (_broken({"simtime": "2026-03-02T09:30:00"}), "simtime", "invalid_envelope"),
        (_broken({"unknown": 1}), "unknown", "invalid_envelope"),
    ],
)
def test_invalid_envelope_raises_one_error_naming_the_field(
    raw: bytes, field: str, reason: str
) -> None:
    with pytest.raises(EnvelopeError) as caught:
        parse_envelope(raw)
    assert caught.value.field == field
    assert caught.value.reason == reason
    assert field in str(caught.value)


def test_payload_with_a_wrong_field_type_names_the_data_field() -> None:
    value = orjson.loads(envelope(submission()).to_bytes())
    value["data"]["persons"] = "everyone"
    with pytest.raises(EnvelopeError) as caught:
        parse_event(orjson.dumps(value), DossierSubmitted, SUBMITTED)
    assert caught.value.field == "data.persons"
    assert caught.value.reason == "invalid_payload"


def test_envelope_of_another_event_type_is_refused_as_wrong_type() -> None:
    raw = envelope(submission()).to_bytes()
    with pytest.raises(EnvelopeError) as caught:
        parse_event(raw, DossierSettled, "vn.portalsim.dossier.settled.v1")
    assert caught.value.reason == "wrong_event_type"
    assert caught.value.field == "type"
