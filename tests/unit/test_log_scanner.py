"""The scanner of the log-masking test finds what the masking must remove (so it can fail)."""

from __future__ import annotations

import json

import structlog

from services.kit.masking import masker
from tests.logscan import People, find_unmasked

PEOPLE = People(id_numbers=frozenset({"001203004567"}), names=frozenset({"Nguyễn Văn An"}))


def test_an_unmasked_id_number_is_found() -> None:
    assert find_unmasked("checked 001203004567", PEOPLE) == ["line 1: ID number 001203004567"]


def test_a_name_escaped_in_a_json_line_is_found() -> None:
    line = json.dumps({"event": "x", "full_name": "Nguyễn Văn An"})  # \\u-escaped
    assert "Nguyễn" not in line
    assert find_unmasked(line, PEOPLE) == ["line 1: name 'Nguyễn Văn An'"]


def test_a_masked_json_line_has_nothing_to_find() -> None:
    event = {"event": "checked 001203004567", "person": {"full_name": "Nguyễn Văn An"}}
    line = structlog.processors.JSONRenderer()(None, "info", masker(None, "info", event))
    assert isinstance(line, str)
    assert find_unmasked(line, PEOPLE) == []


def test_another_12_digit_number_is_not_taken_for_a_persons() -> None:
    assert find_unmasked("offset 123456789012", PEOPLE) == []
