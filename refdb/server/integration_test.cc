// Integration tests: real refdb processes on loopback addresses, driven through the client
// library. Every wait is a condition polled until a deadline.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

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

// Sessions expire by log time (--session-timeout 1): a write of a forgotten client id is
// refused with a clear answer and never applied; the client library starts a new session.
TEST_F(Integration, ExpiredSessionIsRefusedAndTheClientStartsANewOne) {
  StartCluster(3, {"--session-timeout", "1"});
  const int leader = WaitForLeader();
  ASSERT_TRUE(client_->Put("k", "1").ok());
  const uint64_t first_id = client_->client_id();
  // Log time advances with the leader's clock: after 2.5 s, the next write's stamp expires
  // the session.
  std::this_thread::sleep_for(milliseconds(2500));
  auto r = client_->Put("k", "2");
  ASSERT_TRUE(r.ok()) << r.error.message();
  EXPECT_GE(r.attempts, 2) << "the first attempt should have been refused";
  EXPECT_NE(client_->client_id(), first_id);
  EXPECT_EQ(client_->Get("k").value.value, "2");

  // A raw write of an unknown client id past sequence 1: ABORTED with the trailer, not applied.
  kvpb::PutRequest put;
  put.mutable_write_id()->set_client_id(first_id);
  put.mutable_write_id()->set_sequence(2);
  put.set_key("k");
  put.set_value("late");
  grpc::Status status;
  bool trailer = false;
  // To the leader (another node, should leadership have moved meanwhile).
  for (int i = 0; i < 3; ++i) {
    const int node = (leader - 1 + i) % 3 + 1;
    auto stub = kvpb::KV::NewStub(
        grpc::CreateChannel(cluster_->address(node), grpc::InsecureChannelCredentials()));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + kApplyDeadline);
    kvpb::PutResponse response;
    status = stub->Put(&context, put, &response);
    trailer = context.GetServerTrailingMetadata().contains("refdb-session-expired");
    if (status.error_code() != grpc::StatusCode::FAILED_PRECONDITION) break;
  }
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ABORTED) << status.error_message();
  EXPECT_NE(status.error_message().find("session expired"), std::string::npos);
  EXPECT_TRUE(trailer);
  EXPECT_EQ(client_->Get("k").value.value, "2");
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

// The switch is realistic: without fsync, acknowledged entries are still written to the log
// file, so a SIGKILL of every process loses none of them (the kernel keeps what was written);
// only a machine crash does, which the orchestrator's disk-lose-unsynced fault makes
// (orchestrator/proof_test.cc: NoFsync3 and NoFsync4 are invalid, their controls valid).
TEST_F(Integration, NoFsyncBugStillWritesEveryEntrySoAProcessKillLosesNothing) {
  StartCluster(3, {"--bug", "no-fsync"});
  WaitForLeader();
  ASSERT_EQ(PutKeys(0, 50), 50);
  for (int node = 1; node <= 3; ++node) ASSERT_TRUE(cluster_->KillNode(node).ok());
  for (int node = 1; node <= 3; ++node) ASSERT_TRUE(cluster_->StartNode(node).ok());
  WaitForLeader();
  client_ = NewClient();
  ExpectKeys(0, 50);
}

// One line of a node's events.jsonl.
struct Event {
  int64_t time_ns = 0;
  uint64_t node = 0;
  uint64_t term = 0;
  std::string role;
  uint64_t leader = 0;

  bool SameState(const Event& other) const {
    return term == other.term && role == other.role && leader == other.leader;
  }
};

// Parses every line of `path` as one JSON object with the five fields, or fails the test.
std::vector<Event> ReadEvents(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  std::vector<Event> events;
  std::string line;
  int line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    const auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    const std::string where = path + ":" + std::to_string(line_number) + ": " + line;
    EXPECT_FALSE(j.is_discarded()) << where;
    if (j.is_discarded() || !j.is_object()) continue;
    EXPECT_EQ(j.size(), 5u) << where;
    EXPECT_TRUE(j.contains("time_ns") && j["time_ns"].is_number_integer()) << where;
    EXPECT_TRUE(j.contains("node") && j["node"].is_number_unsigned()) << where;
    EXPECT_TRUE(j.contains("term") && j["term"].is_number_unsigned()) << where;
    EXPECT_TRUE(j.contains("role") && j["role"].is_string()) << where;
    EXPECT_TRUE(j.contains("leader") && j["leader"].is_number_unsigned()) << where;
    events.push_back({.time_ns = j.value("time_ns", int64_t{0}),
                      .node = j.value("node", uint64_t{0}),
                      .term = j.value("term", uint64_t{0}),
                      .role = j.value("role", std::string()),
                      .leader = j.value("leader", uint64_t{0})});
  }
  return events;
}

bool Contains(const std::vector<Event>& events, const Event& wanted) {
  for (const Event& e : events) {
    if (e.SameState(wanted)) return true;
  }
  return false;
}

// Every line is well formed, names this node, and records a change: time and term never go
// backwards and no two consecutive lines hold the same state.
void ExpectWellFormed(const std::vector<Event>& events, uint64_t node, int64_t start_ns) {
  static const std::set<std::string> kRoles = {"follower", "pre-candidate", "candidate", "leader"};
  const int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  for (size_t i = 0; i < events.size(); ++i) {
    const Event& e = events[i];
    EXPECT_EQ(e.node, node) << "line " << i + 1;
    EXPECT_TRUE(kRoles.contains(e.role)) << "line " << i + 1 << ": " << e.role;
    EXPECT_GE(e.time_ns, start_ns) << "line " << i + 1;
    EXPECT_LE(e.time_ns, now_ns) << "line " << i + 1;
    if (e.role == "leader") {
      EXPECT_EQ(e.leader, node) << "line " << i + 1;
    }
    if (i == 0) continue;
    EXPECT_GE(e.time_ns, events[i - 1].time_ns) << "line " << i + 1;
    EXPECT_GE(e.term, events[i - 1].term) << "line " << i + 1;
    EXPECT_FALSE(e.SameState(events[i - 1])) << "line " << i + 1 << " repeats line " << i;
  }
}

// Polls until the last line of the node's events.jsonl matches its status.
bool WaitForEventsToMatchStatus(LocalCluster& cluster, int node) {
  const auto deadline = std::chrono::steady_clock::now() + kApplyDeadline;
  while (std::chrono::steady_clock::now() < deadline) {
    auto status = cluster.Status(node);
    const std::vector<Event> events = ReadEvents(cluster.data_dir(node) + "/events.jsonl");
    if (status.ok() && !events.empty() &&
        events.back().SameState(
            {.term = status->term(), .role = status->role(), .leader = status->leader_id()})) {
      return true;
    }
    std::this_thread::sleep_for(milliseconds(10));
  }
  return false;
}

TEST_F(Integration, EventsLogRecordsEveryRoleChangeAsJsonLines) {
  const int64_t start_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  StartCluster(3);
  const int old_leader = WaitForLeader();
  ASSERT_EQ(PutKeys(0, 5), 5);
  auto old_status = cluster_->Status(old_leader);
  ASSERT_TRUE(old_status.ok());
  const uint64_t old_term = old_status->term();
  ASSERT_TRUE(cluster_->KillNode(old_leader).ok());
  const int new_leader = WaitForLeader();
  ASSERT_EQ(PutKeys(5, 10), 5);
  auto new_status = cluster_->Status(new_leader);
  ASSERT_TRUE(new_status.ok());
  const uint64_t new_term = new_status->term();
  ASSERT_GT(new_term, old_term);

  for (int node = 1; node <= 3; ++node) {
    SCOPED_TRACE("node " + std::to_string(node));
    if (node != old_leader) {
      ASSERT_TRUE(WaitForEventsToMatchStatus(*cluster_, node));
    }
    const std::vector<Event> events = ReadEvents(cluster_->data_dir(node) + "/events.jsonl");
    ASSERT_FALSE(events.empty());
    ExpectWellFormed(events, node, start_ns);
    const auto id = static_cast<uint64_t>(node);
    const auto old_id = static_cast<uint64_t>(old_leader);
    const auto new_id = static_cast<uint64_t>(new_leader);
    // Everyone recorded the first leader of old_term (the killed one while it led).
    EXPECT_TRUE(Contains(
        events,
        {.term = old_term, .role = node == old_leader ? "leader" : "follower", .leader = old_id}));
    if (node == old_leader) continue;
    if (node == new_leader) {
      EXPECT_TRUE(Contains(events, {.term = new_term, .role = "candidate", .leader = 0}));
      EXPECT_TRUE(Contains(events, {.term = new_term, .role = "leader", .leader = id}));
    } else {
      EXPECT_TRUE(Contains(events, {.term = new_term, .role = "follower", .leader = new_id}));
    }
  }
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
