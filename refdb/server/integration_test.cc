// Integration tests: real refdb processes on loopback addresses, driven through the client
// library. Every wait is a condition polled until a deadline.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "common/check.h"
#include "refdb/client/client.h"
#include "refdb/server/testing/local_cluster.h"

namespace refdb {
namespace {

using std::chrono::milliseconds;
using testing::ClusterOptions;
using testing::LocalCluster;

constexpr milliseconds kElectionDeadline{10000};
constexpr milliseconds kApplyDeadline{15000};

class Integration : public ::testing::Test {
 protected:
  void StartCluster(int nodes, std::vector<std::string> extra_flags = {}) {
    auto cluster = LocalCluster::Start(
        {.binary = REFDB_BINARY, .nodes = nodes, .extra_flags = std::move(extra_flags)});
    ASSERT_TRUE(cluster.ok()) << cluster.status().message();
    cluster_ = std::move(cluster).value();
    client_ = NewClient();
  }

  std::unique_ptr<client::Client> NewClient() {
    auto c = client::Client::Create({.endpoints = cluster_->endpoints(),
                                     .call_deadline = milliseconds(2000),
                                     .max_attempts = 20,
                                     .backoff_initial = milliseconds(20),
                                     .backoff_max = milliseconds(200)});
    CHECK(c.ok()) << c.status().message();
    return std::move(c).value();
  }

  int WaitForLeader() {
    auto leader = cluster_->WaitForLeader(kElectionDeadline);
    CHECK(leader.ok()) << leader.status().message();
    return *leader;
  }

  // Puts key<i> = value<i> for i in [first, last); returns how many were acknowledged.
  int PutKeys(int first, int last, const std::string& prefix = "key") {
    int acknowledged = 0;
    for (int i = first; i < last; ++i) {
      auto r = client_->Put(prefix + std::to_string(i), "value" + std::to_string(i));
      if (r.ok()) ++acknowledged;
    }
    return acknowledged;
  }

  void ExpectKeys(int first, int last, const std::string& prefix = "key") {
    for (int i = first; i < last; ++i) {
      auto r = client_->Get(prefix + std::to_string(i));
      ASSERT_TRUE(r.ok()) << r.error.message();
      ASSERT_TRUE(r.value.found) << prefix << i << " is missing";
      EXPECT_EQ(r.value.value, "value" + std::to_string(i));
    }
  }

  uint64_t CommitIndexOf(int node) {
    auto s = cluster_->Status(node);
    CHECK(s.ok()) << s.status().message();
    return s->commit_index();
  }

  std::unique_ptr<LocalCluster> cluster_;
  std::unique_ptr<client::Client> client_;
};

TEST_F(Integration, ThreeNodesElectALeaderAndReplicate) {
  StartCluster(3);
  const int leader = WaitForLeader();
  ASSERT_EQ(PutKeys(0, 20), 20);
  ExpectKeys(0, 20);
  ASSERT_TRUE(cluster_->WaitForApplied(CommitIndexOf(leader), kApplyDeadline).ok());
  for (int node = 1; node <= 3; ++node) {
    auto c = client::Client::Create({.endpoints = {cluster_->address(node)}});
    ASSERT_TRUE(c.ok());
    auto r = (*c)->Get("key7", /*serializable=*/true);
    ASSERT_TRUE(r.ok()) << r.error.message();
    EXPECT_EQ(r.value.value, "value7") << "node " << node;
  }
}

TEST_F(Integration, FiveNodesElectALeaderAndReplicate) {
  StartCluster(5);
  const int leader = WaitForLeader();
  ASSERT_EQ(PutKeys(0, 20), 20);
  ASSERT_TRUE(cluster_->WaitForApplied(CommitIndexOf(leader), kApplyDeadline).ok());
  ExpectKeys(0, 20);
}

TEST_F(Integration, CompareAndSwapDeleteAndTxn) {
  StartCluster(3);
  WaitForLeader();
  auto created = client_->CompareAndSwap("k", std::nullopt, "a");
  ASSERT_TRUE(created.ok());
  EXPECT_TRUE(created.value.succeeded);
  auto mismatch = client_->CompareAndSwap("k", "x", "b");
  ASSERT_TRUE(mismatch.ok()) << "a failed comparison is an ok result";
  EXPECT_FALSE(mismatch.value.succeeded);
  EXPECT_EQ(mismatch.value.current_value, "a");
  ASSERT_TRUE(client_->CompareAndSwap("k", "a", "b").value.succeeded);
  kvpb::TxnOp get, put;
  get.set_kind(kvpb::TxnOp::GET);
  get.set_key("k");
  put.set_kind(kvpb::TxnOp::PUT);
  put.set_key("k2");
  put.set_value("v2");
  auto txn = client_->Txn({get, put});
  ASSERT_TRUE(txn.ok());
  EXPECT_EQ(txn.value.results(0).value(), "b");
  EXPECT_EQ(client_->Get("k2").value.value, "v2");
  auto del = client_->Delete("k");
  ASSERT_TRUE(del.ok());
  EXPECT_TRUE(del.value);
  EXPECT_FALSE(client_->Get("k").value.found);
}

TEST_F(Integration, NotLeaderAnswerNamesTheLeader) {
  StartCluster(3);
  const int leader = WaitForLeader();
  const int follower = leader % 3 + 1;
  auto c = client::Client::Create({.endpoints = {cluster_->address(follower)}, .max_attempts = 3});
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE((*c)->Put("x", "y").ok());
  EXPECT_EQ((*c)->cached_leader(), cluster_->address(leader));
}

TEST_F(Integration, KillingTheLeaderElectsANewOneAndWritesContinue) {
  StartCluster(3);
  const int old_leader = WaitForLeader();
  ASSERT_EQ(PutKeys(0, 10), 10);
  ASSERT_TRUE(cluster_->KillNode(old_leader).ok());
  const int new_leader = WaitForLeader();
  EXPECT_NE(new_leader, old_leader);
  ASSERT_EQ(PutKeys(10, 20), 10);
  ExpectKeys(0, 20);
}

TEST_F(Integration, RestartingEveryNodeLosesNoAcknowledgedWrite) {
  StartCluster(3);
  WaitForLeader();
  ASSERT_EQ(PutKeys(0, 50), 50);
  for (int node = 1; node <= 3; ++node) ASSERT_TRUE(cluster_->KillNode(node).ok());
  for (int node = 1; node <= 3; ++node) ASSERT_TRUE(cluster_->StartNode(node).ok());
  WaitForLeader();
  client_ = NewClient();
  ExpectKeys(0, 50);
}

TEST_F(Integration, FollowerFarBehindCatchesUpBySnapshot) {
  StartCluster(3, {"--snapshot-threshold", "50"});
  const int leader = WaitForLeader();
  const int follower = leader % 3 + 1;
  ASSERT_EQ(PutKeys(0, 5), 5);
  ASSERT_TRUE(cluster_->WaitForApplied(CommitIndexOf(leader), kApplyDeadline).ok());
  auto before = cluster_->Status(follower);
  ASSERT_TRUE(before.ok());
  ASSERT_TRUE(cluster_->KillNode(follower).ok());
  ASSERT_EQ(PutKeys(5, 300), 295);
  const int current = WaitForLeader();
  auto leader_status = cluster_->Status(current);
  ASSERT_TRUE(leader_status.ok());
  // The entries the follower lacks are gone from the leader's log: only a snapshot helps.
  ASSERT_GT(leader_status->snapshot_index(), before->last_log_index());
  ASSERT_TRUE(cluster_->StartNode(follower).ok());
  ASSERT_TRUE(cluster_->WaitForApplied(leader_status->commit_index(), kApplyDeadline).ok());
  auto c = client::Client::Create({.endpoints = {cluster_->address(follower)}});
  ASSERT_TRUE(c.ok());
  for (int i : {0, 150, 299}) {
    auto r = (*c)->Get("key" + std::to_string(i), /*serializable=*/true);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value.value, "value" + std::to_string(i));
  }
}

// The switch works: without fsync, acknowledged writes sit in the process's buffers, and a
// SIGKILL of every node loses them. (With fsync, RestartingEveryNode... shows none is lost.)
TEST_F(Integration, NoFsyncBugLosesAcknowledgedWritesWhenEveryNodeIsKilled) {
  StartCluster(3, {"--bug", "no-fsync"});
  WaitForLeader();
  ASSERT_EQ(PutKeys(0, 50), 50);
  for (int node = 1; node <= 3; ++node) ASSERT_TRUE(cluster_->KillNode(node).ok());
  for (int node = 1; node <= 3; ++node) ASSERT_TRUE(cluster_->StartNode(node).ok());
  WaitForLeader();
  client_ = NewClient();
  int lost = 0;
  for (int i = 0; i < 50; ++i) {
    auto r = client_->Get("key" + std::to_string(i));
    ASSERT_TRUE(r.ok()) << r.error.message();
    if (!r.value.found) ++lost;
  }
  EXPECT_GT(lost, 0);
}

TEST_F(Integration, SigtermShutsDownCleanly) {
  StartCluster(3);
  WaitForLeader();
  for (int node = 1; node <= 3; ++node) {
    ASSERT_TRUE(cluster_->StopNode(node).ok());
    EXPECT_FALSE(cluster_->is_running(node));
  }
}

}  // namespace
}  // namespace refdb
