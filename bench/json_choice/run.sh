#!/usr/bin/env bash
# Measures the JSON library choice of the token decoder in Wasm: RapidJSON vs
# simdjson (fetched from Debian's source package by .ci/setup on request),
# same task, same flags as the package. Writes JSON lines to $1 (or stdout).
set -euo pipefail
cd "$(dirname "$0")/../.."
RILLMARK_FETCH_SIMDJSON=1 bash .ci/setup >/dev/null
out=${1:-/dev/stdout}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
FLAGS=(-std=c++20 -O3 -flto -fno-exceptions -fno-rtti -DNDEBUG -sMALLOC=emmalloc -sENVIRONMENT=node
       -sALLOW_MEMORY_GROWTH=1 -w)
export NODE_PATH=/usr/share/nodejs
em++ "${FLAGS[@]}" -isystem .deps/include -I wasm/core/src bench/json_choice/json_choice.cc -o "$tmp/rapidjson.js"
em++ "${FLAGS[@]}" -DUSE_SIMDJSON -DSIMDJSON_EXCEPTIONS=0 -I .deps/simdjson-3.0.1/singleheader \
  bench/json_choice/json_choice.cc .deps/simdjson-3.0.1/singleheader/simdjson.cpp -o "$tmp/simdjson.js"
: > "$tmp/out.jsonl"
for lib in rapidjson simdjson; do
  gz=$(gzip -9c "$tmp/$lib.wasm" | wc -c)
  # --no-experimental-fetch: 3.1.6 glue would fetch() the .wasm path (see shared/TOOLCHAIN.md)
  node --no-experimental-fetch "$tmp/$lib.js" | sed "s/}\$/,\"wasm_gz\":$gz}/" >> "$tmp/out.jsonl"
done
cat "$tmp/out.jsonl" > "$out"
