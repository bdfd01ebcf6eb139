// Every workload against a real 3-node refdb cluster on loopback (refdb/server/testing's
// LocalCluster): the history it records pairs, and its checks hold on a correct cluster.
#include <gtest/gtest.h>
#include <unistd.h>

#include <set>
#include <thread>

#include "checker/formats.h"
#include "checker/linearizability.h"
#include "refdb/server/testing/local_cluster.h"
#include "workloads/etcd_db.h"
#include "workloads/refdb_db.h"
#include "workloads/workload.h"

namespace workloads {
namespace {

namespace fs = std::filesystem;
using checker::Json;

class WorkloadsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cluster = refdb::testing::LocalCluster::Start({.binary = REFDB_BINARY, .nodes = 3});
    ASSERT_TRUE(cluster.ok()) << cluster.status().message();
    cluster_ = std::move(*cluster);
    ASSERT_TRUE(cluster_->WaitForLeader(std::chrono::seconds(10)).ok());
    path_ = fs::temp_directory_path() / ("workloads_test_" + std::to_string(getpid()) + ".jsonl");
  }
  void TearDown() override { fs::remove(path_); }

  // Runs `kind` for `seconds` through `db`'s clients (default: refdb's own); `during` runs on
  // the side while it does.
  checker::History RunWorkload(WorkloadKind kind, double seconds,
                               const std::function<void()>& during = nullptr,
                               const Db* db = nullptr) {
    const Db& through = db == nullptr ? db_ : *db;
    auto history = HistoryWriter::Open(path_);
    EXPECT_TRUE(history.ok());
    auto workload = MakeWorkload(kind, {.concurrency = 5,
                                        .seed = 3,
                                        .endpoints = cluster_->endpoints(),
                                        .candidate_program = CANDIDATE_BINARY,
                                        .candidate_log_dir = fs::temp_directory_path()});
    EXPECT_TRUE(workload.ok()) << workload.status().message();
    std::atomic<bool> stop{false};
    WorkloadCounters counters;
    common::Status run;
    std::thread thread([&] { run = (*workload)->Run(through, **history, stop, counters); });
    if (during) during();
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    stop = true;
    thread.join();
    EXPECT_TRUE(run.ok()) << run.message();
    EXPECT_TRUE((*workload)->Finish(through, **history).ok());
    EXPECT_TRUE((*history)->Close().ok());
    EXPECT_GT(counters.ok.load(), 10);
    auto parsed = checker::ReadHistoryFile(path_.string(), checker::Format::kJsonl);
    EXPECT_TRUE(parsed.ok()) << parsed.status().message();
    return parsed.ok() ? std::move(*parsed) : checker::History{};
  }

  checker::Verdict Linearizable(const checker::History& history) {
    auto ops = checker::PairOperations(history);
    EXPECT_TRUE(ops.ok()) << ops.status().message();
    auto result = checker::CheckLinearizability(*ops, {.model = checker::ModelKind::kCasRegister});
    EXPECT_TRUE(result.ok()) << result.status().message();
    return result.ok() ? result->verdict : checker::Verdict::kUnknown;
  }

  RefDb db_{RefDbOptions{.binary = REFDB_BINARY}};
  std::unique_ptr<refdb::testing::LocalCluster> cluster_;
  fs::path path_;
};

TEST_F(WorkloadsTest, RegisterHistoryIsLinearizableAndMovesAcrossKeys) {
  const checker::History history = RunWorkload(WorkloadKind::kRegister, 3);
  std::set<std::string> keys;
  std::set<std::string> fs;
  for (const auto& e : history.events) {
    if (e.key.is_string()) keys.insert(e.key.get<std::string>());
    fs.insert(e.f);
  }
  EXPECT_GT(keys.size(), 1u);
  EXPECT_EQ(fs, (std::set<std::string>{"read", "write", "cas"}));
  EXPECT_EQ(Linearizable(history), checker::Verdict::kValid);
}

TEST_F(WorkloadsTest, RegisterStaysLinearizableWhenTheLeaderIsKilled) {
  const checker::History history = RunWorkload(WorkloadKind::kRegister, 4, [&] {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    auto leader = cluster_->WaitForLeader(std::chrono::seconds(5));
    ASSERT_TRUE(leader.ok());
    ASSERT_TRUE(cluster_->KillNode(*leader).ok());
  });
  EXPECT_EQ(Linearizable(history), checker::Verdict::kValid);
}

// splitbrain's etcd adapter, unchanged, against refdb's etcd API (refdb/server/etcd_services.h).
TEST_F(WorkloadsTest, EtcdAdapterDrivesRefdbUnchanged) {
  const EtcdDb etcd({});
  auto client = etcd.Connect(
      {.endpoints = cluster_->endpoints(), .call_deadline = std::chrono::milliseconds(2000)});
  ASSERT_TRUE(client.ok()) << client.status().message();
  DbClient& c = **client;
  EXPECT_EQ(c.Write("k", "v1").outcome, Outcome::kOk);
  const Answer<std::optional<std::string>> read = c.Read("k");
  ASSERT_EQ(read.outcome, Outcome::kOk) << read.error;
  EXPECT_EQ(read.value, "v1");
  EXPECT_TRUE(c.Cas("k", "v1", "v2").value.succeeded);
  const Answer<CasResult> stale = c.Cas("k", "v1", "v3");
  EXPECT_EQ(stale.outcome, Outcome::kOk);
  EXPECT_FALSE(stale.value.succeeded);
  EXPECT_TRUE(c.Cas("fresh", std::nullopt, "x").value.succeeded);
  EXPECT_FALSE(c.Cas("fresh", std::nullopt, "y").value.succeeded);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  const int leader = *cluster_->WaitForLeader(std::chrono::seconds(5));
  for (const std::string& endpoint : cluster_->endpoints()) {
    Answer<std::optional<std::string>> local = c.ReadLocal(endpoint, "k");
    while (local.value != "v2" && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      local = c.ReadLocal(endpoint, "k");
    }
    EXPECT_EQ(local.value, "v2") << endpoint;
    auto status = etcd.Status(endpoint, std::chrono::milliseconds(1000));
    ASSERT_TRUE(status.ok()) << status.status().message();
    EXPECT_EQ(status->leader_id, static_cast<uint64_t>(leader)) << endpoint;
  }
  EXPECT_EQ(Linearizable(RunWorkload(WorkloadKind::kRegister, 2, nullptr, &etcd)),
            checker::Verdict::kValid);
}

TEST_F(WorkloadsTest, SetFinalReadsHoldEveryAcknowledgedAdd) {
  const checker::History history = RunWorkload(WorkloadKind::kSet, 2);
  std::set<int64_t> acknowledged;
  int final_reads = 0;
  for (const auto& e : history.events) {
    if (e.f == "add" && e.type == checker::EventType::kOk)
      acknowledged.insert(e.value.get<int64_t>());
  }
  ASSERT_FALSE(acknowledged.empty());
  for (const auto& e : history.events) {
    if (e.f != "final-read" || e.type != checker::EventType::kOk) continue;
    ++final_reads;
    ASSERT_TRUE(e.extra.is_object() && e.extra.contains("node"));
    std::set<int64_t> present;
    for (const Json& v : e.value) present.insert(v.get<int64_t>());
    for (int64_t a : acknowledged) EXPECT_TRUE(present.count(a)) << a << " lost on " << e.extra;
  }
  EXPECT_EQ(final_reads, 3);
}

TEST_F(WorkloadsTest, ElectionRecordsDisjointTenures) {
  const checker::History history = RunWorkload(WorkloadKind::kElection, 3);
  struct Tenure {
    int64_t candidate, start, end;
  };
  std::vector<Tenure> tenures;
  bool config = false;
  for (const auto& e : history.events) {
    if (e.process.name != "election") continue;
    if (e.f == "lease-config") config = true;
    if (e.f == "tenure") {
      tenures.push_back({e.value["candidate"].get<int64_t>(), e.value["start_ns"].get<int64_t>(),
                         e.value["end_ns"].get<int64_t>()});
    }
  }
  EXPECT_TRUE(config);
  ASSERT_FALSE(tenures.empty());
  for (const Tenure& a : tenures) {
    EXPECT_LE(a.start, a.end);
    for (const Tenure& b : tenures) {
      if (a.candidate == b.candidate) continue;
      EXPECT_TRUE(a.end <= b.start || b.end <= a.start)
          << a.candidate << " and " << b.candidate << " overlap";
    }
  }
  EXPECT_EQ(Linearizable(history), checker::Verdict::kValid);
}

TEST(MakeWorkloadTest, UnknownNamesAndBadOptionsAreClearErrors) {
  auto bad = ParseWorkloadKind("bank");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("register, set, election"), std::string::npos);
  for (WorkloadKind kind : {WorkloadKind::kRegister, WorkloadKind::kSet, WorkloadKind::kElection}) {
    auto parsed = ParseWorkloadKind(WorkloadKindName(kind));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, kind);
  }
  EXPECT_FALSE(
      MakeWorkload(WorkloadKind::kRegister, {.concurrency = 0, .endpoints = {"a:1"}}).ok());
  EXPECT_FALSE(MakeWorkload(WorkloadKind::kRegister, {}).ok());
}

TEST(MakeWorkloadTest, EachWorkloadDeclaresItsChecks) {
  auto checks = [](WorkloadKind kind) {
    auto workload = MakeWorkload(kind, {.endpoints = {"127.0.0.1:1"}});
    EXPECT_TRUE(workload.ok());
    return (*workload)->checks();
  };
  EXPECT_EQ(checks(WorkloadKind::kRegister).linearizable, checker::ModelKind::kCasRegister);
  EXPECT_TRUE(checks(WorkloadKind::kSet).set);
  EXPECT_FALSE(checks(WorkloadKind::kSet).linearizable.has_value());
  EXPECT_TRUE(checks(WorkloadKind::kElection).lease);
}

}  // namespace
}  // namespace workloads
