#include "refdb/sim/safety_checker.h"

#include <functional>

#include "refdb/raft/invariants.h"

namespace refdb::sim {
namespace {

size_t HashEntry(const raft::Entry& e) {
  return std::hash<std::string>{}(e.data) * 31 + static_cast<size_t>(e.type);
}

std::string Node(NodeId id) { return "node " + std::to_string(id); }
std::string Str(uint64_t v) { return std::to_string(v); }

}  // namespace

SafetyChecker::SafetyChecker(size_t nodes) : committed_terms_(1, 0), checked_commit_(nodes + 1) {}

Violation SafetyChecker::AfterStep(const raft::Node& node) {
  raft::CheckInvariants(node);
  if (Violation v = CheckElection(node)) return v;
  return CheckCommit(node);
}

Violation SafetyChecker::CheckElection(const raft::Node& node) {
  if (!node.is_leader()) return std::nullopt;
  auto [it, inserted] = leader_of_term_.emplace(node.term(), node.id());
  if (!inserted) {
    if (it->second == node.id()) return std::nullopt;
    return "election safety: two leaders in term " + Str(node.term()) + ": " + Node(it->second) +
           " and " + Node(node.id());
  }
  return CheckLeaderCompleteness(node);
}

// §5.4: every entry committed so far is in the new leader's log (entries it compacted are in
// its snapshot, which only ever holds committed entries).
Violation SafetyChecker::CheckLeaderCompleteness(const raft::Node& node) const {
  const raft::RaftLog& log = node.log();
  for (uint64_t index = log.first_index() - 1; index < committed_terms_.size(); ++index) {
    const uint64_t term = committed_terms_[index];
    if (term == 0) continue;
    const std::optional<uint64_t> held = log.Term(index);
    if (!held || *held != term) {
      return "leader completeness: " + Node(node.id()) + ", leader of term " + Str(node.term()) +
             ", lacks committed entry " + Str(index) + "/t" + Str(term) +
             (held ? " (holds t" + Str(*held) + ")"
                   : " (log ends at " + Str(log.last_index()) + ")");
    }
  }
  return std::nullopt;
}

Violation SafetyChecker::CheckCommit(const raft::Node& node) {
  uint64_t& checked = checked_commit_.at(node.id());
  const uint64_t commit = node.commit_index();
  if (commit < checked) {
    return "monotonic commit: " + Node(node.id()) + " commit index went from " + Str(checked) +
           " back to " + Str(commit);
  }
  for (uint64_t index = checked + 1; index <= commit; ++index) {
    const std::optional<uint64_t> term = node.log().Term(index);
    if (index >= committed_terms_.size()) committed_terms_.resize(index + 1, 0);
    if (!term) continue;  // compacted on this node: already checked when it committed
    uint64_t& known = committed_terms_[index];
    if (known != 0 && known != *term) {
      return "commit agreement: index " + Str(index) + " committed with term " + Str(known) +
             " elsewhere and with term " + Str(*term) + " on " + Node(node.id());
    }
    known = *term;
  }
  checked = commit;
  return std::nullopt;
}

Violation SafetyChecker::OnPersisted(NodeId id, const raft::LogStore& store,
                                     const std::vector<raft::Entry>& entries) {
  uint64_t prev_term = store.Term(entries.front().index - 1);
  for (const raft::Entry& e : entries) {
    const Registered entry{.prev_term = prev_term, .command_hash = HashEntry(e)};
    auto [it, inserted] = entries_.emplace(std::make_pair(e.index, e.term), entry);
    if (!inserted && (it->second.prev_term != entry.prev_term ||
                      it->second.command_hash != entry.command_hash)) {
      return "log matching: " + Node(id) + " holds entry " + Str(e.index) + "/t" + Str(e.term) +
             " with a different command or previous term than another node";
    }
    prev_term = e.term;
  }
  return std::nullopt;
}

Violation SafetyChecker::OnApplied(NodeId id, const raft::Entry& entry, const AppliedState& state) {
  if (entry.index >= applied_.size()) applied_.resize(entry.index + 1);
  Applied& first = applied_[entry.index];
  const size_t entry_hash = HashEntry(entry);
  if (first.term == 0) {
    first = {.term = entry.term, .command_hash = entry_hash, .state = state};
    return std::nullopt;
  }
  if (first.term != entry.term || first.command_hash != entry_hash) {
    return "state-machine safety: " + Node(id) + " applied " + raft::Describe(entry) +
           " at index " + Str(entry.index) + ", another node applied an entry of term " +
           Str(first.term) + " there";
  }
  if (first.state == state) return std::nullopt;
  return "state-machine safety: after applying index " + Str(entry.index) + ", " + Node(id) +
         " holds revision " + std::to_string(state.revision) + " digest " + Str(state.digest) +
         ", another node held revision " + std::to_string(first.state.revision) + " digest " +
         Str(first.state.digest);
}

void SafetyChecker::OnRestart(NodeId id, uint64_t commit) { checked_commit_.at(id) = commit; }

}  // namespace refdb::sim
