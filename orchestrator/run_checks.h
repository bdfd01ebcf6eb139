// The checks `splitbrain run` applies to a finished run's history: faults (every planned fault
// took effect, else unknown), liveness (operations were acknowledged, and again soon after the
// final heal), and by workload:
//   linearizable (per key; register and election), set (lost / unexpected / recovered
//   elements), lease (no two candidates held it at once; availability), election safety (at
//   most one leader per term, from status samples and every node's events.jsonl), failover
//   (time to a new leader and to the first acknowledged write after each fault that removed
//   the leader, against --max-failover), split without majority (no write acknowledged while
//   an even cluster is split in half), convergence (every replica at the same applied index at
//   the end), and availability and latency statistics (figures only).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "checker/history.h"
#include "checker/linearizability.h"

namespace orchestrator {

// The name of the check that lists which faults took effect (checker/fault_check.h).
inline constexpr char kFaultsCheck[] = "faults";

struct CheckOutcome {
  std::string name;  // "linearizable", "set", "lease", "election-safety", "stats"
  checker::Verdict verdict = checker::Verdict::kValid;
  std::string summary;    // one line for people
  checker::Json details;  // figures and, when invalid, the evidence
};

struct ChecksInput {
  std::string workload;  // register | set | election
  std::string model;     // the workload's linearizability model, "" for none
  int nodes = 0;
  std::filesystem::path run_dir;   // nodes/n<i>/events.jsonl are read from here
  double time_limit_s = 0;         // budget of the linearizability search (0: none)
  double max_failover_s = 5;       // the failover bound (--max-failover)
  double max_recovery_s = 5;       // recovery after a no-majority fault and the final heal
  bool node_logs = false;          // nodes write events.jsonl (election safety needs each one)
  bool terms_are_current = false;  // status terms are currentTerm (election safety's vote check)
};

std::vector<CheckOutcome> RunChecks(const ChecksInput& input, const checker::History& history);

// invalid if any check is invalid, else unknown if any is unknown, else valid.
checker::Verdict CombinedVerdict(const std::vector<CheckOutcome>& outcomes);

}  // namespace orchestrator
