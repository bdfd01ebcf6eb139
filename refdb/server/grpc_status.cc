#include "refdb/server/grpc_status.h"

namespace refdb::server {

using common::Status;
using common::StatusCode;

grpc::Status ToGrpcStatus(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return grpc::Status::OK;
    case StatusCode::kInvalidArgument:
      return {grpc::StatusCode::INVALID_ARGUMENT, status.message()};
    case StatusCode::kNotFound:
      return {grpc::StatusCode::NOT_FOUND, status.message()};
    case StatusCode::kResourceExhausted:
      return {grpc::StatusCode::RESOURCE_EXHAUSTED, status.message()};
    case StatusCode::kDeadlineExceeded:
      return {grpc::StatusCode::DEADLINE_EXCEEDED, status.message()};
    case StatusCode::kUnavailable:
      return {grpc::StatusCode::FAILED_PRECONDITION, status.message()};
    case StatusCode::kIoError:
    case StatusCode::kInternal:
      return {grpc::StatusCode::INTERNAL, status.message()};
  }
  return {grpc::StatusCode::INTERNAL, status.message()};
}

Status FromGrpcStatus(const grpc::Status& status) {
  const std::string& m = status.error_message();
  switch (status.error_code()) {
    case grpc::StatusCode::OK:
      return Status::Ok();
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::OUT_OF_RANGE:
      return Status::InvalidArgument(m);
    case grpc::StatusCode::NOT_FOUND:
      return Status::NotFound(m);
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return Status::ResourceExhausted(m);
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return Status::DeadlineExceeded(m);
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::ABORTED:
    case grpc::StatusCode::UNAVAILABLE:
      return Status::Unavailable(m);
    default:
      return Status::Internal(m);
  }
}

grpc::Status NotLeaderStatus(grpc::ServerContextBase& context, uint64_t node_id, uint64_t leader_id,
                             const std::string& leader_address) {
  std::string message = "node " + std::to_string(node_id) + " is not the leader";
  if (leader_id != 0) {
    context.AddTrailingMetadata(kLeaderIdKey, std::to_string(leader_id));
    context.AddTrailingMetadata(kLeaderAddressKey, leader_address);
    message += "; leader is " + std::to_string(leader_id) + " at " + leader_address;
  } else {
    message += "; leader unknown";
  }
  return {grpc::StatusCode::FAILED_PRECONDITION, message};
}

grpc::Status ReplyToGrpcStatus(grpc::ServerContextBase& context, ReplyCode code,
                               const std::string& message, uint64_t node_id, uint64_t leader_id,
                               const std::string& leader_address) {
  switch (code) {
    case ReplyCode::kOk:
      return grpc::Status::OK;
    case ReplyCode::kNotLeader:
      return NotLeaderStatus(context, node_id, leader_id, leader_address);
    case ReplyCode::kRejected:
      return {grpc::StatusCode::RESOURCE_EXHAUSTED, message};
    case ReplyCode::kAborted:
      return {grpc::StatusCode::ABORTED, message};
    case ReplyCode::kUnknown:
      return {grpc::StatusCode::UNKNOWN, message};
    case ReplyCode::kSessionExpired:
      context.AddTrailingMetadata(kSessionExpiredKey, "1");
      return {grpc::StatusCode::ABORTED, message};
  }
  return {grpc::StatusCode::UNKNOWN, message};
}

}  // namespace refdb::server
