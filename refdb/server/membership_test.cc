// Membership changes on a real cluster through etcd's Cluster API (gRPC stubs, and Debian's
// etcdctl when installed): remove a member, wipe it, add it back as a new member with --join.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/check.h"
#include "common/process/run.h"
#include "common/testing/prerequisite.h"
#include "etcd_rpc.grpc.pb.h"
#include "refdb/client/client.h"
#include "refdb/server/testing/local_cluster.h"

namespace refdb {
namespace {

namespace pb = etcdserverpb;
using std::chrono::milliseconds;

constexpr milliseconds kDeadline{15000};

class Membership : public ::testing::Test {
 protected:
  void Start(int nodes) {
    auto cluster = testing::LocalCluster::Start({.binary = REFDB_BINARY, .nodes = nodes});
    ASSERT_TRUE(cluster.ok()) << cluster.status().message();
    cluster_ = std::move(cluster).value();
    ASSERT_TRUE(cluster_->WaitForLeader(kDeadline).ok());
    auto c = client::Client::Create({.endpoints = cluster_->endpoints(),
                                     .call_deadline = milliseconds(2000),
                                     .max_attempts = 30,
                                     .backoff_initial = milliseconds(20),
                                     .backoff_max = milliseconds(200)});
    ASSERT_TRUE(c.ok()) << c.status().message();
    client_ = std::move(c).value();
  }

  std::unique_ptr<pb::Cluster::Stub> ClusterStub(int node) {
    return pb::Cluster::NewStub(
        grpc::CreateChannel(cluster_->address(node), grpc::InsecureChannelCredentials()));
  }

  // Retries while the cluster is busy (no leader yet, a change in progress): as a client would.
  template <typename Call>
  grpc::Status Retry(Call call) {
    grpc::Status s;
    const auto until = std::chrono::steady_clock::now() + kDeadline;
    while (std::chrono::steady_clock::now() < until) {
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
      s = call(context);
      const bool not_leader = s.error_code() == grpc::StatusCode::FAILED_PRECONDITION &&
                              s.error_message().find("leader") != std::string::npos;
      if (s.error_code() != grpc::StatusCode::UNAVAILABLE && !not_leader &&
          s.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED) {
        return s;
      }
      std::this_thread::sleep_for(milliseconds(50));
    }
    return s;
  }

  std::set<uint64_t> MemberIds(int node) {
    pb::MemberListResponse response;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    grpc::Status s = ClusterStub(node)->MemberList(&context, pb::MemberListRequest(), &response);
    if (!s.ok()) return {};  // not listening yet (a node just started): polled again
    std::set<uint64_t> ids;
    for (const pb::Member& m : response.members()) ids.insert(m.id());
    return ids;
  }

  // Every node lists exactly `ids` (polled: a follower learns the change on append, and a node
  // just started may not listen yet).
  void ExpectMembersEverywhere(const std::set<uint64_t>& ids) {
    const auto until = std::chrono::steady_clock::now() + kDeadline;
    for (int node = 1; node <= cluster_->size(); ++node) {
      while (MemberIds(node) != ids && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(milliseconds(20));
      }
      EXPECT_EQ(MemberIds(node), ids) << "node " << node;
    }
  }

  void PutAndCheck(const std::string& key) {
    auto put = client_->Put(key, "v-" + key);
    ASSERT_TRUE(put.ok()) << put.error.message();
    auto got = client_->Get(key);
    ASSERT_TRUE(got.ok()) << got.error.message();
    EXPECT_EQ(got.value.value, "v-" + key);
  }

  // Removes node `node`'s member through `via`, wipes it, adds it back: returns its new id.
  uint64_t Replace(int node, int via) {
    pb::MemberRemoveRequest remove;
    remove.set_id(cluster_->id(node));
    pb::MemberRemoveResponse removed;
    grpc::Status s = Retry([&](grpc::ClientContext& c) {
      return ClusterStub(via)->MemberRemove(&c, remove, &removed);
    });
    EXPECT_TRUE(s.ok()) << s.error_message();
    EXPECT_TRUE(cluster_->StopNode(node).ok());
    pb::MemberAddRequest add;
    add.add_peerurls("http://" + cluster_->address(node));
    pb::MemberAddResponse added;
    s = Retry([&](grpc::ClientContext& c) { return ClusterStub(via)->MemberAdd(&c, add, &added); });
    EXPECT_TRUE(s.ok()) << s.error_message();
    const uint64_t id = added.member().id();
    EXPECT_GT(id, cluster_->id(node));
    EXPECT_TRUE(cluster_->RejoinNode(node, id).ok());
    return id;
  }

  std::unique_ptr<testing::LocalCluster> cluster_;
  std::unique_ptr<client::Client> client_;
};

TEST_F(Membership, ReplacedMemberGetsANewIdCatchesUpAndServes) {
  Start(3);
  PutAndCheck("before");
  // Through a follower: the change is relayed to the leader.
  const int leader = *cluster_->WaitForLeader(kDeadline);
  const int follower = leader == 1 ? 2 : 1;
  const int victim = 6 - leader - follower;
  const uint64_t id = Replace(victim, follower);
  std::set<uint64_t> expected = {1, 2, 3};
  expected.erase(victim);
  expected.insert(id);
  ExpectMembersEverywhere(expected);
  PutAndCheck("after");
  // The new member holds the data written before it joined.
  const uint64_t commit = cluster_->Status(leader)->commit_index();
  EXPECT_TRUE(cluster_->WaitForApplied(commit, kDeadline).ok());
  EXPECT_EQ(cluster_->Status(victim)->state_digest(), cluster_->Status(leader)->state_digest());
  // Without the other old members, the new one is needed for a majority: writes still work.
  ASSERT_TRUE(cluster_->StopNode(follower).ok());
  PutAndCheck("with-new-member-in-majority");
}

TEST_F(Membership, LeaderCanBeReplacedAndIdsAreNeverReused) {
  Start(3);
  const int leader = *cluster_->WaitForLeader(kDeadline);
  const int via = leader == 1 ? 2 : 1;
  const uint64_t first = Replace(leader, via);
  PutAndCheck("a");
  const uint64_t second = Replace(leader, via);  // the member that replaced it, again
  EXPECT_GT(second, first);
  PutAndCheck("b");
  std::set<uint64_t> expected = {1, 2, 3};
  expected.erase(leader);
  expected.insert(second);
  ExpectMembersEverywhere(expected);
}

TEST_F(Membership, BadRequestsGetClearErrors) {
  Start(3);
  auto stub = ClusterStub(1);
  pb::MemberRemoveRequest remove;
  remove.set_id(99);
  pb::MemberRemoveResponse removed;
  grpc::Status s =
      Retry([&](grpc::ClientContext& c) { return stub->MemberRemove(&c, remove, &removed); });
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << s.error_message();
  pb::MemberAddResponse added;
  for (const std::string url : {"", "127.0.0.1:1", "http://", "http://host", "http://h:x/y"}) {
    pb::MemberAddRequest add;
    if (!url.empty()) add.add_peerurls(url);
    s = Retry([&](grpc::ClientContext& c) { return stub->MemberAdd(&c, add, &added); });
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << url;
  }
  pb::MemberAddRequest taken;
  taken.add_peerurls("http://" + cluster_->address(2));
  s = Retry([&](grpc::ClientContext& c) { return stub->MemberAdd(&c, taken, &added); });
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << s.error_message();
  EXPECT_EQ(MemberIds(1), (std::set<uint64_t>{1, 2, 3}));
  PutAndCheck("still-serving");
}

// Debian's etcdctl 3.4: member list / remove / add, as an operator replaces a member.
TEST_F(Membership, EtcdctlReplacesAMember) {
  SPLITBRAIN_REQUIRE(common::process::FindProgram("etcdctl").has_value(),
                     "etcdctl on PATH (Debian package etcd-client)");
  Start(3);
  // `retry_no_leader`: as an operator would, again while the cluster elects a leader (node 3
  // may have been it): "no leader" means nothing was proposed.
  auto etcdctl = [&](std::vector<std::string> args, bool retry_no_leader = false) {
    std::string endpoints;
    for (const std::string& e : cluster_->endpoints())
      endpoints += (endpoints.empty() ? "" : ",") + e;
    std::vector<std::string> argv = {"etcdctl", "--endpoints=" + endpoints,
                                     "--command-timeout=10s"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto ran = common::process::Run(
        {.argv = argv, .env = {"ETCDCTL_API=3"}, .deadline = milliseconds(30000)});
    CHECK(ran.ok()) << ran.status().message();
    for (int attempt = 0; retry_no_leader && attempt < 50 && !ran->status.ok() &&
                          ran->err.find("no leader") != std::string::npos;
         ++attempt) {
      std::this_thread::sleep_for(milliseconds(100));
      ran = common::process::Run(
          {.argv = argv, .env = {"ETCDCTL_API=3"}, .deadline = milliseconds(30000)});
      CHECK(ran.ok()) << ran.status().message();
    }
    EXPECT_TRUE(ran->status.ok()) << common::process::JoinArgv(args) << ": " << ran->err;
    return ran->out;
  };
  auto list = nlohmann::json::parse(etcdctl({"member", "list", "-w", "json"}));
  ASSERT_EQ(list["members"].size(), 3u);
  char hex[32];
  std::snprintf(hex, sizeof hex, "%llx", 3ULL);
  EXPECT_NE(etcdctl({"member", "remove", hex}).find("removed"), std::string::npos);
  ASSERT_TRUE(cluster_->StopNode(3).ok());
  auto added = nlohmann::json::parse(etcdctl(
      {"member", "add", "n-new", "--peer-urls=http://" + cluster_->address(3), "-w", "json"},
      /*retry_no_leader=*/true));
  const uint64_t id = added["member"]["ID"].get<uint64_t>();
  EXPECT_GT(id, 3u);
  ASSERT_TRUE(cluster_->RejoinNode(3, id).ok());
  ExpectMembersEverywhere({1, 2, id});
  EXPECT_EQ(etcdctl({"put", "k", "v"}), "OK\n");
  EXPECT_EQ(etcdctl({"get", "k"}), "k\nv\n");
  list = nlohmann::json::parse(etcdctl({"member", "list", "-w", "json"}));
  EXPECT_EQ(list["members"].size(), 3u);
}

}  // namespace
}  // namespace refdb
