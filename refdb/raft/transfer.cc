// Leadership transfer (thesis §3.10): the leader stops accepting proposals, brings the target
// up to date, then sends it TimeoutNow; the target campaigns at once, and its vote requests
// override the leader lease. Abandoned after an election timeout (see TickHeartbeat).
#include "refdb/raft/node.h"

namespace refdb::raft {

using common::Status;

Status Node::HandleTransferLeader(const Message& m) {
  if (role_ != Role::kLeader) {
    if (leader_ == kNoNode || m.from != id()) return NotLeader("transfer leadership");
    Message forward = m;
    forward.to = leader_;
    Send(std::move(forward));
    return Status::Ok();
  }
  const NodeId target = m.transferee;
  if (progress_.find(target) == progress_.end()) {
    return Status::InvalidArgument("raft node " + std::to_string(id()) +
                                   ": cannot transfer leadership to " + std::to_string(target) +
                                   ": not a voter");
  }
  if (target == id() || target == lead_transferee_) return Status::Ok();
  lead_transferee_ = target;
  election_elapsed_ = 0;  // the transfer has one election timeout to finish
  if (progress_.at(target).match == log_.last_index()) {
    SendTimeoutNow(target);
  } else {
    SendAppend(target, /*send_if_empty=*/true);
  }
  return Status::Ok();
}

void Node::SendTimeoutNow(NodeId to) { Send({.type = MsgType::kTimeoutNow, .to = to}); }

void Node::MaybeFinishTransfer(NodeId from) {
  if (from == lead_transferee_ && progress_.at(from).match == log_.last_index()) {
    SendTimeoutNow(from);
  }
}

}  // namespace refdb::raft
