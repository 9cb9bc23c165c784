"""`portalsim keys`: make a key folder (`init`), list its principals and fingerprints (`show`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from contracts.signing import Signer, TrustStore, fingerprint
from simulator.system.keys import (
    PRINCIPALS,
    KeyFolderError,
    init_keys,
    key_path,
    signer_from,
    trust_path,
)

__all__ = ["keys_app"]

keys_app = typer.Typer(
    name="keys",
    help="Ed25519 keys of the services and the simulator, and the trust file of them.",
    no_args_is_help=True,
    add_completion=False,
)
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

FolderArgument = Annotated[Path, typer.Argument(help="The key folder.")]


@keys_app.command("init")
def init_command(
    folder: FolderArgument,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the keys and trust file already there.")
    ] = False,
) -> None:
    """One private key per principal (DIR/<name>.key, mode 0600) and DIR/trust.json."""
    try:
        trust = init_keys(folder, force=force)
    except KeyFolderError as exc:
        err.print(f"portalsim keys: {exc}")
        raise typer.Exit(1) from None
    for name, key in trust.items():
        out.print(f"{name:<16} {fingerprint(key)}  {key_path(folder, name)}")
    out.print(f"trust file: {trust_path(folder)}")


def _key_state(folder: Path, name: str, trusted: str | None) -> str:
    if not key_path(folder, name).exists():
        return "no private key here"
    try:
        signer: Signer = signer_from(folder, name)
    except KeyFolderError as exc:
        return f"unreadable key: {exc}"
    return "key matches" if signer.public_key == trusted else "KEY DOES NOT MATCH the trust file"


@keys_app.command("show")
def show_command(folder: FolderArgument) -> None:
    """Each principal of the trust file, its key's fingerprint, whether its key file matches."""
    try:
        trust = TrustStore.from_file(trust_path(folder))
    except (OSError, ValueError) as exc:
        err.print(f"portalsim keys: cannot read {trust_path(folder)}: {exc}")
        raise typer.Exit(1) from None
    for name in sorted(trust.keys, key=lambda n: (n not in PRINCIPALS, n)):
        text = trust.keys[name]
        out.print(f"{name:<16} {fingerprint(text)}  {_key_state(folder, name, text)}")
