#!/usr/bin/env bash
# Create .venv and install portalsim with its dev extra; a second run reuses it.
# Checks the tools the local Kafka broker needs (JDK 17+, Maven) and says what to install;
# installs PostgreSQL 15 when missing (as root, with apt-get), and prometheus and chromium
# (watching a run and its tests).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

python_bin="${PYTHON:-python3}"
if ! "$python_bin" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
  echo "portalsim: Python 3.11 or newer is needed (set PYTHON=/path/to/python3.11)" >&2
  exit 1
fi
if [ -z "${KAFKA_BOOTSTRAP_SERVERS:-}" ]; then
  command -v java >/dev/null || { echo "portalsim: java not found; install a JDK 17 (apt-get install openjdk-17-jdk-headless)" >&2; exit 1; }
  command -v mvn >/dev/null || { echo "portalsim: mvn not found; install Maven (apt-get install maven)" >&2; exit 1; }
fi

# PostgreSQL 15's server programs (initdb, pg_ctl) for `portalsim postgres` and the store
# tests on PostgreSQL (docs/scaling.md); SQLite runs need none of it.
pg_bin="${PORTALSIM_POSTGRES_BIN:-/usr/lib/postgresql/15/bin}"
if [ ! -x "$pg_bin/pg_ctl" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "portalsim: installing PostgreSQL 15 (apt-get install postgresql-15)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null && apt-get install -y -q postgresql-15 >/dev/null
  else
    echo "portalsim: PostgreSQL 15 not found; for PostgreSQL stores run: sudo apt-get install -y postgresql-15 (or set PORTALSIM_POSTGRES_BIN)" >&2
  fi
fi

# Watching a run (docs/watching.md) uses Debian's prometheus, and its tests a headless chromium.
missing=()
command -v prometheus >/dev/null || missing+=(prometheus)
command -v chromium >/dev/null || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "portalsim: installing ${missing[*]} (apt-get)" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "portalsim: ${missing[*]} not found; the watch tests skip. Install: sudo apt-get install ${missing[*]}" >&2
  fi
fi

if [ ! -x .venv/bin/python ]; then
  "$python_bin" -m venv .venv
fi
stamp=".venv/.portalsim-installed"
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[dev]"
  echo "$want" > "$stamp"
fi
