#include "orchestrator/report/trends.h"

#include <gtest/gtest.h>

#include "orchestrator/report/report.h"
#include "orchestrator/report/synthetic_runs.h"
#include "orchestrator/report/test_store.h"
#include "orchestrator/report/trends_page.h"

namespace orchestrator::report {
namespace {

// A store of synthetic runs: Night(i, ...) adds a run to night "n<i>" stamped on day i.
class TrendsTest : public ::testing::Test {
 protected:
  SyntheticRun Night(int i, SyntheticRun run = {}) {
    char stamp[32];
    std::snprintf(stamp, sizeof stamp, "202612%02dT021700Z", i);
    run.stamp = stamp + std::string(run_suffix_++ == 0 ? "" : "-" + std::to_string(run_suffix_));
    run.night = "n" + std::to_string(i);
    return run;
  }
  void Add(const SyntheticRun& run) { WriteSyntheticRun(store_.root(), run); }
  // Nights 1..medians.size(), one run each with that failover median.
  void AddFailoverMedians(const std::vector<double>& medians) {
    for (size_t i = 0; i < medians.size(); ++i) {
      Add(Night(int(i) + 1, {.failover_median_s = medians[i], .failover_p99_s = std::nullopt}));
    }
  }
  StoreTrends Trends(const TrendOptions& options = {}) {
    return ComputeTrends(ReadTrendRuns(store_.root()), options);
  }

  Store store_;
  int run_suffix_ = 0;
};

TEST_F(TrendsTest, FailoverMedianUpHalfOrMoreIsARegressionWithASentence) {
  AddFailoverMedians({0.18, 0.2, 0.16, 0.18, 0.41});
  const StoreTrends trends = Trends();
  ASSERT_EQ(trends.nights, (std::vector<std::string>{"n1", "n2", "n3", "n4", "n5"}));
  ASSERT_EQ(trends.regressions.size(), 1u);
  const Regression& r = trends.regressions[0];
  EXPECT_EQ(r.metric, TrendMetric::kFailoverMedian);
  EXPECT_DOUBLE_EQ(r.before, 0.18);
  EXPECT_DOUBLE_EQ(r.after, 0.41);
  EXPECT_EQ(r.Sentence(),
            "refdb-register: failover median 180 ms → 410 ms (+128 %) vs the median of 4 earlier "
            "nights (night n5)");
}

TEST_F(TrendsTest, AChangeWithinTheThresholdIsNotFlagged) {
  AddFailoverMedians({0.2, 0.2, 0.29});
  EXPECT_EQ(Trends().regressions.size(), 0u);
  EXPECT_EQ(Trends({.regression_threshold = 0.4}).regressions.size(), 1u);
}

TEST_F(TrendsTest, ExactlyTheThresholdIsARegression) {
  AddFailoverMedians({0.2, 0.2, 0.3});
  ASSERT_EQ(Trends().regressions.size(), 1u);
  EXPECT_NE(Trends().regressions[0].Sentence().find("200 ms → 300 ms (+50 %)"), std::string::npos);
  EXPECT_EQ(Trends({.regression_threshold = 0.51}).regressions.size(), 0u);
}

TEST_F(TrendsTest, ASmallAbsoluteChangeIsNoiseNotARegression) {
  AddFailoverMedians({0.004, 0.004, 0.009});  // +125 %, but 5 ms
  EXPECT_EQ(Trends().regressions.size(), 0u);
  EXPECT_EQ(Trends({.min_change_s = 0.005}).regressions.size(), 1u);
}

TEST_F(TrendsTest, FewerThanTwoEarlierNightsAreNeverFlagged) {
  AddFailoverMedians({0.2, 2.0});
  const StoreTrends trends = Trends();
  EXPECT_EQ(trends.nights.size(), 2u);
  EXPECT_EQ(trends.regressions.size(), 0u);
}

TEST_F(TrendsTest, OkPerSecondDownByTheSameRatioIsARegression) {
  for (int i = 1; i <= 3; ++i) Add(Night(i, {.ok_per_s = 900}));
  Add(Night(4, {.ok_per_s = 601}));  // 900 / 1.5 = 600: not yet
  EXPECT_EQ(Trends().regressions.size(), 0u);
  Add(Night(5, {.ok_per_s = 590}));
  const StoreTrends trends = Trends();
  ASSERT_EQ(trends.regressions.size(), 1u);
  EXPECT_EQ(trends.regressions[0].metric, TrendMetric::kOkPerS);
  EXPECT_NE(trends.regressions[0].Sentence().find("ok/s 900 → 590 (-34 %)"), std::string::npos)
      << trends.regressions[0].Sentence();
}

TEST_F(TrendsTest, NotValidRateAboveZeroAfterCleanNightsIsARegression) {
  for (int i = 1; i <= 3; ++i) Add(Night(i));
  Add(Night(4));
  Add(Night(4, {.verdict = RunVerdict::kInvalid}));
  const StoreTrends trends = Trends();
  ASSERT_EQ(trends.tests.size(), 1u);
  const NightTrend& newest = trends.tests[0].nights.back();
  EXPECT_EQ(newest.runs, 2);
  EXPECT_EQ(newest.invalid, 1);
  EXPECT_DOUBLE_EQ(newest.not_valid_rate(), 0.5);
  ASSERT_EQ(trends.regressions.size(), 1u);
  EXPECT_EQ(trends.regressions[0].metric, TrendMetric::kNotValidRate);
}

TEST_F(TrendsTest, AnAlreadyFlakyTestIsNotARegression) {
  Add(Night(1, {.verdict = RunVerdict::kUnknown}));
  Add(Night(2, {.verdict = RunVerdict::kInvalid}));
  Add(Night(3, {.verdict = RunVerdict::kRunFailed}));
  const StoreTrends trends = Trends();
  EXPECT_EQ(trends.regressions.size(), 0u);
  EXPECT_EQ(trends.tests[0].nights[2].failed, 1);
}

TEST_F(TrendsTest, ANightIsTheMedianOfItsRunsAndItsWorstP99) {
  for (int i = 1; i <= 2; ++i) Add(Night(i));
  Add(Night(3, {.failover_median_s = 0.1, .failover_p99_s = 0.2, .recovery_s = 1}));
  Add(Night(3, {.failover_median_s = 0.3, .failover_p99_s = 0.9, .recovery_s = 3}));
  Add(Night(3, {.failover_median_s = 0.2, .failover_p99_s = 0.4, .recovery_s = std::nullopt}));
  const StoreTrends trends = Trends();
  const NightTrend& night = trends.tests[0].nights.back();
  EXPECT_EQ(night.runs, 3);
  EXPECT_DOUBLE_EQ(*night.failover_median_s, 0.2);
  EXPECT_DOUBLE_EQ(*night.failover_p99_s, 0.9);
  EXPECT_DOUBLE_EQ(*night.recovery_s, 2);  // the run without a figure does not count
}

TEST_F(TrendsTest, WithoutAP99TheFailoverMaxStandsForIt) {
  Add(Night(1, {.failover_p99_s = std::nullopt, .failover_max_s = 0.7}));
  Add(Night(2, {.failover_p99_s = std::nullopt}));
  const StoreTrends trends = Trends();
  EXPECT_DOUBLE_EQ(*trends.tests[0].nights[0].failover_p99_s, 0.7);
  EXPECT_FALSE(trends.tests[0].nights[1].failover_p99_s.has_value());
}

TEST_F(TrendsTest, RunsWithoutANightAreGroupedByTheirUtcDay) {
  Add({.stamp = "20261201T010000Z"});
  Add({.stamp = "20261201T230000Z", .failover_median_s = 0.4});
  Add({.stamp = "20261202T010000Z-2"});
  Add({.stamp = "20261203T010000Z", .night = "gh-77"});
  Add({.stamp = "20261202T230000Z", .night = "gh-77"});  // ordered by its earliest run
  const StoreTrends trends = Trends();
  EXPECT_EQ(trends.nights, (std::vector<std::string>{"20261201", "20261202", "gh-77"}));
  EXPECT_EQ(trends.tests[0].nights[0].runs, 2);
  EXPECT_DOUBLE_EQ(*trends.tests[0].nights[0].failover_median_s, 0.3);
  EXPECT_EQ(trends.tests[0].nights[2].runs, 2);
}

TEST_F(TrendsTest, CorruptAndMissingResultsAreCountedAsUnreadable) {
  for (int i = 1; i <= 2; ++i) Add(Night(i));
  const fs::path corrupt = WriteSyntheticRun(store_.root(), Night(3));
  WriteFile(corrupt / "results.json", "{\"verdict\": ");
  const fs::path wrong = WriteSyntheticRun(store_.root(), Night(3));
  WriteFile(wrong / "results.json", R"({"verdict": 7})");
  const fs::path lost = WriteSyntheticRun(store_.root(), Night(3));
  fs::remove(lost / "results.json");
  WriteFile(lost / "spec.json", "not json");  // and its night from the day of its stamp
  const StoreTrends trends = Trends();
  ASSERT_EQ(trends.nights, (std::vector<std::string>{"n1", "n2", "n3", "20261203"}));
  EXPECT_EQ(trends.tests[0].nights[2].unreadable, 2);
  EXPECT_EQ(trends.tests[0].nights[3].unreadable, 1);
  EXPECT_DOUBLE_EQ(trends.tests[0].nights[3].not_valid_rate(), 1);
  EXPECT_FALSE(trends.tests[0].nights[3].failover_median_s.has_value());
}

TEST_F(TrendsTest, OnlyTheLastNNightsCountAndTestsOnlyBeforeThemAreLeftOut) {
  Add(Night(1, {.test = "retired"}));
  for (int i = 2; i <= 13; ++i) Add(Night(i));
  const StoreTrends trends = Trends({.nights = 10});
  ASSERT_EQ(trends.nights.size(), 10u);
  EXPECT_EQ(trends.nights.front(), "n4");
  EXPECT_EQ(trends.nights.back(), "n13");
  ASSERT_EQ(trends.tests.size(), 1u);
  EXPECT_EQ(trends.tests[0].test, "refdb-register");
}

TEST_F(TrendsTest, ATestThatDidNotRunInTheNewestNightIsNotJudged) {
  AddFailoverMedians({0.2, 0.2, 0.2});
  Add(Night(4, {.test = "other"}));
  Add(Night(5, {.test = "other"}));
  Add(Night(5, {.test = "refdb-register", .failover_median_s = 9}));
  EXPECT_EQ(Trends().regressions.size(), 1u);  // night 5 has it
  Add(Night(6, {.test = "other"}));
  EXPECT_EQ(Trends().regressions.size(), 0u);  // night 6 does not
}

TEST_F(TrendsTest, TheIndexShowsTrendsWithEscapedNames) {
  const std::string hostile = "<script>alert(1)&\"'";  // a folder name cannot hold '/'

  for (int i = 1; i <= 3; ++i) Add(Night(i, {.test = hostile, .failover_median_s = i * 0.2}));
  ASSERT_TRUE(WriteStoreIndex(store_.root()).ok());
  const std::string index = ReadFile(store_.root() / "index.html");
  const size_t trends = index.find("<section id=\"trends\">");
  ASSERT_NE(trends, std::string::npos);
  EXPECT_LT(trends, index.find("<table id=\"runs\">"));
  EXPECT_EQ(index.find("<script>"), std::string::npos);
  EXPECT_NE(index.find("&lt;script&gt;alert(1)&amp;&quot;&#39;"), std::string::npos);
  EXPECT_NE(index.find("class=\"sparkline\""), std::string::npos);
  EXPECT_NE(index.find("class=\"verdict-strip\""), std::string::npos);
  // 0.6 s after a median of 0.3 s: flagged, listed and highlighted.
  EXPECT_NE(index.find("<div id=\"regressions\">"), std::string::npos);
  EXPECT_NE(index.find("failover median 300 ms → 600 ms (+100 %)"), std::string::npos);
  EXPECT_NE(index.find("spark regressed"), std::string::npos);
}

TEST_F(TrendsTest, OneNightSaysSoInsteadOfDrawing) {
  Add(Night(1));
  const std::string html = TrendsSectionHtml(Trends(), {});
  EXPECT_NE(html.find("at least two nights; this store has 1 (n1)"), std::string::npos) << html;
  EXPECT_EQ(html.find("<svg"), std::string::npos);
}

}  // namespace
}  // namespace orchestrator::report
