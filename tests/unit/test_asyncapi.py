"""The committed AsyncAPI document is generated from the contracts and kept current."""

from __future__ import annotations

import yaml

from contracts.topics import TOPICS
from simulator.contract_files.asyncapi import DOCUMENT_PATH, asyncapi_document, render_asyncapi


def test_committed_asyncapi_document_is_not_stale() -> None:
    assert DOCUMENT_PATH.read_text(encoding="utf-8") == render_asyncapi(), (
        "docs/asyncapi.yaml is stale: run `portalsim asyncapi` and commit it"
    )


def test_every_topic_is_a_channel_with_its_message() -> None:
    document = asyncapi_document()
    addresses = {c["address"] for c in document["channels"].values()}
    assert addresses == {t.name for t in TOPICS}


def test_every_producer_and_consumer_has_an_operation() -> None:
    operations = asyncapi_document()["operations"]
    for topic in TOPICS:
        for service in topic.producers:
            assert any(k.startswith(f"{service}.send.") for k in operations)
        for service in topic.consumers:
            assert any(k.startswith(f"{service}.receive.") for k in operations)


def test_document_is_asyncapi_3_yaml() -> None:
    assert yaml.safe_load(render_asyncapi())["asyncapi"] == "3.0.0"


def test_a_discriminator_names_its_property_as_the_asyncapi_schema_object_wants() -> None:
    found: list[object] = []

    def walk(value: object) -> None:
        if isinstance(value, dict):
            if "discriminator" in value:
                found.append(value["discriminator"])
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(asyncapi_document())
    assert found and all(isinstance(name, str) for name in found)
