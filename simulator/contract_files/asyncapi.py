"""The AsyncAPI 3 document of all services, generated from the topic registry and payloads.

`portalsim asyncapi` writes `docs/asyncapi.yaml`; `--check` fails when it is stale.
The registry (contracts.topics) says which service sends and receives each channel;
a test checks that each service's app consumes exactly what the registry says.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from contracts.envelope import CONTENT_TYPE, ENVELOPE_VERSION, CloudEvent
from contracts.topics import TOPICS, ServiceName, Topic

__all__ = ["DOCUMENT_PATH", "asyncapi_document", "render_asyncapi"]

DOCUMENT_PATH = Path(__file__).resolve().parents[2] / "docs" / "asyncapi.yaml"
_REF = "#/components/schemas/{model}"


def _channel_id(topic: Topic) -> str:
    head, *rest = topic.name.split(".")
    return head + "".join(part.title() for part in rest)


def _asyncapi_schema(value: Any) -> Any:
    """A JSON schema as the AsyncAPI Schema Object takes it: its `discriminator` is the name
    of the property (pydantic writes OpenAPI's object, `{propertyName, mapping}`; each
    variant's `const` of that property says the same as the mapping)."""
    if isinstance(value, list):
        return [_asyncapi_schema(item) for item in value]
    if not isinstance(value, dict):
        return value
    converted = {key: _asyncapi_schema(item) for key, item in value.items()}
    discriminator = converted.get("discriminator")
    if isinstance(discriminator, dict) and "propertyName" in discriminator:
        converted["discriminator"] = discriminator["propertyName"]
    return converted


def _envelope_schema(topic: Topic, schemas: dict[str, Any]) -> dict[str, Any]:
    envelope: type[BaseModel] = CloudEvent[topic.payload]  # type: ignore[name-defined]
    schema = envelope.model_json_schema(ref_template=_REF, mode="serialization")
    schemas.update(schema.pop("$defs", {}))
    schema["title"] = f"{topic.payload.__name__}Envelope"
    schema["properties"]["type"]["const"] = topic.event_type
    return schema


def asyncapi_document() -> dict[str, Any]:
    """The AsyncAPI 3.0 document as a dict."""
    schemas: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for topic in TOPICS:
        channel_id = _channel_id(topic)
        message_name = topic.payload.__name__
        messages[message_name] = {
            "name": message_name,
            "title": topic.event_type,
            "summary": (topic.payload.__doc__ or "").strip().splitlines()[0],
            "contentType": CONTENT_TYPE,
            "payload": _envelope_schema(topic, schemas),
            "bindings": {
                "kafka": {
                    "key": {"type": "string", "description": f"The payload's {topic.key_field}."}
                }
            },
        }
        channels[channel_id] = {
            "address": topic.name,
            "description": topic.description,
            "messages": {message_name: {"$ref": f"#/components/messages/{message_name}"}},
            "bindings": {"kafka": {"topic": topic.name, "partitions": topic.partitions}},
        }
        for action, services in (("send", topic.producers), ("receive", topic.consumers)):
            for service in sorted(services):
                operations[f"{service}.{action}.{channel_id}"] = {
                    "action": action,
                    "channel": {"$ref": f"#/channels/{channel_id}"},
                    "summary": f"{service} {action}s {topic.name}",
                    "tags": [{"name": str(service)}],
                }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "portalsim",
            "version": str(ENVELOPE_VERSION),
            "description": "Events exchanged by portalsim's services: "
            + ", ".join(s.value for s in ServiceName if s != ServiceName.SIMULATOR)
            + ". Every value is a CloudEvents 1.0 envelope in structured JSON mode "
            + f"(envelope version {ENVELOPE_VERSION}). Every event is signed: the extension "
            + "attributes `signer` (the producing service, or `simulator`) and `signature` "
            + "(base64url Ed25519 signature of the canonical bytes: the envelope without "
            + "`signature`, keys sorted recursively, compact JSON, UTF-8); a consumer "
            + "dead-letters an event that is unsigned, forged, from an unknown signer or "
            + "from a signer that may not produce the topic (reason `signature`).",
        },
        "defaultContentType": CONTENT_TYPE,
        "servers": {
            "local": {
                "host": "127.0.0.1:9092",
                "protocol": "kafka",
                "description": "portalsim kafka up",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "messages": _asyncapi_schema(messages),
            "schemas": _asyncapi_schema(schemas),
        },
    }


def render_asyncapi() -> str:
    """The document as YAML text (stable key order)."""
    header = "# Generated by `portalsim asyncapi` from contracts/; do not edit by hand.\n"
    return header + yaml.safe_dump(asyncapi_document(), sort_keys=True, allow_unicode=True)
