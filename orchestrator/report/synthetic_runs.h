// Test support for the trends tests (report, CLI, browser): writes a run folder with the
// spec.json and results.json a run would write, through RunSpec and RunResults, with the
// figures the trends read set by the test. Header-only; tests only.
#pragma once

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "orchestrator/store/results.h"
#include "orchestrator/store/spec.h"

namespace orchestrator::report {

struct SyntheticRun {
  std::string test = "refdb-register";
  std::string stamp;  // the run folder's name: 20261201T021700Z
  std::string night;  // empty: the run has no night
  RunVerdict verdict = RunVerdict::kValid;
  std::optional<double> failover_median_s = 0.2;
  std::optional<double> failover_p99_s = 0.3;
  std::optional<double> failover_max_s;  // results from before the check had a p99 have a max
  std::optional<double> recovery_s = 0.1;
  std::optional<double> ok_per_s = 800;
};

inline nlohmann::json OptionalNumber(const std::optional<double>& value) {
  return value.has_value() ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

inline RunResults SyntheticResults(const SyntheticRun& run) {
  RunResults results{.run_id = run.test + "-" + run.stamp, .name = run.test, .db = "refdb"};
  results.verdict = run.verdict;
  if (run.verdict == RunVerdict::kRunFailed) {
    results.phase = "bring-up";
    results.error = "the cluster never came up";
    return results;
  }
  nlohmann::json new_leader = {{"count", 3}};
  if (run.failover_median_s) new_leader["median"] = *run.failover_median_s;
  if (run.failover_p99_s) new_leader["p99"] = *run.failover_p99_s;
  if (run.failover_max_s) new_leader["max"] = *run.failover_max_s;
  results.checks.push_back({.name = "failover", .details = {{"new_leader_s", new_leader}}});
  results.checks.push_back(
      {.name = "liveness", .details = {{"served_after_heal_s", OptionalNumber(run.recovery_s)}}});
  results.checks.push_back(
      {.name = "stats", .details = {{"total", {{"ok_per_s", OptionalNumber(run.ok_per_s)}}}}});
  if (run.verdict != RunVerdict::kValid) {
    results.checks.push_back({.name = "linearizable",
                              .verdict = run.verdict == RunVerdict::kInvalid
                                             ? checker::Verdict::kInvalid
                                             : checker::Verdict::kUnknown,
                              .summary = "synthetic"});
  }
  return results;
}

// STORE/<test>/<stamp>/ with spec.json and results.json; returns the folder.
inline std::filesystem::path WriteSyntheticRun(const std::filesystem::path& store,
                                               const SyntheticRun& run) {
  const std::filesystem::path dir = store / run.test / run.stamp;
  std::filesystem::create_directories(dir);
  RunSpec spec;
  spec.name = run.test;
  spec.seed = 1;
  spec.night = run.night;
  spec.run_id = run.test + "-" + run.stamp;
  std::ofstream(dir / "spec.json") << spec.ToJson().dump(2);
  std::ofstream(dir / "results.json") << SyntheticResults(run).ToJson().dump(2);
  return dir;
}

}  // namespace orchestrator::report
