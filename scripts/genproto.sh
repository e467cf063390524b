#!/usr/bin/env bash
# Regenerates the Go code of the repository's .proto files (the gRPC
# example's service, examples/grpc/identitypb) with Debian's protoc
# (package protobuf-compiler, installed with apt-get when missing) and the
# Go plugins at pinned versions, run through `go run`: protoc-gen-go at the
# google.golang.org/protobuf version examples/go.mod requires, and
# protoc-gen-go-grpc at PROTOC_GEN_GO_GRPC below.
#
#	./scripts/genproto.sh          # rewrites the checked-in files
#	./scripts/genproto.sh DIR      # writes them under DIR instead
#
# The examples' tests run it into a temporary directory and compare.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out="${1:-$root}"
out=$(cd "$out" && pwd)

PROTOC_GEN_GO_GRPC=v1.6.2
PROTOC_GEN_GO=$(cd examples && go list -m -f '{{.Version}}' google.golang.org/protobuf)

if ! command -v protoc >/dev/null 2>&1; then
  echo "genproto.sh: protoc is not on the PATH: installing Debian's protobuf-compiler" >&2
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update >&2
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y protobuf-compiler >&2
fi

# protoc runs plugins by path: two small wrappers hand each one to go run.
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
printf '#!/bin/sh\nexec go run google.golang.org/protobuf/cmd/protoc-gen-go@%s "$@"\n' \
  "$PROTOC_GEN_GO" > "$bin/protoc-gen-go"
printf '#!/bin/sh\nexec go run google.golang.org/grpc/cmd/protoc-gen-go-grpc@%s "$@"\n' \
  "$PROTOC_GEN_GO_GRPC" > "$bin/protoc-gen-go-grpc"
chmod +x "$bin/protoc-gen-go" "$bin/protoc-gen-go-grpc"

for dir in examples/grpc/identitypb; do
  mkdir -p "$out/$dir"
  (cd "$dir" && protoc -I . \
    --plugin=protoc-gen-go="$bin/protoc-gen-go" --go_out="$out/$dir" --go_opt=paths=source_relative \
    --plugin=protoc-gen-go-grpc="$bin/protoc-gen-go-grpc" --go-grpc_out="$out/$dir" --go-grpc_opt=paths=source_relative \
    ./*.proto)
done
