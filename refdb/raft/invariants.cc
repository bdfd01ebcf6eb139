#include "refdb/raft/invariants.h"

#include <algorithm>

#include "common/check.h"

namespace refdb::raft {
namespace {

void CheckLog(const Node& node) {
  const RaftLog& log = node.log();
  const uint64_t id = node.id();
  CHECK(log.applied() <= log.committed())
      << "node " << id << ": applied " << log.applied() << " > commit " << log.committed();
  CHECK(log.committed() <= log.last_index())
      << "node " << id << ": commit " << log.committed() << " > last " << log.last_index();
  CHECK(log.first_index() <= log.committed() + 1)
      << "node " << id << ": snapshot " << log.first_index() - 1 << " > commit " << log.committed();
  CHECK(log.last_term() <= node.term())
      << "node " << id << ": last log term " << log.last_term() << " > term " << node.term();
  const std::vector<Entry>& unstable = log.unstable_entries();
  for (size_t i = 0; i < unstable.size(); ++i) {
    CHECK(i == 0 || (unstable[i].index == unstable[i - 1].index + 1 &&
                     unstable[i].term >= unstable[i - 1].term))
        << "node " << id << ": unstable entries out of order at " << unstable[i].index;
  }
}

void CheckLeader(const Node& node) {
  const uint64_t id = node.id();
  CHECK(node.leader() == id) << "node " << id << ": a leader following " << node.leader();
  CHECK(node.vote() == id) << "node " << id << ": a leader that voted for " << node.vote();
  CHECK(node.progress().size() == node.members().size())
      << "node " << id << ": progress for " << node.progress().size() << " of "
      << node.members().size() << " voters";
  for (const auto& [peer, pr] : node.progress()) {
    CHECK(std::binary_search(node.members().begin(), node.members().end(), peer))
        << "node " << id << ": progress for non-voter " << peer;
    CHECK(pr.match < pr.next) << "node " << id << ": peer " << peer << " match " << pr.match
                              << " >= next " << pr.next;
    CHECK(pr.next <= node.last_index() + 1)
        << "node " << id << ": peer " << peer << " next " << pr.next << " past the log";
  }
  if (node.is_member()) {
    const Progress& self = node.progress().at(id);
    CHECK(self.match == node.last_index())
        << "node " << id << ": own match " << self.match << " != last " << node.last_index();
  }
  CHECK(node.pending_conf_index() <= node.last_index())
      << "node " << id << ": pending membership change past the log";
}

void CheckNotLeader(const Node& node) {
  const uint64_t id = node.id();
  CHECK(node.progress().empty()) << "node " << id << ": a non-leader tracking progress";
  CHECK(node.lead_transferee() == kNoNode) << "node " << id << ": a non-leader transferring";
  CHECK(node.leader() != id) << "node " << id << ": follows itself but is not leader";
  if (node.role() == Role::kCandidate) {
    CHECK(node.vote() == id) << "node " << id << ": a candidate that voted for " << node.vote();
  }
}

}  // namespace

void CheckInvariants(const Node& node) {
  CheckLog(node);
  CHECK(std::is_sorted(node.members().begin(), node.members().end()) &&
        std::adjacent_find(node.members().begin(), node.members().end()) == node.members().end())
      << "node " << node.id() << ": members not sorted and unique";
  if (node.is_leader()) {
    CheckLeader(node);
  } else {
    CheckNotLeader(node);
  }
}

}  // namespace refdb::raft
