// LogStore: the durable log as the core reads it. The core never writes it: the shell persists
// what a Ready says (refdb/storage does it on disk, MemoryLogStore in memory for tests).
//
// Layout: an optional snapshot covering [1, snapshot().index], then entries
// [FirstIndex(), LastIndex()] with FirstIndex() == snapshot().index + 1. An empty log has
// FirstIndex() == 1 and LastIndex() == 0.
//
// Reads are not expected to fail: a store that cannot read its own durable log cannot serve
// Raft safely, so implementations stop the process (CHECK) on an I/O error, as LogCabin's
// SegmentedLog PANICs. Not thread-safe: the shell writes between Advance and the next Step.
#pragma once

#include <cstdint>
#include <vector>

#include "refdb/raft/message.h"

namespace refdb::raft {

class LogStore {
 public:
  virtual ~LogStore() = default;

  virtual HardState hard_state() const = 0;
  virtual const Snapshot& snapshot() const = 0;
  virtual uint64_t FirstIndex() const = 0;
  virtual uint64_t LastIndex() const = 0;
  // Requires: FirstIndex() - 1 <= index <= LastIndex().
  virtual uint64_t Term(uint64_t index) const = 0;
  // Entries [lo, hi). Requires: FirstIndex() <= lo <= hi <= LastIndex() + 1.
  virtual std::vector<Entry> Entries(uint64_t lo, uint64_t hi) const = 0;
};

}  // namespace refdb::raft
