#!/bin/bash
# The whole test suite, from a fresh machine: installs what it needs, builds, runs every test.
# Usage: ci/test.sh [PRESET]   (default: release; asan and tsan work too)
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-release}
ci/setup.sh --tests
ci/build.sh "$preset"
ctest --preset "$preset" -j "$(nproc)" --timeout 600
