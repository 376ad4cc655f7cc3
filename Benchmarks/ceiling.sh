#!/usr/bin/env bash
# The machine's ceiling for one HTTP request and answer, and how close our ingest comes to it,
# side by side in one run with the same wrk settings (one thread, 32 connections):
#
#   1. nginx answering every POST with a static 202 JSON body (the ceiling);
#   2. receipts into `sendpromptly serve --durability fsync`, then `batch`;
#   3. receipt-plus-result pairs (Benchmarks/ingest.lua) with `fsync`.
#
# Each of ours runs on a fresh data directory. Prints requests/s and the ratio to nginx, the
# latency percentiles wrk reports, and for ours the server's CPU time (user + system, from
# /proc) per request: on a machine shared with other work, that figure moves far less than
# requests/s does.
#
#   Benchmarks/ceiling.sh [seconds per run, default 10]
#
# Needs nginx and wrk (Debian: apt-get install nginx-light wrk) and a release build:
#   swift build -c release --product sendpromptly --scratch-path .build-release
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10}
connections=${CONNECTIONS:-32}
binary=${SENDPROMPTLY_BINARY:-.build-release/release/sendpromptly}
admin=benchmark-admin-token-0123456789
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
declare -A rates latencies cpu
server=

# The CPU time (user + system, in clock ticks) the server has used so far.
server_ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }

run_wrk() { # name url [wrk args...]
  local name=$1 url=$2; shift 2
  local output before=0
  [[ -n $server ]] && before=$(server_ticks)
  output=$(wrk -t1 -c"$connections" -d"${duration}s" --latency "$@" "$url")
  rates[$name]=$(echo "$output" | awk '/Requests\/sec/ {print $2}')
  latencies[$name]=$(echo "$output" | awk '/^ +(50|99)%/ {printf "%s=%s ", $1, $2}')
  if [[ -n $server ]]; then
    local requests
    requests=$(echo "$output" | awk '/requests in/ {print $1}')
    cpu[$name]=$(echo "($(server_ticks) - $before) * 1000000 / $(getconf CLK_TCK) / $requests" | bc -l)
  fi
  if echo "$output" | grep -qE "Non-2xx|Socket errors"; then
    echo "$name: $(echo "$output" | grep -E "Non-2xx|Socket errors")" >&2
  fi
}

# 1. nginx: as many workers as cores, a static 202 for any method.
mkdir -p "$work/nginx"
cat > "$work/nginx/nginx.conf" <<EOF
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx;
  server {
    listen 127.0.0.1:18080;
    location / { default_type application/json; return 202 '{"event_id":"ev_01M8PHXMTGCBYHCKD1CHXX8H0P","timeout_at":"2026-11-30T16:12:04.624Z","accepted":true}'; }
  }
}
EOF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' &
nginx=$!
until curl -s -o /dev/null -X POST http://127.0.0.1:18080/; do sleep 0.1; done
SENDPROMPTLY_KEY=unused run_wrk nginx http://127.0.0.1:18080 -s Benchmarks/ingest.lua
kill "$nginx"; wait "$nginx" 2>/dev/null || true

# 2 and 3. Ours, a fresh data directory each.
serve() { # mode -> sets server, url and key
  local data
  data=$(mktemp -d -p "$work")
  "$binary" serve --port 0 --data-dir "$data" --admin-token "$admin" --durability "$1" --log-level error \
    > "$data/stdout" 2>&1 &
  server=$!
  until grep -q "listening on" "$data/stdout" 2>/dev/null; do sleep 0.1; done
  url=$(grep -o 'http://[0-9.:]*' "$data/stdout")
  until curl -sf "$url/readyz" > /dev/null; do sleep 0.1; done
  key=$(curl -s -X POST "$url/admin/v1/projects" -H "Authorization: Bearer $admin" \
    -H 'Accept: application/json' -H 'Content-Type: application/json' -d '{"name": "ceiling"}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["api_key"])')
}
stop() { kill -TERM "$server"; wait "$server" 2>/dev/null || true; }

serve fsync
SENDPROMPTLY_KEY=$key SENDPROMPTLY_RECEIPTS_ONLY=1 run_wrk "receipts-fsync" "$url" -s Benchmarks/ingest.lua
stop
serve batch
SENDPROMPTLY_KEY=$key SENDPROMPTLY_RECEIPTS_ONLY=1 run_wrk "receipts-batch" "$url" -s Benchmarks/ingest.lua
stop
serve fsync
SENDPROMPTLY_KEY=$key run_wrk "pairs-fsync" "$url" -s Benchmarks/ingest.lua
stop

printf '\n%-16s %12s %9s %14s   %s\n' run "requests/s" "vs nginx" "server µs/req" "latency"
for name in nginx receipts-fsync receipts-batch pairs-fsync; do
  printf '%-16s %12.0f %9.2f %14s   %s\n' "$name" "${rates[$name]}" "$(echo "${rates[$name]} / ${rates[nginx]}" | bc -l)" \
    "$([[ -n ${cpu[$name]:-} ]] && printf '%.1f' "${cpu[$name]}" || echo -)" "${latencies[$name]}"
done
