#!/bin/bash
# What CI runs, in order: format check, build + every test (release), unit tests under
# AddressSanitizer + UBSan, clang-tidy on changed-or-all sources (SPLITBRAIN_TIDY=1).
set -euo pipefail
cd "$(dirname "$0")/.."
ci/setup.sh
echo "== format"
ci/format.sh --check
echo "== build and test (release)"
ci/test.sh release
echo "== unit tests under ASan + UBSan"
ci/build.sh asan >/dev/null
ctest --preset asan -L unit -j "$(nproc)" --timeout 600
if [ "${SPLITBRAIN_TIDY:-0}" = 1 ]; then
  echo "== clang-tidy"
  git ls-files '*.cc' | grep -v '_test.cc$' | xargs -r clang-tidy -p build/release --quiet
fi
echo "== all checks passed"
