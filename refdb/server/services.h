// The gRPC services of one refdb node: KV (clients), Peer (other nodes) and Status. They are
// thin: each converts its request to a Driver input and submits it, then converts the reply
// back (grpc_status.h). KV uses gRPC's callback API: no thread waits for the loop; the call
// is finished by the loop's answer, or at the call's deadline (at most kMaxWait), whichever
// comes first. Thread-safe; the Driver must outlive them.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "kv.grpc.pb.h"
#include "peer.grpc.pb.h"
#include "refdb/server/driver.h"
#include "refdb/server/pending_call.h"
#include "status.grpc.pb.h"

namespace refdb::server {

class KvService final : public kvpb::KV::CallbackService {
 public:
  explicit KvService(Driver& driver) : driver_(&driver) {}

  grpc::ServerUnaryReactor* Get(grpc::CallbackServerContext* context,
                                const kvpb::GetRequest* request,
                                kvpb::GetResponse* response) override;
  grpc::ServerUnaryReactor* Put(grpc::CallbackServerContext* context,
                                const kvpb::PutRequest* request,
                                kvpb::PutResponse* response) override;
  grpc::ServerUnaryReactor* Delete(grpc::CallbackServerContext* context,
                                   const kvpb::DeleteRequest* request,
                                   kvpb::DeleteResponse* response) override;
  grpc::ServerUnaryReactor* CompareAndSwap(grpc::CallbackServerContext* context,
                                           const kvpb::CompareAndSwapRequest* request,
                                           kvpb::CompareAndSwapResponse* response) override;
  grpc::ServerUnaryReactor* Txn(grpc::CallbackServerContext* context,
                                const kvpb::TxnRequest* request,
                                kvpb::TxnResponse* response) override;

  static constexpr auto kMaxWait = kMaxCallWait;

 private:
  // Proposes `command`; on success `fill_response` copies the state machine's answer into the
  // call's response.
  grpc::ServerUnaryReactor* Write(grpc::CallbackServerContext* context, commandpb::Command command,
                                  std::function<void(commandpb::CommandResult&)> fill_response);
  grpc::Status Failure(grpc::ServerContextBase& context, ReplyCode code,
                       const std::string& message);

  Driver* driver_;
};

class PeerService final : public peerpb::Peer::Service {
 public:
  explicit PeerService(Driver& driver) : driver_(&driver) {}

  grpc::Status Send(grpc::ServerContext* context, const peerpb::MessageBatch* request,
                    peerpb::Ack* response) override;
  grpc::Status Stream(grpc::ServerContext* context,
                      grpc::ServerReader<peerpb::MessageBatch>* reader,
                      peerpb::Ack* response) override;
  grpc::Status InstallSnapshot(grpc::ServerContext* context,
                               grpc::ServerReader<peerpb::SnapshotChunk>* reader,
                               peerpb::Ack* response) override;

 private:
  Driver* driver_;
};

class StatusService final : public statuspb::Status::Service {
 public:
  explicit StatusService(Driver& driver) : driver_(&driver) {}

  grpc::Status GetStatus(grpc::ServerContext* context, const statuspb::StatusRequest* request,
                         statuspb::StatusResponse* response) override;

 private:
  Driver* driver_;
};

}  // namespace refdb::server
