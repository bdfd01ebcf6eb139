#include "refdb/raft/raft_log.h"

#include <gtest/gtest.h>

#include "refdb/raft/memory_log_store.h"

namespace refdb::raft {
namespace {

std::vector<Entry> Terms(uint64_t first, const std::vector<uint64_t>& terms) {
  std::vector<Entry> out;
  for (uint64_t term : terms) out.push_back({.term = term, .index = first++});
  return out;
}

TEST(RaftLog, UnstableEntriesOverrideTheStore) {
  MemoryLogStore store;
  store.Append(Terms(1, {1, 1, 1}));
  RaftLog log(&store);
  log.Append(Terms(3, {2, 2}));
  EXPECT_EQ(log.last_index(), 4u);
  EXPECT_EQ(log.Term(2), 1u);
  EXPECT_EQ(log.Term(3), 2u);
  EXPECT_EQ(log.unstable_entries().size(), 2u);
  EXPECT_EQ(log.Slice(1, 5, 10)->size(), 4u);
  EXPECT_EQ(log.Slice(1, 5, 2)->size(), 2u);
}

TEST(RaftLog, StableToDropsPersistedEntriesOnly) {
  MemoryLogStore store;
  RaftLog log(&store);
  log.Append(Terms(1, {1, 1}));
  store.Append(log.unstable_entries());
  log.StableTo(2, 1);
  EXPECT_TRUE(log.unstable_entries().empty());
  log.Append(Terms(2, {2}));
  log.StableTo(2, 1);  // the entry persisted earlier was overwritten since
  EXPECT_EQ(log.unstable_entries().size(), 1u);
  EXPECT_EQ(log.Term(2), 2u);
}

TEST(RaftLog, FindConflictReportsFirstNewOrDifferentEntry) {
  MemoryLogStore store;
  store.Append(Terms(1, {1, 2, 2}));
  RaftLog log(&store);
  EXPECT_EQ(log.FindConflict(Terms(2, {2, 2})), 0u);
  EXPECT_EQ(log.FindConflict(Terms(2, {2, 3})), 3u);
  EXPECT_EQ(log.FindConflict(Terms(3, {2, 2})), 4u);
}

TEST(RaftLog, IsUpToDateComparesLastTermThenLength) {
  MemoryLogStore store;
  store.Append(Terms(1, {1, 2, 2}));
  RaftLog log(&store);
  EXPECT_TRUE(log.IsUpToDate(1, 3));
  EXPECT_TRUE(log.IsUpToDate(3, 2));
  EXPECT_FALSE(log.IsUpToDate(2, 2));
  EXPECT_FALSE(log.IsUpToDate(9, 1));
}

TEST(RaftLog, CompactedEntriesHaveNoTerm) {
  MemoryLogStore store;
  store.Append(Terms(1, {1, 1, 2}));
  ASSERT_TRUE(store.Compact(2, {1}, "s").ok());
  RaftLog log(&store);
  EXPECT_FALSE(log.Term(1).has_value());
  EXPECT_EQ(log.Term(2), 1u);
  EXPECT_FALSE(log.Slice(1, 3, 10).has_value());
  EXPECT_EQ(log.committed(), 2u);
}

TEST(RaftLog, RestoreReplacesEverything) {
  MemoryLogStore store;
  store.Append(Terms(1, {1, 1}));
  RaftLog log(&store);
  log.Restore({.index = 5, .term = 3, .members = {1}, .data = "s"});
  EXPECT_EQ(log.first_index(), 6u);
  EXPECT_EQ(log.last_index(), 5u);
  EXPECT_EQ(log.committed(), 5u);
  EXPECT_FALSE(log.Term(2).has_value());
  EXPECT_FALSE(log.HasCommittedToApply());
}

TEST(MemoryLogStore, AppendTruncatesConflictingSuffix) {
  MemoryLogStore store;
  store.Append(Terms(1, {1, 1, 1}));
  store.Append(Terms(2, {2}));
  EXPECT_EQ(store.LastIndex(), 2u);
  EXPECT_EQ(store.Term(2), 2u);
}

TEST(MemoryLogStore, CompactOutsideTheLogFails) {
  MemoryLogStore store;
  store.Append(Terms(1, {1}));
  EXPECT_FALSE(store.Compact(2, {1}, "").ok());
  EXPECT_FALSE(store.Compact(0, {1}, "").ok());
  ASSERT_TRUE(store.Compact(1, {1}, "").ok());
  EXPECT_EQ(store.FirstIndex(), 2u);
  EXPECT_EQ(store.Term(1), 1u);
}

}  // namespace
}  // namespace refdb::raft
