// The Node's side of single-server membership changes (membership.h has the rules).
#include <algorithm>
#include <utility>

#include "common/check.h"
#include "refdb/raft/node.h"

namespace refdb::raft {

using common::Status;

Status Node::ProposeConfChange(const ConfChange& change) {
  ASSIGN_OR_RETURN(std::vector<NodeId> next, ApplyConfChange(members_, change));
  Message m{.type = MsgType::kProp, .from = id()};
  m.entries.push_back(Entry{.type = EntryType::kConfChange, .data = EncodeMembers(next)});
  return Step(m);
}

Status Node::CheckConfChangeAllowed(const Entry& entry) const {
  const std::string self = "raft node " + std::to_string(id()) + ": membership change: ";
  ASSIGN_OR_RETURN(std::vector<NodeId> next, DecodeMembers(entry.data));
  if (!DiffersByOneVoter(members_, next)) {
    return Status::InvalidArgument(self + "\"" + entry.data + "\" does not add or remove " +
                                   "exactly one voter of \"" + EncodeMembers(members_) + "\"");
  }
  if (pending_conf_index_ > log_.committed()) {
    return Status::Unavailable(self + "the change at " + std::to_string(pending_conf_index_) +
                               " is not committed yet");
  }
  if (!CommittedInTerm()) {
    // Without this, a change made by a new leader can overlap one an earlier leader left
    // uncommitted, and two disjoint majorities may elect two leaders in one term.
    return Status::Unavailable(self + "no entry of term " + std::to_string(term_) +
                               " is committed yet");
  }
  return Status::Ok();
}

bool Node::is_member() const { return std::binary_search(members_.begin(), members_.end(), id()); }

bool Node::IsPromotable() const { return is_member(); }

std::vector<NodeId> Node::MembersAt(uint64_t index) const {
  const uint64_t first = log_.first_index();
  CHECK(index + 1 >= first && index <= log_.last_index())
      << "node " << id() << ": membership at " << index << " outside the log";
  std::optional<std::vector<Entry>> entries = log_.Slice(first, index + 1, index + 1);
  CHECK(entries.has_value()) << "node " << id() << ": log from " << first << " is gone";
  for (auto it = entries->rbegin(); it != entries->rend(); ++it) {
    if (it->type != EntryType::kConfChange) continue;
    common::Result<std::vector<NodeId>> members = DecodeMembers(it->data);
    CHECK(members.ok()) << "node " << id() << ": entry " << it->index << ": "
                        << members.status().message();
    return *std::move(members);
  }
  if (!log_.snapshot().empty()) return log_.snapshot().members;
  std::vector<NodeId> peers = config_.peers;
  std::sort(peers.begin(), peers.end());
  return peers;
}

// Members from the latest configuration entry in the log, else the snapshot's, else the
// bootstrap peers. Called when the log gains or loses a configuration entry.
void Node::RecomputeMembers() {
  const uint64_t last = log_.last_index();
  uint64_t conf_index = 0;
  std::optional<std::vector<Entry>> entries = log_.Slice(log_.first_index(), last + 1, last + 1);
  CHECK(entries.has_value()) << "node " << id() << ": log unreadable";
  for (auto it = entries->rbegin(); it != entries->rend(); ++it) {
    if (it->type == EntryType::kConfChange) {
      conf_index = it->index;
      break;
    }
  }
  SetMembers(MembersAt(last), conf_index);
}

void Node::SetMembers(std::vector<NodeId> members, uint64_t conf_index) {
  members_ = std::move(members);
  conf_index_ = conf_index;
  if (role_ == Role::kLeader) SyncProgressWithMembers();
}

void Node::SyncProgressWithMembers() {
  for (auto it = progress_.begin(); it != progress_.end();) {
    it = std::binary_search(members_.begin(), members_.end(), it->first) ? std::next(it)
                                                                         : progress_.erase(it);
  }
  for (NodeId voter : members_) {
    if (progress_.count(voter) != 0) continue;
    Progress pr{.next = log_.last_index() + 1};
    if (voter == id()) {
      pr.match = log_.last_index();
      pr.BecomeReplicate();
      pr.recent_active = true;
    }
    progress_.emplace(voter, pr);
  }
}

// Thesis §4.2.2: a leader that removed itself manages the cluster until the change commits,
// then steps down so the remaining voters elect a leader among themselves.
void Node::MaybeStepDownAfterRemoval() {
  if (role_ == Role::kLeader && !is_member() && log_.committed() >= conf_index_) {
    BecomeFollower(term_, kNoNode);
  }
}

}  // namespace refdb::raft
