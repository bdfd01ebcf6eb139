#include "orchestrator/run/run_checks.h"

#include <chrono>
#include <cstdio>

#include "checker/convergence_check.h"
#include "checker/election_safety.h"
#include "checker/failover_check.h"
#include "checker/fault_check.h"
#include "checker/fencing_check.h"
#include "checker/lease_check.h"
#include "checker/liveness_check.h"
#include "checker/run_history.h"
#include "checker/run_stats.h"
#include "checker/set_check.h"
#include "checker/split_check.h"
#include "checker/weak_guarantee_checks.h"

namespace orchestrator {

using checker::Json;
using checker::Verdict;

namespace {

CheckResult Linearizable(const ChecksInput& input, checker::ModelKind model,
                         const checker::RunHistory& run) {
  CheckResult outcome{.name = "linearizable"};
  if (!run.operations_status.ok()) {
    outcome.verdict = Verdict::kUnknown;
    outcome.summary = "the history's operations do not pair: " + run.operations_status.message();
    return outcome;
  }
  checker::CheckOptions options{.model = model, .time_limit_s = input.time_limit_s};
  auto result = checker::CheckLinearizability(
      input.reads_linearizable ? run.operations : checker::WithoutReads(run.operations), options);
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
  if (!input.reads_linearizable) outcome.summary += " (writes and compare-and-sets; reads apart)";
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

CheckResult From(std::string name, checker::RunCheckResult r) {
  return CheckResult{.name = std::move(name),
                     .verdict = r.verdict,
                     .summary = std::move(r.summary),
                     .details = std::move(r.details)};
}

}  // namespace

ChecksOutcome RunChecks(const ChecksInput& input, checker::History history) {
  const checker::RunHistory run = checker::ReadRunHistory(std::move(history));
  const workloads::WorkloadChecks& checks = input.checks;
  std::vector<CheckResult> outcomes;
  outcomes.push_back(From(kFaultsCheck, checker::CheckFaults(run)));
  if (checks.linearizable.has_value()) {
    outcomes.push_back(Linearizable(input, *checks.linearizable, run));
    if (!input.reads_linearizable) {
      outcomes.push_back(
          From("reads",
               run.operations_status.ok()
                   ? checker::CheckReadsSawWrites(run.operations)
                   : checker::RunCheckResult{.verdict = Verdict::kUnknown,
                                             .summary = "the history's operations do not pair"}));
    }
  }
  if (checks.set) outcomes.push_back(From("set", checker::CheckSet(run, {.nodes = input.nodes})));
  if (checks.lease) outcomes.push_back(From("lease", checker::CheckLease(run)));
  if (checks.fencing) outcomes.push_back(From("fencing", checker::CheckFencing(run)));
  if (input.has_terms) {
    outcomes.push_back(
        From("election-safety",
             checker::CheckElectionSafety(run, {.nodes = input.nodes,
                                                .terms_are_current = input.terms_are_current,
                                                .logs_expected = input.node_logs})));
  } else {
    outcomes.push_back(From("one-primary", checker::CheckOnePrimary(run, input.nodes)));
  }
  outcomes.push_back(
      From("failover", checker::CheckFailover(run, {.max_failover_s = input.max_failover_s,
                                                    .max_recovery_s = input.max_recovery_s,
                                                    .has_terms = input.has_terms})));
  outcomes.push_back(From("split-without-majority", checker::CheckSplitWithoutMajority(run)));
  if (input.reports_applied) {
    outcomes.push_back(From("convergence", checker::CheckConvergence(run, {.nodes = input.nodes})));
  }
  outcomes.push_back(
      From("liveness", checker::CheckLiveness(run, {.max_recovery_s = input.max_recovery_s})));
  outcomes.push_back(From("stats", checker::ComputeRunStats(run)));
  return {.checks = std::move(outcomes), .fault_coverage = checker::ComputeFaultCoverage(run)};
}

Verdict CombinedVerdict(const std::vector<CheckResult>& checks) {
  Verdict verdict = Verdict::kValid;
  for (const CheckResult& o : checks) {
    if (o.verdict == Verdict::kInvalid) return Verdict::kInvalid;
    if (o.verdict == Verdict::kUnknown) verdict = Verdict::kUnknown;
  }
  return verdict;
}

}  // namespace orchestrator
