#!/bin/bash
# Configures and builds one CMake preset (default: release), the whole tree or only the given
# targets, showing ninja's progress. Usage: ci/build.sh [PRESET [TARGET...]]
#   e.g. ci/build.sh release splitbrain refdb   (what `splitbrain run` needs)
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-release}
shift $(($# > 0 ? 1 : 0))
cmake --preset "$preset" >/dev/null
if (($#)); then
  cmake --build --preset "$preset" -j "$(nproc)" --target "$@"
else
  cmake --build --preset "$preset" -j "$(nproc)"
fi
ln -sfn "build/$preset/compile_commands.json" compile_commands.json
