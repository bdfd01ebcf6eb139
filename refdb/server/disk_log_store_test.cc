#include "refdb/server/disk_log_store.h"

#include <gtest/gtest.h>

#include <functional>
#include <vector>

#include "refdb/storage/faulty_file_system.h"
#include "refdb/storage/segmented_log.h"
#include "refdb/storage/stable_store.h"
#include "refdb/storage/test_util.h"

namespace refdb::server {
namespace {

using raft::Entry;
using raft::HardState;

// A tiny language: a store on a FaultyFileSystem that can crash and reopen.
class DiskLogStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen() {
    store_.reset();
    auto store = DiskLogStore::Open(fs_, "/data");
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(store).value();
  }
  void CrashAndReopen() {
    store_.reset();
    fs_.Crash();
    Reopen();
  }
  // Appends entries [first, last] of `term` and syncs.
  void Append(uint64_t first, uint64_t last, uint64_t term, bool sync = true) {
    std::vector<Entry> entries;
    for (uint64_t i = first; i <= last; ++i) {
      entries.push_back({.term = term, .index = i, .data = "e" + std::to_string(i)});
    }
    ASSERT_OK(store_->Persist(std::nullopt, entries, std::nullopt, sync));
  }

  storage::FaultyFileSystem fs_;
  std::unique_ptr<DiskLogStore> store_;
};

TEST_F(DiskLogStoreTest, EmptyStoreHasNoEntries) {
  EXPECT_EQ(store_->FirstIndex(), 1u);
  EXPECT_EQ(store_->LastIndex(), 0u);
  EXPECT_EQ(store_->Term(0), 0u);
  EXPECT_EQ(store_->hard_state(), HardState{});
}

// Found by the data_dir fuzz target: a record with a valid checksum but a type byte the core
// does not know reached the core as an EntryType outside the enum.
TEST_F(DiskLogStoreTest, EntryOfAnUnknownTypeRefusesToStart) {
  store_.reset();
  {
    auto log = storage::SegmentedLog::Open(fs_, "/data/log", {});
    ASSERT_TRUE(log.ok()) << log.status().message();
    const storage::LogRecord record{.index = 1, .term = 1, .type = 96, .data = "x"};
    ASSERT_OK(log->Append({&record, 1}));
    ASSERT_OK(log->Sync());
  }
  auto store = DiskLogStore::Open(fs_, "/data");
  ASSERT_FALSE(store.ok());
  EXPECT_THAT(store.status().message(), ::testing::HasSubstr("entry 1 has unknown type 96"));
}

// Found by the data_dir fuzz target: a membership entry whose voters do not decode reached the
// core, which aborts on it (it trusts its log).
TEST_F(DiskLogStoreTest, MembershipEntryThatDoesNotDecodeRefusesToStart) {
  store_.reset();
  {
    auto log = storage::SegmentedLog::Open(fs_, "/data/log", {});
    ASSERT_TRUE(log.ok()) << log.status().message();
    const storage::LogRecord record{.index = 1,
                                    .term = 1,
                                    .type = static_cast<uint8_t>(raft::EntryType::kConfChange),
                                    .data = "1,x"};
    ASSERT_OK(log->Append({&record, 1}));
    ASSERT_OK(log->Sync());
  }
  auto store = DiskLogStore::Open(fs_, "/data");
  ASSERT_FALSE(store.ok());
  EXPECT_THAT(store.status().message(), ::testing::HasSubstr("entry 1: membership \"1,x\""));
}

// A snapshot no cluster reaches: the log would be moved past 2^63, where indexes wrap.
TEST_F(DiskLogStoreTest, SnapshotIndexNearTwoToTheSixtyFourRefusesToStart) {
  store_.reset();
  {
    auto stable = storage::StableStore::Open(fs_, "/data");
    ASSERT_TRUE(stable.ok()) << stable.status().message();
    ASSERT_OK(stable->SaveSnapshot({.index = UINT64_MAX - 1, .term = 1, .members_blob = "1"}, ""));
  }
  auto store = DiskLogStore::Open(fs_, "/data");
  ASSERT_FALSE(store.ok());
  EXPECT_THAT(store.status().message(), ::testing::HasSubstr("snapshot index"));
}

TEST_F(DiskLogStoreTest, SyncedEntriesSurviveACrash) {
  Append(1, 5, 1);
  CrashAndReopen();
  EXPECT_EQ(store_->LastIndex(), 5u);
  EXPECT_EQ(store_->Entries(2, 4)[1].data, "e3");
  EXPECT_EQ(store_->Term(5), 1u);
}

TEST_F(DiskLogStoreTest, UnsyncedEntriesAreLostInACrash) {
  Append(1, 3, 1);
  Append(4, 6, 1, /*sync=*/false);
  CrashAndReopen();
  EXPECT_EQ(store_->LastIndex(), 3u);
}

// Unsynced entries are still written (no-fsync's realism): a process crash, which keeps what
// the kernel was given, loses none of them.
TEST_F(DiskLogStoreTest, UnsyncedEntriesAreWrittenSoAProcessCrashKeepsThem) {
  Append(1, 3, 1);
  Append(4, 6, 1, /*sync=*/false);
  store_.reset();
  Reopen();
  EXPECT_EQ(store_->LastIndex(), 6u);
}

TEST_F(DiskLogStoreTest, ConflictingEntriesReplaceTheSuffix) {
  Append(1, 5, 1);
  Append(3, 4, 2);
  EXPECT_EQ(store_->LastIndex(), 4u);
  EXPECT_EQ(store_->Term(3), 2u);
  CrashAndReopen();
  EXPECT_EQ(store_->LastIndex(), 4u);
  EXPECT_EQ(store_->Term(4), 2u);
}

TEST_F(DiskLogStoreTest, TermAndVoteSurviveACrash) {
  Append(1, 2, 3);
  ASSERT_OK(store_->Persist(std::nullopt, {}, HardState{.term = 3, .vote = 2, .commit = 1}, true));
  CrashAndReopen();
  EXPECT_EQ(store_->hard_state(), (HardState{.term = 3, .vote = 2, .commit = 1}));
}

TEST_F(DiskLogStoreTest, CommitIsClampedToTheLogOnOpen) {
  Append(1, 2, 1, /*sync=*/false);
  ASSERT_OK(store_->Persist(std::nullopt, {}, HardState{.term = 1, .vote = 1, .commit = 2}, true));
  CrashAndReopen();
  EXPECT_EQ(store_->LastIndex(), 0u);
  EXPECT_EQ(store_->hard_state().commit, 0u);
}

TEST_F(DiskLogStoreTest, CompactKeepsASnapshotAndHidesCoveredEntries) {
  Append(1, 10, 2);
  ASSERT_OK(store_->Compact(6, {1, 2, 3}, "state"));
  EXPECT_EQ(store_->FirstIndex(), 7u);
  EXPECT_EQ(store_->Term(6), 2u);
  CrashAndReopen();
  EXPECT_EQ(store_->snapshot().index, 6u);
  EXPECT_EQ(store_->snapshot().data, "state");
  EXPECT_EQ(store_->snapshot().members, (std::vector<raft::NodeId>{1, 2, 3}));
  EXPECT_EQ(store_->FirstIndex(), 7u);
  EXPECT_EQ(store_->LastIndex(), 10u);
  EXPECT_EQ(store_->Entries(7, 8)[0].data, "e7");
}

TEST_F(DiskLogStoreTest, CompactOutsideTheLogIsRejected) {
  Append(1, 3, 1);
  EXPECT_FALSE(store_->Compact(4, {1}, "x").ok());
  ASSERT_OK(store_->Compact(2, {1}, "x"));
  EXPECT_FALSE(store_->Compact(2, {1}, "x").ok());
}

TEST_F(DiskLogStoreTest, ReceivedSnapshotReplacesTheWholeLog) {
  Append(1, 5, 1);
  const raft::Snapshot snapshot{.index = 8, .term = 3, .members = {1, 2}, .data = "image"};
  ASSERT_OK(store_->Persist(snapshot, {}, std::nullopt, true));
  EXPECT_EQ(store_->FirstIndex(), 9u);
  EXPECT_EQ(store_->LastIndex(), 8u);
  Append(9, 9, 3);
  CrashAndReopen();
  EXPECT_EQ(store_->snapshot(), snapshot);
  EXPECT_EQ(store_->LastIndex(), 9u);
  EXPECT_EQ(store_->Term(8), 3u);
}

TEST_F(DiskLogStoreTest, ReceivedSnapshotDropsConflictingEntriesAfterIt) {
  Append(1, 10, 1);
  ASSERT_OK(store_->Persist(raft::Snapshot{.index = 4, .term = 2, .members = {1}, .data = "s"}, {},
                            std::nullopt, true));
  EXPECT_EQ(store_->LastIndex(), 4u);
  CrashAndReopen();
  EXPECT_EQ(store_->LastIndex(), 4u);
}

// A store whose snapshot writes run only when the test says so.
class BackgroundSnapshotTest : public DiskLogStoreTest {
 protected:
  void SetUp() override {
    auto store = DiskLogStore::Open(
        fs_, "/data", [this](std::function<void()> job) { jobs_.push_back(std::move(job)); });
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(store).value();
  }
  void RunJobs() {
    std::vector<std::function<void()>> jobs = std::move(jobs_);
    jobs_.clear();
    for (auto& job : jobs) job();
  }

  std::vector<std::function<void()>> jobs_;
};

TEST_F(BackgroundSnapshotTest, LogIsCompactedOnlyAfterTheSnapshotIsDurable) {
  Append(1, 10, 1);
  ASSERT_OK(store_->StartCompact(6, {1, 2, 3}, "state"));
  ASSERT_EQ(jobs_.size(), 1u);
  EXPECT_TRUE(store_->compaction_pending());
  // Not written yet: the core still sees the whole log.
  ASSERT_OK(store_->PollCompact());
  EXPECT_EQ(store_->snapshot().index, 0u);
  EXPECT_EQ(store_->FirstIndex(), 1u);
  EXPECT_EQ(store_->Entries(1, 3)[0].data, "e1");
  EXPECT_FALSE(store_->StartCompact(7, {1}, "other").ok()) << "one write at a time";

  RunJobs();
  ASSERT_OK(store_->PollCompact());
  EXPECT_FALSE(store_->compaction_pending());
  EXPECT_EQ(store_->snapshot().index, 6u);
  EXPECT_EQ(store_->snapshot().data, "state");
  EXPECT_EQ(store_->FirstIndex(), 7u);
  EXPECT_EQ(store_->Entries(7, 11).back().data, "e10");

  CrashAndReopen();
  EXPECT_EQ(store_->snapshot().index, 6u);
  EXPECT_EQ(store_->snapshot().term, 1u);
  EXPECT_EQ(store_->snapshot().data, "state");
  EXPECT_EQ(store_->LastIndex(), 10u);
}

TEST_F(BackgroundSnapshotTest, ACrashBeforeTheWriteKeepsTheOldState) {
  Append(1, 10, 1);
  ASSERT_OK(store_->StartCompact(6, {1}, "state"));
  CrashAndReopen();  // the job never ran
  EXPECT_EQ(store_->snapshot().index, 0u);
  EXPECT_EQ(store_->FirstIndex(), 1u);
  EXPECT_EQ(store_->LastIndex(), 10u);
}

TEST_F(BackgroundSnapshotTest, FailedWriteIsReportedAndTheLogIsKept) {
  Append(1, 10, 1);
  ASSERT_OK(store_->StartCompact(6, {1}, "state"));
  fs_.FailNextSync();
  RunJobs();
  EXPECT_FALSE(store_->PollCompact().ok());
  EXPECT_FALSE(store_->compaction_pending());
  EXPECT_EQ(store_->snapshot().index, 0u);
  EXPECT_EQ(store_->FirstIndex(), 1u);
  EXPECT_EQ(store_->Entries(1, 2)[0].data, "e1");
}

// With the default runner (a thread): a received snapshot waits for the local one in flight,
// then replaces it.
TEST_F(DiskLogStoreTest, ReceivedSnapshotWaitsForTheBackgroundWrite) {
  Append(1, 10, 1);
  ASSERT_OK(store_->StartCompact(6, {1}, "local"));
  const raft::Snapshot received{.index = 20, .term = 2, .members = {1, 2}, .data = "received"};
  ASSERT_OK(store_->Persist(received, {}, std::nullopt, true));
  EXPECT_FALSE(store_->compaction_pending());
  EXPECT_EQ(store_->snapshot(), received);
  CrashAndReopen();
  EXPECT_EQ(store_->snapshot(), received);
  EXPECT_EQ(store_->LastIndex(), 20u);
}

TEST_F(DiskLogStoreTest, BackgroundWriteOnAThreadIsInstalledByFinish) {
  Append(1, 10, 1);
  ASSERT_OK(store_->StartCompact(4, {1}, "state"));
  ASSERT_OK(store_->FinishCompact());
  EXPECT_EQ(store_->snapshot().index, 4u);
  EXPECT_EQ(store_->FirstIndex(), 5u);
}

TEST_F(DiskLogStoreTest, FailedSyncIsReported) {
  fs_.FailNextSync();
  std::vector<Entry> entries{{.term = 1, .index = 1}};
  EXPECT_FALSE(store_->Persist(std::nullopt, entries, std::nullopt, true).ok());
}

}  // namespace
}  // namespace refdb::server
