// EtcdDb: its member flags and failure classification (unit), then its client and status
// against a real 3-member etcd on loopback addresses (skipped without /usr/bin/etcd).
#include "workloads/etcd_db.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <optional>
#include <thread>

#include "common/process/child.h"
#include "common/testing/prerequisite.h"
#include "common/testing/temp_dir.h"

namespace workloads {
namespace {

using common::process::Child;
using common::testing::TempDir;

constexpr const char* kEtcd = "/usr/bin/etcd";

std::string FlagValue(const std::vector<std::string>& argv, const std::string& flag) {
  auto it = std::find(argv.begin(), argv.end(), flag);
  return it == argv.end() || it + 1 == argv.end() ? "<absent>" : *(it + 1);
}

TEST(EtcdDbTest, NodeArgvNamesEveryMemberOnItsIp) {
  const EtcdDb db({.binary = "/usr/bin/etcd"});
  const std::vector<std::string> argv = db.NodeArgv(
      {.id = 2, .ip = "10.1.0.3", .peer_ips = {"10.1.0.2", "10.1.0.3"}, .data_dir = "/data"});
  EXPECT_EQ(argv[0], "/usr/bin/etcd");
  EXPECT_EQ(FlagValue(argv, "--name"), "n2");
  EXPECT_EQ(FlagValue(argv, "--data-dir"), "/data");
  EXPECT_EQ(FlagValue(argv, "--listen-peer-urls"), "http://10.1.0.3:2380");
  EXPECT_EQ(FlagValue(argv, "--initial-advertise-peer-urls"), "http://10.1.0.3:2380");
  EXPECT_EQ(FlagValue(argv, "--listen-client-urls"), "http://10.1.0.3:2379");
  EXPECT_EQ(FlagValue(argv, "--advertise-client-urls"), "http://10.1.0.3:2379");
  EXPECT_EQ(FlagValue(argv, "--initial-cluster"),
            "n1=http://10.1.0.2:2380,n2=http://10.1.0.3:2380");
  EXPECT_EQ(FlagValue(argv, "--initial-cluster-state"), "new");
  EXPECT_EQ(FlagValue(argv, "--heartbeat-interval"), "100");
  EXPECT_EQ(FlagValue(argv, "--election-timeout"), "1000");
  EXPECT_EQ(db.port(), 2379);
  EXPECT_EQ(db.Binaries(), std::vector<std::filesystem::path>{"/usr/bin/etcd"});
}

TEST(EtcdDbTest, OnlyRequestsThatNeverReachedAProposalFailDefinitely) {
  using C = grpc::StatusCode;
  EXPECT_TRUE(EtcdWriteFailureIsDefinite(
      C::UNAVAILABLE, "failed to connect to all addresses; last error: Connection refused"));
  EXPECT_TRUE(EtcdWriteFailureIsDefinite(C::UNAVAILABLE, "etcdserver: no leader"));
  EXPECT_TRUE(EtcdWriteFailureIsDefinite(C::RESOURCE_EXHAUSTED, "etcdserver: too many requests"));
  EXPECT_TRUE(EtcdWriteFailureIsDefinite(C::INVALID_ARGUMENT, "etcdserver: key is not provided"));
  EXPECT_FALSE(EtcdWriteFailureIsDefinite(C::DEADLINE_EXCEEDED, "Deadline Exceeded"));
  EXPECT_FALSE(EtcdWriteFailureIsDefinite(C::UNAVAILABLE, "etcdserver: request timed out"));
  EXPECT_FALSE(EtcdWriteFailureIsDefinite(C::UNAVAILABLE, "etcdserver: leader changed"));
  EXPECT_FALSE(EtcdWriteFailureIsDefinite(C::UNAVAILABLE, "Socket closed"));
  EXPECT_FALSE(EtcdWriteFailureIsDefinite(C::CANCELLED, "Cancelled"));
}

TEST(EtcdDbTest, ConnectWithoutEndpointsIsAnError) {
  const EtcdDb db({});
  EXPECT_FALSE(db.Connect({}).ok());
}

// Three members on 127.A.B.{1,2,3} (A.B from the pid), ports 22379/22380.
class EtcdClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SPLITBRAIN_REQUIRE(access(kEtcd, X_OK) == 0, "no " << kEtcd << " (ci/setup.sh installs it)");
    auto dir = TempDir::Create("etcd-db-test");
    ASSERT_TRUE(dir.ok()) << dir.status().message();
    dir_.emplace(std::move(*dir));
    const int pid = static_cast<int>(getpid());
    const std::string prefix =
        "127." + std::to_string(1 + (pid + 31) % 250) + "." + std::to_string(pid / 250 % 250) + ".";
    for (int i = 1; i <= 3; ++i) ips_.push_back(prefix + std::to_string(i));
    for (int i = 1; i <= 3; ++i) {
      endpoints_.push_back(ips_[i - 1] + ":" + std::to_string(db_.port()));
      ASSERT_TRUE(Start(i).ok());
    }
  }

  common::Status Start(int i) {
    std::vector<std::string> argv =
        db_.NodeArgv({.id = i,
                      .ip = ips_[i - 1],
                      .peer_ips = ips_,
                      .data_dir = dir_->path() + "/n" + std::to_string(i)});
    argv[0] = kEtcd;
    ASSIGN_OR_RETURN(
        Child child,
        Child::Spawn({.argv = argv, .log_path = dir_->path() + "/n" + std::to_string(i) + ".log"}));
    members_.insert_or_assign(i, std::move(child));
    return common::Status::Ok();
  }

  void TearDown() override {
    for (auto& [i, child] : members_) (void)child.Kill();
  }

  // The node number every member names as leader, once they agree; 0 after 20 s.
  int WaitForLeader(const std::vector<int>& members) {
    for (int round = 0; round < 400; ++round) {
      std::map<uint64_t, int> votes;
      int self = 0;
      for (int i : members) {
        auto s = db_.Status(endpoints_[i - 1], std::chrono::milliseconds(300));
        if (!s.ok()) continue;
        EXPECT_EQ(s->node_id, static_cast<uint64_t>(i));
        if (s->leader_id != 0) ++votes[s->leader_id];
        if (s->role == "leader") self = i;
      }
      if (self != 0 && votes[self] == static_cast<int>(members.size())) return self;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return 0;
  }

  const EtcdDb db_{EtcdDbOptions{.client_port = 22379, .peer_port = 22380, .token = "test"}};
  std::optional<TempDir> dir_;
  std::vector<std::string> ips_;
  std::vector<std::string> endpoints_;
  std::map<int, Child> members_;
};

TEST_F(EtcdClusterTest, ReadWriteCasAndStatusAgreeWithEtcd) {
  const int leader = WaitForLeader({1, 2, 3});
  ASSERT_NE(leader, 0);
  auto client = db_.Connect({.endpoints = endpoints_});
  ASSERT_TRUE(client.ok()) << client.status().message();
  DbClient& c = **client;

  auto absent = c.Read("k");
  ASSERT_EQ(absent.outcome, Outcome::kOk) << absent.error;
  EXPECT_FALSE(absent.value.has_value());
  auto create = c.Cas("k", std::nullopt, "1");
  ASSERT_EQ(create.outcome, Outcome::kOk) << create.error;
  EXPECT_TRUE(create.value.succeeded);
  auto again = c.Cas("k", std::nullopt, "2");
  ASSERT_EQ(again.outcome, Outcome::kOk) << again.error;
  EXPECT_FALSE(again.value.succeeded);  // the key exists now
  auto wrong = c.Cas("k", std::string("9"), "2");
  ASSERT_EQ(wrong.outcome, Outcome::kOk);
  EXPECT_FALSE(wrong.value.succeeded);
  auto right = c.Cas("k", std::string("1"), "2");
  ASSERT_EQ(right.outcome, Outcome::kOk);
  EXPECT_TRUE(right.value.succeeded);
  ASSERT_EQ(c.Write("k", "3").outcome, Outcome::kOk);
  for (int i = 0; i < 3; ++i) {  // reads go round the members
    auto read = c.Read("k");
    ASSERT_EQ(read.outcome, Outcome::kOk) << read.error;
    EXPECT_EQ(read.value, std::optional<std::string>("3"));
  }
  auto local = c.ReadLocal(endpoints_[leader - 1], "k");
  ASSERT_EQ(local.outcome, Outcome::kOk) << local.error;
  EXPECT_EQ(local.value, std::optional<std::string>("3"));

  auto status = db_.Status(endpoints_[leader - 1], std::chrono::milliseconds(500));
  ASSERT_TRUE(status.ok()) << status.status().message();
  EXPECT_EQ(status->role, "leader");
  EXPECT_EQ(status->leader_id, static_cast<uint64_t>(leader));
  EXPECT_GT(status->term, 0u);
  EXPECT_GE(status->commit_index, status->applied_index);
  EXPECT_GT(status->applied_index, 0u);
}

TEST_F(EtcdClusterTest, ALeaderKillIsSeenAndWritesGoOn) {
  const int leader = WaitForLeader({1, 2, 3});
  ASSERT_NE(leader, 0);
  ASSERT_TRUE(members_.at(leader).Kill().ok());
  auto dead = db_.Status(endpoints_[leader - 1], std::chrono::milliseconds(300));
  EXPECT_FALSE(dead.ok());
  std::vector<int> rest;
  for (int i = 1; i <= 3; ++i) {
    if (i != leader) rest.push_back(i);
  }
  const int next = WaitForLeader(rest);
  ASSERT_NE(next, 0);
  EXPECT_NE(next, leader);
  auto client = db_.Connect({.endpoints = endpoints_});
  ASSERT_TRUE(client.ok());
  // The dead member refuses connections: a definite failure, moved past to the next member.
  for (int i = 0; i < 6; ++i) {
    auto w = (*client)->Write("after", std::to_string(i));
    EXPECT_EQ(w.outcome, Outcome::kOk) << w.error;
  }
  // Restarted from its data dir, it rejoins as a follower of the new leader.
  ASSERT_TRUE(Start(leader).ok());
  EXPECT_NE(WaitForLeader({1, 2, 3}), 0);
}

}  // namespace
}  // namespace workloads
