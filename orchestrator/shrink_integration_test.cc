// `splitbrain shrink` end to end with real runs on the netns backend (label `run`): a 4-node run
// of refdb with the half-quorum bug under four faults (schedules/four-faults.json) is invalid;
// shrinking it gives a schedule of at most two faults (the split into halves is the one that
// matters, or none: see below) that still fails the same check, its report and the command that
// reproduces it; and Ctrl-C during a shrink stops the run in flight, tears it down and keeps what
// was found.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/process/child.h"
#include "common/testing/prerequisite.h"
#include "common/testing/temp_dir.h"
#include "orchestrator/run/backend/netns/netns_backend.h"
#include "orchestrator/run_test_support.h"

namespace orchestrator {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using common::process::Child;
using test_support::ReadFile;

class ShrinkRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SPLITBRAIN_REQUIRE(NetnsAvailable(), "needs root and iproute2");
    auto dir = common::testing::TempDir::Create("splitbrain-shrink-test");
    ASSERT_TRUE(dir.ok()) << dir.status().message();
    dir_.emplace(std::move(*dir));
    store_ = fs::path(dir_->path()) / "store";
  }
  void TearDown() override {
    if (dir_) test_support::KeepStoreIfFailed(store_);
  }

  // Starts `splitbrain ARGS...` with its output in LOG.
  Child Start(const std::vector<std::string>& args, const std::string& log) {
    std::vector<std::string> argv = {SPLITBRAIN_BIN};
    argv.insert(argv.end(), args.begin(), args.end());
    auto child = Child::Spawn({.argv = argv, .log_path = fs::path(dir_->path()) / log});
    EXPECT_TRUE(child.ok()) << child.status().message();
    return child.ok() ? std::move(*child) : Child();
  }
  int Splitbrain(const std::vector<std::string>& args, const std::string& log,
                 std::chrono::minutes limit = std::chrono::minutes(4)) {
    Child child = Start(args, log);
    auto status = child.WaitForExit(limit);
    EXPECT_TRUE(status.ok()) << "splitbrain did not finish: " << Log(log);
    return status.ok() ? status->ShellCode() : -1;
  }
  std::string Log(const std::string& name) { return ReadFile(fs::path(dir_->path()) / name); }
  std::string RunId(const fs::path& run) {
    const Json spec = Json::parse(ReadFile(run / "spec.json"), nullptr, false);
    return spec.is_object() ? spec.value("run-id", "") : "";
  }

  std::optional<common::testing::TempDir> dir_;
  fs::path store_;
};

TEST_F(ShrinkRunTest, FourFaultsShrinkToAtMostTwoThatStillFailTheSameCheck) {
  // The run to shrink: four faults over 10.5 s, one of them a split into halves.
  ASSERT_EQ(Splitbrain({"run", "--backend", "netns", "--store", store_.string(), "--nodes", "4",
                        "--time-limit", "12s", "--db-bug", "half-quorum", "--seed", "41",
                        "--schedule", std::string(SCHEDULES_DIR) + "/four-faults.json"},
                       "run.log"),
            1)
      << Log("run.log");
  const fs::path run = fs::canonical(store_ / "latest");
  const fs::path out = fs::path(dir_->path()) / "shrink";
  ASSERT_EQ(
      Splitbrain({"shrink", run.string(), "--tries", "1", "--budget", "12m", "--out", out.string()},
                 "shrink.log", std::chrono::minutes(15)),
      0)
      << Log("shrink.log");
  const std::string log = Log("shrink.log");
  EXPECT_NE(log.find("[1] faults:"), std::string::npos) << log;  // progress, one line a candidate
  const Json summary = Json::parse(ReadFile(out / "shrink.json"), nullptr, false);
  ASSERT_TRUE(summary.is_object()) << ReadFile(out / "shrink.json");
  EXPECT_TRUE(summary["complete"].get<bool>()) << summary.dump(2);
  EXPECT_EQ(summary["original"]["faults"], 4);
  const std::string check = summary["check"];
  EXPECT_EQ(check, "linearizable");  // the run found it invalid, and it comes first

  // At most two faults, in a file `--schedule` reads.
  const Json schedule = Json::parse(ReadFile(out / "schedule.json"), nullptr, false);
  ASSERT_TRUE(schedule.is_array()) << ReadFile(out / "schedule.json");
  // Usually the split into halves alone; sometimes nothing at all, since with half-quorum two
  // candidates can each win 2 of 4 votes in the first election (a shrink found that).
  EXPECT_LE(schedule.size(), 2u) << schedule.dump();

  // The smallest failing run: the same check invalid, under that schedule, with its report.
  const fs::path smallest = fs::canonical(out / "smallest");
  const Json results = Json::parse(ReadFile(smallest / "results.json"), nullptr, false);
  EXPECT_EQ(results["checks"][check]["verdict"], "invalid") << results.dump(2);
  EXPECT_EQ(Json::parse(ReadFile(smallest / "schedule.json"), nullptr, false).size(),
            schedule.size());
  EXPECT_TRUE(fs::exists(smallest / "report.html"));
  EXPECT_TRUE(test_support::Leftovers(RunId(smallest), out / "store").empty());

  // The reproduce command: the same seed, bug and cluster, the shrunk schedule file.
  const size_t reproduce = log.find("reproduce: splitbrain run ");
  ASSERT_NE(reproduce, std::string::npos) << log;
  const std::string line = log.substr(reproduce, log.find('\n', reproduce) - reproduce);
  for (const std::string& part : {std::string("--seed 41"), std::string("--db-bug half-quorum"),
                                  std::string("--nodes 4"), "--schedule " + out.string()}) {
    EXPECT_NE(line.find(part), std::string::npos) << part << " not in: " << line;
  }
}

TEST_F(ShrinkRunTest, CtrlCStopsTheRunInFlightAndKeepsWhatWasFound) {
  // The report's sample invalid run (5 nodes, stale reads, netns): its first candidate starts.
  const fs::path run = fs::path(dir_->path()) / "invalid-run";
  fs::copy(fs::path(REPORT_TESTDATA_DIR) / "invalid-run", run, fs::copy_options::recursive);
  const fs::path out = fs::path(dir_->path()) / "interrupted";
  Child shrink = Start({"shrink", run.string(), "--out", out.string()}, "interrupted.log");
  // Wait until the first candidate's run has brought its cluster up, then Ctrl-C.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  while (Log("interrupted.log").find("run 1/3") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  std::this_thread::sleep_for(std::chrono::seconds(4));
  ASSERT_TRUE(shrink.Signal(SIGINT).ok());
  auto ended = shrink.WaitForExit(std::chrono::minutes(2));
  ASSERT_TRUE(ended.ok()) << "shrink did not stop: " << Log("interrupted.log");
  EXPECT_EQ(ended->ShellCode(), 3) << Log("interrupted.log");
  const std::string log = Log("interrupted.log");
  EXPECT_NE(log.find("interrupted"), std::string::npos) << log;
  const Json summary = Json::parse(ReadFile(out / "shrink.json"), nullptr, false);
  ASSERT_TRUE(summary.is_object()) << log;
  EXPECT_FALSE(summary["complete"].get<bool>());
  EXPECT_EQ(summary["smallest"]["faults"], summary["original"]["faults"]);  // nothing smaller yet
  // The interrupted run tore down: nothing of it is left.
  const fs::path stopped = fs::canonical(out / "store" / "latest");
  EXPECT_TRUE(test_support::Leftovers(RunId(stopped), out / "store").empty());
}

}  // namespace
}  // namespace orchestrator
