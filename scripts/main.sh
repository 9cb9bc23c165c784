#!/usr/bin/env bash
# The main job: install, start the local Kafka broker, run the hanoi-day scenario.
# Extra arguments go to `portalsim`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/bootstrap.sh
export PATH="$root/.venv/bin:$PATH"
portalsim kafka up
portalsim catalogue "$@"
