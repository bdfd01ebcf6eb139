#!/bin/bash
# refdb against etcd: runs `splitbrain run` once with --db refdb and once with --db etcd, with
# the same flags (so the same seed, hence the same fault schedule), and prints a markdown table
# read from each run's results.json and history.jsonl: verdicts, failover (new leader and first
# acknowledged write after a fault that removed the leader: median / max), availability while a
# fault was active (share of client operations that succeeded, ok/s), and throughput (ok/s over
# the whole run).
#
# usage: ci/compare.sh [--splitbrain PATH] [--store DIR] [SPLITBRAIN RUN FLAGS...]
#   default flags: --nodes 5 --time-limit 40s
#                  --nemesis kill,pause,partition-halves,partition-leader --seed 7
#   without --seed in the flags, --seed 7 is added (both runs need the same one).
# Needs jq and a built splitbrain (default build/release/orchestrator/splitbrain:
# `cmake --preset release && cmake --build --preset release --target splitbrain refdb`).
# Exit code: 0 when both runs ended with a verdict (valid or not), 3 when a run failed.
set -euo pipefail
cd "$(dirname "$0")/.."

splitbrain=build/release/orchestrator/splitbrain
store=store
flags=()
while (($#)); do
  case "$1" in
    --splitbrain) splitbrain="$2"; shift 2 ;;
    --store) store="$2"; shift 2 ;;
    -h | --help) sed -n '2,15p' "$0"; exit 0 ;;
    *) flags+=("$1"); shift ;;
  esac
done
if ((${#flags[@]} == 0)); then
  # shellcheck disable=SC2054 # the commas belong to --nemesis
  flags=(--nodes 5 --time-limit 40s --nemesis kill,pause,partition-halves,partition-leader)
fi
has_seed=0
for f in "${flags[@]}"; do [[ "$f" == --seed || "$f" == --seed=* ]] && has_seed=1; done
((has_seed)) || flags+=(--seed 7)
command -v jq >/dev/null || { echo "compare: needs jq (apt-get install jq)" >&2; exit 254; }
[[ -x "$splitbrain" ]] || { echo "compare: no $splitbrain; build it (see --help)" >&2; exit 254; }

# Availability while faults were active, from history.jsonl: the union of the nemesis' fault
# windows (start to end, or to the history's end), the client completions inside them.
# shellcheck disable=SC2016 # a jq program, not shell
availability_jq='
  (map(.time_ns) | max) as $last
  | [.[] | select(.process == "nemesis" and (.value | type) == "object")] as $n
  | [$n[] | select(.value.phase == "start") | . as $s
      | {s: .time_ns,
         e: (([$n[] | select(.value.phase == "end" and .value.id == $s.value.id) | .time_ns]
              | first) // $last)}] as $w
  | ($w | sort_by(.s) | reduce .[] as $x ([];
      if length > 0 and $x.s <= .[-1].e then .[-1].e = ([.[-1].e, $x.e] | max)
      else . + [$x] end)) as $m
  | ($m | map(.e - .s) | add // 0) as $fault_ns
  | [.[] | select((.process | type) == "number" and (.type | IN("ok", "fail", "info")))
      | . as $op | select(any($m[]; $op.time_ns >= .s and $op.time_ns < .e)) | .type] as $during
  | {fault_s: ($fault_ns / 1e9),
     during: ($during | length),
     during_ok: ([$during[] | select(. == "ok")] | length)}'

run_one() {  # db -> prints the run directory
  local db="$1" code=0
  echo "compare: splitbrain run --db $db ${flags[*]}" >&2
  "$splitbrain" run --db "$db" --name "compare-$db" --store "$store" "${flags[@]}" >&2 || code=$?
  echo "compare: $db exit code $code" >&2
  readlink -f "$store/latest"
}

declare -A dir
for db in refdb etcd; do dir[$db]=$(run_one "$db"); done

# One JSON object of figures per run.
figures() {
  local run="$1" avail
  avail=$(jq -s "$availability_jq" "$run/history.jsonl" 2>/dev/null || echo '{}')
  jq --argjson a "$avail" '
    def ms: if . == null then null else (. * 1000 | round) end;
    {verdict: .verdict,
     faults: .checks.failover.details.faults,
     leader_lost: (.checks.failover.details.new_leader_s.count // 0),
     new_leader_med: (.checks.failover.details.new_leader_s.median | ms),
     new_leader_max: (.checks.failover.details.new_leader_s.max | ms),
     first_write_med: (.checks.failover.details.first_write_s.median | ms),
     first_write_max: (.checks.failover.details.first_write_s.max | ms),
     fault_s: $a.fault_s,
     during_ok_share: (if ($a.during // 0) > 0 then ($a.during_ok / $a.during * 100) else null end),
     during_ok_per_s: (if ($a.fault_s // 0) > 0 then ($a.during_ok / $a.fault_s) else null end),
     ok_per_s: .checks.stats.details.total.ok_per_s,
     ok: .ops.ok, fail: .ops.fail, info: .ops.info,
     p99_ms: .checks.stats.details.total.latency_ms.p99,
     checks: ((.checks // {}) | to_entries
              | if all(.value.verdict == "valid") then "all \(length) valid"
                else map(select(.value.verdict != "valid") | "\(.key) \(.value.verdict)")
                     | join(", ") end)}
  ' "$run/results.json"
}

refdb=$(figures "${dir[refdb]}")
etcd=$(figures "${dir[etcd]}")

jq -n -r --argjson r "$refdb" --argjson e "$etcd" --arg flags "${flags[*]}" '
  def show: if . == null then "–" elif type == "number" then (. * 10 | round / 10 | tostring)
            else tostring end;
  def row(title; f): "| \(title) | \($r | f | show) | \($e | f | show) |";
  "splitbrain run \($flags)\n",
  "| | refdb | etcd |",
  "|---|---|---|",
  row("verdict"; .verdict),
  row("faults that removed the leader (of all faults)";
      "\(.leader_lost) of \(.faults // "–")"),
  row("new leader, median / max (ms)"; "\(.new_leader_med | show) / \(.new_leader_max | show)"),
  row("first acknowledged write, median / max (ms)";
      "\(.first_write_med | show) / \(.first_write_max | show)"),
  row("time with a fault active (s)"; .fault_s),
  row("ops that succeeded while a fault was active (%)"; .during_ok_share),
  row("ok ops/s while a fault was active"; .during_ok_per_s),
  row("ok ops/s over the run"; .ok_per_s),
  row("latency p99 (ms)"; .p99_ms),
  row("ops ok / fail / info"; "\(.ok) / \(.fail) / \(.info)"),
  row("checks"; .checks)'

for db in refdb etcd; do
  v=$(jq -r .verdict "${dir[$db]}/results.json")
  [[ "$v" == run-failed ]] && exit 3
done
exit 0
