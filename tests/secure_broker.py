"""The session broker's SASL listener, as the security tests reach it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from services.kit.kafka_access import KafkaAccess

#: With an external broker (`KAFKA_BOOTSTRAP_SERVERS`), its SASL/SCRAM-SHA-512 listener...
SECURE_BOOTSTRAP_ENV = "PORTALSIM_TEST_SECURE_BOOTSTRAP"
#: ...and a credentials file as `portalsim kafka up --secure` writes it (principal -> password).
CREDENTIALS_ENV = "PORTALSIM_TEST_KAFKA_CREDENTIALS"


@dataclass(frozen=True)
class SecureKafka:
    """The SASL listener of the session's broker and the passwords of its principals."""

    bootstrap: str
    credentials: Path

    def access(self, user: str) -> KafkaAccess:
        """`user`'s SASL access (a principal of deploy/rights.yaml, or `admin`)."""
        return KafkaAccess.from_credentials(self.bootstrap, self.credentials, user)
