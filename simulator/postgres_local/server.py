"""One local PostgreSQL server on 127.0.0.1 whose files live in a data folder.

Layout of the folder: `pgdata/` (the cluster, the server account's, 0700), `logs/` (its
log), `password` (the superuser's, 0600, the caller's), `port.json` (chosen once, kept
across restarts) and `server.json` (the running server: pid, port, start time), the state
file through which a later command finds, reuses and stops it. Start and stop hold the
folder's lock. The cluster is made with `initdb` (superuser `portalsim`, SCRAM passwords
on TCP, no Unix socket) and driven with `pg_ctl`; the database `portalsim` is made at
the first start.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from simulator.kafka_local.config import free_port, port_is_free, write_atomic
from simulator.kafka_local.errors import KafkaLocalError
from simulator.kafka_local.locking import file_lock
from simulator.kafka_local.process import tail
from simulator.kafka_local.state import pid_alive
from simulator.postgres_local.account import ServerAccount, find_bin_dir, server_account
from simulator.postgres_local.databases import ensure_database
from simulator.postgres_local.errors import PostgresStartError

__all__ = ["DEFAULT_PORT", "HOST", "SUPERUSER", "LocalPostgres", "PostgresStatus"]

HOST = "127.0.0.1"
DEFAULT_PORT = 5432
SUPERUSER = "portalsim"
DATABASE = "portalsim"
_INCLUDE = "include_if_exists = 'portalsim.conf'\n"


@dataclass(frozen=True)
class PostgresStatus:
    """A running local server, as recorded in its data folder."""

    pid: int
    port: int
    data_dir: Path
    started_at: datetime
    user: str

    @property
    def address(self) -> str:
        """`127.0.0.1:PORT`."""
        return f"{HOST}:{self.port}"


class LocalPostgres:
    """A PostgreSQL server on 127.0.0.1 run from the installed binaries (see the module)."""

    def __init__(self, data_dir: Path, port: int | None = None) -> None:
        self.data_dir = Path(data_dir).expanduser().resolve()
        self._port = port

    # -- files --------------------------------------------------------------------------
    @property
    def pgdata(self) -> Path:
        """The database cluster's folder."""
        return self.data_dir / "pgdata"

    @property
    def log_file(self) -> Path:
        """The server's log."""
        return self.data_dir / "logs" / "postgres.log"

    @property
    def state_file(self) -> Path:
        """`server.json`: the running server."""
        return self.data_dir / "server.json"

    def password(self) -> str:
        """The superuser's password (made when the cluster was)."""
        return (self.data_dir / "password").read_text(encoding="utf-8").strip()

    def url(self, database: str = DATABASE) -> str:
        """`postgresql://portalsim:PASSWORD@127.0.0.1:PORT/<database>` of this server."""
        running = self.status()
        port = running.port if running else self._chosen_port()
        return (
            f"postgresql://{SUPERUSER}:{quote(self.password(), safe='')}@{HOST}:{port}/{database}"
        )

    # -- state --------------------------------------------------------------------------
    def status(self) -> PostgresStatus | None:
        """The running server of the folder, or None (a stale state file is removed)."""
        try:
            data = json.loads(self.state_file.read_text(encoding="utf-8"))
            state = PostgresStatus(
                pid=int(data["pid"]),
                port=int(data["port"]),
                data_dir=Path(data["data_dir"]),
                started_at=datetime.fromisoformat(data["started_at"]),
                user=str(data["user"]),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if self._is_server(state.pid):
            return state
        self.state_file.unlink(missing_ok=True)
        return None

    def _is_server(self, pid: int) -> bool:
        """True when `pid` lives and is the postmaster of this folder (not a recycled pid)."""
        if not pid_alive(pid):
            return False
        try:
            args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            return True
        return any(a.endswith(b"postgres") for a in args) and str(self.pgdata).encode() in args

    def _chosen_port(self) -> int:
        saved = self.data_dir / "port.json"
        try:
            return int(json.loads(saved.read_text(encoding="utf-8"))["port"])
        except (OSError, ValueError, KeyError, TypeError):
            pass
        if self._port is not None:
            return self._port
        return DEFAULT_PORT if port_is_free(DEFAULT_PORT) else free_port()

    # -- start and stop -----------------------------------------------------------------
    def start(self, timeout: float = 60.0) -> str:
        """Start the server (or find it running); its URL, database `portalsim`."""
        bin_dir = find_bin_dir()
        account = server_account()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if account.switch:  # the account walks through our folder to its own
            self.data_dir.chmod(0o711)
        account.check_reachable(self.data_dir)
        try:
            with file_lock(self.data_dir / ".lock", timeout + 30):
                if self.status() is None:
                    self._start_locked(bin_dir, account, timeout)
        except KafkaLocalError as exc:  # the shared lock's timeout
            raise PostgresStartError(str(exc)) from exc
        ensure_database(self.url("postgres"), DATABASE)
        return self.url()

    def _start_locked(self, bin_dir: Path, account: ServerAccount, timeout: float) -> None:
        port = self._port if self._port is not None else self._chosen_port()
        if not port_is_free(port):
            raise PostgresStartError(f"port {port} on {HOST} is in use; choose another --port")
        write_atomic(self.data_dir / "port.json", json.dumps({"port": port}) + "\n")
        if not (self.pgdata / "PG_VERSION").is_file():
            self._initdb(bin_dir, account)
        conf = self.pgdata / "portalsim.conf"
        write_atomic(conf, _server_conf(port), mode=0o600)
        account.own(conf, 0o600)
        self.log_file.parent.mkdir(exist_ok=True)
        account.own(self.log_file.parent, 0o700)
        pg_ctl = str(bin_dir / "pg_ctl")
        started = account.run(
            [
                pg_ctl,
                "-D",
                str(self.pgdata),
                "-l",
                str(self.log_file),
                "-w",
                "-t",
                f"{timeout:.0f}",
                "start",
            ],
            timeout + 10,
        )
        pid = _postmaster_pid(self.pgdata)
        if started.returncode != 0 or pid is None:
            raise PostgresStartError(
                f"pg_ctl start failed (exit {started.returncode}): {started.stderr.strip()}\n"
                f"last lines of {self.log_file}:\n{tail(self.log_file)}"
            )
        state = {
            "pid": pid,
            "port": port,
            "data_dir": str(self.data_dir),
            "started_at": datetime.now(UTC).isoformat(),
            "user": account.name,
        }
        write_atomic(self.state_file, json.dumps(state, indent=2) + "\n")

    def _initdb(self, bin_dir: Path, account: ServerAccount) -> None:
        """A new cluster: superuser `portalsim` with a fresh password, SCRAM on TCP."""
        password = secrets.token_urlsafe(24)
        write_atomic(self.data_dir / "password", password + "\n", mode=0o600)
        self.pgdata.mkdir(exist_ok=True)
        account.own(self.pgdata, 0o700)
        logs = self.log_file.parent
        logs.mkdir(exist_ok=True)
        account.own(logs, 0o700)
        pwfile = logs / ".initdb-password"
        write_atomic(pwfile, password + "\n", mode=0o600)
        account.own(pwfile, 0o600)
        try:
            made = account.run(
                [
                    str(bin_dir / "initdb"),
                    "-D",
                    str(self.pgdata),
                    "-U",
                    SUPERUSER,
                    f"--pwfile={pwfile}",
                    "--auth-host=scram-sha-256",
                    "--auth-local=peer",
                    "--encoding=UTF8",
                    "--locale=C",
                ],
                timeout=120,
            )
        finally:
            pwfile.unlink(missing_ok=True)
        if made.returncode != 0:
            raise PostgresStartError(f"initdb failed (exit {made.returncode}):\n{made.stderr}")
        with (self.pgdata / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write(_INCLUDE)

    def stop(self, timeout: float = 60.0) -> PostgresStatus | None:
        """Stop the server (fast shutdown); what ran, or None when nothing did."""
        running = self.status()
        if running is None:
            return None
        try:
            with file_lock(self.data_dir / ".lock", timeout + 30):
                account = server_account()
                pg_ctl = str(find_bin_dir() / "pg_ctl")
                stopped = account.run(
                    [
                        pg_ctl,
                        "-D",
                        str(self.pgdata),
                        "-m",
                        "fast",
                        "-w",
                        "-t",
                        f"{timeout:.0f}",
                        "stop",
                    ],
                    timeout + 10,
                )
                if stopped.returncode != 0 and self._is_server(running.pid):
                    raise PostgresStartError(f"pg_ctl stop failed: {stopped.stderr.strip()}")
                self.state_file.unlink(missing_ok=True)
        except KafkaLocalError as exc:
            raise PostgresStartError(str(exc)) from exc
        return running


def _postmaster_pid(pgdata: Path) -> int | None:
    try:
        return int((pgdata / "postmaster.pid").read_text(encoding="ascii").split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _server_conf(port: int) -> str:
    """The settings portalsim gives the server (rewritten at every start)."""
    return (
        "# written by portalsim at every start\n"
        f"listen_addresses = '{HOST}'\n"
        f"port = {port}\n"
        "unix_socket_directories = ''\n"
        "max_connections = 200\n"
        "log_min_messages = warning\n"
    )
