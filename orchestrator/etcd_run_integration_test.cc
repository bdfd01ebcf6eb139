// `splitbrain run --db etcd` end to end: the real splitbrain binary drives real etcd members
// (Debian's etcd-server, /usr/bin/etcd) on each real backend, skipped where the backend or
// etcd is not available. etcd has no bug switches, so its runs must be valid under faults, and
// each run must leave nothing behind: no container, network, namespace (with its iptables
// rules) or link with its run id, and no etcd process started from its store.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/process/child.h"
#include "common/testing/prerequisite.h"
#include "common/testing/temp_dir.h"
#include "orchestrator/run/backend/docker/docker_client.h"
#include "orchestrator/run/backend/netns/netns_backend.h"
#include "orchestrator/run_test_support.h"

namespace orchestrator {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using common::process::Child;
using test_support::Leftovers;
using test_support::ReadFile;
using test_support::ResultsSchemaErrors;

constexpr const char* kEtcd = "/usr/bin/etcd";

class EtcdRunTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    const std::string backend = GetParam();
    SPLITBRAIN_REQUIRE(access(kEtcd, X_OK) == 0, "no " << kEtcd << " (ci/setup.sh installs it)");
    if (backend == "docker") SPLITBRAIN_REQUIRE(DockerAvailable(), "no Docker daemon");
    if (backend == "netns") SPLITBRAIN_REQUIRE(NetnsAvailable(), "needs root and iproute2");
    auto dir = common::testing::TempDir::Create("splitbrain-etcd-test");
    ASSERT_TRUE(dir.ok()) << dir.status().message();
    dir_.emplace(std::move(*dir));
    store_ = fs::path(dir_->path()) / "store";
  }

  // Runs splitbrain to completion; returns its exit code.
  int RunToEnd(std::vector<std::string> extra) {
    std::vector<std::string> args = {"run",           "--db", "etcd",    "--backend",    GetParam(),
                                     "--concurrency", "4",    "--store", store_.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    args.insert(args.begin(), SPLITBRAIN_BIN);
    auto child = Child::Spawn({.argv = args, .log_path = Log()});
    EXPECT_TRUE(child.ok()) << child.status().message();
    if (!child.ok()) return -1;
    auto status = child->WaitForExit(std::chrono::minutes(3));
    EXPECT_TRUE(status.ok()) << "splitbrain did not finish: " << Output();
    if (!status.ok()) return -1;
    return status->ShellCode();
  }

  fs::path Log() const { return fs::path(dir_->path()) / "out.log"; }
  std::string Output() const { return test_support::RunOutput(Log()); }
  void TearDown() override {
    if (dir_) test_support::KeepStoreIfFailed(store_);
  }
  fs::path LatestRun() const { return fs::canonical(store_ / "latest"); }
  Json Results() const {
    return Json::parse(ReadFile(LatestRun() / "results.json"), nullptr, false);
  }
  std::string RunId() const {
    Json spec = Json::parse(ReadFile(LatestRun() / "spec.json"), nullptr, false);
    return spec.is_object() ? spec.value("run-id", "") : "";
  }

  std::optional<common::testing::TempDir> dir_;
  fs::path store_;
};

TEST_P(EtcdRunTest, KillAndPartitionHalvesRunIsValidAndLeavesNothing) {
  ASSERT_EQ(RunToEnd({"--nodes", "3", "--time-limit", "15s", "--nemesis", "kill,partition-halves",
                      "--nemesis-interval", "2s", "--max-failover", "20s", "--seed", "3"}),
            0)
      << Output();
  const Json results = Results();
  ASSERT_TRUE(results.is_object());
  EXPECT_EQ(results["verdict"], "valid") << results.dump(2);
  for (const char* check : {"linearizable", "election-safety", "failover", "convergence"}) {
    EXPECT_EQ(results["checks"][check]["verdict"], "valid") << check << ": " << results.dump(2);
  }
  EXPECT_GT(results["ops"]["ok"].get<int64_t>(), 50);
  const Json spec = Json::parse(ReadFile(LatestRun() / "spec.json"), nullptr, false);
  EXPECT_EQ(spec["db"], "etcd");
  EXPECT_EQ(spec["backend-used"], GetParam());
  // The faults ran, and the status samples name etcd's leader as a node number.
  EXPECT_GT(results["checks"]["failover"]["details"]["faults"].get<int64_t>(), 0)
      << results.dump(2);
  const std::string history = ReadFile(LatestRun() / "history.jsonl");
  EXPECT_NE(history.find("\"process\":\"nemesis\""), std::string::npos);
  EXPECT_NE(history.find("\"role\":\"leader\""), std::string::npos);
  EXPECT_NE(ReadFile(LatestRun() / "nodes" / "n1" / "node.log").find("etcd"), std::string::npos);
  const std::vector<std::string> left = Leftovers(RunId(), store_, "etcd");
  EXPECT_TRUE(left.empty()) << left.front();
}

INSTANTIATE_TEST_SUITE_P(Backends, EtcdRunTest, ::testing::Values("netns", "docker"),
                         [](const auto& param_info) { return param_info.param; });

// The set and lease-election workloads on etcd (Txn for the lease's compare-and-swap), on the
// faster backend.
class EtcdWorkloadRunTest : public EtcdRunTest {};

TEST_P(EtcdWorkloadRunTest, SetAndElectionRunsAreValid) {
  ASSERT_EQ(RunToEnd({"--nodes", "3", "--time-limit", "5s", "--workload", "set", "--nemesis",
                      "kill", "--nemesis-interval", "2s", "--max-failover", "20s"}),
            0)
      << Output();
  EXPECT_EQ(Results()["checks"]["set"]["verdict"], "valid") << Results().dump(2);
  EXPECT_EQ(ResultsSchemaErrors(LatestRun() / "results.json"), "");
  ASSERT_EQ(RunToEnd({"--nodes", "3", "--time-limit", "5s", "--workload", "election"}), 0)
      << Output();
  const Json election = Results();
  EXPECT_EQ(election["checks"]["lease"]["verdict"], "valid") << election.dump(2);
  EXPECT_TRUE(Leftovers(RunId(), store_, "etcd").empty());
}

TEST_P(EtcdWorkloadRunTest, BugSwitchesAreRefusedBeforeAnythingStarts) {
  EXPECT_EQ(RunToEnd({"--db-bug", "stale-reads"}), 254);
  EXPECT_NE(Output().find("--db-bug: etcd has no bug switches"), std::string::npos) << Output();
  EXPECT_FALSE(fs::exists(store_));
}

TEST_P(EtcdWorkloadRunTest, ClockFaultsAreRefusedBeforeAnythingStarts) {
  EXPECT_EQ(RunToEnd({"--nemesis", "kill,clock"}), 254);
  EXPECT_NE(Output().find("the clock fault cannot move etcd's clock"), std::string::npos)
      << Output();
  EXPECT_FALSE(fs::exists(store_));
}

INSTANTIATE_TEST_SUITE_P(Netns, EtcdWorkloadRunTest, ::testing::Values("netns"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace orchestrator
