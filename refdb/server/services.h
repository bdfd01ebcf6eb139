// The gRPC services of one refdb node: KV (clients), Peer (other nodes) and Status. They are
// thin: each converts its request to a Driver input, submits it and waits for the reply until
// the call's deadline (at most kMaxWait), then converts back (grpc_status.h). Thread-safe;
// the Driver must outlive them.
#pragma once

#include <chrono>

#include "kv.grpc.pb.h"
#include "peer.grpc.pb.h"
#include "refdb/server/driver.h"
#include "status.grpc.pb.h"

namespace refdb::server {

class KvService final : public kvpb::KV::Service {
 public:
  explicit KvService(Driver& driver) : driver_(&driver) {}

  grpc::Status Get(grpc::ServerContext* context, const kvpb::GetRequest* request,
                   kvpb::GetResponse* response) override;
  grpc::Status Put(grpc::ServerContext* context, const kvpb::PutRequest* request,
                   kvpb::PutResponse* response) override;
  grpc::Status Delete(grpc::ServerContext* context, const kvpb::DeleteRequest* request,
                      kvpb::DeleteResponse* response) override;
  grpc::Status CompareAndSwap(grpc::ServerContext* context,
                              const kvpb::CompareAndSwapRequest* request,
                              kvpb::CompareAndSwapResponse* response) override;
  grpc::Status Txn(grpc::ServerContext* context, const kvpb::TxnRequest* request,
                   kvpb::TxnResponse* response) override;

  static constexpr auto kMaxWait = std::chrono::seconds(30);

 private:
  // Proposes `command` and waits; on success `result` holds the state machine's answer.
  grpc::Status Write(grpc::ServerContext& context, commandpb::Command command,
                     commandpb::CommandResult& result);
  grpc::Status Failure(grpc::ServerContext& context, ReplyCode code, const std::string& message);

  Driver* driver_;
};

class PeerService final : public peerpb::Peer::Service {
 public:
  explicit PeerService(Driver& driver) : driver_(&driver) {}

  grpc::Status Send(grpc::ServerContext* context, const peerpb::MessageBatch* request,
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
