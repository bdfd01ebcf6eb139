// Trends of a store over its last nights: per test (the store's test folder, i.e. the spec's
// name) and per night, the verdict counts and the figures CI watches (failover new-leader median
// and p99, recovery after the final heal, ok/s), and the regressions of the newest night.
//
// A night is one nightly invocation: the `night` of the runs' spec.json (`--night ID`,
// ci/nightly.sh sets one id for all its runs and shards). A run without one belongs to the UTC
// day of its folder's stamp ("20261207" for 20261207T021700Z). Nights are ordered by their
// earliest run stamp, so any id works (a CI run number, a date).
//
// Per night and test, from the runs whose results.json could be read:
//   failover_median_s  median over runs of the failover check's new_leader_s.median
//   failover_p99_s     the largest of the runs' new_leader_s.p99 (their max when a run has no
//                      p99): the night's worst tail
//   recovery_s         median over runs of the liveness check's served_after_heal_s (serving
//                      again after the final heal)
//   ok_per_s           median over runs of the stats check's total.ok_per_s
// A figure no run had is absent. Runs whose results cannot be read (corrupt, not the schema)
// or are missing count as unreadable, never skipped; every run that is not valid counts in the
// not-valid rate ("flake rate").
//
// Regressions compare a test's newest night (the store's newest night, when the test ran in
// it) with the median of its earlier nights among the last N that have the figure; at least two
// earlier nights are needed. With threshold t (0.5 = 50 %): failover median, p99 or recovery up
// by t or more (and by at least min_change_s); ok/s down to 1/(1+t) or less (the same ratio);
// not-valid rate above 0 after a median of 0. Pure functions apart from ReadTrendRuns; nothing
// throws. Thread-compatible.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "orchestrator/store/results.h"
#include "orchestrator/store/run_dir.h"
#include "orchestrator/store/spec.h"

namespace orchestrator::report {

struct TrendOptions {
  int nights = 10;                    // the last N nights of the store
  double regression_threshold = 0.5;  // 0.5: a change of 50 % (ok/s: down to 1/1.5)
  // Failover and recovery times must also grow by this much: 4 ms -> 9 ms is +125 % but noise.
  double min_change_s = 0.05;
};

// What one run contributes, read from its folder.
struct TrendRun {
  std::string test;                   // the store's test folder
  std::string stamp;                  // the run folder's name, 20261207T021700Z[-2]
  std::string night;                  // spec.json's night, or the stamp's UTC day
  std::optional<RunVerdict> verdict;  // absent: results.json missing or unreadable
  std::optional<double> failover_median_s;
  std::optional<double> failover_p99_s;
  std::optional<double> recovery_s;
  std::optional<double> ok_per_s;
};

struct NightTrend {
  std::string night;
  int runs = 0;  // 0: the test did not run that night
  int valid = 0;
  int invalid = 0;
  int unknown = 0;
  int failed = 0;      // run-failed
  int unreadable = 0;  // results.json missing, corrupt or not the schema
  std::optional<double> failover_median_s;
  std::optional<double> failover_p99_s;
  std::optional<double> recovery_s;
  std::optional<double> ok_per_s;

  double not_valid_rate() const { return runs == 0 ? 0 : double(runs - valid) / runs; }
};

enum class TrendMetric { kFailoverMedian, kFailoverP99, kRecovery, kOkPerS, kNotValidRate };
std::string_view TrendMetricName(TrendMetric metric);  // "failover median", ..., "not-valid rate"

struct TestTrend {
  std::string test;
  std::vector<NightTrend> nights;  // one per night of StoreTrends::nights, same order
};

struct Regression {
  std::string test;
  TrendMetric metric = TrendMetric::kFailoverMedian;
  std::string night;       // the newest night
  double before = 0;       // the median of the earlier nights
  double after = 0;        // the newest night's figure
  int earlier_nights = 0;  // how many nights the median is of

  // "refdb-partitions: failover median 180 ms → 410 ms (+128 %) vs the median of 4 earlier
  // nights".
  std::string Sentence() const;
};

struct StoreTrends {
  std::vector<std::string> nights;  // the last N nights of the store, oldest first
  std::vector<TestTrend> tests;     // by test name
  std::vector<Regression> regressions;
};

// What `run` contributes, from its spec.json and results.json as read (either may have failed):
// for a caller that reads them for other uses too (the store index).
TrendRun TrendRunOf(const RunDir& run, const common::Result<RunSpec>& spec,
                    const common::Result<RunResults>& results);

// Every run of the store (results and spec read through the store layer's types).
std::vector<TrendRun> ReadTrendRuns(const std::filesystem::path& store);

// The trends of `runs` (pure).
StoreTrends ComputeTrends(const std::vector<TrendRun>& runs, const TrendOptions& options = {});

// The regressions of one test's newest night (pure; ComputeTrends calls it for each test).
std::vector<Regression> FindRegressions(const TestTrend& trend, const TrendOptions& options);

}  // namespace orchestrator::report
