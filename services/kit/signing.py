"""A service's keys: the signer of what it publishes, the trust store of what it consumes.

Both come from its settings (`signing_key_file`, `trust_file`). With both the service
runs signed; with neither it runs unsigned and says so once at start (for unit tests on
FastStream's in-memory broker and older deployments); with one alone it refuses to start.
"""

from __future__ import annotations

from typing import NamedTuple

import structlog

from contracts.signing import Signer, TrustStore
from contracts.topics import ServiceName
from services.kit.settings import ServiceSettings

__all__ = ["ServiceKeys", "SigningConfigError", "keys_from_settings"]

log = structlog.get_logger("portalsim.kit.signing")


class SigningConfigError(ValueError):
    """The signing settings cannot work: the service must not start."""


class ServiceKeys(NamedTuple):
    """The service's signer and trust store; both None when it runs unsigned."""

    signer: Signer | None
    trust: TrustStore | None


def keys_from_settings(settings: ServiceSettings, service: ServiceName) -> ServiceKeys:
    """The keys the settings name, checked to belong together."""
    key_file, trust_file = settings.signing_key_file, settings.trust_file
    if key_file is None and trust_file is None:
        log.warning(
            "running UNSIGNED: events published are not signed and events consumed are "
            "not verified (set signing_key_file and trust_file; `portalsim keys init DIR`)",
            service=str(service),
        )
        return ServiceKeys(None, None)
    if key_file is None or trust_file is None:
        missing = "signing_key_file" if key_file is None else "trust_file"
        raise SigningConfigError(
            f"{service}: signing needs both signing_key_file and trust_file; {missing} is not "
            "set (set both to run signed, neither to run unsigned)"
        )
    try:
        signer = Signer.from_file(str(service), key_file)
    except (OSError, ValueError) as exc:
        raise SigningConfigError(f"{service}: cannot read the signing key: {exc}") from None
    try:
        trust = TrustStore.from_file(trust_file)
    except (OSError, ValueError) as exc:
        raise SigningConfigError(f"{service}: cannot read the trust file: {exc}") from None
    trusted = trust.keys.get(str(service))
    if trusted != signer.public_key:
        raise SigningConfigError(
            f"{service}: the key in {key_file} is not the one {trust_file} trusts for "
            f"{service} ({'no entry' if trusted is None else 'another key'})"
        )
    log.info("running signed", service=str(service), key=str(key_file), trust=str(trust_file))
    return ServiceKeys(signer, trust)
