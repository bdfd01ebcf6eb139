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

// The figures of a live check: how much was done during the run, and what was left for the end.
Json LiveFigures(const checker::LiveOutcome& live) {
  return {{"keys_checked_live", live.keys_live},   {"keys_checked_at_end", live.keys_at_end},
          {"live_checks", live.live.checks},       {"live_unknown", live.live.unknown},
          {"live_cancelled", live.live.cancelled}, {"live_check_s", live.live.check_s},
          {"final_check_s", live.final_check_s}};
}

// The whole history checked now, or the live check finished (its figures in `live_figures`).
common::Result<checker::CheckResult> CheckOperations(const ChecksInput& input,
                                                     checker::ModelKind model,
                                                     const std::vector<checker::Operation>& ops,
                                                     Json& live_figures) {
  if (input.live == nullptr) {
    return checker::CheckLinearizability(ops, {.model = model,
                                               .time_limit_s = input.time_limit_s,
                                               .memory_limit_mb = input.memory_limit_mb});
  }
  ASSIGN_OR_RETURN(checker::LiveOutcome live, input.live->Finish(ops));
  live_figures = LiveFigures(live);
  return std::move(live.result);
}

std::string LinearizableSummary(const checker::CheckResult& result, const Json& live) {
  char figures[160];
  std::snprintf(figures, sizeof figures, "%lld ops in %lld keys, %lld states, %.0f ms",
                static_cast<long long>(result.operations),
                static_cast<long long>(result.partitions),
                static_cast<long long>(result.states_explored), result.elapsed_s * 1000);
  std::string summary = figures;
  if (live.is_object()) {
    std::snprintf(figures, sizeof figures,
                  " (%lld keys checked during the run, %lld after it, in %.0f ms)",
                  live.value("keys_checked_live", 0LL), live.value("keys_checked_at_end", 0LL),
                  live.value("final_check_s", 0.0) * 1000);
    summary += figures;
  }
  return summary;
}

CheckResult Linearizable(const ChecksInput& input, checker::ModelKind model,
                         const checker::RunHistory& run) {
  CheckResult outcome{.name = "linearizable"};
  if (!run.operations_status.ok()) {
    outcome.verdict = Verdict::kUnknown;
    outcome.summary = "the history's operations do not pair: " + run.operations_status.message();
    return outcome;
  }
  std::vector<checker::Operation> without_reads;
  if (!input.reads_linearizable) without_reads = checker::WithoutReads(run.operations);
  Json live;
  auto result = CheckOperations(input, model,
                                input.reads_linearizable ? run.operations : without_reads, live);
  if (!result.ok()) {
    outcome.verdict = Verdict::kUnknown;
    outcome.summary = "cannot check: " + result.status().message();
    return outcome;
  }
  outcome.verdict = result->verdict;
  outcome.details = result->ToJson();
  if (live.is_object()) outcome.details["live"] = live;
  outcome.summary = LinearizableSummary(*result, live);
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

ChecksInput ChecksInputFor(const RunPlan& plan, const workloads::Workload& workload) {
  const workloads::DbTraits traits = plan.db->traits();
  return {.checks = workload.checks(),
          .nodes = plan.spec.nodes,
          .time_limit_s = plan.spec.check_time_limit_s,
          .memory_limit_mb = kCheckMemoryLimitMb,
          .max_failover_s = plan.spec.max_failover_s,
          .max_recovery_s = plan.spec.max_recovery_s,
          .node_logs = traits.writes_node_events,
          .terms_are_current = traits.status_term_is_current,
          .has_terms = traits.has_terms,
          .reads_linearizable = traits.reads_linearizable,
          .reports_applied = traits.reports_applied};
}

std::optional<checker::LiveCheckOptions> LiveCheckOptionsFor(const ChecksInput& input) {
  if (!input.checks.linearizable.has_value()) return std::nullopt;
  return checker::LiveCheckOptions{.check = {.model = *input.checks.linearizable,
                                             .time_limit_s = input.time_limit_s,
                                             .memory_limit_mb = input.memory_limit_mb},
                                   .reads = input.reads_linearizable};
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
