// etcd's KV and Maintenance services (Lease: etcd_lease_service.cc; Cluster:
// etcd_cluster_service.cc).
#include "refdb/server/etcd_services.h"

#include <utility>

#include "refdb/server/grpc_status.h"
#include "refdb/server/pending_call.h"

namespace refdb::server {

namespace pb = etcdserverpb;
using commandpb::Command;
using commandpb::CommandResult;

namespace {

// FNV-1a 64 over the bytes.
uint64_t Fnv(std::string_view bytes, uint64_t h = 0xcbf29ce484222325ULL) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

grpc::Status EtcdErrorStatus(const commandpb::EtcdError& e) {
  return {static_cast<grpc::StatusCode>(e.code()), e.message()};
}

grpc::ServerUnaryReactor* Refuse(grpc::CallbackServerContext* context, grpc::Status status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(std::move(status));
  return reactor;
}

// Relays a KV call to the leader; `invoke` starts it on the stub's async interface.
template <typename Request, typename Response, typename Invoke>
grpc::ServerUnaryReactor* Relay(EtcdForwarder& forwarder, const std::string& leader,
                                grpc::CallbackServerContext* context, const Request* request,
                                Response* response, Invoke invoke) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  // Held by the callback: the client context lives until the relayed call is done.
  std::shared_ptr<grpc::ClientContext> relay = EtcdForwarder::RelayContext(*context);
  invoke(forwarder.StubsFor(leader).kv->async(), relay.get(), request, response,
         [reactor, relay](const grpc::Status& status) { reactor->Finish(status); });
  return reactor;
}

}  // namespace

grpc::Status EtcdLoopFailure(grpc::ServerContextBase& context, const Driver& driver, ReplyCode code,
                             const std::string& message) {
  const statuspb::StatusResponse s = driver.status();
  if (code == ReplyCode::kNotLeader && s.leader_id() == 0) {
    return {grpc::StatusCode::UNAVAILABLE, "etcdserver: no leader"};
  }
  return ReplyToGrpcStatus(context, code, message, s.node_id(), s.leader_id(), s.leader_address());
}

EtcdIdentity EtcdIdentity::From(const ServerOptions& options) {
  EtcdIdentity identity{.member_id = options.id, .addresses = options.peers};
  identity.addresses[options.id] = options.listen_address;
  uint64_t h = Fnv("refdb");
  for (const auto& [id, address] : identity.addresses) {
    h = Fnv(std::to_string(id) + "=" + address + ",", h);
  }
  identity.cluster_id = h;
  return identity;
}

void EtcdIdentity::Fill(const statuspb::StatusResponse& status, int64_t revision,
                        pb::ResponseHeader& header) const {
  header.set_cluster_id(cluster_id);
  header.set_member_id(member_id);
  header.set_raft_term(status.term());
  header.set_revision(revision);
}

grpc::ServerUnaryReactor* EtcdKvService::Range(grpc::CallbackServerContext* context,
                                               const pb::RangeRequest* request,
                                               pb::RangeResponse* response) {
  if (auto e = KvStateMachine::Validate(*request); e.code() != 0) {
    return Refuse(context, EtcdErrorStatus(e));
  }
  if (auto leader = request->serializable() ? std::nullopt : forwarder_->Target(*context)) {
    return Relay(*forwarder_, *leader, context, request, response,
                 [](auto* kv, auto* c, auto* req, auto* resp, auto done) {
                   kv->Range(c, req, resp, std::move(done));
                 });
  }
  auto* call = new PendingCall<ReadReply>(
      *context, [this, context, response](std::optional<ReadReply> r) -> grpc::Status {
        if (!r) return {grpc::StatusCode::DEADLINE_EXCEEDED, "read did not complete in time"};
        if (r->code != ReplyCode::kOk)
          return EtcdLoopFailure(*context, *driver_, r->code, r->message);
        if (r->etcd_error.code() != 0) return EtcdErrorStatus(r->etcd_error);
        *response = std::move(r->range);
        identity_.Fill(driver_->status(), response->header().revision(),
                       *response->mutable_header());
        return grpc::Status::OK;
      });
  if (!driver_->Submit(ReadInput{
          .serializable = request->serializable(), .reply = call->reply(), .etcd = *request})) {
    call->reply()->Set({.code = ReplyCode::kRejected, .message = "input queue full"});
  }
  return call;
}

template <typename Response>
grpc::ServerUnaryReactor* EtcdKvService::Write(grpc::CallbackServerContext* context,
                                               Command command, Response* response,
                                               Response* (*pick)(CommandResult&)) {
  auto* call = new PendingCall<WriteReply>(
      *context, [this, context, response, pick](std::optional<WriteReply> r) -> grpc::Status {
        if (!r) return {grpc::StatusCode::DEADLINE_EXCEEDED, "write proposed, outcome unknown"};
        if (r->code != ReplyCode::kOk)
          return EtcdLoopFailure(*context, *driver_, r->code, r->message);
        if (r->result.has_etcd_error()) return EtcdErrorStatus(r->result.etcd_error());
        *response = std::move(*pick(r->result));
        identity_.Fill(driver_->status(), response->header().revision(),
                       *response->mutable_header());
        return grpc::Status::OK;
      });
  if (!driver_->Submit(WriteInput{.command = std::move(command), .reply = call->reply()})) {
    call->reply()->Set({.code = ReplyCode::kRejected, .message = "input queue full"});
  }
  return call;
}

grpc::ServerUnaryReactor* EtcdKvService::Put(grpc::CallbackServerContext* context,
                                             const pb::PutRequest* request,
                                             pb::PutResponse* response) {
  if (auto e = KvStateMachine::Validate(*request); e.code() != 0) {
    return Refuse(context, EtcdErrorStatus(e));
  }
  if (auto leader = forwarder_->Target(*context)) {
    return Relay(*forwarder_, *leader, context, request, response,
                 [](auto* kv, auto* c, auto* req, auto* resp, auto done) {
                   kv->Put(c, req, resp, std::move(done));
                 });
  }
  Command command;
  *command.mutable_etcd_put() = *request;
  return Write<pb::PutResponse>(context, std::move(command), response,
                                [](CommandResult& r) { return r.mutable_etcd_put(); });
}

grpc::ServerUnaryReactor* EtcdKvService::DeleteRange(grpc::CallbackServerContext* context,
                                                     const pb::DeleteRangeRequest* request,
                                                     pb::DeleteRangeResponse* response) {
  if (auto e = KvStateMachine::Validate(*request); e.code() != 0) {
    return Refuse(context, EtcdErrorStatus(e));
  }
  if (auto leader = forwarder_->Target(*context)) {
    return Relay(*forwarder_, *leader, context, request, response,
                 [](auto* kv, auto* c, auto* req, auto* resp, auto done) {
                   kv->DeleteRange(c, req, resp, std::move(done));
                 });
  }
  Command command;
  *command.mutable_etcd_delete_range() = *request;
  return Write<pb::DeleteRangeResponse>(
      context, std::move(command), response,
      [](CommandResult& r) { return r.mutable_etcd_delete_range(); });
}

grpc::ServerUnaryReactor* EtcdKvService::Txn(grpc::CallbackServerContext* context,
                                             const pb::TxnRequest* request,
                                             pb::TxnResponse* response) {
  if (auto e = KvStateMachine::Validate(*request); e.code() != 0) {
    return Refuse(context, EtcdErrorStatus(e));
  }
  if (auto leader = forwarder_->Target(*context)) {
    return Relay(*forwarder_, *leader, context, request, response,
                 [](auto* kv, auto* c, auto* req, auto* resp, auto done) {
                   kv->Txn(c, req, resp, std::move(done));
                 });
  }
  Command command;
  *command.mutable_etcd_txn() = *request;
  return Write<pb::TxnResponse>(context, std::move(command), response,
                                [](CommandResult& r) { return r.mutable_etcd_txn(); });
}

grpc::ServerUnaryReactor* EtcdKvService::Compact(grpc::CallbackServerContext* context,
                                                 const pb::CompactionRequest* request,
                                                 pb::CompactionResponse* response) {
  if (auto leader = forwarder_->Target(*context)) {
    return Relay(*forwarder_, *leader, context, request, response,
                 [](auto* kv, auto* c, auto* req, auto* resp, auto done) {
                   kv->Compact(c, req, resp, std::move(done));
                 });
  }
  auto* call = new PendingCall<ReadReply>(
      *context, [this, context, response](std::optional<ReadReply> r) -> grpc::Status {
        if (!r) return {grpc::StatusCode::DEADLINE_EXCEEDED, "compaction did not complete in time"};
        if (r->code != ReplyCode::kOk) {
          return EtcdLoopFailure(*context, *driver_, r->code, r->message);
        }
        if (r->etcd_error.code() != 0) return EtcdErrorStatus(r->etcd_error);
        *response = std::move(r->compaction);
        identity_.Fill(driver_->status(), response->header().revision(),
                       *response->mutable_header());
        return grpc::Status::OK;
      });
  if (!driver_->Submit(ReadInput{.reply = call->reply(), .etcd = *request})) {
    call->reply()->Set({.code = ReplyCode::kRejected, .message = "input queue full"});
  }
  return call;
}

grpc::Status EtcdMaintenanceService::Status(grpc::ServerContext* /*context*/,
                                            const pb::StatusRequest* /*request*/,
                                            pb::StatusResponse* response) {
  const statuspb::StatusResponse s = driver_->status();
  identity_.Fill(s, s.revision(), *response->mutable_header());
  response->set_version(kEtcdApiVersion);
  response->set_dbsize(s.state_size_bytes());
  response->set_dbsizeinuse(s.state_size_bytes());
  response->set_leader(s.leader_id());
  response->set_raftindex(s.commit_index());
  response->set_raftterm(s.term());
  response->set_raftappliedindex(s.applied_index());
  return grpc::Status::OK;
}

}  // namespace refdb::server
