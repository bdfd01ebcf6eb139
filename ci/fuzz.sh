#!/bin/bash
# Builds the `fuzz` preset (clang, libFuzzer, ASan + UBSan) and runs every refdb fuzz target
# (refdb/fuzz/README.md) for a fixed time, as many at once as there are cores. Each starts from
# a copy of its seed corpus and regressions in a temp dir, so CI never writes into the repo.
# Fails on any crash, sanitizer report, timeout (10 s per input) or out-of-memory, printing the
# end of the target's log and where the input that did it was saved.
# Usage: ci/fuzz.sh [SECONDS_PER_TARGET]   (default 20; or SPLITBRAIN_FUZZ_SECONDS)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-${SPLITBRAIN_FUZZ_SECONDS:-20}}
targets=(wal_record wal_recovery stable_store snapshot peer_message client_request data_dir)
started=$SECONDS

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$(nproc)" --target "${targets[@]/#/refdb_fuzz_}"
echo "fuzz: built ${#targets[@]} targets in $((SECONDS - started)) s;" \
  "running each for ${seconds} s, $(nproc) at a time"

work=$(mktemp -d "${TMPDIR:-/tmp}/refdb-fuzz-XXXXXX")

# Runs one target; prints one line (or the log's end on failure); on failure leaves a `failed`
# file in its dir (a background job's exit status is easy to lose to a race in `wait -n`).
run_target() {
  local name=$1 dir=$work/$1
  mkdir -p "$dir/corpus" "$dir/artifacts"
  cp refdb/fuzz/corpus/"$name"/* "$dir/corpus/"
  if [ -d "refdb/fuzz/regressions/$name" ]; then
    cp refdb/fuzz/regressions/"$name"/* "$dir/corpus/" 2>/dev/null || true
  fi
  local status=0
  "build/fuzz/refdb/fuzz/refdb_fuzz_$name" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -malloc_limit_mb=1024 -max_len=4096 -print_final_stats=1 \
    -artifact_prefix="$dir/artifacts/" "$dir/corpus" >"$dir/log" 2>&1 || status=$?
  local runs
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log")
  if ((status == 0)); then
    echo "-- $name: ok, ${runs:-?} inputs in ${seconds} s"
    return 0
  fi
  echo "-- $name: FAILED (exit $status); the end of its log:"
  tail -n 40 "$dir/log"
  echo "-- $name: inputs saved in $dir/artifacts/: $(ls "$dir/artifacts")"
  echo "   reproduce: build/fuzz/refdb/fuzz/refdb_fuzz_$name FILE;" \
    "then add FILE to refdb/fuzz/regressions/$name/ (README)"
  touch "$dir/failed"
}

for name in "${targets[@]}"; do
  while (($(jobs -rp | wc -l) >= $(nproc))); do wait -n || true; done
  run_target "$name" &
done
wait
if compgen -G "$work/*/failed" >/dev/null; then
  echo "fuzz: FAILED after $((SECONDS - started)) s; work dir kept: $work"
  exit 1
fi
rm -rf "$work"
echo "fuzz: all ${#targets[@]} targets clean, $((SECONDS - started)) s in all"
