// The checks `splitbrain run` applies to a finished run's history, by workload:
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
  std::filesystem::path run_dir;  // nodes/n<i>/events.jsonl are read from here
  double time_limit_s = 0;        // budget of the linearizability search (0: none)
  double max_failover_s = 5;      // the failover bound (--max-failover)
};

std::vector<CheckOutcome> RunChecks(const ChecksInput& input, const checker::History& history);

// invalid if any check is invalid, else unknown if any is unknown, else valid.
checker::Verdict CombinedVerdict(const std::vector<CheckOutcome>& outcomes);

}  // namespace orchestrator
