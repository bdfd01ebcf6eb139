#!/bin/bash
# What CI runs, in order: format check, size limits, build + every test, clang's thread-safety
# analysis (release; includes the Raft core's purity rule and the simulator's seeds), the pure
# libraries' unit tests under AddressSanitizer + UBSan, a fixed-time run of every refdb fuzz
# target (ci/fuzz.sh: build and runs), and clang-tidy on every source when SPLITBRAIN_TIDY=1
# (about ten minutes on two cores, so not by default).
set -euo pipefail
cd "$(dirname "$0")/.."
# Under CI a test whose prerequisite is missing (Docker, root, etcd, Chromium, xmllint, the
# shared corpus) fails instead of skipping (common/testing/prerequisite.h).
export CI=${CI:-true}
ci/setup.sh
echo "== format (at $SECONDS s)"
ci/format.sh --check
echo "== size limits (STYLE: functions <= 70 lines, files <= 400 lines, outside tests) (at $SECONDS s)"
python3 ci/limits.py
echo "== build and test (release) (at $SECONDS s)"
ci/test.sh release
echo "== thread safety (clang -Wthread-safety over every GUARDED_BY) (at $SECONDS s)"
python3 ci/thread_safety.py build/release
echo "== unit tests under ASan + UBSan (at $SECONDS s)"
# The pure libraries' unit tests (checker, CLI, report, run store, Raft core, storage); the gRPC server's tests
# run in the release suite above, which keeps CI well under its time budget.
asan_tests=(checker/checker_test common/process/splitbrain_process_test
            orchestrator/orchestrator_test orchestrator/report/report_test
            orchestrator/store/store_test
            refdb/raft/refdb_raft_test refdb/storage/refdb_storage_test)
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$(nproc)" --target "${asan_tests[@]##*/}"
# The binaries run as many at once as there are cores (each is mostly one thread); each one's
# output goes to its own log, printed whole if it fails.
asan_logs=$(mktemp -d "${TMPDIR:-/tmp}/splitbrain-asan-XXXXXX")
run_asan_test() {
  local t=$1 log=$asan_logs/${1##*/}.log started=$SECONDS
  if "build/asan/$t" --gtest_brief=1 >"$log" 2>&1; then
    echo "-- $t: passed in $((SECONDS - started)) s"
  else
    echo "-- $t: FAILED after $((SECONDS - started)) s; its output:"
    cat "$log"
    touch "$log.failed"
  fi
}
for t in "${asan_tests[@]}"; do
  while (($(jobs -rp | wc -l) >= $(nproc))); do wait -n || true; done
  run_asan_test "$t" &
done
wait
if compgen -G "$asan_logs/*.failed" >/dev/null; then
  echo "ASan + UBSan: FAILED (logs kept in $asan_logs)"
  exit 1
fi
rm -rf "$asan_logs"
echo "== fuzz: every refdb decoder's libFuzzer target, ${SPLITBRAIN_FUZZ_SECONDS:-20} s each (at $SECONDS s)"
ci/fuzz.sh
if [ "${SPLITBRAIN_TIDY:-0}" = 1 ]; then
  echo "== clang-tidy (at $SECONDS s)"
  # clang-tidy needs one compile command per source; the release preset is a unity build, so
  # the dev preset's (per-file) database is used, with the generated protobuf headers built.
  cmake --preset dev >/dev/null
  cmake --build --preset dev -j "$(nproc)" --target refdb_proto etcd_proto
  git ls-files '*.cc' | grep -v '_test.cc$' | xargs -r clang-tidy -p build/dev --quiet
fi
echo "== all checks passed (at $SECONDS s)"
