// etcd's v3 API on a real 3-node refdb cluster, driven by Debian's own etcdctl 3.4 (package
// etcd-client) as a user would: argument vectors, ETCDCTL_API=3, outputs asserted. Without
// etcdctl the tests skip, and fail under CI=true (common/testing/prerequisite.h). Malformed
// requests go through etcd's gRPC stubs (refdb/proto/etcd), which etcdctl cannot send.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "common/check.h"
#include "common/process/run.h"
#include "common/testing/prerequisite.h"
#include "etcd_rpc.grpc.pb.h"
#include "refdb/server/testing/local_cluster.h"

namespace refdb {
namespace {

using common::process::RunOutput;
using std::chrono::milliseconds;
using Json = nlohmann::json;

constexpr milliseconds kElectionDeadline{10000};

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : ",") + p;
  return out;
}

class Etcdctl : public ::testing::Test {
 protected:
  void SetUp() override {
    const bool has_etcdctl = common::process::FindProgram("etcdctl").has_value();
    SPLITBRAIN_REQUIRE(has_etcdctl, "etcdctl on PATH (Debian package etcd-client)");
    auto cluster = testing::LocalCluster::Start(
        {.binary = REFDB_BINARY, .nodes = 3, .extra_flags = ExtraFlags()});
    ASSERT_TRUE(cluster.ok()) << cluster.status().message();
    cluster_ = std::move(cluster).value();
    auto leader = cluster_->WaitForLeader(kElectionDeadline);
    ASSERT_TRUE(leader.ok()) << leader.status().message();
    leader_ = *leader;
    // Until a follower has heard from the leader it cannot relay (it answers "no leader").
    const auto deadline = std::chrono::steady_clock::now() + kElectionDeadline;
    for (int node = 1; node <= cluster_->size(); ++node) {
      while (std::chrono::steady_clock::now() < deadline) {
        auto s = cluster_->Status(node);
        if (s.ok() && s->leader_id() == static_cast<uint64_t>(leader_)) break;
        std::this_thread::sleep_for(milliseconds(10));
      }
    }
  }

  virtual std::vector<std::string> ExtraFlags() const { return {}; }

  // Runs etcdctl against `endpoints` (default: every node), `input` on its stdin.
  RunOutput Run(std::vector<std::string> args, const std::string& input = "",
                std::vector<std::string> endpoints = {}) {
    if (endpoints.empty()) endpoints = cluster_->endpoints();
    std::vector<std::string> argv = {"etcdctl", "--endpoints=" + Join(endpoints),
                                     "--command-timeout=10s"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto ran = common::process::Run(
        {.argv = argv, .env = {"ETCDCTL_API=3"}, .input = input, .deadline = milliseconds(30000)});
    CHECK(ran.ok()) << ran.status().message();
    return std::move(ran).value();
  }

  // Runs etcdctl and expects exit 0; returns its stdout.
  std::string Ok(std::vector<std::string> args, const std::string& input = "",
                 std::vector<std::string> endpoints = {}) {
    RunOutput out = Run(args, input, std::move(endpoints));
    EXPECT_TRUE(out.status.ok()) << common::process::JoinArgv(args) << ": " << out.status.Describe()
                                 << "\n"
                                 << out.err;
    return out.out;
  }

  Json OkJson(std::vector<std::string> args) {
    args.push_back("-w");
    args.push_back("json");
    Json j = Json::parse(Ok(args), nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(j.is_discarded()) << common::process::JoinArgv(args);
    return j;
  }

  std::unique_ptr<testing::LocalCluster> cluster_;
  int leader_ = 0;
};

TEST_F(Etcdctl, PutGetAndDeleteWithRevisions) {
  EXPECT_EQ(Ok({"put", "foo", "bar"}), "OK\n");
  EXPECT_EQ(Ok({"get", "foo"}), "foo\nbar\n");
  EXPECT_EQ(Ok({"put", "foo", "baz", "--prev-kv"}), "OK\nfoo\nbar\n");
  const Json got = OkJson({"get", "foo"});
  ASSERT_EQ(got["kvs"].size(), 1u);
  EXPECT_EQ(got["kvs"][0]["version"], 2);
  EXPECT_EQ(got["kvs"][0]["create_revision"].get<int64_t>() + 1,
            got["kvs"][0]["mod_revision"].get<int64_t>());
  EXPECT_EQ(got["header"]["revision"], got["kvs"][0]["mod_revision"]);
  Ok({"put", "dir/a", "1"});
  Ok({"put", "dir/b", "2"});
  Ok({"put", "dirt", "3"});
  EXPECT_EQ(Ok({"get", "dir/", "--prefix"}), "dir/a\n1\ndir/b\n2\n");
  EXPECT_EQ(Ok({"get", "dir/", "--prefix", "--keys-only", "--limit=1"}), "dir/a\n\n");
  EXPECT_EQ(Ok({"del", "dir/", "--prefix"}), "2\n");
  EXPECT_EQ(Ok({"get", "dir/", "--prefix"}), "");
  EXPECT_EQ(Ok({"del", "foo", "--prev-kv"}), "1\nfoo\nbaz\n");
  EXPECT_EQ(Ok({"get", "foo"}), "");
  // Compaction (Kubernetes compacts every few minutes) is a no-op up to the current revision.
  const int64_t revision = OkJson({"get", "dirt"})["header"]["revision"].get<int64_t>();
  EXPECT_EQ(Ok({"compaction", std::to_string(revision)}),
            "compacted revision " + std::to_string(revision) + "\n");
  EXPECT_FALSE(Run({"compaction", std::to_string(revision + 100)}).status.ok());
  // Only the newest revision is kept: an older one is refused, clearly.
  const RunOutput old = Run({"get", "dirt", "--rev=2"});
  EXPECT_FALSE(old.status.ok());
  EXPECT_NE(old.err.find("required revision has been compacted"), std::string::npos) << old.err;
}

TEST_F(Etcdctl, TxnRunsTheBranchItsComparesChoose) {
  Ok({"put", "k", "v1"});
  const std::string txn =
      "value(\"k\") = \"v1\"\n"
      "version(\"k\") = \"1\"\n"
      "mod(\"k\") > \"0\"\n"
      "create(\"k\") < \"1000\"\n"
      "\n"
      "put k v2\n"
      "get k\n"
      "\n"
      "put k failed\n"
      "\n";
  EXPECT_EQ(Ok({"txn"}, txn), "SUCCESS\n\nOK\n\nk\nv2\n");
  // Now the value is v2 and the version 2: the failure branch runs.
  EXPECT_EQ(Ok({"txn"}, txn), "FAILURE\n\nOK\n");
  EXPECT_EQ(Ok({"get", "k", "--print-value-only"}), "failed\n");
  // A create-if-absent, as Kubernetes writes a new object.
  const std::string create = "create(\"new\") = \"0\"\n\nput new fresh\n\nget new\n\n";
  EXPECT_EQ(Ok({"txn"}, create), "SUCCESS\n\nOK\n");
  EXPECT_EQ(Ok({"txn"}, create), "FAILURE\n\nnew\nfresh\n");
  EXPECT_EQ(Ok({"txn"}, "value(\"k\") != \"x\"\n\ndel k\n\n\n"), "SUCCESS\n\n1\n");
}

TEST_F(Etcdctl, LeaseGrantPutRevokeDeletesTheKeys) {
  const std::string granted = Ok({"lease", "grant", "100"});
  // "lease 694d7a2b5c1e3f09 granted with TTL(100s)"
  ASSERT_EQ(granted.rfind("lease ", 0), 0u) << granted;
  const std::string id = granted.substr(6, granted.find(' ', 6) - 6);
  EXPECT_NE(granted.find("granted with TTL(100s)"), std::string::npos) << granted;
  Ok({"put", "leased", "v", "--lease=" + id});
  Ok({"put", "kept", "v"});
  const std::string ttl = Ok({"lease", "timetolive", id, "--keys"});
  EXPECT_NE(ttl.find("attached keys([leased])"), std::string::npos) << ttl;
  EXPECT_EQ(Ok({"lease", "keep-alive", "--once", id}),
            "lease " + id + " keepalived with TTL(100)\n");
  EXPECT_EQ(Ok({"lease", "revoke", id}), "lease " + id + " revoked\n");
  EXPECT_EQ(Ok({"get", "leased"}), "");
  EXPECT_EQ(Ok({"get", "kept", "--print-value-only"}), "v\n");
  EXPECT_FALSE(Run({"put", "x", "y", "--lease=" + id}).status.ok());  // gone
}

TEST_F(Etcdctl, ExpiredLeaseIsRevokedOnEveryReplica) {
  const std::string granted = Ok({"lease", "grant", "1"});
  const std::string id = granted.substr(6, granted.find(' ', 6) - 6);
  Ok({"put", "ephemeral", "v", "--lease=" + id});
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  for (int node = 1; node <= cluster_->size(); ++node) {
    // Each replica's own state (serializable reads): the leader's revoke reached it.
    std::string out;
    do {
      out = Ok({"get", "ephemeral", "--consistency=s"}, "", {cluster_->address(node)});
      if (out.empty()) break;
      std::this_thread::sleep_for(milliseconds(100));
    } while (std::chrono::steady_clock::now() < deadline);
    EXPECT_EQ(out, "") << "node " << node << " still has the key of an expired lease";
  }
  EXPECT_EQ(Ok({"lease", "timetolive", id}), "lease " + id + " already expired\n");
}

// The lease clock moves with the leadership: the new leader gives the lease a full TTL (the
// key outlives the old leader), then expires it itself, on every replica still running.
TEST_F(Etcdctl, LeaseOutlivesTheLeaderThatGrantedItThenExpires) {
  const std::string granted = Ok({"lease", "grant", "5"});
  const std::string id = granted.substr(6, granted.find(' ', 6) - 6);
  Ok({"put", "survivor", "v", "--lease=" + id});
  ASSERT_TRUE(cluster_->KillNode(leader_).ok());
  auto next = cluster_->WaitForLeader(kElectionDeadline);
  ASSERT_TRUE(next.ok()) << next.status().message();
  const std::vector<std::string> new_leader = {cluster_->address(*next)};
  EXPECT_EQ(Ok({"get", "survivor", "--print-value-only"}, "", new_leader), "v\n");
  const std::string ttl = Ok({"lease", "timetolive", id}, "", new_leader);
  EXPECT_NE(ttl.find("granted with TTL(5s)"), std::string::npos) << ttl;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::string out = "v\n";
  while (!out.empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(200));
    out = Ok({"get", "survivor", "--print-value-only"}, "", new_leader);
  }
  EXPECT_EQ(out, "") << "the new leader never expired the lease";
}

TEST_F(Etcdctl, EndpointStatusNamesOneLeaderForEveryNode) {
  const Json status = OkJson({"endpoint", "status"});
  ASSERT_EQ(status.size(), 3u) << status.dump();
  for (const Json& s : status) {
    EXPECT_EQ(s["Status"]["leader"], leader_) << s.dump();
    EXPECT_EQ(s["Status"]["version"], "3.4.0-refdb");
    EXPECT_GE(s["Status"]["raftTerm"].get<uint64_t>(), 1u);
    EXPECT_EQ(s["Status"]["header"]["cluster_id"], status[0]["Status"]["header"]["cluster_id"]);
  }
  const std::string table = Ok({"endpoint", "status", "-w", "table"});
  EXPECT_NE(table.find("3.4.0-refdb"), std::string::npos) << table;
  const std::string members = Ok({"member", "list"});
  EXPECT_NE(members.find(", started, n" + std::to_string(leader_) + ", http://"), std::string::npos)
      << members;
}

TEST_F(Etcdctl, EveryNodeServesThroughTheLeader) {
  for (int node = 1; node <= cluster_->size(); ++node) {
    const std::vector<std::string> one = {cluster_->address(node)};
    const std::string n = std::to_string(node);
    EXPECT_EQ(Ok({"put", "from" + n, "v" + n}, "", one), "OK\n") << "node " << node;
    EXPECT_EQ(Ok({"get", "from" + n, "--print-value-only"}, "", one), "v" + n + "\n");
    EXPECT_EQ(
        Ok({"txn"}, "value(\"from" + n + "\") = \"v" + n + "\"\n\ndel from" + n + "\n\n\n", one),
        "SUCCESS\n\n1\n");
    const std::string granted = Ok({"lease", "grant", "30"}, "", one);
    const std::string id = granted.substr(6, granted.find(' ', 6) - 6);
    EXPECT_EQ(Ok({"lease", "keep-alive", "--once", id}, "", one),
              "lease " + id + " keepalived with TTL(30)\n");
    EXPECT_EQ(Ok({"lease", "revoke", id}, "", one), "lease " + id + " revoked\n");
  }
}

// Snapshots every 10 applied entries, so a follower that was down catches up by one.
class EtcdctlWithSnapshots : public Etcdctl {
 protected:
  std::vector<std::string> ExtraFlags() const override { return {"--snapshot-threshold", "10"}; }
};

TEST_F(EtcdctlWithSnapshots, FollowerRestoredFromASnapshotHoldsTheSameRevisionsAndLeases) {
  const int follower = leader_ % cluster_->size() + 1;
  ASSERT_TRUE(cluster_->StopNode(follower).ok());
  const std::vector<std::string> leader = {cluster_->address(leader_)};
  const std::string granted = Ok({"lease", "grant", "300"}, "", leader);
  const std::string id = granted.substr(6, granted.find(' ', 6) - 6);
  for (int i = 0; i < 30; ++i) {
    Ok({"put", "s" + std::to_string(i % 5), "v" + std::to_string(i)}, "", leader);
  }
  Ok({"put", "leased", "x", "--lease=" + id}, "", leader);
  Ok({"del", "s4"}, "", leader);
  ASSERT_TRUE(cluster_->StartNode(follower).ok());
  auto leader_status = cluster_->Status(leader_);
  ASSERT_TRUE(leader_status.ok());
  ASSERT_TRUE(
      cluster_->WaitForApplied(leader_status->commit_index(), std::chrono::seconds(15)).ok());
  auto follower_status = cluster_->Status(follower);
  ASSERT_TRUE(follower_status.ok());
  EXPECT_GT(follower_status->snapshot_index(), 0u) << "the follower caught up without a snapshot";
  const std::vector<std::string> everything = {"get", "",     "--prefix",
                                               "-w",  "json", "--consistency=s"};
  const Json on_leader = Json::parse(Ok(everything, "", leader), nullptr, false);
  const Json on_follower =
      Json::parse(Ok(everything, "", {cluster_->address(follower)}), nullptr, false);
  EXPECT_EQ(on_follower["kvs"], on_leader["kvs"]);
  EXPECT_EQ(on_follower["header"]["revision"], on_leader["header"]["revision"]);
  EXPECT_EQ(on_leader["kvs"].size(), 5u);  // s0..s3 and leased
  // The lease came with the snapshot: revoking it deletes its key on the restored follower too.
  EXPECT_EQ(Ok({"lease", "revoke", id}, "", leader), "lease " + id + " revoked\n");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::string out;
  do {
    out = Ok({"get", "leased", "--consistency=s"}, "", {cluster_->address(follower)});
  } while (!out.empty() && std::chrono::steady_clock::now() < deadline);
  EXPECT_EQ(out, "");
}

// What etcdctl cannot send: requests a careless client might.
TEST_F(Etcdctl, MalformedRequestsGetClearErrorsAndTheNodeStaysUp) {
  auto channel =
      grpc::CreateChannel(cluster_->address(leader_), grpc::InsecureChannelCredentials());
  auto kv = etcdserverpb::KV::NewStub(channel);
  auto call = [&](const etcdserverpb::TxnRequest& txn) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    etcdserverpb::TxnResponse response;
    return kv->Txn(&context, txn, &response);
  };
  etcdserverpb::TxnRequest unknown_target;
  etcdserverpb::Compare& c = *unknown_target.add_compare();
  c.set_key("k");
  c.set_target(static_cast<etcdserverpb::Compare::CompareTarget>(9));
  c.set_version(1);
  grpc::Status s = call(unknown_target);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("unknown compare target"), std::string::npos);
  etcdserverpb::TxnRequest wrong_type;
  etcdserverpb::Compare& w = *wrong_type.add_compare();
  w.set_key("k");
  w.set_target(etcdserverpb::Compare::MOD);
  w.set_value("not a revision");
  s = call(wrong_type);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("needs a MOD operand"), std::string::npos) << s.error_message();
  // The whole key space, from the empty key's successor on: answered, not a crash.
  grpc::ClientContext context;
  etcdserverpb::RangeRequest everything;
  everything.set_key(std::string(1, '\0'));
  everything.set_range_end(std::string(1, '\0'));
  everything.set_limit(1);
  etcdserverpb::RangeResponse range;
  EXPECT_TRUE(kv->Range(&context, everything, &range).ok());
  EXPECT_EQ(Ok({"endpoint", "health"}).find("unhealthy"), std::string::npos);
}

}  // namespace
}  // namespace refdb
