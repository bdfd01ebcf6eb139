#include "orchestrator/run_checks.h"

#include <chrono>

#include "checker/election_safety.h"
#include "checker/failover_check.h"
#include "checker/fault_check.h"
#include "checker/lease_check.h"
#include "checker/liveness_check.h"
#include "checker/run_stats.h"
#include "checker/set_check.h"
#include "checker/split_check.h"

namespace orchestrator {

using checker::Json;
using checker::Verdict;

namespace {

CheckOutcome Linearizable(const ChecksInput& input, const checker::History& history) {
  CheckOutcome outcome{.name = "linearizable"};
  auto ops = checker::PairOperations(history);
  if (!ops.ok()) {
    outcome.verdict = Verdict::kUnknown;
    outcome.summary = "the history's operations do not pair: " + ops.status().message();
    return outcome;
  }
  checker::CheckOptions options{.model = input.model, .time_limit_s = input.time_limit_s};
  auto result = checker::CheckLinearizability(*ops, options);
  if (!result.ok()) {
    outcome.verdict = Verdict::kUnknown;
    outcome.summary = "cannot check: " + result.status().message();
    return outcome;
  }
  outcome.verdict = result->verdict;
  outcome.details = result->ToJson();
  char figures[160];
  std::snprintf(figures, sizeof figures, "%lld ops in %lld keys, %lld states, %.0f ms",
                static_cast<long long>(result->operations),
                static_cast<long long>(result->partitions),
                static_cast<long long>(result->states_explored), result->elapsed_s * 1000);
  outcome.summary = figures;
  if (result->verdict == Verdict::kInvalid && result->counterexample.has_value()) {
    const auto& failed = result->counterexample->failed_op;
    outcome.summary += "; cannot linearize " + failed.description + " (process " +
                       std::to_string(failed.process) + ", key " +
                       result->counterexample->key.dump() + ")";
  } else if (result->verdict == Verdict::kUnknown) {
    outcome.summary += "; " + result->reason;
  }
  return outcome;
}

}  // namespace

std::vector<CheckOutcome> RunChecks(const ChecksInput& input, const checker::History& history) {
  auto from = [](std::string name, checker::RunCheckResult r) {
    return CheckOutcome{.name = std::move(name),
                        .verdict = r.verdict,
                        .summary = std::move(r.summary),
                        .details = std::move(r.details)};
  };
  std::vector<CheckOutcome> outcomes;
  outcomes.push_back(from(kFaultsCheck, checker::CheckFaults(history)));
  if (!input.model.empty()) outcomes.push_back(Linearizable(input, history));
  if (input.workload == "set")
    outcomes.push_back(from("set", checker::CheckSet(history, {.nodes = input.nodes})));
  if (input.workload == "election") outcomes.push_back(from("lease", checker::CheckLease(history)));
  std::vector<checker::NodeEventLog> logs;
  for (int i = 1; input.node_logs && i <= input.nodes; ++i) {
    logs.push_back(
        {.node = i,
         .path = (input.run_dir / "nodes" / ("n" + std::to_string(i)) / "events.jsonl").string()});
  }
  outcomes.push_back(from(
      "election-safety", checker::CheckElectionSafety(history, logs,
                                                      {.nodes = input.nodes,
                                                       .terms_are_current = input.terms_are_current,
                                                       .logs_expected = input.node_logs})));
  outcomes.push_back(
      from("failover", checker::CheckFailover(history, {.max_failover_s = input.max_failover_s,
                                                        .max_recovery_s = input.max_recovery_s})));
  outcomes.push_back(from("split-without-majority", checker::CheckSplitWithoutMajority(history)));
  outcomes.push_back(
      from("convergence", checker::CheckConvergence(history, {.nodes = input.nodes})));
  outcomes.push_back(
      from("liveness", checker::CheckLiveness(history, {.max_recovery_s = input.max_recovery_s})));
  outcomes.push_back(from("stats", checker::ComputeRunStats(history)));
  return outcomes;
}

Verdict CombinedVerdict(const std::vector<CheckOutcome>& outcomes) {
  Verdict verdict = Verdict::kValid;
  for (const CheckOutcome& o : outcomes) {
    if (o.verdict == Verdict::kInvalid) return Verdict::kInvalid;
    if (o.verdict == Verdict::kUnknown) verdict = Verdict::kUnknown;
  }
  return verdict;
}

}  // namespace orchestrator
