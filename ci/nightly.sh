#!/bin/bash
# The nightly resilience suite: every spec file (default ci/specs/*.json: fault mixes and
# databases) for every seed, one `splitbrain run` each, within a time budget. Collects the
# store (runs, reports, index.html), one JUnit file per run, and prints a summary table.
# Exit: 0 when every run that ran was valid; 1 when any was invalid, unknown or failed, or
# when the budget left a run out (a nightly that skipped work is not green).
#
# Usage: ci/nightly.sh [--budget 60m] [--seeds 1,2,3] [--out DIR] [--backend auto|docker|netns]
#                      [--shard I/N | --parallel K] [--night ID] [--fail-on-regression]
#                      [--regression-threshold 50%] [--no-build] [SPEC.json...]
# --shard I/N runs the I-th of N deterministic slices of (spec x seed), for a CI matrix of N jobs
# (each on its own machine; join their stores with `splitbrain merge --into STORE SHARD...`).
# --parallel K runs K shards at once on this machine (OUT/shard-<k>/), then merges their stores
# into OUT/store (one index.html and one junit.xml for every run).
# --night ID names this nightly in every run's spec.json (default: the UTC start time,
# 20261207T021700Z; shards of one nightly must share it). The store's index draws the trends of
# its last nights; `splitbrain trends` prints them at the end (without --shard). Keep --out
# across nights for trends. --fail-on-regression also fails (exit 1) when the newest night
# regressed beyond --regression-threshold (default 50%) against the median of earlier nights.
set -euo pipefail
cd "$(dirname "$0")/.."

budget=60m
seeds=1
out=nightly
backend=auto
build=1
shard=1/1
parallel=0
night=""
fail_on_regression=0
threshold=50%
specs=()
usage() { sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 254; }
while (($#)); do
  case "$1" in
    --budget) budget=${2:?--budget needs a value}; shift 2 ;;
    --seeds) seeds=${2:?--seeds needs a value}; shift 2 ;;
    --out) out=${2:?--out needs a value}; shift 2 ;;
    --backend) backend=${2:?--backend needs a value}; shift 2 ;;
    --shard) shard=${2:?--shard needs I/N}; shift 2 ;;
    --parallel) parallel=${2:?--parallel needs a number}; shift 2 ;;
    --night) night=${2:?--night needs an id}; shift 2 ;;
    --fail-on-regression) fail_on_regression=1; shift ;;
    --regression-threshold) threshold=${2:?--regression-threshold needs a percentage}; shift 2 ;;
    --no-build) build=0; shift ;;
    -h|--help) usage ;;
    -*) echo "nightly: unknown flag $1" >&2; usage ;;
    *) specs+=("$1"); shift ;;
  esac
done
if ((${#specs[@]} == 0)); then specs=(ci/specs/*.json); fi

# "90m", "1h", "3600s", "3600" -> seconds.
seconds_of() {
  local text=$1 number unit
  if [[ ! $text =~ ^([0-9]+)(ms|s|m|h)?$ ]]; then
    echo "nightly: \"$text\" is not a duration (examples: 45m, 2h, 900s)" >&2
    exit 254
  fi
  number=${BASH_REMATCH[1]}
  unit=${BASH_REMATCH[2]:-s}
  case "$unit" in
    ms) echo $((number / 1000)) ;;
    s) echo "$number" ;;
    m) echo $((number * 60)) ;;
    h) echo $((number * 3600)) ;;
  esac
}
budget_s=$(seconds_of "$budget")
if [[ ! $shard =~ ^([0-9]+)/([0-9]+)$ ]] || ((BASH_REMATCH[1] < 1 || BASH_REMATCH[1] > BASH_REMATCH[2])); then
  echo "nightly: --shard \"$shard\" is not I/N with 1 <= I <= N (example: --shard 2/4)" >&2
  exit 254
fi
shard_index=${BASH_REMATCH[1]}
shard_count=${BASH_REMATCH[2]}
if [[ ! $parallel =~ ^[0-9]+$ ]] || ((parallel > 64)); then
  echo "nightly: --parallel \"$parallel\" is not a number of shards (1-64)" >&2
  exit 254
fi
if ((parallel > 0 && shard_count > 1)); then
  echo "nightly: --parallel and --shard do not go together (--parallel K runs shards 1/K..K/K)" >&2
  exit 254
fi
if ((fail_on_regression && shard_count > 1)); then
  echo "nightly: --fail-on-regression judges a whole night: use it where the shards are merged" \
    "(splitbrain trends --store STORE --fail-on-regression), not with --shard" >&2
  exit 254
fi
night=${night:-$(date -u +%Y%m%dT%H%M%SZ)}
if [[ ! $night =~ ^[A-Za-z0-9._:-]{1,64}$ ]]; then
  echo "nightly: --night \"$night\" is not 1-64 of A-Z a-z 0-9 . _ : -" >&2
  exit 254
fi
if [[ ! $threshold =~ ^[0-9]+(\.[0-9]+)?%?$ ]]; then
  echo "nightly: --regression-threshold \"$threshold\" is not a percentage (example: 50%)" >&2
  exit 254
fi
IFS=, read -r -a seed_list <<<"$seeds"
for seed in "${seed_list[@]}"; do
  [[ $seed =~ ^[0-9]+$ ]] || { echo "nightly: seed \"$seed\" is not a number" >&2; exit 254; }
done
for spec in "${specs[@]}"; do
  [[ -r $spec ]] || { echo "nightly: cannot read spec $spec" >&2; exit 254; }
done

if ((build)); then
  ci/setup.sh
  ci/build.sh release splitbrain refdb  # what the runs need, not the tests
else
  command -v jq >/dev/null || { echo "nightly: needs jq (ci/setup.sh installs it)" >&2; exit 254; }
fi
# SPLITBRAIN_BIN: another build of the binary (the ctest of this script passes its own).
splitbrain=${SPLITBRAIN_BIN:-build/release/orchestrator/splitbrain}
[[ -x $splitbrain ]] || { echo "nightly: $splitbrain is missing (run without --no-build)" >&2; exit 254; }

# The trends of the store's last nights (and the index with them); with --fail-on-regression a
# regression of this night fails the nightly.
trends() {
  local args=(trends --store "$1" --regression-threshold "$threshold")
  ((fail_on_regression)) && args+=(--fail-on-regression)
  echo
  "$splitbrain" "${args[@]}"
}

if ((parallel > 0)); then
  # K shards at once, each a nightly of its own (own store, JUnit and logs), then one merge.
  echo "== nightly: $parallel shards in parallel (logs: $out/shard-<k>.log)"
  mkdir -p "$out"
  pids=()
  for ((k = 1; k <= parallel; k++)); do
    "$0" --shard "$k/$parallel" --out "$out/shard-$k" --budget "$budget" --seeds "$seeds" \
      --backend "$backend" --night "$night" --no-build "${specs[@]}" >"$out/shard-$k.log" 2>&1 &
    pids+=($!)
  done
  code=0
  for ((k = 1; k <= parallel; k++)); do
    if wait "${pids[k - 1]}"; then shard_code=0; else shard_code=$?; fi
    echo "nightly: shard $k/$parallel ended with exit code $shard_code"
    tail -n 2 "$out/shard-$k.log" | sed 's/^/    /'
    ((shard_code == 0)) || code=1
  done
  stores=()
  for ((k = 1; k <= parallel; k++)); do
    [[ -d $out/shard-$k/store ]] && stores+=("$out/shard-$k/store")
  done
  if ((${#stores[@]} > 0)); then
    "$splitbrain" merge --into "$out/store" "${stores[@]}" || code=1
    trends "$out/store" || code=1
  else
    echo "nightly: no shard stored a run" >&2
    code=1
  fi
  exit "$code"
fi

mkdir -p "$out/junit" "$out/logs"
store="$out/store"
start=$(date +%s)
rows=()
failed=0
skipped=0
slot=0
for spec in "${specs[@]}"; do
  name=$(basename "$spec" .json)
  # A run takes its time limit plus bring-up, final reads, teardown and checks (~60 s).
  limit=$(jq -r '."time-limit" // 60' "$spec")
  limit_s=$(seconds_of "${limit%.*}")
  for seed in "${seed_list[@]}"; do
    # (spec, seed) pairs are dealt to the shards in turn: pair j belongs to shard j mod N + 1.
    slot=$((slot + 1))
    (((slot - 1) % shard_count + 1 == shard_index)) || continue
    elapsed=$(($(date +%s) - start))
    if ((elapsed + limit_s + 60 > budget_s)); then
      rows+=("$name|$seed|-|skipped (budget)|-|-|-|-")
      skipped=$((skipped + 1))
      continue
    fi
    echo "== nightly: $name seed $seed (${elapsed}s of ${budget_s}s used)"
    junit="$out/junit/$name-seed$seed.xml"
    log="$out/logs/$name-seed$seed.log"
    set +e
    "$splitbrain" run --spec "$spec" --seed "$seed" --backend "$backend" --store "$store" \
      --night "$night" --junit "$junit" 2>&1 | tee "$log"
    code=${PIPESTATUS[0]}
    set -e
    results="$store/latest/results.json"
    db=$(jq -r '.db // "?"' "$spec")
    if [[ -r $results ]]; then
      verdict=$(jq -r '.verdict' "$results")
      failover=$(jq -r '.checks.failover.details.new_leader_s.median // empty | . * 1000 | round | tostring + " ms"' "$results" 2>/dev/null || true)
      first_write=$(jq -r '.checks.failover.details.first_write_s.median // empty | . * 1000 | round | tostring + " ms"' "$results" 2>/dev/null || true)
      rate=$(jq -r '.checks.stats.details.total.ok_per_s // empty | round | tostring' "$results" 2>/dev/null || true)
    else
      verdict="no results"; failover=""; first_write=""; rate=""
    fi
    rows+=("$name|$seed|$db|$verdict|$code|${failover:--}|${first_write:--}|${rate:--}")
    ((code == 0)) || failed=$((failed + 1))
  done
done

total=$(($(date +%s) - start))
echo
shard_note=""
((shard_count > 1)) && shard_note=", shard $shard_index/$shard_count of $slot (spec, seed) pairs"
echo "nightly summary ($((${#rows[@]})) runs${shard_note}, night $night, ${total}s; store: $store, JUnit: $out/junit)"
printf '%-22s %6s %6s %-18s %5s %14s %14s %8s\n' spec seed db verdict exit "new leader" "first write" "ok/s"
for row in "${rows[@]}"; do
  IFS='|' read -r n s d v c f w r <<<"$row"
  printf '%-22s %6s %6s %-18s %5s %14s %14s %8s\n' "$n" "$s" "$d" "$v" "$c" "$f" "$w" "$r"
done
[[ -e $store/index.html ]] && echo "index: $store/index.html"
regressed=0
if ((shard_count == 1)) && [[ -d $store ]]; then
  trends "$store" || regressed=1
fi
if ((failed > 0 || skipped > 0 || regressed)); then
  echo "nightly: $failed run(s) not valid, $skipped left out by the budget$( ((regressed)) &&
    echo ", trends failed (a regression with --fail-on-regression, or an error)")"
  exit 1
fi
echo "nightly: every run valid (night $night)"
