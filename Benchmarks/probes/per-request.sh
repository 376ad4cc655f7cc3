#!/usr/bin/env bash
# What one receipt costs the server, under wrk (one thread, 32 connections, Benchmarks/ingest.lua,
# receipts only) against a fresh `sendpromptly serve` on an empty data directory:
#
#   per-request.sh cpu     MODE SECONDS [BINARY]   CPU time per request (utime + stime from
#                                                  /proc), the whole process and each thread
#   per-request.sh mallocs MODE SECONDS [BINARY]   calls to libc's malloc per request
#
# MODE is the --durability setting; BINARY defaults to the release build. Under a noisy machine
# compare two builds by alternating them, several times each: CPU per request moves far less
# than requests/s does, and malloc calls per request barely move at all.
#
# `mallocs` counts with a uprobe, made once per boot (root):
#   perf probe -x /lib/x86_64-linux-gnu/libc.so.6 malloc
set -euo pipefail
export LC_ALL=C # decimal points for bc and printf, one sort order for join
cd "$(dirname "$0")/../.."
if [[ $# -lt 3 || ! ${1:-} =~ ^(cpu|mallocs)$ ]]; then
  echo "usage: per-request.sh cpu|mallocs MODE SECONDS [BINARY]" >&2
  exit 64
fi
measure=$1 mode=$2 seconds=$3 binary=${4:-.build-release/release/sendpromptly}
admin=benchmark-admin-token-0123456789
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait; rm -rf "$work"' EXIT

"$binary" serve --port 0 --data-dir "$work/data" --admin-token $admin --durability "$mode" --log-level error \
  > "$work/stdout" 2>&1 &
server=$!
until grep -q "listening on" "$work/stdout" 2>/dev/null; do sleep 0.1; done
url=$(grep -o 'http://[0-9.:]*' "$work/stdout")
until curl -sf "$url/readyz" > /dev/null; do sleep 0.1; done
key=$(curl -s -X POST "$url/admin/v1/projects" -H "Authorization: Bearer $admin" -H 'Accept: application/json' \
  -H 'Content-Type: application/json' -d '{"name": "probe"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["api_key"])')

# Each thread's CPU ticks, as "tid name ticks" (a thread that ends meanwhile is left out).
threads() {
  local task name ticks
  for task in /proc/$server/task/*; do
    if name=$(tr ' ' _ 2> /dev/null < "$task/comm") && ticks=$(awk '{print $14 + $15}' "$task/stat" 2> /dev/null); then
      echo "$(basename "$task") $name $ticks"
    fi
  done | sort -k1,1
}
# The whole process's CPU ticks, threads that have ended included.
process() { awk '{print $14 + $15}' "/proc/$server/stat"; }
load() { SENDPROMPTLY_KEY=$key SENDPROMPTLY_RECEIPTS_ONLY=1 wrk -t1 -c32 -d"${seconds}s" --latency -s Benchmarks/ingest.lua "$url"; }

case $measure in
cpu)
  threads > "$work/before"
  before=$(process)
  output=$(load)
  after=$(process)
  threads > "$work/after"
  requests=$(echo "$output" | awk '/requests in/ {print $1}')
  echo "$output" | awk '/Requests\/sec/ {printf "%s requests/s, ", $2} /^ +(50|99)%/ {printf "%s %s, ", $1, $2}'
  hz=$(getconf CLK_TCK)
  awk -v d=$((after - before)) -v n="$requests" -v hz="$hz" 'BEGIN {printf "server CPU %.1f µs per request\n", d * 1e6 / hz / n}'
  # Threads alive at both ends; one started during the run counts from 0.
  join -a2 -e0 -o 2.1,2.2,1.3,2.3 "$work/before" "$work/after" | awk -v n="$requests" -v hz="$hz" '
    { d = $4 - $3; if (d > 0) printf "  %-20s %7.1f µs\n", $2, d * 1e6 / hz / n }'
  ;;
mallocs)
  perf stat -e probe_libc:malloc -p $server -o "$work/mallocs" &
  counter=$!
  sleep 0.5
  output=$(load)
  kill -INT $counter
  wait $counter || true
  requests=$(echo "$output" | awk '/requests in/ {print $1}')
  mallocs=$(awk '/probe_libc:malloc/ {gsub(",", "", $1); print $1}' "$work/mallocs")
  printf '%s requests, %s malloc calls, %.2f per request\n' "$requests" "$mallocs" "$(echo "$mallocs / $requests" | bc -l)"
  ;;
esac
