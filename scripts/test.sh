#!/usr/bin/env bash
# The whole test suite, as CI runs it: install, lint, type-check the whole tree (strict), run pytest.
# Extra arguments go to pytest (e.g. `bash scripts/test.sh -m "not slow"`).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/bootstrap.sh
bash scripts/bootstrap-node.sh   # the official AsyncAPI CLI for tests/unit/test_asyncapi_cli.py
export PATH="$root/.venv/bin:$PATH"

echo "== ruff check"; ruff check .
echo "== ruff format --check"; ruff format --check .
echo "== mypy (strict, the whole tree)"; mypy
echo "== pytest"
# The Kafka jars are fetched once (cached under ~/.cache/portalsim) before the clock of any test.
python -c "from simulator.kafka_local import ensure_jars; ensure_jars()" >/dev/null
exec pytest -p no:cacheprovider "$@"
