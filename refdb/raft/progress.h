// Progress: what a leader knows about one voter's log (match index, next index) and how it
// sends to it. Three states, as in etcd's tracker/progress.go:
//   kProbe      next is a guess: send one AppendEntries and wait for its answer (or a
//               heartbeat answer) before sending again.
//   kReplicate  the follower is known to match: send entries optimistically, advancing next.
//   kSnapshot   an InstallSnapshot is in flight: send nothing until it is acknowledged (or a
//               heartbeat answer shows it was lost, and probing starts again).
// Plain value; the leader owns one per voter, itself included.
#pragma once

#include <cstdint>
#include <string_view>

namespace refdb::raft {

enum class ProgressState { kProbe, kReplicate, kSnapshot };

std::string_view ProgressStateName(ProgressState state);

struct Progress {
  uint64_t match = 0;  // match index: highest index known to be replicated on the voter
  uint64_t next = 1;   // next index: the next entry to send
  ProgressState state = ProgressState::kProbe;
  bool probe_sent = false;        // kProbe: an AppendEntries is unanswered
  uint64_t pending_snapshot = 0;  // kSnapshot: the index of the snapshot in flight
  bool recent_active = false;     // heard from within the current election timeout

  bool IsPaused() const;
  void BecomeProbe();
  void BecomeReplicate();
  void BecomeSnapshot(uint64_t snapshot_index);
  // An acknowledgement of `index`; false when it tells nothing new.
  bool MaybeUpdate(uint64_t index);
  // A rejection of the entries after `rejected`, with the next index the hint suggests; false
  // when the rejection is stale.
  bool MaybeDecreaseTo(uint64_t rejected, uint64_t hint_next);
  // Records that entries up to `last_sent` were sent (0: an empty AppendEntries).
  void OnAppendSent(uint64_t last_sent);
};

}  // namespace refdb::raft
