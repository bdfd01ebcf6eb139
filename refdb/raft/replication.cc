// Log replication (§5.3): proposals, AppendEntries and heartbeats, their responses with fast
// back-off, and commitment (§5.4.2).
#include <algorithm>
#include <utility>

#include "common/check.h"
#include "refdb/raft/node.h"
#include "refdb/raft/quorum.h"

namespace refdb::raft {

using common::Status;

namespace {
// How many AppendEntries one acknowledgement may trigger to a follower that is catching up.
constexpr int kMaxAppendsPerResponse = 8;
}  // namespace

Status Node::HandleProposal(const Message& m) {
  if (lead_transferee_ != kNoNode) {
    return Status::Unavailable("raft node " + std::to_string(id()) + ": leadership transfer to " +
                               std::to_string(lead_transferee_) + " in progress");
  }
  if (!is_member()) return NotLeader("propose (removed from the cluster)");
  if (m.entries.empty()) return Status::InvalidArgument("raft: empty proposal");
  std::vector<Entry> entries = m.entries;
  for (const Entry& e : entries) {
    if (e.type == EntryType::kConfChange) RETURN_IF_ERROR(CheckConfChangeAllowed(e));
  }
  AppendLocal(std::move(entries));
  BroadcastAppend();
  return Status::Ok();
}

void Node::AppendLocal(std::vector<Entry> entries) {
  uint64_t index = log_.last_index();
  bool has_conf_change = false;
  for (Entry& e : entries) {
    e.term = term_;
    e.index = ++index;
    has_conf_change = has_conf_change || e.type == EntryType::kConfChange;
  }
  log_.Append(entries);
  if (has_conf_change) {
    pending_conf_index_ = log_.last_index();
    RecomputeMembers();
  }
  auto self = progress_.find(id());
  if (self != progress_.end()) self->second.MaybeUpdate(log_.last_index());
  if (MaybeCommit()) AfterCommit();
}

bool Node::CommittedInTerm() const { return log_.Term(log_.committed()) == term_; }

// Advances the commit index to the highest index a quorum of voters holds, if allowed.
bool Node::MaybeCommit() {
  if (members_.empty()) return false;
  std::vector<uint64_t> match;
  for (NodeId voter : members_) match.push_back(progress_.at(voter).match);
  const uint64_t index = QuorumIndex(std::move(match), Quorum());
  if (index <= log_.committed()) return false;
  // §5.4.2: count replicas only for an entry of the current term; earlier entries commit
  // indirectly beneath it. Counting earlier ones is Figure 8's lost commit.
  if (!config_.bug_commit_previous_term && log_.Term(index) != term_) return false;
  log_.CommitTo(index);
  return true;
}

// After the leader's commit index advanced.
void Node::AfterCommit() {
  StartReadsAwaitingCommit();
  MaybeStepDownAfterRemoval();
}

bool Node::SendAppend(NodeId to, bool send_if_empty) {
  Progress& pr = progress_.at(to);
  if (pr.IsPaused()) return false;
  const uint64_t prev = pr.next - 1;
  const std::optional<uint64_t> prev_term = log_.Term(prev);
  if (!prev_term) return SendSnapshot(to);  // the follower needs what we compacted
  std::optional<std::vector<Entry>> entries =
      log_.Slice(pr.next, log_.last_index() + 1, config_.max_entries_per_append);
  if (!entries) return SendSnapshot(to);
  if (entries->empty() && !send_if_empty) return false;
  const uint64_t last_sent = entries->empty() ? 0 : entries->back().index;
  Send({.type = MsgType::kAppend,
        .to = to,
        .log_term = *prev_term,
        .index = prev,
        .entries = std::move(*entries),
        .commit = log_.committed()});
  pr.OnAppendSent(last_sent);
  return true;
}

void Node::BroadcastAppend() {
  for (const auto& [peer, pr] : progress_) {
    if (peer != id()) SendAppend(peer, /*send_if_empty=*/true);
  }
}

void Node::BroadcastHeartbeat() {
  for (const auto& [peer, pr] : progress_) {
    if (peer == id()) continue;
    // The follower may not hold our whole committed prefix yet: never tell it more than it
    // holds, or it would commit entries it does not have.
    Send({.type = MsgType::kHeartbeat,
          .to = peer,
          .commit = std::min(pr.match, log_.committed()),
          .read_id = last_read_id_});
  }
}

Status Node::HandleAppend(const Message& m) {
  if (m.index < log_.committed()) {
    // Everything up to our commit index already matches any leader's log.
    Send({.type = MsgType::kAppendResp, .to = m.from, .index = log_.committed()});
    return Status::Ok();
  }
  if (!log_.MatchTerm(m.index, m.log_term)) {
    RejectAppend(m);
    return Status::Ok();
  }
  // Entries we already hold are kept: a delayed, duplicated AppendEntries must not truncate
  // entries a later one appended (and we may have acknowledged). Only a conflict truncates.
  // conflict > m.index >= commit: a committed entry is never overwritten (RaftLog CHECKs it).
  const uint64_t conflict = log_.FindConflict(m.entries);
  if (conflict != 0) {
    log_.Append(
        {m.entries.begin() + static_cast<std::ptrdiff_t>(conflict - m.index - 1), m.entries.end()});
    if (conflict <= conf_index_ ||
        std::any_of(m.entries.begin(), m.entries.end(),
                    [](const Entry& e) { return e.type == EntryType::kConfChange; })) {
      RecomputeMembers();
    }
  }
  const uint64_t last_new = m.index + m.entries.size();
  log_.CommitTo(std::min(m.commit, last_new));
  Send({.type = MsgType::kAppendResp, .to = m.from, .index = last_new});
  return Status::Ok();
}

// Rejects an AppendEntries whose previous entry we lack, with a hint for fast back-off: the
// term we hold at that index and the first index we hold of that term, so the leader can skip
// the whole conflicting term in one round trip instead of one index per round trip.
void Node::RejectAppend(const Message& m) {
  Message resp{.type = MsgType::kAppendResp, .to = m.from, .index = m.index, .reject = true};
  if (m.index > log_.last_index()) {
    resp.conflict_index = log_.last_index() + 1;
  } else {
    // m.index >= commit >= snapshot index, so the term is available.
    const std::optional<uint64_t> term = log_.Term(m.index);
    CHECK(term.has_value()) << "node " << id() << ": no term at " << m.index;
    resp.conflict_term = *term;
    uint64_t first = m.index;
    while (first - 1 > log_.committed() && log_.Term(first - 1) == resp.conflict_term) --first;
    resp.conflict_index = first;
  }
  Send(std::move(resp));
}

void Node::HandleHeartbeat(const Message& m) {
  log_.CommitTo(std::min(m.commit, log_.last_index()));
  Send({.type = MsgType::kHeartbeatResp, .to = m.from, .read_id = m.read_id});
}

Status Node::HandleAppendResponse(const Message& m) {
  Progress& pr = progress_.at(m.from);
  pr.recent_active = true;
  if (m.reject) {
    HandleAppendRejection(m, pr);
    return Status::Ok();
  }
  if (m.index > log_.last_index()) {
    return Violation("follower " + std::to_string(m.from) + " acknowledged index " +
                     std::to_string(m.index) + " past our last " +
                     std::to_string(log_.last_index()));
  }
  const bool was_paused = pr.IsPaused();
  const bool updated = pr.MaybeUpdate(m.index);
  const bool probe_answered = pr.state == ProgressState::kProbe && pr.match == m.index;
  if (!updated && !probe_answered) return Status::Ok();  // stale
  if (pr.state == ProgressState::kProbe) pr.BecomeReplicate();
  if (pr.state == ProgressState::kSnapshot && pr.match >= pr.pending_snapshot) {
    pr.BecomeReplicate();
  }
  if (MaybeCommit()) {
    BroadcastAppend();  // tell everyone the new commit index
    AfterCommit();
    if (role_ != Role::kLeader) return Status::Ok();
  } else if (was_paused) {
    SendAppend(m.from, /*send_if_empty=*/false);
  }
  for (int i = 0; i < kMaxAppendsPerResponse && SendAppend(m.from, false); ++i) {
  }
  MaybeFinishTransfer(m.from);
  return Status::Ok();
}

void Node::HandleAppendRejection(const Message& m, Progress& pr) {
  if (!pr.MaybeDecreaseTo(m.index, NextProbeIndex(m))) return;  // stale
  if (pr.state == ProgressState::kReplicate) pr.BecomeProbe();
  SendAppend(m.from, /*send_if_empty=*/true);
}

// The next index to probe after a rejection: just past our last entry of the follower's
// conflicting term if we have that term (the logs may agree up to there), else the first
// index the follower holds of that term (none of its entries of that term can match ours).
uint64_t Node::NextProbeIndex(const Message& m) const {
  if (m.conflict_term == 0) return m.conflict_index;
  uint64_t index = std::min(m.index, log_.last_index());
  while (index + 1 >= log_.first_index()) {
    const std::optional<uint64_t> term = log_.Term(index);
    if (!term || *term < m.conflict_term) break;
    if (*term == m.conflict_term) return index + 1;
    if (index == 0) break;
    --index;
  }
  return m.conflict_index;
}

void Node::HandleHeartbeatResponse(const Message& m) {
  Progress& pr = progress_.at(m.from);
  pr.recent_active = true;
  // A heartbeat answer unpauses a probe, and shows a snapshot in flight was lost if it is
  // still unacknowledged: probe again (which resends the snapshot if still needed).
  if (pr.state == ProgressState::kSnapshot) pr.BecomeProbe();
  pr.probe_sent = false;
  if (pr.match < log_.last_index()) SendAppend(m.from, /*send_if_empty=*/true);
  AckReads(m.from, m.read_id);
}

}  // namespace refdb::raft
