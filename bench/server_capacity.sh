#!/usr/bin/env bash
# Server capacity, side by side: rillmark-server vs the FastAPI + uvicorn
# reference, same load client, same machine, same run. Writes JSON lines to $1.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-bench/out/server.jsonl}"
mkdir -p "$(dirname "$out")"
: > "$out"
ulimit -n "$(ulimit -Hn)"  # each process holds one fd per stream
client=build/release/bench/load_client
scenarios=("${SCENARIOS[@]:-a b}")

start() {  # start a server command, wait for its "listening on" line; sets PID and PORT
  local log; log=$(mktemp)
  "$@" > "$log" 2>&1 &
  PID=$!
  for _ in $(seq 1 200); do
    if grep -q "listening on" "$log"; then break; fi
    sleep 0.05
  done
  PORT=$(grep -o 'listening on http://[0-9.]*:[0-9]*' "$log" | grep -o '[0-9]*$')
  # uvicorn prints before it binds: wait until the port answers
  for _ in $(seq 1 200); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then break; fi
    sleep 0.05
  done
}

run() {  # server-name, then load_client args
  local name=$1; shift
  echo "== $name $*" >&2
  local json
  json=$("$client" --port "$PORT" --pid "$PID" --token bench "$@" || true)
  echo "{\"server\":\"$name\",${json#\{}" | tee -a "$out"
}

for server in rillmark fastapi; do
  for s in ${SCENARIOS:-a b}; do
    if [ "$server" = rillmark ]; then
      start build/release/server/rillmark-server --port 0 --token bench
    else
      start /usr/bin/python3 bench/fastapi_server.py --token bench  # Debian's python3-fastapi
    fi
    case $s in
      a) run "$server" --streams "${A_STREAMS:-10000}" --events 50 --interval-ms 200 ;;
      b) run "$server" --streams "${B_STREAMS:-2000}" --events 100 --interval-ms 20 ;;
    esac
    kill "$PID"; wait "$PID" 2>/dev/null || true
  done
done
