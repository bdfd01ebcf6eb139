// UnsyncedWrites on plain files (no FUSE): the calls splitbrain-diskfs makes around each change.
#include "orchestrator/run/diskfs/unsynced_writes.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "common/testing/temp_dir.h"
#include "common/unique_fd.h"
#include "gtest/gtest.h"

namespace diskfs {
namespace {

class UnsyncedWritesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = common::testing::TempDir::Create("unsynced-writes");
    ASSERT_TRUE(dir.ok());
    dir_ = std::make_unique<common::testing::TempDir>(std::move(dir).value());
    root_ = common::UniqueFd(::open(dir_->path().c_str(), O_RDONLY | O_DIRECTORY));
    writes_ = std::make_unique<UnsyncedWrites>(root_.get());
  }

  // Writes as splitbrain-diskfs does: the before image first, then the bytes.
  void Write(const std::string& name, off_t offset, const std::string& data) {
    const common::UniqueFd fd(::openat(root_.get(), name.c_str(), O_RDWR | O_CREAT, 0644));
    ASSERT_TRUE(writes_->BeforeWrite(name, fd.get(), offset, data.size()).ok());
    ASSERT_EQ(::pwrite(fd.get(), data.data(), data.size(), offset),
              static_cast<ssize_t>(data.size()));
  }
  void Truncate(const std::string& name, off_t size) {
    ASSERT_TRUE(writes_->BeforeTruncate(name, -1, size).ok());
    std::filesystem::resize_file(std::filesystem::path(dir_->path()) / name,
                                 static_cast<uintmax_t>(size));
  }
  std::string Read(const std::string& name) {
    std::ifstream in(std::filesystem::path(dir_->path()) / name);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  std::unique_ptr<common::testing::TempDir> dir_;
  common::UniqueFd root_;
  std::unique_ptr<UnsyncedWrites> writes_;
};

TEST_F(UnsyncedWritesTest, CrashRestoresTheLastSyncedContents) {
  writes_->Created("f");
  Write("f", 0, "abcdef");
  writes_->Synced("f");
  Write("f", 2, "XY");
  Write("f", 3, "ZZZZZZ");  // overwrites its own unsynced bytes and extends
  ASSERT_EQ(Read("f"), "abXZZZZZZ");
  ASSERT_TRUE(writes_->Crash().ok());
  EXPECT_EQ(Read("f"), "abcdef");
  EXPECT_EQ(writes_->files(), 0U);
}

TEST_F(UnsyncedWritesTest, ShrinkThenGrowIsUndone) {
  Write("f", 0, "0123456789");
  writes_->Synced("f");
  Truncate("f", 4);
  Write("f", 6, "ab");  // a hole at 4..6, then bytes
  ASSERT_TRUE(writes_->Crash().ok());
  EXPECT_EQ(Read("f"), "0123456789");
}

TEST_F(UnsyncedWritesTest, ACreatedFileIsEmptyAfterACrashAndFollowsRenames) {
  writes_->Created("tmp");
  Write("tmp", 0, "payload");
  ASSERT_EQ(::renameat(root_.get(), "tmp", root_.get(), "final"), 0);
  writes_->Renamed("tmp", "final");
  auto reverted = writes_->Crash();
  ASSERT_TRUE(reverted.ok());
  EXPECT_EQ(*reverted, std::vector<std::string>{"final"});
  EXPECT_EQ(Read("final"), "");
}

TEST_F(UnsyncedWritesTest, OnlyOverwrittenSyncedBytesAreKept) {
  Write("f", 0, std::string(1000, 'a'));
  writes_->Synced("f");
  Write("f", 1000, std::string(5000, 'b'));  // past the synced size: nothing to keep
  EXPECT_EQ(writes_->image_bytes(), 0U);
  Write("f", 990, std::string(20, 'c'));
  EXPECT_EQ(writes_->image_bytes(), 10U);
  writes_->Removed("f");
  EXPECT_EQ(writes_->image_bytes(), 0U);
}

}  // namespace
}  // namespace diskfs
