#!/usr/bin/env bash
# Builds ORY Hydra for the interop suite when it is not built yet, and prints
# where the binary is. The binary is kept outside the checkout, under the
# user cache directory (Go's os.UserCacheDir: $XDG_CACHE_HOME or ~/.cache),
# keyed by version, so one build (several minutes on 2 cores) serves every
# later run and every clone. The interop tests look for it at that path.
#
# Hydra is built from its own small module, interop/hydra, which is not in
# go.work: Hydra's go.mod swaps a dependency for a fork, and that only
# works from a module that repeats the swap (the workspace's modules never
# compile Hydra).
#
#   scripts/interop-hydra.sh          build if missing, print the path
#   scripts/interop-hydra.sh --path   print the path only, build nothing
set -euo pipefail
cd "$(dirname "$0")/.."

version=v2.3.0
cache="${XDG_CACHE_HOME:-$HOME/.cache}"
bin="$cache/oidcrs-interop/hydra-$version/hydra"

if [ "${1:-}" = "--path" ]; then
  echo "$bin"; exit 0
fi
if [ -x "$bin" ]; then
  echo "$bin"; exit 0
fi

mkdir -p "$(dirname "$bin")"
tmp="$bin.tmp.$$"
trap 'rm -f "$tmp"' EXIT
echo "interop-hydra.sh: building ORY Hydra $version into $bin (several minutes on 2 cores)" >&2
start=$(date +%s)
# The sqlite tags, as Hydra's own release builds use, give DSN=memory (an
# in-memory SQLite); they need cgo and a C compiler.
(cd interop/hydra && GOWORK=off CGO_ENABLED=1 nice -n 10 go build -trimpath \
  -tags sqlite,sqlite_omit_load_extension -o "$tmp" github.com/ory/hydra/v2)
mv "$tmp" "$bin"
echo "interop-hydra.sh: built in $(( $(date +%s) - start )) s" >&2
echo "$bin"
