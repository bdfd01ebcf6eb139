#include "refdb/raft/memory_log_store.h"

#include <utility>

#include "common/check.h"

namespace refdb::raft {

MemoryLogStore::MemoryLogStore() = default;

uint64_t MemoryLogStore::Term(uint64_t index) const {
  CHECK(index + 1 >= FirstIndex() && index <= LastIndex())
      << "term of " << index << " outside [" << FirstIndex() - 1 << ", " << LastIndex() << "]";
  if (index == snapshot_.index) return snapshot_.term;
  return entries_[index - FirstIndex()].term;
}

std::vector<Entry> MemoryLogStore::Entries(uint64_t lo, uint64_t hi) const {
  CHECK(FirstIndex() <= lo && lo <= hi && hi <= LastIndex() + 1)
      << "entries [" << lo << ", " << hi << ") outside [" << FirstIndex() << ", " << LastIndex() + 1
      << ")";
  const auto begin = entries_.begin() + static_cast<std::ptrdiff_t>(lo - FirstIndex());
  return {begin, begin + static_cast<std::ptrdiff_t>(hi - lo)};
}

void MemoryLogStore::Append(const std::vector<Entry>& entries) {
  if (entries.empty()) return;
  const uint64_t first = entries.front().index;
  CHECK(first >= FirstIndex() && first <= LastIndex() + 1)
      << "append at " << first << " to a log [" << FirstIndex() << ", " << LastIndex() << "]";
  entries_.resize(first - FirstIndex());
  for (const Entry& e : entries) {
    CHECK(e.index == LastIndex() + 1) << "append of non-contiguous entry " << e.index;
    entries_.push_back(e);
  }
}

void MemoryLogStore::ApplySnapshot(const Snapshot& snapshot) {
  if (snapshot.index <= snapshot_.index) return;
  snapshot_ = snapshot;
  entries_.clear();
}

common::Status MemoryLogStore::Compact(uint64_t index, std::vector<NodeId> members,
                                       std::string data) {
  if (index <= snapshot_.index || index > LastIndex()) {
    return common::Status::InvalidArgument("memory log store: compact to " + std::to_string(index) +
                                           " outside (" + std::to_string(snapshot_.index) + ", " +
                                           std::to_string(LastIndex()) + "]");
  }
  const uint64_t term = Term(index);
  entries_.erase(entries_.begin(),
                 entries_.begin() + static_cast<std::ptrdiff_t>(index - snapshot_.index));
  snapshot_ = Snapshot{
      .index = index, .term = term, .members = std::move(members), .data = std::move(data)};
  return common::Status::Ok();
}

}  // namespace refdb::raft
