#!/usr/bin/env bash
# Ingest throughput under each --durability setting, side by side in one run: the same release
# binary, a fresh data directory per setting, wrk with 64 connections posting receipts and
# results (Benchmarks/ingest.lua). Prints requests/s per setting and the ratio to `none`.
#
#   Benchmarks/durability.sh [seconds per setting, default 15]
#
# Needs wrk (Debian: apt-get install wrk) and a release build:
#   swift build -c release --product sendpromptly
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-15}
binary=${SENDPROMPTLY_BINARY:-$(swift build -c release --show-bin-path)/sendpromptly}
admin=benchmark-admin-token-0123456789
declare -A rates

for mode in none batch fsync; do
  data=$(mktemp -d)
  "$binary" serve --port 0 --data-dir "$data" --admin-token "$admin" --durability "$mode" \
    --log-level error > "$data/stdout" 2>&1 &
  server=$!
  until grep -q "listening on" "$data/stdout" 2>/dev/null; do
    kill -0 "$server" 2>/dev/null || { cat "$data/stdout"; exit 1; }
    sleep 0.1
  done
  url=$(grep -o 'http://[0-9.:]*' "$data/stdout")
  key=$(curl -s -X POST "$url/admin/v1/projects" -H "Authorization: Bearer $admin" \
    -H 'Accept: application/json' -H 'Content-Type: application/json' -d '{"name": "bench"}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["api_key"])')
  output=$(SENDPROMPTLY_KEY=$key wrk -t1 -c64 -d"${duration}s" -s Benchmarks/ingest.lua "$url")
  rates[$mode]=$(echo "$output" | awk '/Requests\/sec/ {print $2}')
  echo "== $mode"; echo "$output" | grep -E "Latency|Requests/sec|Non-2xx|Socket errors" || true
  kill -TERM "$server"; wait "$server" || true
  rm -rf "$data"
done

printf '\n%-8s %12s %10s\n' durability "requests/s" "vs none"
for mode in none batch fsync; do
  printf '%-8s %12.0f %10.2f\n' "$mode" "${rates[$mode]}" "$(echo "${rates[$mode]} / ${rates[none]}" | bc -l)"
done
