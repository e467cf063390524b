#!/usr/bin/env bash
# Runs every test of every module in go.work, with the race detector.
# A plain `go test ./...` at the root would skip the nested modules.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t mods < <(go list -m -f '{{.Dir}}')
pkgs=()
for m in "${mods[@]}"; do pkgs+=("$m/..."); done
exec go test -race -count=1 "$@" "${pkgs[@]}"
