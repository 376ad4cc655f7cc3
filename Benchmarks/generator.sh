#!/usr/bin/env bash
# The load generator against wrk, side by side on one server: `sendpromptly bench` (closed
# loop, receipts each followed by its success result, --no-verify) and wrk with
# Benchmarks/ingest.lua (receipts and success results, one thread), the same connection count
# and duration, alternating, `rounds` times each, against one release server with
# --durability none (the fastest server, so that the client's cost shows most).
# Prints requests/s, client CPU per request (user+sys of the client process) and server CPU
# per request for each run, and the ratio bench / wrk of each round.
#
#   Benchmarks/generator.sh [seconds per run, default 10] [connections, default 32] [rounds, default 2]
#
# Needs wrk (Debian: apt-get install wrk) and a release build:
#   swift build -c release --product sendpromptly --scratch-path .build-release
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10}
connections=${2:-32}
rounds=${3:-2}
binary=${SENDPROMPTLY_BINARY:-.build-release/release/sendpromptly}
admin=benchmark-admin-token-0123456789
work=$(mktemp -d)
trap 'kill -TERM $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT

"$binary" serve --port 0 --data-dir "$work/data" --admin-token "$admin" --durability none \
  --log-level error > "$work/stdout" 2>&1 &
server=$!
until grep -q "sendpromptly ready" "$work/stdout" 2>/dev/null && grep -q "listening on" "$work/stdout"; do
  kill -0 "$server" 2>/dev/null || { cat "$work/stdout"; exit 1; }
  sleep 0.1
done
url=$(grep -o 'http://[0-9.:]*' "$work/stdout")
key=$(curl -s -X POST "$url/admin/v1/projects" -H "Authorization: Bearer $admin" \
  -H 'Accept: application/json' -H 'Content-Type: application/json' -d '{"name": "wrk"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["api_key"])')

server_cpu() { awk '{print $14 + $15}' "/proc/$server/stat"; }
ticks=$(getconf CLK_TCK)

printf '%-6s %-6s %12s %16s %16s %8s\n' round client "requests/s" "client µs/req" "server µs/req" errors
for round in $(seq 1 "$rounds"); do
  before=$(server_cpu)
  /usr/bin/time -f '%U %S' -o "$work/wrk.time" \
    env SENDPROMPTLY_KEY="$key" wrk -t1 -c"$connections" -d"${duration}s" -s Benchmarks/ingest.lua "$url" > "$work/wrk.out"
  after=$(server_cpu)
  wrk_rate=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.out")
  wrk_requests=$(awk '/requests in/ {print $1}' "$work/wrk.out")
  wrk_errors=$(awk '/Non-2xx/ {print $NF}' "$work/wrk.out"); wrk_errors=${wrk_errors:-0}
  wrk_client=$(awk -v n="$wrk_requests" '{printf "%.2f", ($1 + $2) * 1e6 / n}' "$work/wrk.time")
  wrk_server=$(echo "($after - $before) / $ticks * 1000000 / $wrk_requests" | bc -l)
  printf '%-6s %-6s %12.0f %16s %16.2f %8s\n' "$round" wrk "$wrk_rate" "$wrk_client" "$wrk_server" "$wrk_errors"

  before=$(server_cpu)
  /usr/bin/time -f '%U %S' -o "$work/bench.time" \
    "$binary" bench --url "$url" --admin-token "$admin" --connections "$connections" --duration "$duration" \
    --success 1 --fail 0 --silent 0 --no-verify --report "$work/bench.json" > "$work/bench.out" 2>&1
  after=$(server_cpu)
  read -r bench_rate bench_requests bench_errors < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
errors = sum(n for e in r["endpoints"].values() for s, n in e["statuses"].items() if not s.startswith("2"))
print(r["throughput_per_second"], r["requests"], errors)' "$work/bench.json")
  bench_client=$(awk -v n="$bench_requests" '{printf "%.2f", ($1 + $2) * 1e6 / n}' "$work/bench.time")
  bench_server=$(echo "($after - $before) / $ticks * 1000000 / $bench_requests" | bc -l)
  printf '%-6s %-6s %12.0f %16s %16.2f %8s\n' "$round" bench "$bench_rate" "$bench_client" "$bench_server" "$bench_errors"
  printf '%-6s %-6s %12.2f\n' "$round" "ratio" "$(echo "$bench_rate / $wrk_rate" | bc -l)"
done
