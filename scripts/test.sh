#!/usr/bin/env bash
# Runs every test of every module in go.work, with the race detector.
# A plain `go test ./...` at the root would skip the nested modules.
#
# It does its own set-up: when node and npm are on the PATH and the interop
# suite's node_modules is missing or was installed from another
# package-lock.json, it runs `npm ci` in interop/as first. Without Node.js
# it says so in one line; the interop tests then skip locally and fail
# under CI=true. It builds ORY Hydra for the interop suite when it is not
# built yet (scripts/interop-hydra.sh: several minutes, once per machine;
# OIDCRS_SKIP_HYDRA_BUILD=1 skips the build, and those tests then skip
# locally). The shared-cache tests start their own redis-server; it says in
# one line when there is none (.ci/run installs it).
set -euo pipefail
cd "$(dirname "$0")/.."

as=interop/as
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  stamp="$as/node_modules/.oidcrs-package-lock.sha256"
  want=$(sha256sum "$as/package-lock.json" | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "test.sh: installing the interop suite's npm packages (npm ci in $as)"
    (cd "$as" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" > "$stamp"
  fi
  # The same for the examples' MCP login test (the MCP TypeScript SDK).
  ts=examples/mcp/tsclient
  stamp="$ts/node_modules/.oidcrs-package-lock.sha256"
  want=$(sha256sum "$ts/package-lock.json" | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "test.sh: installing the MCP login test's npm packages (npm ci in $ts)"
    (cd "$ts" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" > "$stamp"
  fi
else
  echo "test.sh: Node.js (node and npm) is not on the PATH: the interop suite against node oidc-provider will be skipped (it fails under CI=true)."
  echo "test.sh: so will the examples' MCP login test (the MCP TypeScript SDK)."
fi

if [ "${OIDCRS_SKIP_HYDRA_BUILD:-}" != 1 ]; then
  ./scripts/interop-hydra.sh >/dev/null
fi

if ! command -v redis-server >/dev/null 2>&1; then
  echo "test.sh: redis-server is not on the PATH: the shared-cache tests will be skipped (apt-get install redis-server; they fail under CI=true)."
fi
if ! command -v protoc >/dev/null 2>&1; then
  echo "test.sh: protoc is not on the PATH: the check of the gRPC example's generated code will be skipped (apt-get install protobuf-compiler; it fails under CI=true)."
fi

mapfile -t mods < <(go list -m -f '{{.Dir}}')
pkgs=()
for m in "${mods[@]}"; do pkgs+=("$m/..."); done
# -timeout: go test's default of 10 min per package is within reach of a
# busy 2-core machine running the race detector; a hung test still ends.
# A -timeout given to this script comes later and wins.
exec go test -race -count=1 -timeout=30m "$@" "${pkgs[@]}"
