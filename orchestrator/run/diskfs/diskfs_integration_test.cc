// splitbrain-diskfs mounted for real (root, /dev/fuse): what a process sees through the mount
// under each fault, and what a crash leaves of unsynced writes. Under CI=true a missing
// prerequisite fails the test.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "common/errno_text.h"
#include "common/testing/prerequisite.h"
#include "common/testing/temp_dir.h"
#include "gtest/gtest.h"
#include "orchestrator/run/diskfs/control_client.h"
#include "orchestrator/run/diskfs/control_protocol.h"
#include "orchestrator/run/diskfs/diskfs_mount.h"

namespace diskfs {
namespace {

namespace fs = std::filesystem;
using nemesis::DiskFaults;
using nemesis::DiskOp;

// A run id of this test process's own (ctest runs these tests in parallel, each in a process):
// its mount's control socket and what cleanup matches are then its own.
std::string TestRunId() {
  char id[9];
  std::snprintf(id, sizeof id, "%08x", static_cast<unsigned>(::getpid()) & 0xffffffffU);
  return id;
}

class Diskfs : public ::testing::Test {
 protected:
  void SetUp() override {
    SPLITBRAIN_REQUIRE(::geteuid() == 0, "root (a FUSE mount)");
    SPLITBRAIN_REQUIRE(fs::exists("/dev/fuse"), "/dev/fuse");
    auto dir = common::testing::TempDir::Create("diskfs-test");
    ASSERT_TRUE(dir.ok()) << dir.status().message();
    dir_ = std::make_unique<common::testing::TempDir>(std::move(dir).value());
    root_ = dir_->path();
    fs::create_directories(root_ / "mnt");
    auto mount = DiskfsMount::Create({.helper = DISKFS_BIN,
                                      .run_id = TestRunId(),
                                      .name = "t1",
                                      .backing = root_ / "backing",
                                      .mountpoint = root_ / "mnt",
                                      .log = root_ / "diskfs.log"});
    ASSERT_TRUE(mount.ok()) << mount.status().message() << "\n" << Slurp(root_ / "diskfs.log");
    mount_ = std::move(mount).value();
  }

  void TearDown() override {
    if (mount_) {
      EXPECT_TRUE(mount_->Unmount().ok());
    }
  }

  fs::path Mnt(const std::string& name) const { return root_ / "mnt" / name; }

  static std::string Slurp(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  // Opens `name` under the mount with `flags`, writes `data` at `offset`; fsyncs when asked.
  static void WriteAt(const fs::path& path, int flags, off_t offset, const std::string& data,
                      bool sync) {
    const int fd = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
    ASSERT_GE(fd, 0) << path << ": " << common::ErrnoText(errno);
    EXPECT_EQ(::pwrite(fd, data.data(), data.size(), offset), static_cast<ssize_t>(data.size()));
    if (sync) {
      EXPECT_EQ(::fsync(fd), 0);
    }
    ::close(fd);
  }

  void Set(const DiskFaults& faults) { ASSERT_TRUE(mount_->Set(faults).ok()); }

  std::unique_ptr<common::testing::TempDir> dir_;
  fs::path root_;
  std::unique_ptr<DiskfsMount> mount_;
};

TEST_F(Diskfs, IsListedAsARunsMountAndPassesFilesThrough) {
  EXPECT_TRUE(IsDiskfsMounted(root_ / "mnt"));
  fs::create_directories(Mnt("sub/dir"));
  WriteAt(Mnt("sub/dir/f"), O_WRONLY | O_CREAT, 0, "hello", true);
  EXPECT_EQ(Slurp(Mnt("sub/dir/f")), "hello");
  EXPECT_EQ(Slurp(root_ / "backing" / "sub/dir/f"), "hello");
  fs::rename(Mnt("sub/dir/f"), Mnt("sub/g"));
  EXPECT_EQ(Slurp(root_ / "backing" / "sub/g"), "hello");
}

TEST_F(Diskfs, CrashDropsUnsyncedBytesAndKeepsFsyncedOnes) {
  WriteAt(Mnt("log"), O_WRONLY | O_CREAT, 0, "synced.", true);
  WriteAt(Mnt("log"), O_WRONLY, 7, "unsynced", false);  // appended, never fsynced
  WriteAt(Mnt("over"), O_WRONLY | O_CREAT, 0, "AAAAAAAA", true);
  WriteAt(Mnt("over"), O_WRONLY, 2, "bb", false);  // overwritten in place
  WriteAt(Mnt("short"), O_WRONLY | O_CREAT, 0, "0123456789", true);
  fs::resize_file(Mnt("short"), 3);  // truncated, not fsynced
  WriteAt(Mnt("new"), O_WRONLY | O_CREAT, 0, "never synced", false);
  WriteAt(Mnt("tmp"), O_WRONLY | O_CREAT, 0, "synced tmp", true);
  fs::rename(Mnt("tmp"), Mnt("renamed"));
  ASSERT_EQ(Slurp(Mnt("log")), "synced.unsynced");
  ASSERT_EQ(Slurp(Mnt("over")), "AAbbAAAA");

  auto reverted = mount_->Crash();
  ASSERT_TRUE(reverted.ok()) << reverted.status().message();
  EXPECT_GE(*reverted, 4);
  EXPECT_EQ(Slurp(Mnt("log")), "synced.");
  EXPECT_EQ(Slurp(Mnt("over")), "AAAAAAAA");
  EXPECT_EQ(Slurp(Mnt("short")), "0123456789");
  EXPECT_TRUE(fs::exists(Mnt("new")));  // names are durable at once, data is not
  EXPECT_EQ(fs::file_size(Mnt("new")), 0U);
  EXPECT_EQ(Slurp(Mnt("renamed")), "synced tmp");
}

TEST_F(Diskfs, AnOpenUnlinkedFileStaysUsableAndACrashIgnoresIt) {
  const int fd = ::open(Mnt("gone").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::unlink(Mnt("gone").c_str()), 0);
  EXPECT_EQ(::pwrite(fd, "abc", 3, 0), 3);
  EXPECT_EQ(::fsync(fd), 0);
  char buf[3];
  EXPECT_EQ(::pread(fd, buf, sizeof(buf), 0), 3);
  ::close(fd);
  EXPECT_TRUE(mount_->Crash().ok());
  EXPECT_FALSE(fs::exists(Mnt("gone")));
}

TEST_F(Diskfs, ARenamedDirectoryTakesItsFilesUnsyncedStateAlong) {
  fs::create_directories(Mnt("a"));
  WriteAt(Mnt("a/f"), O_WRONLY | O_CREAT, 0, "kept", true);
  WriteAt(Mnt("a/f"), O_WRONLY, 4, "+lost", false);
  fs::rename(Mnt("a"), Mnt("b"));
  ASSERT_TRUE(mount_->Crash().ok());
  EXPECT_EQ(Slurp(Mnt("b/f")), "kept");
}

TEST_F(Diskfs, AWriteAfterAnFsyncIsLostButNotTheBytesBeforeIt) {
  WriteAt(Mnt("wal"), O_WRONLY | O_CREAT, 0, "one.", true);
  WriteAt(Mnt("wal"), O_WRONLY, 4, "two.", true);
  WriteAt(Mnt("wal"), O_WRONLY, 8, "three.", false);
  ASSERT_TRUE(mount_->Crash().ok());
  EXPECT_EQ(Slurp(Mnt("wal")), "one.two.");
  ASSERT_TRUE(mount_->Crash().ok());  // nothing unsynced: nothing changes
  EXPECT_EQ(Slurp(Mnt("wal")), "one.two.");
}

TEST_F(Diskfs, EioIsSeenByAProcessOnFsyncWriteAndRead) {
  WriteAt(Mnt("f"), O_RDWR | O_CREAT, 0, "data", true);
  const int fd = ::open(Mnt("f").c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  char buf[4];
  Set({.eio = {DiskOp::kFsync}});
  EXPECT_EQ(::fsync(fd), -1);
  EXPECT_EQ(errno, EIO);
  EXPECT_EQ(::pwrite(fd, "x", 1, 0), 1);  // only fsync fails
  Set({.eio = {DiskOp::kWrite}});
  EXPECT_EQ(::pwrite(fd, "x", 1, 0), -1);
  EXPECT_EQ(errno, EIO);
  Set({.eio = {DiskOp::kRead}});
  EXPECT_EQ(::pread(fd, buf, sizeof(buf), 0), -1);
  EXPECT_EQ(errno, EIO);
  Set({});
  EXPECT_EQ(::pread(fd, buf, sizeof(buf), 0), 4);
  EXPECT_EQ(::fsync(fd), 0);
  ::close(fd);
}

TEST_F(Diskfs, FsyncWaitsTheAddedLatency) {
  Set({.fsync_delay = std::chrono::milliseconds(300)});
  const nemesis::DiskProbe probe = ProbeDir(root_ / "mnt");
  EXPECT_EQ(probe.fsync_errno, 0);
  EXPECT_GE(probe.fsync_time.count(), 300);
  Set({});
  EXPECT_LT(ProbeDir(root_ / "mnt").fsync_time.count(), 300);
}

TEST_F(Diskfs, AFullDiskRefusesGrowingWritesWithEnospc) {
  WriteAt(Mnt("f"), O_RDWR | O_CREAT, 0, "12345678", true);
  Set({.full = true});
  const int fd = ::open(Mnt("f").c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(::pwrite(fd, "ab", 2, 2), 2);  // within the file: no new space needed
  EXPECT_EQ(::pwrite(fd, "abcd", 4, 6), -1);
  EXPECT_EQ(errno, ENOSPC);
  EXPECT_EQ(::ftruncate(fd, 100), -1);
  EXPECT_EQ(errno, ENOSPC);
  ::close(fd);
  EXPECT_EQ(ProbeDir(root_ / "mnt").write_errno, ENOSPC);
  Set({});
  EXPECT_EQ(ProbeDir(root_ / "mnt").write_errno, 0);
}

TEST_F(Diskfs, TheProbeSeesEachFault) {
  Set({.eio = {DiskOp::kFsync, DiskOp::kRead}});
  const nemesis::DiskProbe probe = ProbeDir(root_ / "mnt");
  EXPECT_EQ(probe.write_errno, 0);
  EXPECT_EQ(probe.fsync_errno, EIO);
  EXPECT_EQ(probe.read_errno, EIO);
  EXPECT_FALSE(fs::exists(Mnt(".splitbrain-probe")));
}

TEST_F(Diskfs, BadControlRequestsGetAnErrorAndChangeNothing) {
  const std::string socket = SocketName(TestRunId(), "t1");
  for (const char* bad : {"set eio=disk", "set full=2", "set colour=red", "frobnicate", ""}) {
    auto answer = Request(socket, bad, std::chrono::seconds(2));
    EXPECT_EQ(answer.status().code(), common::StatusCode::kInvalidArgument) << bad;
  }
  auto state = mount_->Get();
  ASSERT_TRUE(state.ok());
  EXPECT_TRUE(state->starts_with("ok eio=- fsync_delay_ms=0 full=0")) << *state;
}

TEST_F(Diskfs, UnmountLeavesTheFilesInTheBackingDir) {
  WriteAt(Mnt("kept"), O_WRONLY | O_CREAT, 0, "kept", true);
  ASSERT_TRUE(mount_->Unmount().ok());
  EXPECT_FALSE(IsDiskfsMounted(root_ / "mnt"));
  EXPECT_FALSE(fs::exists(Mnt("kept")));
  EXPECT_EQ(Slurp(root_ / "backing" / "kept"), "kept");
}

TEST_F(Diskfs, CleanupUnmountsTheMountOfADeadHelper) {
  // What a SIGKILLed run leaves: a mount named after its run id (the helper then exits).
  auto other = CleanupDiskMounts([](const std::string& id) { return id == "0badc0de"; });
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->empty());
  EXPECT_TRUE(IsDiskfsMounted(root_ / "mnt"));
  auto removed = CleanupDiskMounts([](const std::string& id) { return id == TestRunId(); });
  ASSERT_TRUE(removed.ok()) << removed.status().message();
  ASSERT_EQ(removed->size(), 1U);
  EXPECT_FALSE(IsDiskfsMounted(root_ / "mnt"));
}

}  // namespace
}  // namespace diskfs
