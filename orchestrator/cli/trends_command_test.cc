#include "orchestrator/cli/trends_command.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "orchestrator/report/synthetic_runs.h"
#include "orchestrator/store/exit_code.h"

namespace orchestrator {
namespace {

namespace fs = std::filesystem;
using report::SyntheticRun;
using report::WriteSyntheticRun;

struct TrendsOutput {
  int code;
  std::string out;
  std::string err;
};

class TrendsCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "trends-command-XXXXXX").string();
    store_ = mkdtemp(pattern.data());
  }
  void TearDown() override { fs::remove_all(store_); }

  // Night i ("n<i>", stamped on day i): one run with this failover median.
  void AddNight(int i, double failover_median_s) {
    char stamp[32];
    std::snprintf(stamp, sizeof stamp, "202612%02dT021700Z", i);
    WriteSyntheticRun(
        store_,
        {.stamp = stamp, .night = "n" + std::to_string(i), .failover_median_s = failover_median_s});
  }
  TrendsOutput Trends(std::vector<std::string> args) {
    std::ostringstream out;
    std::ostringstream err;
    const int code = RunTrendsCommand(args, out, err);
    return {code, out.str(), err.str()};
  }

  fs::path store_;
};

TEST_F(TrendsCommandTest, ARegressionFailsOnlyWithFailOnRegression) {
  for (int i = 1; i <= 3; ++i) AddNight(i, 0.2);
  AddNight(4, 0.5);
  const TrendsOutput plain = Trends({"--store", store_.string()});
  EXPECT_EQ(plain.code, kExitValid) << plain.err;
  EXPECT_NE(plain.out.find("1 regression(s) in the newest night:"), std::string::npos) << plain.out;
  EXPECT_NE(plain.out.find("failover median 200 ms → 500 ms (+150 %)"), std::string::npos);
  EXPECT_NE(plain.out.find("refdb-register"), std::string::npos);
  EXPECT_TRUE(fs::exists(store_ / "index.html"));
  const TrendsOutput failing = Trends({"--store", store_.string(), "--fail-on-regression"});
  EXPECT_EQ(failing.code, kExitInvalid);
  EXPECT_NE(failing.err.find("--fail-on-regression"), std::string::npos) << failing.err;
  // A higher threshold (or fewer nights than needed) lets the same store pass.
  EXPECT_EQ(
      Trends({"--store", store_.string(), "--fail-on-regression", "--regression-threshold=200%"})
          .code,
      kExitValid);
  EXPECT_EQ(Trends({"--store", store_.string(), "--fail-on-regression", "--nights", "2"}).code,
            kExitValid);
  EXPECT_EQ(Trends({"--store", store_.string(), "--fail-on-regression", "--min-change", "1s"}).code,
            kExitValid);
}

TEST_F(TrendsCommandTest, NoRegressionPassesWithFailOnRegression) {
  for (int i = 1; i <= 4; ++i) AddNight(i, 0.2 + 0.01 * i);
  const TrendsOutput run = Trends({"--store", store_.string(), "--fail-on-regression"});
  EXPECT_EQ(run.code, kExitValid) << run.err;
  EXPECT_NE(run.out.find("0 regression(s)"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("4 night(s) (n1 .. n4)"), std::string::npos) << run.out;
}

TEST_F(TrendsCommandTest, BadArgumentsExit254WithTheReason) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{}, "no --store"},
      {{"--store"}, "--store needs a value"},
      {{"--store", ""}, "--store needs a store folder"},
      {{"--store", store_.string(), "--nights", "1"}, "--nights"},
      {{"--store", store_.string(), "--nights", "many"}, "--nights"},
      {{"--store", store_.string(), "--regression-threshold", "0%"}, "--regression-threshold"},
      {{"--store", store_.string(), "--regression-threshold", "fifty"}, "--regression-threshold"},
      {{"--store", store_.string(), "--min-change", "soon"}, "--min-change"},
      {{"--store", store_.string(), "--frobnicate", "1"}, "unknown flag --frobnicate"},
      {{"--store", store_.string(), "stray"}, "unexpected argument"},
      {{"--store", (store_ / "missing").string()}, "no such store"},
  };
  for (const auto& [args, expected] : cases) {
    const TrendsOutput run = Trends(args);
    EXPECT_EQ(run.code, kExitBadInput) << expected;
    EXPECT_NE(run.err.find(expected), std::string::npos) << run.err;
  }
}

}  // namespace
}  // namespace orchestrator
