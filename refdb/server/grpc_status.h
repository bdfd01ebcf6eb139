// The one place where refdb converts between its common::Status and grpc::Status, one function
// per direction (STYLE.md §3), plus the "not leader" answer, whose trailing metadata names the
// leader so a client can redirect.
//
// Codes, server side (what a client may conclude is in refdb/client/client.h):
//   InvalidArgument   -> INVALID_ARGUMENT     bad request, nothing proposed
//   NotFound          -> NOT_FOUND
//   ResourceExhausted -> RESOURCE_EXHAUSTED   a queue or table is full, nothing proposed
//   DeadlineExceeded  -> DEADLINE_EXCEEDED    the answer did not come in time: outcome unknown
//   Unavailable       -> FAILED_PRECONDITION  this node cannot do it now (not the leader);
//                                             nothing proposed
//   Internal, IoError -> INTERNAL
// ABORTED (definitely not applied) and UNKNOWN (may or may not have been applied) are built
// directly by the server; FromGrpcStatus maps them to kUnavailable and kInternal.
#pragma once

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <string>

#include "common/status.h"
#include "refdb/server/reply.h"

namespace refdb::server {

inline constexpr char kLeaderIdKey[] = "refdb-leader-id";
inline constexpr char kLeaderAddressKey[] = "refdb-leader-address";
// Trailing metadata of an ABORTED write refused because its client's session expired.
inline constexpr char kSessionExpiredKey[] = "refdb-session-expired";

grpc::Status ToGrpcStatus(const common::Status& status);
common::Status FromGrpcStatus(const grpc::Status& status);

// FAILED_PRECONDITION "not leader"; adds the leader hint to `context`'s trailing metadata
// when `leader_id` is known (non-zero).
grpc::Status NotLeaderStatus(grpc::ServerContextBase& context, uint64_t node_id, uint64_t leader_id,
                             const std::string& leader_address);

// The wire status of a reply the server loop gave (kOk -> OK, kNotLeader -> NotLeaderStatus,
// kRejected -> RESOURCE_EXHAUSTED, kAborted -> ABORTED, kUnknown -> UNKNOWN, kSessionExpired ->
// ABORTED with the trailer kSessionExpiredKey).
grpc::Status ReplyToGrpcStatus(grpc::ServerContextBase& context, ReplyCode code,
                               const std::string& message, uint64_t node_id, uint64_t leader_id,
                               const std::string& leader_address);

}  // namespace refdb::server
