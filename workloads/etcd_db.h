// EtcdDb: the Db adapter for etcd (Debian's etcd-server 3.4, /usr/bin/etcd). One member per
// node, named n<i>, clients on IP:2379 and peers on IP:2380, heartbeat 100 ms and election
// timeout 1000 ms (etcd's defaults, stated so they never drift), pre-vote on (the default from
// etcd 3.5; refdb has it too). Clients speak etcd's gRPC v3 API (refdb/proto/etcd):
//   Read      KV.Range, linearizable; on a failure, on the next member (each at most once)
//   Write     KV.Put
//   Cas       KV.Txn: compare value == expected (absent: create_revision == 0), then Put
//   ReadLocal KV.Range with serializable=true on that one member
// Every request carries etcd's "hasleader" metadata, so a member that knows no leader rejects
// it at once ("etcdserver: no leader") instead of queueing a proposal.
// Classification: ok when etcd answered; fail when the request was certainly not applied (no
// connection could be made, "no leader", "too many requests", a bad request, or any read);
// info when a write was sent and no answer came (deadline, a broken connection, "request timed
// out", "leader changed"): an isolated etcd member was seen answering a put about 2 s after the
// partition healed. A write is retried on the next member only after a definite failure
// (etcd writes carry no request id, so a retry after an unknown could apply twice).
// Status: Maintenance.Status (leader, raftTerm, raftIndex = commit, raftAppliedIndex); etcd's
// member ids are mapped to node numbers through Cluster.MemberList's names (n<i>), cached.
// etcd's raftTerm is the term of the last applied entry, so a just-elected member still reports
// the previous term: it is reported as leader only after naming itself so for 100 ms.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/mutex.h"
#include "workloads/db.h"

namespace workloads {

struct EtcdDbOptions {
  std::filesystem::path binary = "/usr/bin/etcd";
  uint16_t client_port = 2379;
  uint16_t peer_port = 2380;
  std::string token = "splitbrain";  // --initial-cluster-token
  int heartbeat_ms = 100;
  int election_ms = 1000;
  std::string name_prefix = "n";   // member i is <prefix><i>
  std::vector<std::string> extra;  // more flags for every member
};

class EtcdDb final : public Db {
 public:
  explicit EtcdDb(EtcdDbOptions options);
  ~EtcdDb() override;

  std::string name() const override { return "etcd"; }
  // etcd has no bug switches, reports no state digest, keeps no node log, reads time through
  // the vDSO (libfaketime cannot move it), and its status's raftTerm is the last applied
  // entry's term.
  DbTraits traits() const override { return {}; }
  uint16_t port() const override { return options_.client_port; }  // clients; peers: peer_port
  std::vector<std::filesystem::path> Binaries() const override { return {options_.binary}; }
  std::vector<std::string> NodeArgv(const NodeEnv& env) const override;
  common::Result<std::unique_ptr<DbClient>> Connect(const ClientOptions& options) const override;
  // node_id and leader_id are node numbers (1-based); leader_id 0 when the member knows no
  // leader or its id is not (yet) mapped. role: "leader" or "follower" (etcd does not say
  // whether a member is campaigning). etcd's term is that of the last applied entry, which
  // lags a new leader's election by milliseconds, so a member is "leader" only once it has
  // named itself leader for 100 ms (one heartbeat); until then a follower naming itself.
  common::Result<NodeStatus> Status(const std::string& endpoint,
                                    std::chrono::milliseconds deadline) const override;
  std::optional<checker::NodeLog> ReadNodeLog(
      int /*node*/, const std::filesystem::path& /*data_dir*/) const override {
    return std::nullopt;
  }

 private:
  struct StatusChannel;
  std::shared_ptr<StatusChannel> ChannelFor(const std::string& endpoint) const;
  // Each member's id and name, from one member's answer; empty when it did not answer.
  using MemberLister = std::function<std::vector<std::pair<uint64_t, std::string>>()>;
  // The node number of member `id`: cached, else learnt from `list_members`; 0 when it cannot
  // be told.
  int NodeOf(uint64_t id, const MemberLister& list_members) const;

  EtcdDbOptions options_;
  mutable common::Mutex mu_;
  mutable std::map<std::string, std::shared_ptr<StatusChannel>> status_channels_ GUARDED_BY(mu_);
  mutable std::map<uint64_t, int> nodes_ GUARDED_BY(mu_);  // etcd member id -> node number
};

// The client-facing gRPC outcome rules above, exposed for tests: true when a failed write
// certainly did not take effect.
bool EtcdWriteFailureIsDefinite(int grpc_code, const std::string& message);

}  // namespace workloads
