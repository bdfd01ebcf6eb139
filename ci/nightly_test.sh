#!/bin/bash
# ctest `nightly_shards`: ci/nightly.sh --parallel 2 runs two shards of real short refdb runs
# (netns, 2 specs x 2 seeds) as separate processes with separate stores and merges them: the
# merged store holds every run once (4 runs, 4 distinct run ids), its index lists each run once
# and its junit.xml has one testsuite per run; merging the shards again copies nothing. Every run
# carries the nightly's --night id, and the trends ran on the merged store (its index has them).
# Usage: ci/nightly_test.sh SPLITBRAIN_BIN
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:?usage: ci/nightly_test.sh SPLITBRAIN_BIN}
fail() { echo "nightly_test: FAIL: $*" >&2; exit 1; }
if [[ $(id -u) != 0 ]] || ! command -v jq >/dev/null; then
  [[ ${CI:-} == true ]] && fail "needs root (netns backend) and jq"
  echo "nightly_test: skipped (needs root and jq)"; exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/splitbrain-nightly-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
for fault in kill partition-halves; do
  echo "{\"name\": \"shard-$fault\", \"db\": \"refdb\", \"nodes\": 3, \"time-limit\": \"5s\"," \
    "\"nemesis\": \"$fault\", \"nemesis-interval\": \"2s\"}" >"$tmp/$fault.json"
done
SPLITBRAIN_BIN=$bin ci/nightly.sh --no-build --parallel 2 --seeds 1,2 --backend netns \
  --night test-night-1 --fail-on-regression \
  --out "$tmp/out" "$tmp/kill.json" "$tmp/partition-halves.json" ||
  fail "ci/nightly.sh --parallel 2 exited $? (shard logs: $(cat "$tmp"/out/shard-*.log))"
store=$tmp/out/store
for k in 1 2; do
  count=$(find "$tmp/out/shard-$k/store" -mindepth 3 -maxdepth 3 -name spec.json | wc -l)
  ((count == 2)) || fail "shard $k ran $count runs, expected 2 of the 4 (spec, seed) pairs"
done
mapfile -t specs < <(find "$store" -mindepth 3 -maxdepth 3 -name spec.json | sort)
((${#specs[@]} == 4)) || fail "the merged store holds ${#specs[@]} runs, expected 4"
ids=$(for s in "${specs[@]}"; do jq -r '."run-id"' "$s"; done | sort -u | wc -l)
((ids == 4)) || fail "the merged store holds $ids distinct run ids, expected 4"
seeds=$(for s in "${specs[@]}"; do jq -r '"\(.name) \(.seed)"' "$s"; done | sort -u | wc -l)
((seeds == 4)) || fail "the merged runs cover $seeds (spec, seed) pairs, expected 4"
for s in "${specs[@]}"; do
  run=${s%/spec.json}
  rel=${run#"$store"/}
  n=$(grep -o "href=\"$rel/report.html\"" "$store/index.html" | wc -l)
  ((n == 1)) || fail "index.html links $rel $n times, expected once"
done
nights=$(for s in "${specs[@]}"; do jq -r '.night' "$s"; done | sort -u)
[[ $nights == test-night-1 ]] || fail "the runs' nights are \"$nights\", expected test-night-1"
grep -q 'id="trends"' "$store/index.html" || fail "index.html has no trends section"
suites=$(grep -c '<testsuite ' "$store/junit.xml")
((suites == 4)) || fail "junit.xml has $suites testsuites, expected 4"
again=$("$bin" merge --into "$store" "$tmp"/out/shard-*/store | tail -3)
grep -q "0 run(s) copied, 4 already there" <<<"$again" || fail "merging again: $again"
echo "nightly_test: two shards merged into one store of 4 runs, each listed once"
