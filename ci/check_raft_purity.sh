#!/bin/bash
# Fails when the Raft core (refdb/raft/, tests and the test network excepted) includes a header
# that brings threads, locks, clocks, random devices, files, sockets or gRPC (STYLE.md §2).
set -euo pipefail
cd "$(dirname "$0")/.."
forbidden='#[[:space:]]*include[[:space:]]*[<"](thread|mutex|shared_mutex|chrono|random|filesystem|condition_variable|future|sys/socket\.h|netinet/[^>"]*|arpa/inet\.h|netdb\.h|grpc[^>"]*)[>"]'
files=$(find refdb/raft -type f \( -name '*.h' -o -name '*.cc' \) \
  ! -name '*_test.cc' ! -name 'test_network.*' | sort)
if hits=$(grep -nE "$forbidden" $files); then
  echo "refdb/raft must stay pure (STYLE.md §2); forbidden includes:"
  echo "$hits"
  exit 1
fi
echo "refdb/raft is pure: $(echo "$files" | wc -l) files checked"
