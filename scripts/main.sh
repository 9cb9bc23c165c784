#!/usr/bin/env bash
# The main job: install, then run the hanoi-day scenario on a local Kafka broker and write its
# report (reports/hanoi-day/report.md, summary.json, plots). Extra arguments go to
# `portalsim run`, e.g. `bash scripts/main.sh --seed 7` or another scenario name first.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/bootstrap.sh
export PATH="$root/.venv/bin:$PATH"
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
  exec portalsim run "$@"
fi
exec portalsim run hanoi-day "$@"
