#include "refdb/server/services.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <utility>

#include "refdb/server/grpc_status.h"
#include "refdb/server/message_codec.h"
#include "refdb/server/pending_call.h"

namespace refdb::server {

grpc::Status KvService::Failure(grpc::ServerContextBase& context, ReplyCode code,
                                const std::string& message) {
  const statuspb::StatusResponse s = driver_->status();
  return ReplyToGrpcStatus(context, code, message, s.node_id(), s.leader_id(), s.leader_address());
}

grpc::ServerUnaryReactor* KvService::Get(grpc::CallbackServerContext* context,
                                         const kvpb::GetRequest* request,
                                         kvpb::GetResponse* response) {
  auto* call = new PendingCall<ReadReply>(
      *context, [this, context, response](std::optional<ReadReply> r) -> grpc::Status {
        if (!r) return {grpc::StatusCode::DEADLINE_EXCEEDED, "read did not complete in time"};
        if (r->code != ReplyCode::kOk) return Failure(*context, r->code, r->message);
        *response = std::move(r->response);
        return grpc::Status::OK;
      });
  if (!driver_->Submit(ReadInput{.key = request->key(),
                                 .serializable = request->serializable(),
                                 .reply = call->reply()})) {
    call->reply()->Set({.code = ReplyCode::kRejected, .message = "input queue full"});
  }
  return call;
}

grpc::ServerUnaryReactor* KvService::Write(
    grpc::CallbackServerContext* context, commandpb::Command command,
    std::function<void(commandpb::CommandResult&)> fill_response) {
  auto* call = new PendingCall<WriteReply>(
      *context,
      [this, context,
       fill = std::move(fill_response)](std::optional<WriteReply> r) -> grpc::Status {
        if (!r) return {grpc::StatusCode::DEADLINE_EXCEEDED, "write proposed, outcome unknown"};
        if (r->code != ReplyCode::kOk) return Failure(*context, r->code, r->message);
        fill(r->result);
        return grpc::Status::OK;
      });
  if (!driver_->Submit(WriteInput{.command = std::move(command), .reply = call->reply()})) {
    call->reply()->Set({.code = ReplyCode::kRejected, .message = "input queue full"});
  }
  return call;
}

grpc::ServerUnaryReactor* KvService::Put(grpc::CallbackServerContext* context,
                                         const kvpb::PutRequest* request,
                                         kvpb::PutResponse* response) {
  commandpb::Command command;
  *command.mutable_write_id() = request->write_id();
  *command.mutable_put() = *request;
  return Write(context, std::move(command),
               [response](commandpb::CommandResult& r) { *response = r.put(); });
}

grpc::ServerUnaryReactor* KvService::Delete(grpc::CallbackServerContext* context,
                                            const kvpb::DeleteRequest* request,
                                            kvpb::DeleteResponse* response) {
  commandpb::Command command;
  *command.mutable_write_id() = request->write_id();
  *command.mutable_del() = *request;
  return Write(context, std::move(command),
               [response](commandpb::CommandResult& r) { *response = r.del(); });
}

grpc::ServerUnaryReactor* KvService::CompareAndSwap(grpc::CallbackServerContext* context,
                                                    const kvpb::CompareAndSwapRequest* request,
                                                    kvpb::CompareAndSwapResponse* response) {
  if (request->expected_case() == kvpb::CompareAndSwapRequest::EXPECTED_NOT_SET ||
      (request->has_expected_absent() && !request->expected_absent())) {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish({grpc::StatusCode::INVALID_ARGUMENT,
                     "compare-and-swap needs expected_value or expected_absent = true"});
    return reactor;
  }
  commandpb::Command command;
  *command.mutable_write_id() = request->write_id();
  *command.mutable_cas() = *request;
  return Write(context, std::move(command),
               [response](commandpb::CommandResult& r) { *response = r.cas(); });
}

grpc::ServerUnaryReactor* KvService::Txn(grpc::CallbackServerContext* context,
                                         const kvpb::TxnRequest* request,
                                         kvpb::TxnResponse* response) {
  commandpb::Command command;
  *command.mutable_write_id() = request->write_id();
  *command.mutable_txn() = *request;
  return Write(context, std::move(command),
               [response](commandpb::CommandResult& r) { *response = r.txn(); });
}

namespace {

// Queues every message of `batch` for the loop, in order.
grpc::Status SubmitBatch(Driver& driver, const peerpb::MessageBatch& batch) {
  for (const peerpb::Message& p : batch.messages()) {
    common::Result<raft::Message> m = FromProto(p);
    if (!m.ok()) return ToGrpcStatus(m.status());
    // A full queue drops the message: Raft retransmits.
    (void)driver.Submit(PeerInput{.message = std::move(m).value()});
  }
  return grpc::Status::OK;
}

}  // namespace

grpc::Status PeerService::Send(grpc::ServerContext* /*context*/,
                               const peerpb::MessageBatch* request, peerpb::Ack* /*response*/) {
  return SubmitBatch(*driver_, *request);
}

grpc::Status PeerService::Stream(grpc::ServerContext* /*context*/,
                                 grpc::ServerReader<peerpb::MessageBatch>* reader,
                                 peerpb::Ack* /*response*/) {
  peerpb::MessageBatch batch;
  while (reader->Read(&batch)) {
    grpc::Status status = SubmitBatch(*driver_, batch);
    if (!status.ok()) return status;
  }
  return grpc::Status::OK;
}

grpc::Status PeerService::InstallSnapshot(grpc::ServerContext* /*context*/,
                                          grpc::ServerReader<peerpb::SnapshotChunk>* reader,
                                          peerpb::Ack* /*response*/) {
  peerpb::SnapshotChunk chunk;
  peerpb::Message header;
  std::string data;
  bool has_header = false;
  while (reader->Read(&chunk)) {
    if (chunk.has_header()) {
      header = chunk.header();
      has_header = true;
    }
    data += chunk.data();
  }
  if (!has_header || !header.has_snapshot()) {
    return {grpc::StatusCode::INVALID_ARGUMENT, "snapshot stream without a snapshot message"};
  }
  header.set_snapshot_data(std::move(data));
  common::Result<raft::Message> m = FromProto(header);
  if (!m.ok()) return ToGrpcStatus(m.status());
  if (!driver_->Submit(PeerInput{.message = std::move(m).value()})) {
    return {grpc::StatusCode::RESOURCE_EXHAUSTED, "input queue full"};
  }
  return grpc::Status::OK;
}

grpc::Status StatusService::GetStatus(grpc::ServerContext* /*context*/,
                                      const statuspb::StatusRequest* /*request*/,
                                      statuspb::StatusResponse* response) {
  *response = driver_->status();
  response->set_wall_time_ns(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count());
  return grpc::Status::OK;
}

}  // namespace refdb::server
