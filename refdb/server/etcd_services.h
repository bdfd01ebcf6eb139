// etcd's v3 API on refdb's client port, beside refdb's own KV service in the same gRPC server,
// so etcd's clients (etcdctl 3.4, splitbrain's etcd adapter) drive refdb unchanged:
//   KV           Range, Put, DeleteRange, Txn, Compact (callback API, like KvService)
//   Lease        LeaseGrant, LeaseRevoke, LeaseKeepAlive (a bidi stream), LeaseTimeToLive,
//                LeaseLeases (sync: an open keep-alive stream holds one handler thread)
//   Maintenance  Status (this node's view: version, leader, raft index and term, db size)
//   Cluster      MemberList (members named n<id>, URLs http://<address>), MemberAdd, MemberRemove
//                (etcd_cluster_service.cc: single-server configuration changes through Raft)
// Writes (Put, DeleteRange, Txn, LeaseGrant, LeaseRevoke) are Commands through Raft, as refdb's
// own; reads (Range, LeaseTimeToLive, LeaseLeases) are linearizable through ReadIndex like
// refdb's Get, and a Range with serializable=true is served from this node's applied state.
// Only the leader serves them: a follower relays KV and Lease calls to the leader it knows
// (etcd_forwarder.h); with no leader known it answers UNAVAILABLE "etcdserver: no leader", as
// etcd does (EtcdLoopFailure). Bad requests are INVALID_ARGUMENT before
// anything is proposed; errors the state machine decides (a missing lease) carry etcd's codes.
// Every response header has cluster_id (a hash of the member list), member_id (the refdb node
// id), raft_term (as of the loop's last iteration) and the store revision the answer saw.
// Thread-safe; the Driver must outlive them.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "etcd_rpc.grpc.pb.h"
#include "refdb/server/driver.h"
#include "refdb/server/etcd_forwarder.h"
#include "refdb/server/server_options.h"

namespace refdb::server {

// Who answers: the same on every node of a cluster except member_id.
struct EtcdIdentity {
  uint64_t cluster_id = 0;
  uint64_t member_id = 0;
  std::map<uint64_t, std::string> addresses;  // every member, this node included

  static EtcdIdentity From(const ServerOptions& options);
  void Fill(const statuspb::StatusResponse& status, int64_t revision,
            etcdserverpb::ResponseHeader& header) const;
};

// The status of a call the loop did not answer with kOk. As etcd answers: UNAVAILABLE
// "etcdserver: no leader" when this node knows no leader (nothing was proposed; etcd clients
// retry reads on it), otherwise as refdb's own API (grpc_status.h; "not leader" is
// FAILED_PRECONDITION with the leader in trailing metadata).
grpc::Status EtcdLoopFailure(grpc::ServerContextBase& context, const Driver& driver, ReplyCode code,
                             const std::string& message);

// The version Maintenance.Status reports: the etcd API level refdb speaks, marked as refdb.
inline constexpr char kEtcdApiVersion[] = "3.4.0-refdb";

class EtcdKvService final : public etcdserverpb::KV::CallbackService {
 public:
  EtcdKvService(Driver& driver, EtcdIdentity identity, EtcdForwarder& forwarder)
      : driver_(&driver), identity_(std::move(identity)), forwarder_(&forwarder) {}

  grpc::ServerUnaryReactor* Range(grpc::CallbackServerContext* context,
                                  const etcdserverpb::RangeRequest* request,
                                  etcdserverpb::RangeResponse* response) override;
  grpc::ServerUnaryReactor* Put(grpc::CallbackServerContext* context,
                                const etcdserverpb::PutRequest* request,
                                etcdserverpb::PutResponse* response) override;
  grpc::ServerUnaryReactor* DeleteRange(grpc::CallbackServerContext* context,
                                        const etcdserverpb::DeleteRangeRequest* request,
                                        etcdserverpb::DeleteRangeResponse* response) override;
  grpc::ServerUnaryReactor* Txn(grpc::CallbackServerContext* context,
                                const etcdserverpb::TxnRequest* request,
                                etcdserverpb::TxnResponse* response) override;
  // A no-op on any revision up to the current one (refdb keeps only the newest); a future
  // revision is OUT_OF_RANGE. Served like a linearizable read, so a revision just written counts.
  grpc::ServerUnaryReactor* Compact(grpc::CallbackServerContext* context,
                                    const etcdserverpb::CompactionRequest* request,
                                    etcdserverpb::CompactionResponse* response) override;

 private:
  // Proposes `command`; `pick` names the part of the state machine's answer that becomes the
  // call's response (its header is filled in here).
  template <typename Response>
  grpc::ServerUnaryReactor* Write(grpc::CallbackServerContext* context, commandpb::Command command,
                                  Response* response, Response* (*pick)(commandpb::CommandResult&));

  Driver* driver_;
  EtcdIdentity identity_;
  EtcdForwarder* forwarder_;
};

class EtcdLeaseService final : public etcdserverpb::Lease::Service {
 public:
  EtcdLeaseService(Driver& driver, EtcdIdentity identity, EtcdForwarder& forwarder)
      : driver_(&driver), identity_(std::move(identity)), forwarder_(&forwarder) {}

  grpc::Status LeaseGrant(grpc::ServerContext* context,
                          const etcdserverpb::LeaseGrantRequest* request,
                          etcdserverpb::LeaseGrantResponse* response) override;
  grpc::Status LeaseRevoke(grpc::ServerContext* context,
                           const etcdserverpb::LeaseRevokeRequest* request,
                           etcdserverpb::LeaseRevokeResponse* response) override;
  grpc::Status LeaseKeepAlive(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<etcdserverpb::LeaseKeepAliveResponse,
                               etcdserverpb::LeaseKeepAliveRequest>* stream) override;
  grpc::Status LeaseTimeToLive(grpc::ServerContext* context,
                               const etcdserverpb::LeaseTimeToLiveRequest* request,
                               etcdserverpb::LeaseTimeToLiveResponse* response) override;
  grpc::Status LeaseLeases(grpc::ServerContext* context,
                           const etcdserverpb::LeaseLeasesRequest* request,
                           etcdserverpb::LeaseLeasesResponse* response) override;

 private:
  grpc::Status WaitForWrite(grpc::ServerContext& context, commandpb::Command command,
                            commandpb::CommandResult& result);
  grpc::Status WaitForRead(grpc::ServerContext& context, EtcdRead read, ReadReply& reply);
  grpc::Status RelayKeepAlive(
      grpc::ServerContext& context, const std::string& leader,
      grpc::ServerReaderWriter<etcdserverpb::LeaseKeepAliveResponse,
                               etcdserverpb::LeaseKeepAliveRequest>& stream);

  Driver* driver_;
  EtcdIdentity identity_;
  EtcdForwarder* forwarder_;
};

class EtcdMaintenanceService final : public etcdserverpb::Maintenance::Service {
 public:
  EtcdMaintenanceService(Driver& driver, EtcdIdentity identity)
      : driver_(&driver), identity_(std::move(identity)) {}

  grpc::Status Status(grpc::ServerContext* context, const etcdserverpb::StatusRequest* request,
                      etcdserverpb::StatusResponse* response) override;

 private:
  Driver* driver_;
  EtcdIdentity identity_;
};

class EtcdClusterService final : public etcdserverpb::Cluster::Service {
 public:
  EtcdClusterService(Driver& driver, EtcdIdentity identity, EtcdForwarder& forwarder)
      : driver_(&driver), identity_(std::move(identity)), forwarder_(&forwarder) {}

  grpc::Status MemberList(grpc::ServerContext* context,
                          const etcdserverpb::MemberListRequest* request,
                          etcdserverpb::MemberListResponse* response) override;
  // One peer URL, http://HOST:PORT; no learners. The leader records the address through the
  // log (the state machine picks a new id, never one given before), then adds the voter and
  // answers once that configuration entry is applied. The new node starts with --join.
  grpc::Status MemberAdd(grpc::ServerContext* context,
                         const etcdserverpb::MemberAddRequest* request,
                         etcdserverpb::MemberAddResponse* response) override;
  // NOT_FOUND for an id that is not a voter; answered once the change is applied.
  grpc::Status MemberRemove(grpc::ServerContext* context,
                            const etcdserverpb::MemberRemoveRequest* request,
                            etcdserverpb::MemberRemoveResponse* response) override;

 private:
  grpc::Status WaitForWrite(grpc::ServerContext& context, Input input,
                            const std::shared_ptr<Reply<WriteReply>>& reply, WriteReply& result);
  void FillMembers(google::protobuf::RepeatedPtrField<etcdserverpb::Member>& members,
                   etcdserverpb::ResponseHeader& header);

  Driver* driver_;
  EtcdIdentity identity_;
  EtcdForwarder* forwarder_;
};

}  // namespace refdb::server
