"""Key folders: one Ed25519 private key per principal and the trust file of their public keys.

A key folder holds `<name>.key` for every principal of `ServiceName` (the four services
and the simulator), PEM PKCS#8, mode 0600, and `trust.json`, the public keys by name
(raw 32 bytes, standard base64). `portalsim keys init DIR` makes one; `ServiceCluster`
makes one in its data root unless it is given one.
"""

from __future__ import annotations

import os
from pathlib import Path

import orjson
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from contracts.signing import Signer, TrustStore, public_key_text
from contracts.topics import ServiceName

__all__ = [
    "PRINCIPALS",
    "KeyFolderError",
    "ensure_keys",
    "init_keys",
    "key_path",
    "service_key_settings",
    "signer_from",
    "trust_path",
]

PRINCIPALS: tuple[str, ...] = tuple(str(name) for name in ServiceName)
TRUST_FILE = "trust.json"


class KeyFolderError(ValueError):
    """A key folder that cannot be made or read as asked."""


def key_path(folder: Path, name: str) -> Path:
    """The private key file of a principal."""
    return Path(folder) / f"{name}.key"


def trust_path(folder: Path) -> Path:
    """The trust file of a key folder."""
    return Path(folder) / TRUST_FILE


def _write_private(path: Path, pem: bytes) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    descriptor = os.open(path, flags, 0o600)
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(pem)
    os.chmod(path, 0o600)  # also when the file existed with other rights


def init_keys(folder: Path, force: bool = False) -> dict[str, str]:
    """New keys for every principal and their trust file; the trust (name -> public key).

    Refuses (`KeyFolderError`) to replace existing keys or trust file unless `force`.
    """
    folder = Path(folder)
    files = (trust_path(folder), *(key_path(folder, name) for name in PRINCIPALS))
    present = [path.name for path in files if path.exists()]
    if present and not force:
        raise KeyFolderError(
            f"{folder} already holds {', '.join(present)}; --force replaces every key "
            "(services running with the old ones must be restarted with the new trust file)"
        )
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    trust: dict[str, str] = {}
    for name in PRINCIPALS:
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        _write_private(key_path(folder, name), pem)
        trust[name] = public_key_text(key.public_key())
    trust_path(folder).write_bytes(orjson.dumps(trust, option=orjson.OPT_INDENT_2) + b"\n")
    return trust


def ensure_keys(folder: Path) -> TrustStore:
    """The folder's trust store, after making the keys when the folder has no trust file."""
    if not trust_path(folder).exists():
        init_keys(folder)
    return TrustStore.from_file(trust_path(folder))


def signer_from(folder: Path, name: str = str(ServiceName.SIMULATOR)) -> Signer:
    """A principal's signer from a key folder (the simulator's by default)."""
    path = key_path(folder, name)
    try:
        return Signer.from_file(name, path)
    except (OSError, ValueError) as exc:
        raise KeyFolderError(f"cannot read {name}'s key {path}: {exc}") from None


def service_key_settings(folder: Path, name: str) -> dict[str, Path]:
    """A service's settings (`signing_key_file`, `trust_file`) for a key folder."""
    folder = Path(folder).resolve()
    return {"signing_key_file": key_path(folder, name), "trust_file": trust_path(folder)}
