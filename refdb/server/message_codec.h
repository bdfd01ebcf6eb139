// Converts the Raft core's plain messages (refdb/raft/message.h) to and from the peer .proto,
// field by field. Pure functions; thread-safe.
#pragma once

#include "common/status.h"
#include "peer.pb.h"
#include "refdb/raft/message.h"

namespace refdb::server {

// The snapshot's data is copied into `snapshot_data` only when `with_snapshot_data`; the peer
// transport streams it separately.
peerpb::Message ToProto(const raft::Message& m, bool with_snapshot_data);
// InvalidArgument for an unknown message or entry type.
common::Result<raft::Message> FromProto(const peerpb::Message& p);

}  // namespace refdb::server
