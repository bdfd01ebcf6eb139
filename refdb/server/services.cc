#include "refdb/server/services.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "refdb/server/grpc_status.h"
#include "refdb/server/message_codec.h"

namespace refdb::server {

namespace {

std::chrono::steady_clock::time_point WaitDeadline(const grpc::ServerContext& context) {
  const auto now_system = std::chrono::system_clock::now();
  const auto left = std::min<std::chrono::system_clock::duration>(context.deadline() - now_system,
                                                                  KvService::kMaxWait);
  return std::chrono::steady_clock::now() + left;
}

}  // namespace

grpc::Status KvService::Failure(grpc::ServerContext& context, ReplyCode code,
                                const std::string& message) {
  const statuspb::StatusResponse s = driver_->status();
  return ReplyToGrpcStatus(context, code, message, s.node_id(), s.leader_id(), s.leader_address());
}

grpc::Status KvService::Get(grpc::ServerContext* context, const kvpb::GetRequest* request,
                            kvpb::GetResponse* response) {
  auto reply = std::make_shared<Reply<ReadReply>>();
  if (!driver_->Submit(ReadInput{
          .key = request->key(), .serializable = request->serializable(), .reply = reply})) {
    return Failure(*context, ReplyCode::kRejected, "input queue full");
  }
  std::optional<ReadReply> r = reply->WaitUntil(WaitDeadline(*context));
  if (!r) return {grpc::StatusCode::DEADLINE_EXCEEDED, "read did not complete in time"};
  if (r->code != ReplyCode::kOk) return Failure(*context, r->code, r->message);
  *response = std::move(r->response);
  return grpc::Status::OK;
}

grpc::Status KvService::Write(grpc::ServerContext& context, commandpb::Command command,
                              commandpb::CommandResult& result) {
  auto reply = std::make_shared<Reply<WriteReply>>();
  if (!driver_->Submit(WriteInput{.command = std::move(command), .reply = reply})) {
    return Failure(context, ReplyCode::kRejected, "input queue full");
  }
  std::optional<WriteReply> r = reply->WaitUntil(WaitDeadline(context));
  if (!r) return {grpc::StatusCode::DEADLINE_EXCEEDED, "write proposed, outcome unknown"};
  if (r->code != ReplyCode::kOk) return Failure(context, r->code, r->message);
  result = std::move(r->result);
  return grpc::Status::OK;
}

grpc::Status KvService::Put(grpc::ServerContext* context, const kvpb::PutRequest* request,
                            kvpb::PutResponse* response) {
  commandpb::Command command;
  *command.mutable_write_id() = request->write_id();
  *command.mutable_put() = *request;
  commandpb::CommandResult result;
  grpc::Status status = Write(*context, std::move(command), result);
  if (status.ok()) *response = result.put();
  return status;
}

grpc::Status KvService::Delete(grpc::ServerContext* context, const kvpb::DeleteRequest* request,
                               kvpb::DeleteResponse* response) {
  commandpb::Command command;
  *command.mutable_write_id() = request->write_id();
  *command.mutable_del() = *request;
  commandpb::CommandResult result;
  grpc::Status status = Write(*context, std::move(command), result);
  if (status.ok()) *response = result.del();
  return status;
}

grpc::Status KvService::CompareAndSwap(grpc::ServerContext* context,
                                       const kvpb::CompareAndSwapRequest* request,
                                       kvpb::CompareAndSwapResponse* response) {
  if (request->expected_case() == kvpb::CompareAndSwapRequest::EXPECTED_NOT_SET ||
      (request->has_expected_absent() && !request->expected_absent())) {
    return {grpc::StatusCode::INVALID_ARGUMENT,
            "compare-and-swap needs expected_value or expected_absent = true"};
  }
  commandpb::Command command;
  *command.mutable_write_id() = request->write_id();
  *command.mutable_cas() = *request;
  commandpb::CommandResult result;
  grpc::Status status = Write(*context, std::move(command), result);
  if (status.ok()) *response = result.cas();
  return status;
}

grpc::Status KvService::Txn(grpc::ServerContext* context, const kvpb::TxnRequest* request,
                            kvpb::TxnResponse* response) {
  commandpb::Command command;
  *command.mutable_write_id() = request->write_id();
  *command.mutable_txn() = *request;
  commandpb::CommandResult result;
  grpc::Status status = Write(*context, std::move(command), result);
  if (status.ok()) *response = result.txn();
  return status;
}

grpc::Status PeerService::Send(grpc::ServerContext* /*context*/,
                               const peerpb::MessageBatch* request, peerpb::Ack* /*response*/) {
  for (const peerpb::Message& p : request->messages()) {
    common::Result<raft::Message> m = FromProto(p);
    if (!m.ok()) return ToGrpcStatus(m.status());
    // A full queue drops the message: Raft retransmits.
    (void)driver_->Submit(PeerInput{.message = std::move(m).value()});
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
  return grpc::Status::OK;
}

}  // namespace refdb::server
