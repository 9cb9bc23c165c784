"""The topic registry: names, keys, payloads, producers and consumers."""

from __future__ import annotations

import re

import pytest
from pydantic import BaseModel

from contracts.topics import TOPICS, ServiceName, all_topic_names, topic


def test_topic_names_are_entity_dot_past_tense_event() -> None:
    for registered in TOPICS:
        assert re.fullmatch(r"[a-z]+(\.[a-z]+)+", registered.name), registered.name
        assert registered.name.split(".")[-1].endswith("ed"), registered.name


def test_each_topic_key_field_exists_on_its_payload() -> None:
    for registered in TOPICS:
        assert registered.key_field in registered.payload.model_fields, registered.name


def test_every_payload_field_has_a_description() -> None:
    def check(model: type[BaseModel]) -> None:
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name} has no description"
            for nested in _models_in(field.annotation):
                check(nested)

    for registered in TOPICS:
        check(registered.payload)


def _models_in(annotation: object) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in getattr(annotation, "__args__", ()):
        found += _models_in(arg)
    return found


def test_event_type_carries_topic_and_version() -> None:
    assert topic("dossier.submitted").event_type == "vn.portalsim.dossier.submitted.v2"


def test_every_consumed_topic_has_a_producer_and_a_deadletter_topic() -> None:
    names = all_topic_names()
    for registered in TOPICS:
        assert registered.producers, registered.name
        if registered.consumers:
            assert f"deadletter.{registered.name}" in names


def test_the_simulator_produces_only_submissions_and_its_simulated_clock() -> None:
    produced = {t.name for t in TOPICS if ServiceName.SIMULATOR in t.producers}
    assert produced == {"dossier.submitted", "simulated.clock.advanced"}


def test_unknown_topic_lookup_names_the_known_topics() -> None:
    with pytest.raises(KeyError, match=r"dossier\.submitted"):
        topic("dossier.teleported")
