#!/usr/bin/env bash
# The machine's ceiling for one HTTP request and answer, and how close our ingest comes to it,
# side by side in one run with the same wrk settings (one thread, 32 connections):
#
#   1. nginx answering every POST with a static 202 JSON body (the ceiling);
#   2. receipts into `sendpromptly serve --durability fsync`, then `batch`;
#   3. receipt-plus-result pairs (Benchmarks/ingest.lua) with `fsync`;
#
# and, when built, NIO's HTTP/1 server answering the same static 202 (StaticAnswerServer in
# this package): what any SwiftNIO front reaches at best on this machine, against nginx.
#
# Each of ours runs on its own data directory, started empty. Prints requests/s and the ratio
# to nginx, the latency percentiles wrk reports, the server's and wrk's CPU time (user +
# system, from /proc) per request, and the share of the machine's CPU left idle during the run:
# on a machine shared with other work, CPU per request moves far less than requests/s does, and
# a run that leaves CPU idle waits on something else (the disk, wake-ups).
#
#   Benchmarks/ceiling.sh [seconds per run, default 10] [rounds, default 1]
#
# Every run of ours follows a run of nginx of its own, and its ratio is to that one: when other
# work on the machine comes and goes, the two runs of a pair share the conditions most nearly.
# With more than one round, every round runs each pair again, and the summary gives each
# ratio's median and range over the rounds. The servers keep running from round to round, so later rounds meet
# an engine that holds the earlier rounds' receipts.
#
# SENDPROMPTLY_BASELINE=path/to/another/sendpromptly adds that build's runs to every round
# (named `baseline-...`), so that a change and its baseline share each round too.
#
# Needs nginx and wrk (Debian: apt-get install nginx-light wrk) and release builds:
#   swift build -c release --product sendpromptly --scratch-path .build-release
#   (cd Benchmarks && swift build -c release --product StaticAnswerServer)
set -euo pipefail
export LC_ALL=C # decimal points for time, bc and printf
cd "$(dirname "$0")/.."
duration=${1:-10}
rounds=${2:-1}
connections=${CONNECTIONS:-32}
admin=benchmark-admin-token-0123456789
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait; rm -rf "$work"' EXIT
declare -A rates latencies cpu client idle pids urls keys
names=()

# CPU ticks (user + system) of a process and its children (nginx's workers).
ticks() {
  local total=0 process
  for process in "$1" $(pgrep -P "$1"); do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$process/stat" 2> /dev/null || echo 0)))
  done
  echo "$total"
}
# The machine's idle and total CPU ticks (idle + iowait, all).
machine() { awk '/^cpu / {print $5 + $6, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9}' /proc/stat; }

# run_wrk target run: one wrk run against `target` (nginx or a server of ours), recorded
# under `run`: requests/s, latency, the server's and wrk's CPU per request, and the share of
# the machine's CPU left idle (a server that leaves CPU idle waits on something else).
run_wrk() {
  local name=$1 run=$2 output requests before machine_before machine_after pid=${pids[$1]} TIMEFORMAT='%U %S'
  local -a script_env=("SENDPROMPTLY_KEY=${keys[$name]:-unused}")
  [[ $name == *receipts* ]] && script_env+=(SENDPROMPTLY_RECEIPTS_ONLY=1)
  before=$(ticks "$pid")
  machine_before=$(machine)
  # `time` reports on the group's stderr, wrk's own stderr goes to the script's.
  { time env "${script_env[@]}" wrk -t1 -c"$connections" -d"${duration}s" --latency -s Benchmarks/ingest.lua \
    "${urls[$name]}" > "$work/wrk.out" 2>&3; } 3>&2 2> "$work/wrk.time"
  machine_after=$(machine)
  output=$(cat "$work/wrk.out")
  rates[$run]=$(echo "$output" | awk '/Requests\/sec/ {print $2}')
  latencies[$run]=$(echo "$output" | awk '/^ +(50|99)%/ {printf "%s=%s ", $1, $2}')
  requests=$(echo "$output" | awk '/requests in/ {print $1}')
  cpu[$run]=$(echo "($(ticks "$pid") - $before) * 1000000 / $(getconf CLK_TCK) / $requests" | bc -l)
  client[$run]=$(awk -v n="$requests" 'END {print ($1 + $2) * 1000000 / n}' "$work/wrk.time")
  idle[$run]=$(echo "$machine_before $machine_after" | awk '{print ($3 - $1) / ($4 - $2)}')
  if echo "$output" | grep -qE "Non-2xx|Socket errors"; then
    echo "$run: $(echo "$output" | grep -E "Non-2xx|Socket errors")" >&2
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
pids[nginx]=$!
urls[nginx]=http://127.0.0.1:18080
until curl -s -o /dev/null -X POST "${urls[nginx]}/"; do sleep 0.1; done

# 1b. NIO's own floor: its HTTP/1 pipeline answering the same static 202, no router, no engine
# (Benchmarks/Sources/StaticAnswerServer), with as many event loops as ours has. Skipped when
# not built: (cd Benchmarks && swift build -c release --product StaticAnswerServer)
static_answer=${STATIC_ANSWER_SERVER:-Benchmarks/.build/release/StaticAnswerServer}
if [[ -x $static_answer ]]; then
  "$static_answer" 0 "${NIO_EVENT_LOOPS:-$(nproc)}" > "$work/static-answer.out" 2>&1 &
  pids[nio-static-202]=$!
  until grep -q "listening on" "$work/static-answer.out" 2>/dev/null; do sleep 0.1; done
  urls[nio-static-202]=$(grep -o 'http://[0-9.:]*' "$work/static-answer.out")
  names+=(nio-static-202)
else
  echo "no $static_answer: NIO's floor is left out" >&2
fi

# 2 and 3. Ours: a server with an empty data directory and a project for each run.
serve() { # name binary durability
  local name=$1 binary=$2 durability=$3 data
  data=$(mktemp -d -p "$work")
  "$binary" serve --port 0 --data-dir "$data" --admin-token "$admin" --durability "$durability" --log-level error \
    > "$data/stdout" 2>&1 &
  pids[$name]=$!
  until grep -q "listening on" "$data/stdout" 2>/dev/null; do sleep 0.1; done
  urls[$name]=$(grep -o 'http://[0-9.:]*' "$data/stdout")
  until curl -sf "${urls[$name]}/readyz" > /dev/null; do sleep 0.1; done
  keys[$name]=$(curl -s -X POST "${urls[$name]}/admin/v1/projects" -H "Authorization: Bearer $admin" \
    -H 'Accept: application/json' -H 'Content-Type: application/json' -d '{"name": "ceiling"}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["api_key"])')
  names+=("$name")
}
builds=("|${SENDPROMPTLY_BINARY:-.build-release/release/sendpromptly}")
[[ -n ${SENDPROMPTLY_BASELINE:-} ]] && builds+=("baseline-|$SENDPROMPTLY_BASELINE")
for build in "${builds[@]}"; do
  label=${build%%|*} binary=${build#*|}
  serve "${label}receipts-fsync" "$binary" fsync
  serve "${label}receipts-batch" "$binary" batch
  serve "${label}pairs-fsync" "$binary" fsync
done

for round in $(seq "$rounds"); do
  for name in "${names[@]}"; do
    run_wrk nginx "nginx before $name#$round"
    run_wrk "$name" "$name#$round"
  done
done

ratio() { echo "${rates[$1#$2]} / ${rates[nginx before $1#$2]}" | bc -l; }
# Ours as a share of NIO's floor in the same round (each through its own nginx run), or nan.
floor_share() {
  if [[ -n ${urls[nio-static-202]:-} ]]; then echo "$(ratio "$1" "$2") / $(ratio nio-static-202 "$2")" | bc -l; else echo nan; fi
}
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

printf '\n%-5s %-24s %10s %9s %9s %7s %12s %12s %5s   %s\n' round run "requests/s" "nginx's" "vs nginx" "vs NIO" \
  "server µs/req" "wrk µs/req" idle latency
for round in $(seq "$rounds"); do
  for name in "${names[@]}"; do
    run="$name#$round" nginx_run="nginx before $name#$round"
    printf '%-5s %-24s %10.0f %9.0f %9.2f %7.2f %12.1f %12.1f %5.2f   %s\n' "$round" "$name" "${rates[$run]}" \
      "${rates[$nginx_run]}" "$(ratio "$name" "$round")" "$(floor_share "$name" "$round")" "${cpu[$run]}" \
      "${client[$run]}" "${idle[$run]}" "${latencies[$run]}"
    printf '%-5s %-24s %10s %9s %7s %9s %12.1f %12.1f %5.2f\n' "" "  its nginx run" "" "" "" "" "${cpu[$nginx_run]}" \
      "${client[$nginx_run]}" "${idle[$nginx_run]}"
  done
done
if (( rounds > 1 )); then
  printf '\n%-24s %22s %16s %14s %22s\n' "over $rounds rounds" "vs nginx, median" "range" "vs NIO, median" "server µs/req, median"
  for name in "${names[@]}"; do
    ratios=$(for round in $(seq "$rounds"); do ratio "$name" "$round"; done)
    shares=$(for round in $(seq "$rounds"); do floor_share "$name" "$round"; done)
    costs=$(for round in $(seq "$rounds"); do echo "${cpu[$name#$round]}"; done)
    printf '%-24s %22.2f %9.2f – %.2f %14.2f %22.1f\n' "$name" "$(echo "$ratios" | median)" \
      "$(echo "$ratios" | sort -g | head -1)" "$(echo "$ratios" | sort -g | tail -1)" "$(echo "$shares" | median)" \
      "$(echo "$costs" | median)"
  done
fi
