// MemoryLogStore: a LogStore in memory, the fake the tests and the simulator write as a shell
// would write a disk. It holds only what was persisted: a crash simply keeps this object and
// builds a new Node over it. Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "refdb/raft/log_store.h"

namespace refdb::raft {

class MemoryLogStore : public LogStore {
 public:
  MemoryLogStore();

  HardState hard_state() const override { return hard_state_; }
  const Snapshot& snapshot() const override { return snapshot_; }
  uint64_t FirstIndex() const override { return snapshot_.index + 1; }
  uint64_t LastIndex() const override { return snapshot_.index + entries_.size(); }
  uint64_t Term(uint64_t index) const override;
  std::vector<Entry> Entries(uint64_t lo, uint64_t hi) const override;

  // Shell side: persist what a Ready says.
  void SetHardState(const HardState& hard_state) { hard_state_ = hard_state; }
  // Requires: entries are contiguous, and FirstIndex() <= entries[0].index <= LastIndex() + 1.
  // Entries at and after entries[0].index are replaced.
  void Append(const std::vector<Entry>& entries);
  // Replaces the whole log by `snapshot`; ignored when older than the current snapshot.
  void ApplySnapshot(const Snapshot& snapshot);

  // Log compaction: keeps a snapshot at `index` (state `data`, voters `members`) and drops the
  // entries it covers. InvalidArgument unless snapshot().index < index <= LastIndex().
  common::Status Compact(uint64_t index, std::vector<NodeId> members, std::string data);

 private:
  HardState hard_state_;
  Snapshot snapshot_;
  std::vector<Entry> entries_;  // entries_[i] has index snapshot_.index + 1 + i
};

}  // namespace refdb::raft
