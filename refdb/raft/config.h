// Config: everything a Node is told when it opens. Plain value; Validate() before use.
//
// Timeouts count Tick() calls: the core has no clock. The `bug_*` switches each reintroduce a
// real, classic Raft bug so the simulator and splitbrain can prove they catch it. They are off
// by default and must stay off in production.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/status.h"
#include "refdb/raft/message.h"

namespace refdb::raft {

struct Config {
  NodeId id = kNoNode;
  // Voters used when the log store holds neither a snapshot nor a membership entry: the
  // bootstrap configuration. Empty for a node that joins through a membership change.
  std::vector<NodeId> peers = {};

  // A follower or candidate starts an election after a random timeout in
  // [election_timeout_ticks, 2 * election_timeout_ticks) without hearing from a leader (§5.2).
  int election_timeout_ticks = 10;
  int heartbeat_timeout_ticks = 1;

  bool pre_vote = true;      // thesis §9.6: ask before disrupting a term
  bool check_quorum = true;  // leader steps down without a live majority; votes respect a lease

  // The last index the state machine already holds when the node opens (0: the snapshot's).
  uint64_t applied_index = 0;
  // Bounds on the work one step produces.
  size_t max_entries_per_append = 64;
  size_t max_pending_reads = 4096;

  // A candidate wins, and entries commit, with exactly half of the voters (split brain on an
  // even-sized cluster split in two).
  bool bug_half_quorum = false;
  // Votes ignore §5.4.1: a node with a stale log can become leader and overwrite commits.
  bool bug_vote_without_log_check = false;
  // A leader commits an entry of an earlier term by counting replicas (Figure 8 of the paper).
  bool bug_commit_previous_term = false;
  // ReadIndex is answered at once from local state, on any node, without a heartbeat round.
  bool bug_stale_reads = false;

  bool any_bug() const {
    return bug_half_quorum || bug_vote_without_log_check || bug_commit_previous_term ||
           bug_stale_reads;
  }

  // InvalidArgument naming the field when a value is out of range.
  common::Status Validate() const;
};

}  // namespace refdb::raft
