"""How a client reaches Kafka: the bootstrap address and, on a secure broker, its credentials.

Every Kafka client of the services and the simulator is built from a `KafkaAccess`:
aiokafka producers, consumers and admin clients take `aiokafka_options()`, the FastStream
broker takes `faststream_security()`, confluent-kafka's AdminClient takes
`confluent_config()`. On a secure broker the protocol is SASL_PLAINTEXT with
SCRAM-SHA-512 and each principal (`User:<username>`) has its own password.

The simulator's own clients read their credentials from the environment
(`PORTALSIM_SIMULATOR_KAFKA_SECURITY_PROTOCOL`, `..._USERNAME`, `..._PASSWORD`, or
`..._CREDENTIALS`: a credentials file as `portalsim kafka up --secure` writes it).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from faststream.security import SASLScram512
from pydantic import SecretStr

__all__ = [
    "SASL_MECHANISM",
    "SIMULATOR_ENV_PREFIX",
    "KafkaAccess",
    "SecurityProtocol",
    "simulator_access",
]

SecurityProtocol = Literal["PLAINTEXT", "SASL_PLAINTEXT"]
#: The only SASL mechanism of the secure broker.
SASL_MECHANISM = "SCRAM-SHA-512"
#: Prefix of the environment variables giving the simulator's own credentials.
SIMULATOR_ENV_PREFIX = "PORTALSIM_SIMULATOR_KAFKA_"


@dataclass(frozen=True)
class KafkaAccess:
    """A bootstrap address and the credentials to use there (none on a PLAINTEXT broker)."""

    bootstrap: str
    security_protocol: SecurityProtocol = "PLAINTEXT"
    username: str | None = None
    password: SecretStr | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        """A SASL access needs a username and a password."""
        if self.security_protocol == "SASL_PLAINTEXT" and not (self.username and self.password):
            raise ValueError("SASL_PLAINTEXT needs a Kafka username and password")

    @property
    def secure(self) -> bool:
        """True when the client authenticates (SASL)."""
        return self.security_protocol == "SASL_PLAINTEXT"

    @property
    def servers(self) -> list[str]:
        """Each `host:port` of the bootstrap address (a cluster's nodes, comma-separated)."""
        return [server.strip() for server in self.bootstrap.split(",") if server.strip()]

    def _secret(self) -> str:
        return self.password.get_secret_value() if self.password is not None else ""

    def aiokafka_options(self) -> dict[str, Any]:
        """Keyword arguments of aiokafka's producer, consumer and admin client."""
        options: dict[str, Any] = {"bootstrap_servers": self.bootstrap}
        if self.secure:
            options |= {
                "security_protocol": "SASL_PLAINTEXT",
                "sasl_mechanism": SASL_MECHANISM,
                "sasl_plain_username": self.username,
                "sasl_plain_password": self._secret(),
            }
        return options

    def faststream_security(self) -> SASLScram512 | None:
        """The `security` of a FastStream KafkaBroker (None on a PLAINTEXT broker)."""
        if not self.secure:
            return None
        return SASLScram512(username=str(self.username), password=self._secret(), use_ssl=False)

    def confluent_config(self) -> dict[str, str | int | float | bool]:
        """The configuration of a confluent-kafka (librdkafka) client."""
        config: dict[str, str | int | float | bool] = {"bootstrap.servers": self.bootstrap}
        if self.secure:
            config |= {
                "security.protocol": "SASL_PLAINTEXT",
                "sasl.mechanism": SASL_MECHANISM,
                "sasl.username": str(self.username),
                "sasl.password": self._secret(),
            }
        return config

    @classmethod
    def from_credentials(cls, bootstrap: str, credentials: Path, username: str) -> KafkaAccess:
        """SASL access as `username`, whose password is in a JSON credentials file."""
        passwords = json.loads(Path(credentials).read_text(encoding="utf-8"))
        if username not in passwords:
            raise KeyError(f"no password for {username!r} in {credentials}")
        return cls(bootstrap, "SASL_PLAINTEXT", username, SecretStr(str(passwords[username])))

    @classmethod
    def for_simulator(cls, bootstrap: str, environ: Mapping[str, str] | None = None) -> KafkaAccess:
        """The simulator's access to `bootstrap`, with the credentials its environment gives."""
        env = os.environ if environ is None else environ
        credentials = env.get(SIMULATOR_ENV_PREFIX + "CREDENTIALS")
        if credentials:
            return cls.from_credentials(bootstrap, Path(credentials), "simulator")
        protocol = env.get(SIMULATOR_ENV_PREFIX + "SECURITY_PROTOCOL", "PLAINTEXT").upper()
        if protocol not in ("PLAINTEXT", "SASL_PLAINTEXT"):
            raise ValueError(f"unsupported Kafka security protocol {protocol!r}")
        if protocol == "PLAINTEXT":
            return cls(bootstrap)
        password = env.get(SIMULATOR_ENV_PREFIX + "PASSWORD")
        username = env.get(SIMULATOR_ENV_PREFIX + "USERNAME", "simulator")
        return cls(bootstrap, "SASL_PLAINTEXT", username, SecretStr(password or ""))


def simulator_access(bootstrap: str | KafkaAccess) -> KafkaAccess:
    """`bootstrap` as the simulator reaches it (an access given is used as it is)."""
    if isinstance(bootstrap, KafkaAccess):
        return bootstrap
    return KafkaAccess.for_simulator(bootstrap)
