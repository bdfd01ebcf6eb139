#include "refdb/storage/posix_file_system.h"

#include <optional>

#include "refdb/storage/log_format.h"
#include "refdb/storage/segmented_log.h"
#include "refdb/storage/test_util.h"

namespace refdb::storage {
namespace {

using ::testing::HasSubstr;

LogRecord PosixRecord(uint64_t index) {
  return LogRecord{.index = index, .term = 1, .type = 0, .data = "posix " + std::to_string(index)};
}

TEST(PosixFileSystem, WritesReadsAndListsFiles) {
  TempDir dir;
  PosixFileSystem fs;
  const std::string path = JoinPath(dir.path(), "f");
  {
    auto file = fs.Open(path, OpenMode::kCreateExclusive);
    ASSERT_TRUE(file.ok()) << file.status().message();
    ASSERT_OK((*file)->Append("hello"));
    ASSERT_OK((*file)->WriteAt(5, " world"));
    ASSERT_OK((*file)->Sync());
    EXPECT_EQ(*(*file)->Size(), 11u);
    EXPECT_EQ(*(*file)->ReadAt(6, 100), "world");
  }
  ASSERT_OK(fs.Rename(path, JoinPath(dir.path(), "g")));
  ASSERT_OK(fs.SyncDir(dir.path()));
  EXPECT_EQ(*fs.ListDir(dir.path()), std::vector<std::string>{"g"});
  EXPECT_EQ(*ReadWholeFile(fs, JoinPath(dir.path(), "g")), "hello world");
  ASSERT_OK(fs.Remove(JoinPath(dir.path(), "g")));
  EXPECT_FALSE(*fs.Exists(JoinPath(dir.path(), "g")));
}

TEST(PosixFileSystem, ErrorsNameThePathTheActionAndTheCause) {
  TempDir dir;
  PosixFileSystem fs;
  const std::string path = JoinPath(dir.path(), "missing");
  const Status status = fs.Open(path, OpenMode::kExisting).status();
  EXPECT_EQ(status.message(), path + ": open: No such file or directory");
}

TEST(PosixFileSystem, SegmentedLogRoundTripsThroughARealDirectory) {
  TempDir dir;
  PosixFileSystem fs;
  const SegmentedLog::Options options{.max_segment_size_bytes = 100};
  {
    Result<SegmentedLog> log = SegmentedLog::Open(fs, dir.path(), options);
    ASSERT_TRUE(log.ok()) << log.status().message();
    ASSERT_OK(log->Append(
        std::vector<LogRecord>{PosixRecord(1), PosixRecord(2), PosixRecord(3), PosixRecord(4)}));
    ASSERT_OK(log->Sync());
  }
  Result<SegmentedLog> log = SegmentedLog::Open(fs, dir.path(), options);
  ASSERT_TRUE(log.ok()) << log.status().message();
  EXPECT_EQ(log->LastIndex(), 4u);
  EXPECT_EQ(log->Entry(3), PosixRecord(3));
  EXPECT_GT(log->SegmentFileNames().size(), 1u);
}

TEST(PosixFileSystem, SegmentedLogTruncatesATornTailInARealFile) {
  TempDir dir;
  PosixFileSystem fs;
  std::vector<std::string> lines;
  const SegmentedLog::Options options{
      .log_line = [&lines](const std::string& line) { lines.push_back(line); }};
  {
    Result<SegmentedLog> log = SegmentedLog::Open(fs, dir.path(), options);
    ASSERT_TRUE(log.ok()) << log.status().message();
    ASSERT_OK(log->Append(std::vector<LogRecord>{PosixRecord(1), PosixRecord(2)}));
    ASSERT_OK(log->Sync());
  }
  auto file = fs.Open(JoinPath(dir.path(), SegmentFileName(1)), OpenMode::kExisting);
  ASSERT_TRUE(file.ok());
  ASSERT_OK((*file)->Truncate(EncodedSize(PosixRecord(1)) + 5));
  Result<SegmentedLog> log = SegmentedLog::Open(fs, dir.path(), options);
  ASSERT_TRUE(log.ok()) << log.status().message();
  EXPECT_EQ(log->LastIndex(), 1u);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], HasSubstr("short record header"));
  EXPECT_EQ(*(*file)->Size(), EncodedSize(PosixRecord(1)));
}

TEST(PosixFileSystem, SegmentedLogRefusesMiddleCorruptionInARealFile) {
  TempDir dir;
  PosixFileSystem fs;
  {
    Result<SegmentedLog> log = SegmentedLog::Open(fs, dir.path(), {});
    ASSERT_TRUE(log.ok());
    ASSERT_OK(log->Append(std::vector<LogRecord>{PosixRecord(1), PosixRecord(2), PosixRecord(3)}));
    ASSERT_OK(log->Sync());
  }
  auto file = fs.Open(JoinPath(dir.path(), SegmentFileName(1)), OpenMode::kExisting);
  ASSERT_TRUE(file.ok());
  ASSERT_OK((*file)->WriteAt(kRecordHeaderSize + 1, "X"));
  const Status status = SegmentedLog::Open(fs, dir.path(), {}).status();
  EXPECT_THAT(status.message(),
              HasSubstr(SegmentFileName(1) + " offset 0: checksum mismatch in "
                                             "the middle of the log; refusing to start"));
}

}  // namespace
}  // namespace refdb::storage
