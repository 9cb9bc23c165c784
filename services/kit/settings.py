"""Service settings from environment variables (prefix `PORTALSIM_<SERVICE>_`) or flags.

Every service's settings class derives from `ServiceSettings`; `parse_settings`
turns its fields into `--flags` (so `python -m services.<name> --help` lists them
with their environment variable and default) and reads the environment for the rest.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, TypeVar

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.kit.kafka_access import KafkaAccess, SecurityProtocol
from services.kit.tokens import ConfiguredToken

__all__ = ["ServiceSettings", "env_var_names", "parse_json_text", "parse_settings"]


def parse_json_text(value: Any) -> Any:
    """A JSON text given by a flag or an environment variable, parsed; other values as they are."""
    if isinstance(value, str):
        return json.loads(value) if value.strip() else None
    return value


S = TypeVar("S", bound="ServiceSettings")


class ServiceSettings(BaseSettings):
    """Settings every service has. Subclasses set `env_prefix` and add their own."""

    model_config = SettingsConfigDict(env_prefix="PORTALSIM_", extra="ignore")

    kafka_bootstrap: str = Field(
        "127.0.0.1:9092", description="Kafka bootstrap servers, host:port[,host:port]."
    )
    kafka_security_protocol: SecurityProtocol = Field(
        "PLAINTEXT", description="PLAINTEXT, or SASL_PLAINTEXT (SCRAM-SHA-512) on a secure broker."
    )
    kafka_username: str | None = Field(
        None, description="The service's Kafka principal on a secure broker (User:<name>)."
    )
    kafka_password: SecretStr | None = Field(
        None, description="The service's Kafka password on a secure broker (never logged)."
    )
    data_dir: Path = Field(
        Path(".portalsim/data"), description="Folder of the service's SQLite state."
    )
    store_url: SecretStr | None = Field(
        None,
        description="A PostgreSQL URL (postgresql://user:password@host:port/database): the "
        "service's state in its own schema there, shared by all its replicas; none: a SQLite "
        "file in data_dir.",
    )
    replica: str = Field(
        "",
        description="This process's name among the service's replicas (e.g. national_portal-2; "
        "default: <service>@<host name>): on PostgreSQL its outbox rows are its own.",
    )
    http_host: str = Field("127.0.0.1", description="Address the HTTP API listens on.")
    http_port: int = Field(8000, ge=0, le=65535, description="Port of the HTTP API.")
    log_level: str = Field("INFO", description="Log level: DEBUG, INFO, WARNING, ERROR.")
    log_json: bool = Field(True, description="Log one JSON object a line (else console).")
    batch_max_records: int = Field(
        500, ge=1, le=10000, description="Most records handled in one consumer batch."
    )
    store_thread: bool = Field(
        False,
        description="Run store calls and handlers on a thread of their own (for handlers that "
        "block); else inline on the event loop, without GIL handoffs (faster).",
    )
    create_topics: bool = Field(
        True, description="Create the registered topics at start when they are missing."
    )
    signing_key_file: Path | None = Field(
        None,
        description="The service's Ed25519 private key (PEM): signs what it publishes. "
        "With trust_file; neither: unsigned.",
    )
    trust_file: Path | None = Field(
        None,
        description="trust.json: the public keys of every principal; what is consumed is "
        "verified against it. With signing_key_file.",
    )

    trace_dir: Path | None = Field(
        None,
        description="Folder the service appends its spans to (<replica or service>.jsonl, one "
        "span a line); none: no spans, unless OTEL_EXPORTER_OTLP_ENDPOINT sends them over OTLP.",
    )

    official_token_hashes: list[ConfiguredToken] = Field(
        default_factory=list,
        description="Tokens of officials and the simulator (the operations API, and the "
        'official routes of the public APIs), as JSON: ["<sha256 hex>", ...] or '
        '[{"sha256": "<hex>", "expires_at": "<ISO 8601>"}].',
    )

    @field_validator("official_token_hashes", mode="before")
    @classmethod
    def _official_json(cls, value: Any) -> Any:
        return parse_json_text(value) or []

    def kafka_access(self) -> KafkaAccess:
        """How this service's Kafka clients connect."""
        return KafkaAccess(
            self.kafka_bootstrap,
            self.kafka_security_protocol,
            self.kafka_username,
            self.kafka_password,
        )


def env_var_names(settings_class: type[ServiceSettings]) -> dict[str, str]:
    """Field name -> environment variable name, for documentation and compose checks."""
    prefix = str(settings_class.model_config.get("env_prefix", ""))
    return {name: (prefix + name).upper() for name in settings_class.model_fields}


def parse_settings(
    settings_class: type[S], argv: list[str] | None = None, description: str = ""
) -> S:
    """Build settings from flags (highest priority) and the environment."""
    env_names = env_var_names(settings_class)
    parser = argparse.ArgumentParser(
        description=description or settings_class.__doc__,
    )
    json_fields = set()
    for name, field in settings_class.model_fields.items():
        flag = "--" + name.replace("_", "-")
        default = field.get_default(call_default_factory=True)
        shown = json.dumps(default) if isinstance(default, dict | list) else default
        help_text = f"{field.description} (env {env_names[name]}; default {shown})"
        if isinstance(default, dict | list):
            json_fields.add(name)
            help_text += " JSON."
        parser.add_argument(flag, dest=name, default=argparse.SUPPRESS, help=help_text)
    given: dict[str, Any] = vars(parser.parse_args(argv))
    for name in json_fields & set(given):
        given[name] = json.loads(given[name])
    return settings_class(**given)
