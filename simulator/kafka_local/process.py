"""The broker JVM as a process: format storage, launch, await readiness, terminate."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

from simulator.kafka_local.config import HOST, is_formatted, new_cluster_id
from simulator.kafka_local.errors import KafkaStartError
from simulator.kafka_local.paths import DataLayout
from simulator.kafka_local.state import MAIN_CLASS, pid_alive

#: The line Kafka logs once the broker and the controller serve requests.
READY_LINE = b"Kafka Server started"
#: JVM options of the broker.
JVM_OPTS = ("-Xms256m", "-Xmx512m", "-XX:+UseG1GC")
#: Lines of the broker log quoted in startup errors.
TAIL_LINES = 30
#: Seconds allowed to format the storage (a JVM run; over 120 s on a heavily loaded machine).
FORMAT_TIMEOUT = 300.0
_POLL = 0.1


def tail(path: Path, lines: int = TAIL_LINES) -> str:
    """Return the last ``lines`` lines of a text file ('' when missing)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def can_connect(port: int, host: str = HOST, timeout: float = 1.0) -> bool:
    """Tell whether a TCP connection to ``host:port`` succeeds."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def format_storage(
    java: Path,
    jars: Path,
    layout: DataLayout,
    extra_args: Sequence[str] = (),
    *,
    cluster_id: str | None = None,
) -> None:
    """Format the KRaft storage with ``cluster_id`` (a cluster's nodes share one), else a
    fresh one (``extra_args``: e.g. SCRAM users).

    With static ``controller.quorum.voters`` Kafka wants no ``--standalone``.
    """
    cmd = [
        str(java),
        f"-Dlog4j2.configurationFile={layout.tools_log4j_properties}",
        "-cp",
        f"{jars}/*",
        "kafka.tools.StorageTool",
        "format",
        "-t",
        cluster_id or new_cluster_id(),
        "-c",
        str(layout.server_properties),
        *extra_args,
    ]
    try:
        result = subprocess.run(
            cmd,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=FORMAT_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise KafkaStartError(
            f"formatting Kafka storage timed out after {FORMAT_TIMEOUT:.0f}s"
        ) from None
    if result.returncode != 0 or not is_formatted(layout.kraft_dir):
        output = "\n".join((result.stdout + result.stderr).splitlines()[-TAIL_LINES:])
        raise KafkaStartError(
            f"formatting Kafka storage in {layout.kraft_dir} failed "
            f"(exit {result.returncode}):\n{output}"
        )


def launch_broker(java: Path, jars: Path, layout: DataLayout) -> subprocess.Popen[bytes]:
    """Start the broker JVM detached (own session), its output going to the broker log.

    The previous log is kept as ``broker.out.1``.
    """
    log = layout.broker_log
    if log.exists():
        os.replace(log, log.with_name(log.name + ".1"))
    cmd = [
        str(java),
        *JVM_OPTS,
        f"-Dlog4j2.configurationFile={layout.log4j_properties}",
        f"-Dkafka.logs.dir={layout.logs_dir}",
        "-cp",
        f"{jars}/*",
        MAIN_CLASS,
        str(layout.server_properties),
    ]
    with log.open("ab") as out:
        return subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=layout.root,
            start_new_session=True,
        )


def wait_ready(proc: subprocess.Popen[bytes], log: Path, port: int, timeout: float) -> None:
    """Wait for :data:`READY_LINE` in ``log`` and a TCP connect to ``port``.

    Raises :class:`KafkaStartError` with the log tail if the JVM exits meanwhile or
    ``timeout`` seconds pass.
    """
    deadline = time.monotonic() + timeout
    offset, carry, logged = 0, b"", False
    while True:
        code = proc.poll()
        if code is not None:
            raise KafkaStartError(
                f"Kafka broker exited with code {code} during startup; "
                f"last lines of {log}:\n{tail(log)}"
            )
        if not logged:
            with contextlib.suppress(OSError), log.open("rb") as fh:
                fh.seek(offset)
                chunk = fh.read()
                offset += len(chunk)
                logged = READY_LINE in carry + chunk
                carry = (carry + chunk)[-len(READY_LINE) :]
        if logged and can_connect(port):
            return
        if time.monotonic() >= deadline:
            raise KafkaStartError(
                f"Kafka broker not ready within {timeout:g}s; last lines of {log}:\n{tail(log)}"
            )
        time.sleep(_POLL)


def wait_exit(pid: int, timeout: float, proc: subprocess.Popen[bytes] | None = None) -> bool:
    """Wait up to ``timeout`` seconds for ``pid`` to exit; tell whether it did.

    ``proc`` is the :class:`subprocess.Popen` of ``pid`` when this process started it.
    """
    if proc is not None and proc.pid == pid:
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return False
        return True
    deadline = time.monotonic() + timeout
    while pid_alive(pid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(_POLL)
    return True


def terminate(pid: int, timeout: float, proc: subprocess.Popen[bytes] | None = None) -> None:
    """Send SIGTERM to ``pid``, wait up to ``timeout`` seconds, then SIGKILL."""
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 10.0)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        if wait_exit(pid, wait, proc):
            return
    raise KafkaStartError(f"Kafka broker pid {pid} did not exit after SIGKILL")
