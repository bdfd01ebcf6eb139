// RaftLog: the core's view of the log: the durable LogStore plus what the core appended or
// received and the shell has not yet persisted (the unstable tail and an unstable snapshot),
// with the commit index and the applied index.
//
//   store:     [snapshot] [first ............ last]
//   unstable:                      [offset ....... last]   (overrides the store from offset)
//
// Entries are unstable from the moment they are appended until Advance reports them persisted
// (StableTo). An unstable snapshot hides the whole store. Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "refdb/raft/log_store.h"
#include "refdb/raft/message.h"

namespace refdb::raft {

class RaftLog {
 public:
  // Requires: `store` outlives this log. Commit and applied start at the snapshot index.
  explicit RaftLog(const LogStore* store);

  uint64_t first_index() const;
  uint64_t last_index() const;
  uint64_t last_term() const;
  uint64_t committed() const { return committed_; }
  uint64_t applied() const { return applied_; }

  // The term of the entry at `index`; nullopt when compacted away or past the end.
  std::optional<uint64_t> Term(uint64_t index) const;
  bool MatchTerm(uint64_t index, uint64_t term) const;
  // §5.4.1: is a log ending at (last_index, last_term) at least as up-to-date as ours?
  bool IsUpToDate(uint64_t index, uint64_t term) const;
  // Entries [lo, hi), at most `max_count`; nullopt when lo was compacted.
  // Requires: hi <= last_index() + 1.
  std::optional<std::vector<Entry>> Slice(uint64_t lo, uint64_t hi, size_t max_count) const;
  // The snapshot the log starts after: the unstable one if any, else the store's.
  const Snapshot& snapshot() const;

  // Appends entries (their index may overwrite a suffix). Requires: entries[0].index > commit.
  void Append(const std::vector<Entry>& entries);
  // The index of the first entry that is new or conflicts with the log, 0 if all match.
  uint64_t FindConflict(const std::vector<Entry>& entries) const;
  // Raises the commit index. Requires: index <= last_index().
  void CommitTo(uint64_t index);
  // Replaces the log by `snapshot`: commit and applied move to its index.
  void Restore(const Snapshot& snapshot);

  // Shell bookkeeping.
  const std::optional<Snapshot>& unstable_snapshot() const { return unstable_snapshot_; }
  const std::vector<Entry>& unstable_entries() const { return unstable_; }
  bool HasCommittedToApply() const { return committed_ > applied_; }
  std::vector<Entry> CommittedToApply() const;
  void AppliedTo(uint64_t index);
  void StableTo(uint64_t index, uint64_t term);
  void StableSnapshotTo(uint64_t index);

 private:
  std::optional<uint64_t> UnstableTerm(uint64_t index) const;

  const LogStore* store_;
  std::optional<Snapshot> unstable_snapshot_;
  std::vector<Entry> unstable_;  // unstable_[i] has index offset_ + i
  uint64_t offset_;
  uint64_t committed_;
  uint64_t applied_;
};

}  // namespace refdb::raft
