#!/bin/bash
# The main job, from a fresh machine: installs what it needs, builds, and checks sample
# histories for linearizability (one valid, one invalid with its counterexample). Until
# `splitbrain run` exists this is what splitbrain does end to end.
set -euo pipefail
cd "$(dirname "$0")/.."
ci/setup.sh
ci/build.sh release >/dev/null
bin=build/release/orchestrator/splitbrain
out=store/quickstart
mkdir -p "$out"
samples=(checker/testdata/register/concurrent_read_sees_new_value.good.jsonl
         checker/testdata/register/stale_read_after_partition.bad.jsonl)
shared=../shared/histories/porcupine/test_data
[ -d "$shared" ] && samples+=("$shared/jepsen/etcd_000.log" "$shared/kv/c10-ok.txt")
set +e
"$bin" check "${samples[@]}"
code=$?
"$bin" check --json "${samples[@]}" >"$out/results.json"
set -e
echo
echo "quickstart: exit code $code (0 valid, 1 invalid found, 2 unknown); JSON results in $out/results.json"
# An invalid sample is there on purpose: the run succeeded if the checker gave verdicts.
[ "$code" -le 2 ]
