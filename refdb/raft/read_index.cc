// Linearizable reads through ReadIndex (thesis §6.4):
//   1. the leader must have committed an entry of its term (until then its commit index may
//      lag what an earlier leader committed); requests wait for that;
//   2. it records its commit index as the read index;
//   3. it confirms it is still the leader with a heartbeat round answered by a quorum (a
//      deposed leader cannot collect one: the voters moved to a later term);
//   4. it releases the read: the caller may serve it once its state machine applied the index.
// A follower forwards requests to the leader, which answers with kReadIndexResp.
#include <utility>

#include "common/check.h"
#include "refdb/raft/node.h"
#include "refdb/raft/quorum.h"

namespace refdb::raft {

using common::Status;

Status Node::HandleReadIndex(const Message& m) {
  if (config_.bug_stale_reads) {
    ServeStaleRead(m);
    return Status::Ok();
  }
  if (role_ != Role::kLeader) {
    if (leader_ == kNoNode || m.from != id()) return NotLeader("serve a read");
    Message forward = m;
    forward.to = leader_;
    Send(std::move(forward));
    return Status::Ok();
  }
  if (pending_read_count() >= config_.max_pending_reads) {
    return Status::ResourceExhausted("raft node " + std::to_string(id()) + ": " +
                                     std::to_string(pending_read_count()) + " reads pending");
  }
  if (!CommittedInTerm()) {
    reads_awaiting_commit_.push_back(m);
    return Status::Ok();
  }
  StartRead(m);
  return Status::Ok();
}

// bug_stale_reads: answers from whatever this node last knew was committed, on any node. A
// deposed leader or a lagging follower serves a value that was overwritten long ago.
void Node::ServeStaleRead(const Message& m) {
  read_states_.push_back({.index = log_.committed(), .context = m.context});
}

void Node::StartRead(const Message& m) {
  PendingRead read{
      .id = ++last_read_id_, .index = log_.committed(), .from = m.from, .context = m.context};
  if (is_member()) read.acks.insert(id());
  if (read.acks.size() >= Quorum()) {
    ReleaseRead(read);  // a cluster of one confirms itself
    return;
  }
  pending_reads_.push_back(std::move(read));
  BroadcastHeartbeat();
}

void Node::ReleaseRead(const PendingRead& read) {
  if (read.from == id()) {
    read_states_.push_back({.index = read.index, .context = read.context});
    return;
  }
  Send({.type = MsgType::kReadIndexResp,
        .to = read.from,
        .index = read.index,
        .context = read.context});
}

// A heartbeat answer for round `read_id` confirms every read that round covered. Once a read
// has a quorum, it and every earlier one (confirmed by the same answers) are released.
void Node::AckReads(NodeId from, uint64_t read_id) {
  size_t confirmed = 0;
  for (size_t i = 0; i < pending_reads_.size(); ++i) {
    PendingRead& read = pending_reads_[i];
    if (read.id > read_id) break;
    read.acks.insert(from);
    size_t voters = 0;
    for (NodeId voter : members_) voters += read.acks.count(voter);
    if (voters >= Quorum()) confirmed = i + 1;
  }
  for (size_t i = 0; i < confirmed; ++i) {
    ReleaseRead(pending_reads_.front());
    pending_reads_.pop_front();
  }
}

void Node::StartReadsAwaitingCommit() {
  if (reads_awaiting_commit_.empty() || !CommittedInTerm()) return;
  std::vector<Message> waiting = std::move(reads_awaiting_commit_);
  reads_awaiting_commit_.clear();
  for (const Message& m : waiting) StartRead(m);
}

}  // namespace refdb::raft
