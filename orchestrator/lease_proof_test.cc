// The lease split brain, end to end with the real splitbrain, refdb and splitbrain-candidate
// on the netns backend (label `run`): lease candidates are processes of their own, each in its
// own network namespace, and the nemesis freezes, clock-skews and cuts them.
// - Proof: freezing the candidate that holds the lease (pause-candidate) makes it wake and write
//   the protected key once more after a rival took over: the lease check reports the
//   overlapping tenures and the fencing check the stale write the database accepted.
// - Control: the same command, seed and schedule with --fencing on: the database refuses that
//   write (no stale write lands), the overlap is reported as harmless, the run is valid.
// On 3 and 4 nodes (odd and even). And the other candidate faults take effect (verified).
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
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
#include "orchestrator/run/client_processes.h"
#include "orchestrator/run/node_clock.h"
#include "orchestrator/run_test_support.h"

namespace orchestrator {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using common::process::Child;
using test_support::Leftovers;
using test_support::ReadFile;

std::string Schedule(const std::string& name) { return std::string(SCHEDULES_DIR) + "/" + name; }

class LeaseProofTest : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    SPLITBRAIN_REQUIRE(NetnsAvailable(), "needs root and iproute2");
    auto dir = common::testing::TempDir::Create("splitbrain-lease-proof-test");
    ASSERT_TRUE(dir.ok()) << dir.status().message();
    dir_.emplace(std::move(*dir));
    store_ = fs::path(dir_->path()) / "store";
  }

  // `splitbrain run --backend netns --workload election` with `args`; the exit code.
  int Run(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {
        SPLITBRAIN_BIN,  "run",        "--backend", "netns",         "--store",
        store_.string(), "--workload", "election",  "--concurrency", "3"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto child = Child::Spawn({.argv = argv, .log_path = fs::path(dir_->path()) / "out.log"});
    EXPECT_TRUE(child.ok()) << child.status().message();
    if (!child.ok()) return -1;
    auto status = child->WaitForExit(std::chrono::minutes(2));
    EXPECT_TRUE(status.ok()) << "splitbrain did not finish: " << Output();
    if (!status.ok()) return -1;
    EXPECT_TRUE(Leftovers(RunId(), store_).empty()) << "the run left objects behind";
    for (const RunProcess& p : RunProcesses()) {
      EXPECT_NE(p.run_id, RunId()) << "candidate process " << p.pid << " outlived its run";
    }
    return status->ShellCode();
  }

  std::string Output() { return test_support::RunOutput(fs::path(dir_->path()) / "out.log"); }
  void TearDown() override {
    if (dir_) test_support::KeepStoreIfFailed(store_);
  }
  fs::path LatestRun() { return fs::canonical(store_ / "latest"); }
  Json Results() { return Json::parse(ReadFile(LatestRun() / "results.json"), nullptr, false); }
  std::string RunId() {
    Json spec = Json::parse(ReadFile(LatestRun() / "spec.json"), nullptr, false);
    return spec.is_object() ? spec.value("run-id", "") : "";
  }
  Json Check(const std::string& name) {
    const Json results = Results();
    return results["checks"].contains(name) ? results["checks"][name] : Json();
  }
  std::string Verdict(const std::string& name) {
    const Json check = Check(name);
    return check.is_object() ? check.value("verdict", "?") : "missing";
  }

  std::optional<common::testing::TempDir> dir_;
  fs::path store_;
};

TEST_P(LeaseProofTest, FrozenLeaderSplitsTheBrainUnlessFenced) {
  const std::vector<std::string> args = {
      "--nodes",    std::to_string(GetParam()),          "--time-limit", "11s",
      "--schedule", Schedule("pause-lease-leader.json"), "--seed",       "7"};
  EXPECT_EQ(Run(args), 1) << Output();
  EXPECT_EQ(Verdict("faults"), "valid") << Results().dump(2);
  EXPECT_EQ(Verdict("lease"), "invalid") << Check("lease").dump(2);
  EXPECT_EQ(Verdict("fencing"), "invalid") << Check("fencing").dump(2);
  EXPECT_EQ(Verdict("linearizable"), "valid");
  EXPECT_TRUE(fs::exists(LatestRun() / "candidates" / "c1" / "candidate-1.jsonl"));

  std::vector<std::string> fenced = args;
  fenced.insert(fenced.end(), {"--fencing", "on"});
  EXPECT_EQ(Run(fenced), 0) << Output() << "\n" << Results().dump(2);
  EXPECT_EQ(Verdict("faults"), "valid");
  EXPECT_EQ(Verdict("fencing"), "valid") << Check("fencing").dump(2);
  EXPECT_EQ(Check("fencing")["details"]["stale_accepted"], 0);
  EXPECT_EQ(Verdict("lease"), "valid");
  EXPECT_EQ(Check("lease")["details"]["fencing"], true);
}

// A leader cut off from the database cannot renew, and stops believing at its renew deadline,
// before a rival may take the lease: without fencing the run is valid (lease timing is safe when
// only the network fails; a frozen process is what breaks it).
TEST_P(LeaseProofTest, CutLeaderStepsDownInTimeWithoutFencing) {
  EXPECT_EQ(Run({"--nodes", std::to_string(GetParam()), "--time-limit", "11s", "--schedule",
                 Schedule("cut-lease-leader.json"), "--seed", "9"}),
            0)
      << Output() << "\n"
      << Results().dump(2);
  EXPECT_EQ(Verdict("faults"), "valid");
  EXPECT_EQ(Verdict("lease"), "valid");
  EXPECT_EQ(Check("lease")["details"]["overlaps"], 0);
  EXPECT_EQ(Verdict("fencing"), "valid");
}

// clock-candidate and partition-candidate take effect (their probes pass): the run is never
// unknown for a fault that did not happen. Under fencing it is valid whatever they caused.
TEST_P(LeaseProofTest, ClockAndPartitionOfCandidatesTakeEffect) {
  SPLITBRAIN_REQUIRE(FindLibfaketime().ok(), "needs libfaketime (apt-get install libfaketime)");
  EXPECT_EQ(Run({"--nodes", std::to_string(GetParam()), "--time-limit", "10s", "--schedule",
                 Schedule("skew-and-cut-candidates.json"), "--seed", "8", "--fencing", "on"}),
            0)
      << Output() << "\n"
      << Results().dump(2);
  EXPECT_EQ(Verdict("faults"), "valid");
  EXPECT_EQ(Verdict("fencing"), "valid");
}

// Candidates carry the run id: after a SIGKILL of splitbrain (no teardown) `splitbrain cleanup`
// finds and removes them with the rest of the run.
TEST_P(LeaseProofTest, CleanupRemovesTheCandidatesOfAKilledRun) {
  std::vector<std::string> argv = {
      SPLITBRAIN_BIN, "run",      "--backend",     "netns", "--store", store_.string(),
      "--workload",   "election", "--concurrency", "3",     "--nodes", std::to_string(GetParam()),
      "--time-limit", "60s",      "--nemesis",     "none"};
  auto child = Child::Spawn({.argv = argv, .log_path = fs::path(dir_->path()) / "out.log"});
  ASSERT_TRUE(child.ok()) << child.status().message();
  // Wait (20 s at most) until the third candidate has logged something.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::error_code ec;
  while (std::chrono::steady_clock::now() < deadline &&
         (!fs::exists(store_ / "latest", ec) ||
          fs::file_size(store_ / "latest" / "candidates" / "c3" / "candidate-3.jsonl", ec) == 0 ||
          ec)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const std::string id = RunId();
  ASSERT_FALSE(id.empty()) << Output();
  // Frozen, as the nemesis leaves a paused candidate (a running one sees its stdin close when
  // splitbrain dies, and exits by itself).
  int candidates = 0;
  for (const RunProcess& p : RunProcesses()) {
    if (p.run_id == id && kill(p.pid, SIGSTOP) == 0) ++candidates;
  }
  EXPECT_EQ(candidates, 3) << Output();
  ASSERT_TRUE(child->Kill().ok());  // SIGKILL: no teardown at all
  auto cleanup = Child::Spawn({.argv = {SPLITBRAIN_BIN, "cleanup", "--run", id},
                               .log_path = fs::path(dir_->path()) / "out.log"});
  ASSERT_TRUE(cleanup.ok());
  auto status = cleanup->WaitForExit(std::chrono::seconds(60));
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->code, 0) << Output();
  for (const RunProcess& p : RunProcesses()) EXPECT_NE(p.run_id, id) << "still runs: " << p.pid;
  EXPECT_TRUE(Leftovers(id, store_).empty()) << Output();
}

INSTANTIATE_TEST_SUITE_P(Netns, LeaseProofTest, ::testing::Values(3, 4),
                         [](const ::testing::TestParamInfo<int>& param_info) {
                           return "Nodes" + std::to_string(param_info.param);
                         });

}  // namespace
}  // namespace orchestrator
