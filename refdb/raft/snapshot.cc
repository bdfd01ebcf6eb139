// InstallSnapshot (§7): a follower whose next entry the leader compacted away receives the
// leader's snapshot instead; it answers with an AppendEntries response.
#include "common/check.h"
#include "refdb/raft/node.h"

namespace refdb::raft {

bool Node::SendSnapshot(NodeId to) {
  const Snapshot& snapshot = log_.snapshot();
  CHECK(!snapshot.empty()) << "node " << id() << ": entries before " << log_.first_index()
                           << " are gone but there is no snapshot";
  Send({.type = MsgType::kSnapshot, .to = to, .snapshot = snapshot});
  progress_.at(to).BecomeSnapshot(snapshot.index);
  return true;
}

void Node::HandleSnapshot(const Message& m) {
  const Snapshot& snapshot = *m.snapshot;
  if (snapshot.index <= log_.committed()) {
    // Stale: we already hold everything it covers.
    Send({.type = MsgType::kAppendResp, .to = m.from, .index = log_.committed()});
    return;
  }
  if (log_.MatchTerm(snapshot.index, snapshot.term)) {
    // We hold its last entry, hence (log matching) every entry it covers: just commit.
    // Entries after it may still conflict, so acknowledge only the snapshot's index.
    log_.CommitTo(snapshot.index);
    Send({.type = MsgType::kAppendResp, .to = m.from, .index = snapshot.index});
    return;
  }
  log_.Restore(snapshot);
  SetMembers(snapshot.members, 0);
  Send({.type = MsgType::kAppendResp, .to = m.from, .index = log_.last_index()});
}

}  // namespace refdb::raft
