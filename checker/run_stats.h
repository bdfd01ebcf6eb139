// Run statistics: the figures a person wants next to the verdicts. Over the client operations
// (invoke paired with the next ok / fail / info of its process; an invoke never completed
// counts as info):
// - per `f` and in total: counts of ok, fail and info; latency of the ok operations in ms
//   (p50, p90, p99 by nearest rank, and max); throughput over the run in ops/s (ok completions,
//   and all completions);
// - worst unavailability: the longest interval with no ok completion of any operation, within
//   the client window (first client invoke to last client event), with its start and end in s
//   from the history's first event.
// The verdict is always valid: statistics judge nothing. A completion with no open invocation
// is skipped and counted in details.unpaired_completions.
#pragma once

#include "checker/run_check_result.h"
#include "checker/run_history.h"

namespace checker {

RunCheckResult ComputeRunStats(const RunHistory& run);
// For a history that is not a run's (`splitbrain check --html`): reads it into a RunHistory first.
RunCheckResult ComputeRunStats(const History& history);

}  // namespace checker
