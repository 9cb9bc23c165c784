"""Find ``java``/``mvn`` and fetch the Kafka broker jars once into a shared cache.

The jars come from Maven Central through ``deploy/kafka/pom.xml``. They are copied
into a temporary folder and renamed into place, so a half-finished fetch is never used,
and a file lock keeps two concurrent first starts from fetching twice.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

from simulator.kafka_local.errors import KafkaLocalError, KafkaSetupError
from simulator.kafka_local.locking import file_lock
from simulator.kafka_local.paths import cache_root, pom_path

#: The Kafka release used when the POM cannot be read.
DEFAULT_KAFKA_VERSION = "4.1.2"
#: Seconds allowed for one ``mvn`` fetch (the first one downloads ~50 jars).
FETCH_TIMEOUT = 900.0

_POM_NS = {"m": "http://maven.apache.org/POM/4.0.0"}
_JAVA_HINT = "install a JDK 17 (e.g. apt-get install openjdk-17-jdk-headless)"
_MVN_HINT = "install Maven (e.g. apt-get install maven)"


def kafka_version(pom: Path | None = None) -> str:
    """Return ``<kafka.version>`` from the POM, or :data:`DEFAULT_KAFKA_VERSION`."""
    pom = pom or pom_path()
    try:
        node = ET.parse(pom).getroot().find("m:properties/m:kafka.version", _POM_NS)
    except (OSError, ET.ParseError):
        return DEFAULT_KAFKA_VERSION
    if node is None or not (node.text or "").strip():
        return DEFAULT_KAFKA_VERSION
    return (node.text or "").strip()


def find_java() -> Path:
    """Return the ``java`` executable: ``$JAVA_HOME/bin/java`` if set, else from PATH."""
    java_home = os.environ.get("JAVA_HOME")
    if java_home:
        candidate = Path(java_home) / "bin" / "java"
        if os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which("java")
    if found is None:
        raise KafkaSetupError(f"java not found on PATH; {_JAVA_HINT}")
    return Path(found)


def find_mvn() -> Path:
    """Return the ``mvn`` executable from PATH."""
    found = shutil.which("mvn")
    if found is None:
        raise KafkaSetupError(f"mvn not found on PATH; {_MVN_HINT}")
    return Path(found)


def jars_complete(jars_dir: Path, version: str) -> bool:
    """Tell whether ``jars_dir`` holds the broker jar and the log4j SLF4J binding."""
    if not jars_dir.is_dir():
        return False
    has_broker = (jars_dir / f"kafka_2.13-{version}.jar").is_file()
    has_binding = any(jars_dir.glob("log4j-slf4j-impl-*.jar"))
    return has_broker and has_binding


def jars_cached(cache_dir: Path | None = None) -> bool:
    """Tell whether the broker jars are already in the cache (no fetch needed)."""
    version = kafka_version()
    return jars_complete((cache_dir or cache_root()) / f"kafka-{version}" / "jars", version)


def ensure_jars(cache_dir: Path | None = None) -> Path:
    """Return the folder of the Kafka broker jars, fetching them with ``mvn`` on first use.

    ``cache_dir`` is the cache root (default ``${PORTALSIM_CACHE:-~/.cache/portalsim}``);
    the jars land in ``<cache_dir>/kafka-<version>/jars``.
    """
    pom = pom_path()
    version = kafka_version(pom)
    version_dir = (cache_dir or cache_root()) / f"kafka-{version}"
    jars_dir = version_dir / "jars"
    if jars_complete(jars_dir, version):
        return jars_dir
    mvn = find_mvn()
    if not pom.is_file():
        raise KafkaSetupError(f"Kafka POM not found at {pom}; run from a portalsim checkout")
    version_dir.mkdir(parents=True, exist_ok=True)
    try:
        with file_lock(version_dir / ".fetch.lock", timeout=FETCH_TIMEOUT + 60):
            if jars_complete(jars_dir, version):  # fetched by another process meanwhile
                return jars_dir
            _fetch(mvn, pom, version_dir, jars_dir)
    except KafkaLocalError as exc:
        if isinstance(exc, KafkaSetupError):
            raise
        raise KafkaSetupError(str(exc)) from exc
    if not jars_complete(jars_dir, version):
        raise KafkaSetupError(f"mvn did not produce the Kafka {version} jars in {jars_dir}")
    return jars_dir


def _fetch(mvn: Path, pom: Path, version_dir: Path, jars_dir: Path) -> None:
    """Copy the runtime jars into a temp folder, then rename it to ``jars_dir``."""
    tmp = Path(tempfile.mkdtemp(prefix="jars.tmp-", dir=version_dir))
    try:
        cmd = [
            str(mvn),
            "-B",
            "-q",
            "-f",
            str(pom),
            "dependency:copy-dependencies",
            "-DincludeScope=runtime",
            f"-DoutputDirectory={tmp}",
        ]
        try:
            result = subprocess.run(
                cmd,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=FETCH_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise KafkaSetupError(
                f"mvn did not fetch the Kafka jars within {FETCH_TIMEOUT:.0f}s"
            ) from None
        if result.returncode != 0:
            output = (result.stdout + result.stderr).strip().splitlines()
            last = output[-1] if output else "no output"
            raise KafkaSetupError(
                f"mvn failed to fetch the Kafka jars (exit {result.returncode}): {last}"
            )
        if jars_dir.exists():  # an incomplete folder left by hand: replace it
            shutil.rmtree(jars_dir)
        tmp.rename(jars_dir)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
