#include "refdb/storage/faulty_file_system.h"

#include "refdb/storage/test_util.h"

namespace refdb::storage {
namespace {

using ::testing::HasSubstr;

class FaultyFileSystemTest : public ::testing::Test {
 protected:
  void SetUp() override { CHECK(fs_.CreateDir("/d").ok()); }

  std::unique_ptr<File> Create(const std::string& path) {
    auto file = fs_.Open(path, OpenMode::kCreateOrTruncate);
    CHECK(file.ok()) << file.status().message();
    return std::move(file).value();
  }
  std::string Contents(const std::string& path) {
    auto contents = ReadWholeFile(fs_, path);
    CHECK(contents.ok()) << contents.status().message();
    return *contents;
  }

  FaultyFileSystem fs_;
};

TEST_F(FaultyFileSystemTest, CrashKeepsSyncedBytesAndDropsTheRest) {
  auto file = Create("/d/f");
  ASSERT_OK(fs_.SyncDir("/d"));
  ASSERT_OK(file->Append("synced"));
  ASSERT_OK(file->Sync());
  ASSERT_OK(file->Append(" unsynced"));
  fs_.Crash();
  EXPECT_EQ(Contents("/d/f"), "synced");
}

TEST_F(FaultyFileSystemTest, CrashDropsAFileWhoseDirectoryEntryWasNeverSynced) {
  auto file = Create("/d/f");
  ASSERT_OK(file->Append("data"));
  ASSERT_OK(file->Sync());
  fs_.Crash();
  EXPECT_FALSE(*fs_.Exists("/d/f"));
}

TEST_F(FaultyFileSystemTest, CrashUndoesAnUnsyncedRenameAndRemove) {
  auto a = Create("/d/a");
  auto b = Create("/d/b");
  ASSERT_OK(fs_.SyncDir("/d"));
  ASSERT_OK(fs_.Rename("/d/a", "/d/c"));
  ASSERT_OK(fs_.Remove("/d/b"));
  fs_.Crash();
  EXPECT_EQ(*fs_.ListDir("/d"), (std::vector<std::string>{"a", "b"}));
}

TEST_F(FaultyFileSystemTest, HandlesFromBeforeACrashFail) {
  auto file = Create("/d/f");
  fs_.Crash();
  EXPECT_THAT(file->Append("x").message(), HasSubstr("before a simulated crash"));
}

TEST_F(FaultyFileSystemTest, FailedSyncLeavesTheDataUnsynced) {
  auto file = Create("/d/f");
  ASSERT_OK(fs_.SyncDir("/d"));
  ASSERT_OK(file->Append("data"));
  fs_.FailNextSync();
  EXPECT_THAT(file->Sync().message(), HasSubstr("/d/f: fsync: Input/output error"));
  fs_.Crash();
  EXPECT_EQ(Contents("/d/f"), "");
}

TEST_F(FaultyFileSystemTest, SpaceLimitWritesWhatFitsThenReportsEnospc) {
  auto file = Create("/d/f");
  fs_.SetSpaceLimit(3);
  const Status status = file->Append("abcdef");
  EXPECT_EQ(status.code(), common::StatusCode::kResourceExhausted);
  EXPECT_THAT(status.message(), HasSubstr("/d/f: pwrite: No space left on device"));
  EXPECT_EQ(Contents("/d/f"), "abc");
}

TEST_F(FaultyFileSystemTest, TearLastWriteKeepsADurablePrefixOfIt) {
  auto file = Create("/d/f");
  ASSERT_OK(fs_.SyncDir("/d"));
  ASSERT_OK(file->Append("head "));
  ASSERT_OK(file->Append("torn write"));
  ASSERT_OK(fs_.TearLastWrite(4));
  fs_.Crash();
  EXPECT_EQ(Contents("/d/f"), "head torn");
}

TEST_F(FaultyFileSystemTest, TearLastWriteRefusesASyncedWrite) {
  auto file = Create("/d/f");
  ASSERT_OK(file->Append("data"));
  ASSERT_OK(file->Sync());
  EXPECT_FALSE(fs_.TearLastWrite(1).ok());
}

TEST_F(FaultyFileSystemTest, OpenModesBehaveLikePosix) {
  EXPECT_EQ(fs_.Open("/d/missing", OpenMode::kExisting).status().code(),
            common::StatusCode::kNotFound);
  auto file = Create("/d/f");
  EXPECT_FALSE(fs_.Open("/d/f", OpenMode::kCreateExclusive).ok());
  EXPECT_FALSE(fs_.Open("/nodir/f", OpenMode::kCreateOrTruncate).ok());
}

}  // namespace
}  // namespace refdb::storage
