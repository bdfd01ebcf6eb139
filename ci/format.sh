#!/bin/bash
# Formats every C++ file with the repo's .clang-format; --check only reports (exit 1 on diff).
# Files git tracks and new files it does not ignore: a file about to be added is formatted too.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files --cached --others --exclude-standard '*.cc' '*.h' | sort -u)
((${#files[@]})) || exit 0
if [ "${1:-}" = --check ]; then
  clang-format --dry-run --Werror "${files[@]}"
else
  clang-format -i "${files[@]}"
fi
