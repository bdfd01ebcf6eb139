// Databases from their definition files (workloads/dbs/NAME/db.json), end to end: the real
// splitbrain binary runs real ZooKeeper, Redis with Sentinel and etcd, with their clients
// speaking the JSON-lines protocol (Python: kazoo, redis-py, and etcd's JSON gateway).
//   - etcd from its definition is valid under kills and partitions (as the built-in adapter);
//   - ZooKeeper is valid under kill, pause and partitions, on 3 and 4 nodes;
//   - Redis with Sentinel is caught when its primary is partitioned away or paused (it keeps
//     accepting writes that the new primary never sees: two primaries at once, lost writes),
//     and the same cluster without faults is valid (the control);
//   - each definition's client passes `splitbrain conformance`.
// On netns, and the main cases on docker too (the node image carries the JVM and the jars the
// ZooKeeper definition lists). Skipped without root (netns), Docker, or the Debian packages
// (ci/install-dbs.sh); under CI=true a missing prerequisite fails.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/process/child.h"
#include "common/testing/prerequisite.h"
#include "common/testing/temp_dir.h"
#include "orchestrator/run/backend/docker/docker_client.h"
#include "orchestrator/run/backend/netns/netns_backend.h"
#include "orchestrator/run/client_processes.h"
#include "orchestrator/run_test_support.h"

namespace orchestrator {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using common::process::Child;
using test_support::ReadFile;
using test_support::ResultsSchemaErrors;

const fs::path kDbs = fs::path(SPLITBRAIN_SOURCE_DIR) / "workloads" / "dbs";

bool Installed(const std::string& db) {
  if (db == "zookeeper") {
    return access("/usr/share/java/zookeeper.jar", R_OK) == 0 &&
           access("/usr/bin/java", X_OK) == 0 &&
           access("/usr/lib/python3/dist-packages/kazoo", R_OK) == 0;
  }
  if (db == "redis") {
    return access("/usr/bin/redis-server", X_OK) == 0 &&
           access("/usr/bin/redis-sentinel", X_OK) == 0 &&
           access("/usr/lib/python3/dist-packages/redis", R_OK) == 0;
  }
  return access("/usr/bin/etcd", X_OK) == 0 && access("/usr/bin/python3", X_OK) == 0;
}

class DefinitionRunTest : public ::testing::Test {
 protected:
  void Require(const std::string& db, const std::string& backend = "netns") {
    backend_ = backend;
    if (backend == "docker") SPLITBRAIN_REQUIRE(DockerAvailable(), "no Docker daemon");
    SPLITBRAIN_REQUIRE(NetnsAvailable(), "needs root and iproute2");
    SPLITBRAIN_REQUIRE(Installed(db),
                       db << "'s packages are missing (ci/install-dbs.sh " << db << ")");
    auto dir = common::testing::TempDir::Create("splitbrain-defined-db-test");
    ASSERT_TRUE(dir.ok()) << dir.status().message();
    dir_.emplace(std::move(*dir));
    store_ = fs::path(dir_->path()) / "store";
  }

  // Runs `splitbrain VERB ARGS...` to completion; returns its exit code.
  int Splitbrain(const std::string& verb, std::vector<std::string> args) {
    args.insert(args.begin(),
                {SPLITBRAIN_BIN, verb, "--backend", backend_, "--store", store_.string()});
    auto child = Child::Spawn({.argv = args, .log_path = Log()});
    EXPECT_TRUE(child.ok()) << child.status().message();
    if (!child.ok()) return -1;
    auto status = child->WaitForExit(std::chrono::minutes(4));
    EXPECT_TRUE(status.ok()) << "splitbrain did not finish: " << Output();
    if (!status.ok()) return -1;
    ExpectNothingLeft();
    return status->ShellCode();
  }

  // No node, namespace, container or client of the last run is left.
  void ExpectNothingLeft() {
    const Json spec = Json::parse(ReadFile(LatestRun() / "spec.json"), nullptr, false);
    const std::string id = spec.is_object() ? spec.value("run-id", "") : "";
    ASSERT_FALSE(id.empty());
    for (const char* program : {"java", "redis-server", "etcd", "splitbrain-procs"}) {
      const std::vector<std::string> left = test_support::Leftovers(id, store_, program);
      EXPECT_TRUE(left.empty()) << left.front();
    }
    for (const RunProcess& p : RunProcesses()) {
      EXPECT_NE(p.run_id, id) << "client process " << p.pid << " of run " << id << " is left";
    }
  }

  fs::path Schedule(const std::string& json) {
    const fs::path path = fs::path(dir_->path()) / "schedule.json";
    std::ofstream(path) << json;
    return path;
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

  std::optional<common::testing::TempDir> dir_;
  fs::path store_;
  std::string backend_ = "netns";
};

std::string BackendName(const ::testing::TestParamInfo<std::string>& param_info) {
  return param_info.param;
}

class EtcdDefinitionRunTest : public DefinitionRunTest,
                              public ::testing::WithParamInterface<std::string> {};

TEST_P(EtcdDefinitionRunTest, ValidUnderKillsAndPartitions) {
  Require("etcd", GetParam());
  const std::string file = (kDbs / "etcd" / "db.json").string();
  ASSERT_EQ(Splitbrain("run", {"--db", file, "--nodes", "3", "--time-limit", "15s", "--nemesis",
                               "kill,partition-halves,partition-leader", "--nemesis-interval", "2s",
                               "--max-failover", "15s", "--seed", "5", "--concurrency", "4"}),
            0)
      << Output();
  const Json results = Results();
  for (const char* check : {"linearizable", "election-safety", "failover", "faults"}) {
    EXPECT_EQ(results["checks"][check]["verdict"], "valid") << check << ": " << results.dump(2);
  }
  EXPECT_GT(results["checks"]["failover"]["details"]["faults"].get<int64_t>(), 0);
  // The results and the spec name the definition and its hash.
  EXPECT_EQ(results["db"], "etcd");
  EXPECT_EQ(results["db_file"], fs::canonical(file).string());
  EXPECT_EQ(results["db_sha256"].get<std::string>().size(), 64u);
  const Json spec = Json::parse(ReadFile(LatestRun() / "spec.json"), nullptr, false);
  EXPECT_EQ(spec["db"], file);
  EXPECT_EQ(spec["db-sha256"], results["db_sha256"]);
  EXPECT_EQ(ResultsSchemaErrors(LatestRun() / "results.json"), "");
  EXPECT_NE(ReadFile(LatestRun() / "report.html")
                .find(results["db_sha256"].get<std::string>().substr(0, 12)),
            std::string::npos);
  EXPECT_EQ(spec["backend-used"], GetParam());
}

INSTANTIATE_TEST_SUITE_P(Backends, EtcdDefinitionRunTest, ::testing::Values("netns", "docker"),
                         BackendName);

using SizeAndBackend = std::tuple<int, std::string>;

std::string SizeAndBackendName(const ::testing::TestParamInfo<SizeAndBackend>& param_info) {
  return std::to_string(std::get<0>(param_info.param)) + "NodesOn" + std::get<1>(param_info.param);
}

// On docker, a JVM under load sometimes cannot be frozen ("OCI runtime pause failed: unable to
// freeze", a fault that then did not take effect, so the run is unknown); pause is tested on
// netns, and on docker for refdb.
std::string Faults(const std::string& backend) {
  return backend == "docker" ? "kill,partition-halves,partition-leader"
                             : "kill,pause,partition-halves,partition-leader";
}

class ZooKeeperRunTest : public DefinitionRunTest,
                         public ::testing::WithParamInterface<SizeAndBackend> {};

// The subject is ZooKeeper's safety, so its bounds on failover and recovery are wide (30 s): on a
// loaded CI machine its JVMs took 23 s to first serve, and one CI run on docker ended invalid with
// 15 s bounds (which check was cut from the log; failures now print the checks first and keep
// the store).
TEST_P(ZooKeeperRunTest, WritesAndCasAreLinearizableUnderKillPauseAndPartitions) {
  const auto [nodes, backend] = GetParam();
  Require("zookeeper", backend);
  ASSERT_EQ(Splitbrain("run", {"--db", "zookeeper", "--nodes", std::to_string(nodes),
                               "--time-limit", "24s", "--nemesis", Faults(backend),
                               "--nemesis-interval", "4s", "--max-failover", "30s",
                               "--max-recovery", "30s", "--seed", "7", "--concurrency", "4"}),
            0)
      << Output();
  const Json results = Results();
  for (const char* check : {"linearizable", "reads", "election-safety", "failover", "faults"}) {
    EXPECT_EQ(results["checks"][check]["verdict"], "valid") << check << ": " << results.dump(2);
  }
  EXPECT_GE(results["checks"]["faults"]["details"]["applied"].get<int64_t>(), 3) << results.dump(2);
  EXPECT_GT(results["ops"]["ok"].get<int64_t>(), 100);
  EXPECT_EQ(results["db"], "zookeeper");
}

INSTANTIATE_TEST_SUITE_P(Sizes, ZooKeeperRunTest,
                         ::testing::Values(SizeAndBackend{3, "netns"}, SizeAndBackend{4, "netns"},
                                           SizeAndBackend{3, "docker"}),
                         SizeAndBackendName);

class RedisRunTest : public DefinitionRunTest,
                     public ::testing::WithParamInterface<SizeAndBackend> {};

// The proof: with its primary cut off (3 nodes) or frozen (4 nodes), Sentinel promotes a
// replica while the old primary goes on acknowledging writes; when it rejoins, it becomes a
// replica and those writes are gone.
TEST_P(RedisRunTest, LosesWritesWhenItsPrimaryIsCutOffOrPaused) {
  const auto [nodes, backend] = GetParam();
  Require("redis", backend);
  const fs::path schedule =
      Schedule(nodes % 2 == 1
                   ? R"([{"at": "3s", "fault": "partition-leader", "duration": "9s"}])"
                   : R"([{"at": "3s", "fault": "pause", "targets": "leader", "duration": "9s"}])");
  ASSERT_EQ(
      Splitbrain("run", {"--db", "redis", "--nodes", std::to_string(nodes), "--time-limit", "28s",
                         "--schedule", schedule.string(), "--seed", "3", "--concurrency", "4"}),
      1)
      << Output();
  const Json results = Results();
  EXPECT_EQ(results["verdict"], "invalid");
  EXPECT_EQ(results["checks"]["faults"]["verdict"], "valid") << results.dump(2);
  const bool two_primaries = results["checks"]["one-primary"]["verdict"] == "invalid";
  const bool lost = results["checks"]["linearizable"]["verdict"] == "invalid";
  EXPECT_TRUE(two_primaries || lost) << results.dump(2);
  // The verdict line says why, in the checks' own words.
  const std::string out = Output();
  const size_t verdict = out.find("verdict: invalid (exit 1): ");
  ASSERT_NE(verdict, std::string::npos) << out;
  const std::string line = out.substr(verdict, out.find('\n', verdict) - verdict);
  EXPECT_TRUE(line.find("one-primary: two primaries at once") != std::string::npos ||
              line.find("linearizable: ") != std::string::npos)
      << line;
}

INSTANTIATE_TEST_SUITE_P(Sizes, RedisRunTest,
                         ::testing::Values(SizeAndBackend{3, "netns"}, SizeAndBackend{4, "netns"},
                                           SizeAndBackend{3, "docker"}),
                         SizeAndBackendName);

// The control: the same clusters, no faults, are valid, so the proof's verdict is the faults'.
class RedisControlTest : public DefinitionRunTest, public ::testing::WithParamInterface<int> {};

TEST_P(RedisControlTest, WithoutFaultsIsValid) {
  Require("redis");
  ASSERT_EQ(
      Splitbrain("run", {"--db", "redis", "--nodes", std::to_string(GetParam()), "--time-limit",
                         "10s", "--nemesis", "none", "--seed", "3", "--concurrency", "4"}),
      0)
      << Output();
  const Json results = Results();
  EXPECT_EQ(results["checks"]["one-primary"]["verdict"], "valid") << results.dump(2);
  EXPECT_EQ(results["checks"]["linearizable"]["verdict"], "valid") << results.dump(2);
}

INSTANTIATE_TEST_SUITE_P(Sizes, RedisControlTest, ::testing::Values(3, 4),
                         [](const ::testing::TestParamInfo<int>& param_info) {
                           return std::to_string(param_info.param) + "Nodes";
                         });

class ConformanceTest : public DefinitionRunTest,
                        public ::testing::WithParamInterface<std::string> {};

TEST_P(ConformanceTest, DefinitionClientPassesEveryRule) {
  Require(GetParam());
  ASSERT_EQ(Splitbrain("conformance", {"--db", GetParam()}), 0) << Output();
  EXPECT_NE(Output().find("rules pass"), std::string::npos) << Output();
  EXPECT_EQ(Output().find("FAIL"), std::string::npos) << Output();
}

INSTANTIATE_TEST_SUITE_P(Databases, ConformanceTest,
                         ::testing::Values("zookeeper", "redis", "etcd"), BackendName);

}  // namespace
}  // namespace orchestrator
