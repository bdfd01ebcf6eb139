#include "refdb/storage/stable_store.h"

#include <optional>

#include "refdb/storage/faulty_file_system.h"
#include "refdb/storage/posix_file_system.h"
#include "refdb/storage/test_util.h"

namespace refdb::storage {
namespace {

using ::testing::HasSubstr;

class StableStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CHECK(fs_.CreateDir(kDir).ok());
    Reopen();
  }

  StableStore& store() { return *store_; }
  void Reopen() {
    store_.reset();
    Result<StableStore> opened = StableStore::Open(fs_, kDir);
    ASSERT_OK(opened.status().ok() ? Status::Ok() : opened.status());
    store_.emplace(std::move(opened).value());
  }
  void Crash() {
    store_.reset();
    fs_.Crash();
    Reopen();
  }
  std::optional<HardState> LoadedHardState() {
    Result<std::optional<HardState>> loaded = store().LoadHardState();
    CHECK(loaded.ok()) << loaded.status().message();
    return *loaded;
  }
  void CorruptByteAt(std::string_view name, uint64_t offset) {
    auto file = fs_.Open(JoinPath(kDir, name), OpenMode::kExisting);
    ASSERT_TRUE(file.ok());
    auto byte = (*file)->ReadAt(offset, 1);
    ASSERT_TRUE(byte.ok() && byte->size() == 1);
    ASSERT_OK((*file)->WriteAt(offset, std::string(1, static_cast<char>((*byte)[0] ^ 1))));
    ASSERT_OK((*file)->Sync());
  }

  static constexpr const char* kDir = "/state";
  FaultyFileSystem fs_;
  std::optional<StableStore> store_;
};

TEST_F(StableStoreTest, FreshStoreHasNoHardStateAndNoSnapshot) {
  EXPECT_EQ(LoadedHardState(), std::nullopt);
  Result<std::optional<Snapshot>> snapshot = store().LoadSnapshot();
  ASSERT_TRUE(snapshot.ok());
  EXPECT_EQ(*snapshot, std::nullopt);
}

TEST_F(StableStoreTest, HardStateSurvivesACrash) {
  ASSERT_OK(store().SaveHardState({.term = 7, .vote = 2, .commit = 40}));
  Crash();
  EXPECT_EQ(LoadedHardState(), (HardState{.term = 7, .vote = 2, .commit = 40}));
}

TEST_F(StableStoreTest, LaterHardStateReplacesEarlierOne) {
  ASSERT_OK(store().SaveHardState({.term = 1, .vote = 1, .commit = 0}));
  ASSERT_OK(store().SaveHardState({.term = 2, .vote = 3, .commit = 5}));
  Crash();
  EXPECT_EQ(LoadedHardState(), (HardState{.term = 2, .vote = 3, .commit = 5}));
}

TEST_F(StableStoreTest, CrashBetweenWriteAndRenameKeepsTheOldHardState) {
  ASSERT_OK(store().SaveHardState({.term = 1, .vote = 1, .commit = 0}));
  fs_.FailNextSync();  // the temp file's fsync: the save stops before its rename
  EXPECT_FALSE(store().SaveHardState({.term = 2, .vote = 2, .commit = 0}).ok());
  Crash();
  EXPECT_EQ(LoadedHardState(), (HardState{.term = 1, .vote = 1, .commit = 0}));
}

TEST_F(StableStoreTest, CrashAfterAnUnsyncedRenameKeepsTheOldHardState) {
  ASSERT_OK(store().SaveHardState({.term = 1, .vote = 1, .commit = 0}));
  fs_.FailSyncAfter(1);  // the temp file syncs, it is renamed, the directory fsync fails
  const Status failed = store().SaveHardState({.term = 2, .vote = 2, .commit = 0});
  EXPECT_THAT(failed.message(), HasSubstr("/state: fsync: Input/output error"));
  Crash();
  EXPECT_EQ(LoadedHardState(), (HardState{.term = 1, .vote = 1, .commit = 0}));
}

TEST_F(StableStoreTest, LeftoverTempFileIsRemovedOnOpen) {
  auto temp = fs_.Open(JoinPath(kDir, "hard-state.tmp"), OpenMode::kCreateOrTruncate);
  ASSERT_TRUE(temp.ok());
  ASSERT_OK((*temp)->Append("half a hard state"));
  ASSERT_OK((*temp)->Sync());
  ASSERT_OK(fs_.SyncDir(kDir));
  Reopen();
  EXPECT_FALSE(*fs_.Exists(JoinPath(kDir, "hard-state.tmp")));
  EXPECT_EQ(LoadedHardState(), std::nullopt);
}

TEST_F(StableStoreTest, CorruptHardStateIsAnErrorNotADefault) {
  ASSERT_OK(store().SaveHardState({.term = 9, .vote = 1, .commit = 3}));
  CorruptByteAt(StableStore::kHardStateFileName, 20);
  Result<std::optional<HardState>> loaded = store().LoadHardState();
  ASSERT_FALSE(loaded.ok());
  EXPECT_THAT(loaded.status().message(), HasSubstr("/state/hard-state: checksum mismatch"));
}

TEST_F(StableStoreTest, TruncatedHardStateIsAnError) {
  ASSERT_OK(store().SaveHardState({.term = 9, .vote = 1, .commit = 3}));
  auto file = fs_.Open(JoinPath(kDir, StableStore::kHardStateFileName), OpenMode::kExisting);
  ASSERT_TRUE(file.ok());
  ASSERT_OK((*file)->Truncate(10));
  EXPECT_FALSE(store().LoadHardState().ok());
}

TEST_F(StableStoreTest, SnapshotRoundTripsAndTheLatestWins) {
  const SnapshotMeta first{.index = 10, .term = 2, .members_blob = "1,2,3"};
  const SnapshotMeta second{.index = 20, .term = 3, .members_blob = "1,2,3,4"};
  ASSERT_OK(store().SaveSnapshot(first, "state at 10"));
  ASSERT_OK(store().SaveSnapshot(second, std::string("state\0at 20", 11)));
  Crash();
  Result<std::optional<Snapshot>> loaded = store().LoadSnapshot();
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  ASSERT_TRUE(loaded->has_value());
  EXPECT_EQ((*loaded)->meta, second);
  EXPECT_EQ((*loaded)->data, std::string("state\0at 20", 11));
}

TEST_F(StableStoreTest, CorruptSnapshotIsAnError) {
  ASSERT_OK(store().SaveSnapshot({.index = 5, .term = 1, .members_blob = "m"}, "data"));
  CorruptByteAt(StableStore::kSnapshotFileName, 30);
  EXPECT_FALSE(store().LoadSnapshot().ok());
}

TEST_F(StableStoreTest, FailedSaveMakesLaterSavesFail) {
  fs_.FailNextSync();
  EXPECT_FALSE(store().SaveHardState({.term = 1, .vote = 1, .commit = 0}).ok());
  const Status later = store().SaveHardState({.term = 1, .vote = 1, .commit = 0});
  EXPECT_THAT(later.message(), HasSubstr("stable store unusable after a failure"));
}

TEST(StableStorePosix, HardStateAndSnapshotRoundTripThroughARealDirectory) {
  TempDir dir;
  PosixFileSystem fs;
  {
    Result<StableStore> store = StableStore::Open(fs, dir.path());
    ASSERT_TRUE(store.ok()) << store.status().message();
    ASSERT_OK(store->SaveHardState({.term = 4, .vote = 2, .commit = 9}));
    ASSERT_OK(store->SaveSnapshot({.index = 9, .term = 4, .members_blob = "abc"}, "kv"));
  }
  Result<StableStore> store = StableStore::Open(fs, dir.path());
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(**store->LoadHardState(), (HardState{.term = 4, .vote = 2, .commit = 9}));
  EXPECT_EQ((**store->LoadSnapshot()).data, "kv");
}

}  // namespace
}  // namespace refdb::storage
