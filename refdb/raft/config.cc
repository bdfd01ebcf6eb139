#include "refdb/raft/config.h"

#include <algorithm>
#include <string>

namespace refdb::raft {

common::Status Config::Validate() const {
  const std::string self = "raft config of node " + std::to_string(id) + ": ";
  if (id == kNoNode) return common::Status::InvalidArgument(self + "id must not be 0");
  if (heartbeat_timeout_ticks <= 0) {
    return common::Status::InvalidArgument(self + "heartbeat_timeout_ticks must be positive");
  }
  if (election_timeout_ticks <= heartbeat_timeout_ticks) {
    return common::Status::InvalidArgument(
        self + "election_timeout_ticks must exceed heartbeat_timeout_ticks");
  }
  if (max_entries_per_append == 0 || max_pending_reads == 0) {
    return common::Status::InvalidArgument(self + "max_* limits must be positive");
  }
  std::vector<NodeId> sorted = peers;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    return common::Status::InvalidArgument(self + "peers lists a node twice");
  }
  if (!sorted.empty() && sorted.front() == kNoNode) {
    return common::Status::InvalidArgument(self + "peers lists node 0");
  }
  return common::Status::Ok();
}

}  // namespace refdb::raft
