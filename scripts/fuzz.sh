#!/usr/bin/env bash
# Runs every fuzz target of core for a bounded time each, one after the
# other: FUZZTIME (default 10s) per target, FUZZMINIMIZETIME (default 2s)
# for shrinking each new input, so that short runs keep fuzzing. Exits
# non-zero on the first crash: go test then leaves the crashing input in
# core/testdata/fuzz/<target>/, where it replays with every plain
# `go test` (commit it with its fix).
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime="${FUZZTIME:-10s}"
minimize="${FUZZMINIMIZETIME:-2s}"
targets=(FuzzExtractToken FuzzIntrospectionJSON FuzzJWTResponse FuzzAccessToken FuzzParsePrivateKeys FuzzSettingsFromEnv)
for target in "${targets[@]}"; do
	echo "== ${target} (${fuzztime})"
	go test ./core -run '^$' -fuzz "^${target}\$" -fuzztime "${fuzztime}" -fuzzminimizetime "${minimize}"
done
echo "== all ${#targets[@]} targets ran ${fuzztime} each without a crash"
