#!/usr/bin/env bash
# Builds the libFuzzer targets and runs one (or all) of them, failing on the first crash.
#
#   Fuzz/run.sh TARGET SECONDS [libFuzzer options...]
#   Fuzz/run.sh all SECONDS          # each target in turn, SECONDS each (CI's short run)
#
# TARGET: ingest-json, http-request, snapshot, journal. The checked-in seeds under
# Corpus/TARGET are read but never written: what the fuzzer finds goes to
# .build/fuzz-corpus/TARGET (kept between runs), a crashing input to artifacts/TARGET/.
# FUZZ_SKIP_BUILD=1 runs what is built. See README.md for long runs and crashes.
set -euo pipefail
cd "$(dirname "$0")"

usage() { echo "usage: $0 ingest-json|http-request|snapshot|journal|all SECONDS [libFuzzer options...]" >&2; exit 2; }
[[ $# -ge 2 && $2 =~ ^[0-9]+$ ]] || usage
target=$1 seconds=$2
shift 2

executable() {
  case $1 in
    ingest-json) echo IngestJSONFuzzer ;;
    http-request) echo HTTPRequestFuzzer ;;
    snapshot) echo SnapshotFuzzer ;;
    journal) echo JournalFuzzer ;;
    *) usage ;;
  esac
}

if [[ $target == all ]]; then targets=(ingest-json http-request snapshot journal); else targets=("$target"); executable "$target" > /dev/null; fi

# One -sanitize with both values: SwiftPM's `--sanitize fuzzer --sanitize address` passes two
# flags in no fixed order and swiftc keeps only the last, which silently drops the coverage
# instrumentation half of the time. -Xswiftc instruments the Swift code (ours and the
# packages'), not the C of BoringSSL, which also keeps the build shorter.
build=(swift build -Xswiftc -sanitize=fuzzer,address)
if [[ ${FUZZ_SKIP_BUILD:-0} != 1 ]]; then
  "${build[@]}"
fi
bin=$("${build[@]}" --show-bin-path)

for name in "${targets[@]}"; do
  work=.build/fuzz-corpus/$name
  mkdir -p "$work" "artifacts/$name"
  echo "== fuzzing $name for ${seconds}s"
  # Leak checking is off: the Swift runtime's caches (type metadata, globals) read as leaks.
  # A single input may take 10 s and 2 GiB at most: more is reported as a crash (a decoder
  # that hangs or over-allocates on bad bytes is a finding too).
  # The Swift runtime's own backtracer is off: it fights the sanitizer's crash report.
  SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} "$bin/$(executable "$name")" "$work" "Corpus/$name" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -detect_leaks=0 \
    -artifact_prefix="artifacts/$name/" -print_final_stats=1 "$@"
done
