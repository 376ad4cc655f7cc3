#!/usr/bin/env bash
# Time from start to ready after `kill -9`, with many pending receipts: fills a server with
# receipts that never report (wrk, Benchmarks/ingest.lua, --durability none to fill quickly),
# lets it write a snapshot, kills it with SIGKILL, restarts it on the same data directory and
# measures until it prints "sendpromptly ready". Also prints the snapshot's size per receipt
# and the server's resident memory per pending receipt (VmRSS after recovery minus VmRSS of
# the empty server just started).
#
#   Benchmarks/recovery.sh [seconds of filling, default 60]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-60}
binary=${SENDPROMPTLY_BINARY:-$(swift build -c release --show-bin-path)/sendpromptly}
admin=benchmark-admin-token-0123456789
data=$(mktemp -d)

start_server() {
  "$binary" serve --port 0 --data-dir "$data" --admin-token "$admin" --durability none \
    --snapshot-interval 3600 --max-pending-per-project 0 --log-level ${LOG_LEVEL:-error} > "$data/stdout" 2> "$data/stderr" &
  server=$!
  until grep -q "sendpromptly ready" "$data/stdout" 2>/dev/null; do
    kill -0 "$server" 2>/dev/null || { cat "$data/stderr"; exit 1; }
    sleep 0.05
  done
  url=$(grep -o 'http://[0-9.:]*' "$data/stdout")
}

resident_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$server/status"; }

start_server
empty_kb=$(resident_kb)
key=$(curl -s -X POST "$url/admin/v1/projects" -H "Authorization: Bearer $admin" \
  -H 'Accept: application/json' -H 'Content-Type: application/json' -d '{"name": "recovery"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["api_key"])')
SENDPROMPTLY_KEY=$key SENDPROMPTLY_RECEIPTS_ONLY=1 wrk -t1 -c64 -d"${duration}s" -s Benchmarks/ingest.lua "$url" | grep Requests/sec
# A graceful stop writes the final snapshot; then the journal after it is empty. To measure the
# worse case, restart once (snapshot restored), add a little journal, and kill -9.
kill -TERM "$server"; wait "$server" || true
start_server
SENDPROMPTLY_KEY=$key SENDPROMPTLY_RECEIPTS_ONLY=1 wrk -t1 -c16 -d2s -s Benchmarks/ingest.lua "$url" > /dev/null
kill -KILL "$server"; wait "$server" 2>/dev/null || true

snapshot=$(ls "$data"/snapshot-*.snap | tail -1)
began=$(date +%s.%N)
start_server
ready=$(date +%s.%N)
pending=$(curl -s "$url/admin/v1/projects" -H "Authorization: Bearer $admin" -H 'Accept: application/json' |
  python3 -c 'import json,sys; print(sum(p["pending_receipts"] for p in json.load(sys.stdin)["projects"]))')
size=$(stat -c %s "$snapshot")
full_kb=$(resident_kb)
echo "pending receipts:      $pending"
echo "snapshot:              $size bytes, $(echo "$size / $pending" | bc -l | xargs printf '%.1f') bytes per receipt"
echo "start to ready:        $(echo "$ready - $began" | bc -l | xargs printf '%.2f') s after kill -9"
echo "resident memory:       $((empty_kb / 1024)) MB empty, $((full_kb / 1024)) MB recovered, $(echo "($full_kb - $empty_kb) * 1024 / $pending" | bc) bytes per pending receipt"
kill -TERM "$server"; wait "$server" || true
[ -n "${KEEP:-}" ] && echo "kept $data" || rm -rf "$data"
