// SafetyChecker: the cluster-wide Raft safety properties, checked after every step (§5.2, §5.3,
// §5.4 of the Raft paper, Figure 3), each in O(new work) rather than O(whole log):
//   - election safety: at most one leader per term over the whole run (a term -> leader map);
//   - log matching: two entries with the same index and term hold the same command and follow
//     the same previous term (a registry of (index, term) -> (previous term, command); by
//     induction this makes the logs identical up to that index);
//   - commit agreement and monotonic commit: every index any node ever committed has one term,
//     and a node's commit index never goes back while it is up;
//   - leader completeness: a new leader's log holds every entry committed so far;
//   - state-machine safety: no two nodes apply different entries at one index, and the
//     replicas' states right after applying one index agree (digest of the pairs, revision).
// Each check returns the first violation it sees as a sentence, or nullopt. Not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "refdb/raft/log_store.h"
#include "refdb/raft/node.h"

namespace refdb::sim {

using raft::NodeId;
using Violation = std::optional<std::string>;

// What a replica's state machine holds right after applying an index.
struct AppliedState {
  uint64_t digest = 0;
  int64_t revision = 0;
  bool operator==(const AppliedState&) const = default;
};

class SafetyChecker {
 public:
  explicit SafetyChecker(size_t nodes);

  // After any step of `node`: CheckInvariants, election safety, monotonic commit, commit
  // agreement, and leader completeness when it is a leader seen for the first time.
  Violation AfterStep(const raft::Node& node);
  // The shell persisted `entries`; `store` now holds them.
  Violation OnPersisted(NodeId id, const raft::LogStore& store,
                        const std::vector<raft::Entry>& entries);
  Violation OnApplied(NodeId id, const raft::Entry& entry, const AppliedState& state);
  // A node (re)opened over its durable state: its commit index may restart lower.
  void OnRestart(NodeId id, uint64_t commit);

  size_t leaders_elected() const { return leader_of_term_.size(); }

 private:
  struct Registered {
    uint64_t prev_term = 0;
    size_t command_hash = 0;
  };

  Violation CheckElection(const raft::Node& node);
  Violation CheckCommit(const raft::Node& node);
  Violation CheckLeaderCompleteness(const raft::Node& node) const;

  std::map<uint64_t, NodeId> leader_of_term_;
  std::map<std::pair<uint64_t, uint64_t>, Registered> entries_;  // (index, term) -> entry
  std::vector<uint64_t> committed_terms_;  // [index] -> term, 0 while unknown; [0] unused
  std::vector<uint64_t> checked_commit_;   // [node id] -> commit index checked so far
  struct Applied {
    uint64_t term = 0;  // 0: nothing applied there yet
    size_t command_hash = 0;
    AppliedState state;
  };
  std::vector<Applied> applied_;  // [index]: the first application seen
};

}  // namespace refdb::sim
