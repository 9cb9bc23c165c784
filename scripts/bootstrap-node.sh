#!/usr/bin/env bash
# The official AsyncAPI CLI for the contract tests (tests/unit/test_asyncapi_cli.py): npm
# `@asyncapi/cli`, pinned, installed once under ~/.cache/portalsim (a second run reuses it;
# PORTALSIM_NODE_CACHE moves it). `--path` prints where its `asyncapi` command is and
# installs nothing.
#
# 4.1.1 is the newest release that runs on Node 20 (5.x and later require Node 24). It
# validates AsyncAPI 3.0 documents (@asyncapi/parser 3 and its Spectral rules) and runs
# offline once installed; its usage metrics stay off (the config file written beside it,
# and CI=true in the test). About 1.5 GB and two to three minutes the first time.
set -euo pipefail
version="4.1.1"
prefix="${PORTALSIM_NODE_CACHE:-$HOME/.cache/portalsim}/asyncapi-cli-$version"
bin="$prefix/node_modules/.bin/asyncapi"
if [ "${1:-}" = "--path" ]; then
  echo "$bin"
  exit 0
fi
if [ -x "$bin" ]; then
  exit 0
fi
command -v npm >/dev/null || {
  echo "portalsim: npm not found; install Node.js 20 or newer with npm (apt-get install nodejs npm)" >&2
  exit 1
}
echo "installing @asyncapi/cli@$version into $prefix (once)..." >&2
staging="$prefix.partial-$$"
rm -rf "$staging"
mkdir -p "$staging"
npm install --prefix "$staging" --no-audit --no-fund --loglevel=error "@asyncapi/cli@$version" >&2
printf '{"analyticsEnabled":"false","infoMessageShown":"true","userID":"portalsim-tests"}\n' \
  > "$staging/analytics.json"
rm -rf "$prefix"
mv "$staging" "$prefix"
[ -x "$bin" ] || { echo "portalsim: $bin missing after npm install" >&2; exit 1; }
