// The checks `splitbrain run` applies to a finished run's history: faults (every planned fault
// took effect, else unknown), liveness (operations were acknowledged, and again soon after the
// final heal), and by what the workload declares (workloads::WorkloadChecks):
//   linearizable (per key, against the workload's model), set (lost / unexpected / recovered
//   elements), lease (no two candidates held it at once; availability); then for every run
//   election safety (at most one leader per term, from status samples and the node logs in the
//   history), failover (time to a new leader and to the first acknowledged write after each
//   fault that removed the leader, against --max-failover), split without majority (no write
//   acknowledged while no majority could form), convergence (every replica at the same applied
//   index at the end), and availability and latency statistics (figures only).
// The history is parsed once (checker::RunHistory) and handed to every check. The linearizable
// check reuses what the run's live check (checker/live_linearizability.h) found while the
// history was recorded, when there was one: same verdict, sooner.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "checker/fault_coverage.h"
#include "checker/history.h"
#include "checker/linearizability.h"
#include "checker/live_linearizability.h"
#include "orchestrator/run/plan.h"
#include "orchestrator/store/results.h"
#include "workloads/workload.h"

namespace orchestrator {

// The name of the check that lists which faults took effect (checker/fault_check.h).
inline constexpr char kFaultsCheck[] = "faults";

// The linearizability check's memory budget in runs (splitbrain check's default too).
inline constexpr int64_t kCheckMemoryLimitMb = 4096;

struct ChecksInput {
  workloads::WorkloadChecks checks;  // what the workload declares (Workload::checks())
  int nodes = 0;                     // the cluster size
  double time_limit_s = 0;           // budget of the linearizability search (0: none)
  int64_t memory_limit_mb = 0;       // its memory budget (0: none)
  double max_failover_s = 5;         // the failover bound (--max-failover)
  double max_recovery_s = 5;         // recovery after a no-majority fault and the final heal
  // The database keeps node logs (DbTraits::writes_node_events): election safety wants one
  // node-log event per node in the history.
  bool node_logs = false;
  bool terms_are_current = false;  // DbTraits::status_term_is_current (election safety's votes)
  // DbTraits::has_terms: false checks "one primary at a time" instead of election safety.
  bool has_terms = true;
  // DbTraits::reads_linearizable: false leaves reads out of the linearizability check and
  // checks them only for having read written values (check "reads").
  bool reads_linearizable = true;
  // DbTraits::reports_applied: false skips convergence, which compares applied positions.
  bool reports_applied = true;
  // The run's live linearizability check, fed while the history was recorded (its options from
  // LiveCheckOptionsFor(this)); nullptr: the whole history is checked at the end.
  checker::LiveLinearizability* live = nullptr;
};

// The checks of a run of `plan` with `workload`: what the workload declares, the database's
// traits, the spec's bounds.
ChecksInput ChecksInputFor(const RunPlan& plan, const workloads::Workload& workload);

// The live linearizability check for `input`: the same model, reads and budget as the check at
// the end; nullopt when the workload declares no linearizability check.
std::optional<checker::LiveCheckOptions> LiveCheckOptionsFor(const ChecksInput& input);

// What RunChecks found: every check's result, and the fault coverage (informational: it has no
// verdict and never changes the run's).
struct ChecksOutcome {
  std::vector<CheckResult> checks;  // in the order they ran
  checker::FaultCoverage fault_coverage;
};

// Requires: the history holds the node-log events (checker::NodeLogEvent) when node_logs is set.
ChecksOutcome RunChecks(const ChecksInput& input, checker::History history);

// invalid if any check is invalid, else unknown if any is unknown, else valid.
checker::Verdict CombinedVerdict(const std::vector<CheckResult>& checks);

}  // namespace orchestrator
