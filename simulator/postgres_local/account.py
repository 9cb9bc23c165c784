"""Who the local PostgreSQL server runs as, and running its tools as that account.

PostgreSQL refuses to run as root. A caller that is root runs `initdb` and `pg_ctl`
through `runuser -u <user>` as an unprivileged system account: `postgres` when the
Debian package made it, else `portalsim` (created once with `useradd --system`). A
caller that is not root runs them as itself. The server's folders belong to that account.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from simulator.postgres_local.errors import PostgresSetupError

__all__ = ["ServerAccount", "find_bin_dir", "server_account"]

#: Environment variable naming the folder of `initdb` and `pg_ctl` (default: Debian's 15).
BIN_ENV = "PORTALSIM_POSTGRES_BIN"
DEBIAN_BIN = Path("/usr/lib/postgresql/15/bin")
#: Accounts a root caller runs the server as, in order of preference.
SERVER_USERS = ("postgres", "portalsim")
INSTALL_HINT = "install PostgreSQL 15 (as root: apt-get update && apt-get install -y postgresql-15)"


def find_bin_dir() -> Path:
    """The folder of PostgreSQL's server programs: $PORTALSIM_POSTGRES_BIN, else Debian's 15."""
    given = os.environ.get(BIN_ENV)
    candidates = [Path(given)] if given else [DEBIAN_BIN]
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    raise PostgresSetupError(f"no initdb/pg_ctl in {candidates[0]}; {INSTALL_HINT}")


@dataclass(frozen=True)
class ServerAccount:
    """The account the server runs as: its name and ids; `switch` when we are root."""

    name: str
    uid: int
    gid: int
    switch: bool

    def command(self, args: Sequence[str]) -> list[str]:
        """`args` as run by this account (through `runuser` when we are root)."""
        return ["runuser", "-u", self.name, "--", *args] if self.switch else list(args)

    def run(self, args: Sequence[str], timeout: float) -> subprocess.CompletedProcess[str]:
        """Run a program as this account; its output captured, never raising on exit code."""
        return subprocess.run(
            self.command(args),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            cwd="/",
        )

    def own(self, path: Path, mode: int) -> None:
        """Give `path` to this account with `mode`."""
        if self.switch:
            os.chown(path, self.uid, self.gid)
        path.chmod(mode)

    def check_reachable(self, path: Path) -> None:
        """Fail when this account could not walk down to `path` (a folder of root's, 0700)."""
        if not self.switch:
            return
        for folder in reversed(path.parents):
            info = folder.stat()
            if info.st_uid != self.uid and not info.st_mode & 0o001:
                raise PostgresSetupError(
                    f"{folder} is closed to the server account {self.name!r} (mode "
                    f"{info.st_mode & 0o777:o}); choose a data folder it can reach"
                )


def server_account() -> ServerAccount:
    """The account the server runs as: ourselves, or (as root) a system account."""
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.geteuid())
        return ServerAccount(me.pw_name, me.pw_uid, me.pw_gid, switch=False)
    if shutil.which("runuser") is None:
        raise PostgresSetupError("runuser not found (util-linux): cannot drop root for PostgreSQL")
    for name in SERVER_USERS:
        try:
            found = pwd.getpwnam(name)
        except KeyError:
            continue
        return ServerAccount(name, found.pw_uid, found.pw_gid, switch=True)
    name = SERVER_USERS[-1]
    created = subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
        capture_output=True,
        text=True,
        check=False,
    )
    if created.returncode != 0:
        raise PostgresSetupError(f"useradd {name} failed: {created.stderr.strip()}")
    found = pwd.getpwnam(name)
    return ServerAccount(name, found.pw_uid, found.pw_gid, switch=True)
