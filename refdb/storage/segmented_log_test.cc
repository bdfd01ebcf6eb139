#include "refdb/storage/segmented_log.h"

#include <gtest/gtest.h>

#include <optional>

#include "refdb/storage/faulty_file_system.h"
#include "refdb/storage/log_format.h"
#include "refdb/storage/test_util.h"

namespace refdb::storage {
namespace {

using ::testing::HasSubstr;

LogRecord Record(uint64_t index, uint64_t term = 1) {
  return LogRecord{
      .index = index, .term = term, .type = 1, .data = "entry " + std::to_string(index)};
}

// A tiny language for log stories, after LevelDB's db/log_test.cc.
class SegmentedLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CHECK(fs_.CreateDir(kDir).ok());
    options_.log_line = [this](const std::string& line) { log_lines_.push_back(line); };
    Reopen();
  }

  SegmentedLog& log() { return *log_; }

  Status TryReopen() {
    log_.reset();
    Result<SegmentedLog> opened = SegmentedLog::Open(fs_, kDir, options_);
    if (!opened.ok()) return opened.status();
    log_.emplace(std::move(opened).value());
    return Status::Ok();
  }
  void Reopen() { ASSERT_OK(TryReopen()); }

  // Appends records [lo, hi] in `term`.
  void Write(uint64_t lo, uint64_t hi, uint64_t term = 1) {
    std::vector<LogRecord> records;
    for (uint64_t i = lo; i <= hi; ++i) records.push_back(Record(i, term));
    ASSERT_OK(log().Append(records));
  }
  void Sync() { ASSERT_OK(log().Sync()); }
  void Crash() {
    log_.reset();
    fs_.Crash();
  }

  std::string Path(const std::string& name) const { return JoinPath(kDir, name); }
  std::string Segment(uint64_t first_index) const { return SegmentFileName(first_index); }
  uint64_t FileSize(const std::string& name) {
    auto file = fs_.Open(Path(name), OpenMode::kExisting);
    CHECK(file.ok()) << file.status().message();
    return *(*file)->Size();
  }
  void CorruptByteAt(const std::string& name, uint64_t offset) {
    auto file = fs_.Open(Path(name), OpenMode::kExisting);
    ASSERT_OK(file.status().ok() ? Status::Ok() : file.status());
    auto byte = (*file)->ReadAt(offset, 1);
    ASSERT_TRUE(byte.ok() && byte->size() == 1);
    ASSERT_OK((*file)->WriteAt(offset, std::string(1, static_cast<char>((*byte)[0] ^ 0x40))));
    ASSERT_OK((*file)->Sync());
  }
  void TruncateFileTo(const std::string& name, uint64_t size_bytes) {
    auto file = fs_.Open(Path(name), OpenMode::kExisting);
    ASSERT_TRUE(file.ok());
    ASSERT_OK((*file)->Truncate(size_bytes));
    ASSERT_OK((*file)->Sync());
  }
  void AppendGarbage(const std::string& name, const std::string& bytes) {
    auto file = fs_.Open(Path(name), OpenMode::kExisting);
    ASSERT_TRUE(file.ok());
    ASSERT_OK((*file)->Append(bytes));
    ASSERT_OK((*file)->Sync());
  }
  void ExpectRecords(uint64_t lo, uint64_t hi) {
    EXPECT_EQ(log().FirstIndex(), lo);
    EXPECT_EQ(log().LastIndex(), hi);
    for (uint64_t i = lo; i <= hi; ++i) EXPECT_EQ(log().Entry(i).data, Record(i).data) << i;
  }
  std::string OpenError() {
    const Status status = TryReopen();
    EXPECT_FALSE(status.ok()) << "the log opened despite the damage";
    return status.message();
  }

  static constexpr const char* kDir = "/wal";
  FaultyFileSystem fs_;
  SegmentedLog::Options options_;
  std::optional<SegmentedLog> log_;
  std::vector<std::string> log_lines_;
};

// Offset of record `index` in the first segment when every record is Record(i).
uint64_t OffsetOf(uint64_t index) {
  uint64_t offset = 0;
  for (uint64_t i = 1; i < index; ++i) offset += EncodedSize(Record(i));
  return offset;
}

TEST_F(SegmentedLogTest, NewLogIsEmptyAndStartsAtIndexOne) {
  EXPECT_EQ(log().FirstIndex(), 1u);
  EXPECT_EQ(log().LastIndex(), 0u);
  EXPECT_EQ(log().SegmentFileNames(), std::vector<std::string>{Segment(1)});
}

TEST_F(SegmentedLogTest, RoundTripsRecords) {
  Write(1, 3, 2);
  EXPECT_EQ(log().Entry(2), Record(2, 2));
  EXPECT_EQ(log().Term(3), 2u);
  EXPECT_EQ(log().Entries(1, 4),
            (std::vector<LogRecord>{Record(1, 2), Record(2, 2), Record(3, 2)}));
  EXPECT_TRUE(log().Entries(2, 2).empty());
}

TEST_F(SegmentedLogTest, ReopenKeepsSyncedRecords) {
  Write(1, 5);
  Sync();
  Reopen();
  ExpectRecords(1, 5);
}

TEST_F(SegmentedLogTest, OneSyncCoversManyAppends) {
  const int syncs_before = fs_.sync_count();
  for (uint64_t i = 1; i <= 50; ++i) Write(i, i);
  Sync();
  EXPECT_EQ(fs_.sync_count(), syncs_before + 1);
  Crash();
  Reopen();
  ExpectRecords(1, 50);
}

TEST_F(SegmentedLogTest, UnsyncedRecordsAreLostInACrashButTheLogStillOpens) {
  Write(1, 3);
  Sync();
  Write(4, 6);
  Crash();
  Reopen();
  ExpectRecords(1, 3);
  Write(4, 4);
  Sync();
  ExpectRecords(1, 4);
}

TEST_F(SegmentedLogTest, OpenMakesRecordsWrittenBeforeACleanExitDurable) {
  options_.max_buffered_bytes = 0;  // every Append writes through, without fsync
  Reopen();
  Write(1, 3);
  log_.reset();  // the process exits without Sync; the bytes sit in the page cache
  Reopen();
  Crash();
  Reopen();
  ExpectRecords(1, 3);
}

TEST_F(SegmentedLogTest, AppendRejectsAGapOrARepeatedIndex) {
  Write(1, 2);
  EXPECT_EQ(log().Append(std::vector<LogRecord>{Record(4)}).code(),
            common::StatusCode::kInvalidArgument);
  EXPECT_EQ(log().Append(std::vector<LogRecord>{Record(2)}).code(),
            common::StatusCode::kInvalidArgument);
  EXPECT_EQ(log().LastIndex(), 2u);
}

TEST_F(SegmentedLogTest, AppendRejectsADecreasingTerm) {
  Write(1, 2, 5);
  EXPECT_FALSE(log().Append(std::vector<LogRecord>{Record(3, 4)}).ok());
}

TEST_F(SegmentedLogTest, TornHeaderOfTheLastRecordIsTruncated) {
  Write(1, 3);
  Sync();
  TruncateFileTo(Segment(1), OffsetOf(3) + 10);
  Reopen();
  ExpectRecords(1, 2);
  ASSERT_EQ(log_lines_.size(), 1u);
  EXPECT_THAT(log_lines_[0], HasSubstr("short record header"));
  EXPECT_THAT(log_lines_[0], HasSubstr(Segment(1) + " offset " + std::to_string(OffsetOf(3))));
}

TEST_F(SegmentedLogTest, TornPayloadOfTheLastRecordIsTruncated) {
  Write(1, 3);
  Sync();
  TruncateFileTo(Segment(1), OffsetOf(4) - 2);
  Reopen();
  ExpectRecords(1, 2);
  ASSERT_EQ(log_lines_.size(), 1u);
  EXPECT_THAT(log_lines_[0], HasSubstr("short record payload"));
}

TEST_F(SegmentedLogTest, BadChecksumOfTheLastRecordIsTruncated) {
  Write(1, 3);
  Sync();
  CorruptByteAt(Segment(1), OffsetOf(4) - 1);
  Reopen();
  ExpectRecords(1, 2);
  ASSERT_EQ(log_lines_.size(), 1u);
  EXPECT_THAT(log_lines_[0], HasSubstr("checksum mismatch"));
}

TEST_F(SegmentedLogTest, ZeroFilledTailIsTruncated) {
  Write(1, 2);
  Sync();
  AppendGarbage(Segment(1), std::string(100, '\0'));
  Reopen();
  ExpectRecords(1, 2);
  EXPECT_EQ(FileSize(Segment(1)), OffsetOf(3));
}

TEST_F(SegmentedLogTest, LogKeepsWorkingAfterATornTailIsTruncated) {
  Write(1, 3);
  Sync();
  TruncateFileTo(Segment(1), OffsetOf(3) + 3);
  Reopen();
  Write(3, 4);
  Sync();
  Crash();
  Reopen();
  ExpectRecords(1, 4);
  EXPECT_EQ(log_lines_.size(), 1u);
}

TEST_F(SegmentedLogTest, WriteTornByAPowerCutLeavesTheRecordsBeforeIt) {
  options_.max_buffered_bytes = 0;  // every Append writes through, without fsync
  Reopen();
  Write(1, 2);
  Sync();
  Write(3, 5);
  ASSERT_OK(fs_.TearLastWrite(EncodedSize(Record(3)) + 7));
  Crash();
  Reopen();
  ExpectRecords(1, 3);
  EXPECT_EQ(log_lines_.size(), 1u);
}

TEST_F(SegmentedLogTest, BadChecksumInTheMiddleRefusesToStartNamingFileAndOffset) {
  Write(1, 5);
  Sync();
  CorruptByteAt(Segment(1), OffsetOf(3) + kRecordHeaderSize);
  const std::string error = OpenError();
  EXPECT_THAT(error, HasSubstr(Path(Segment(1)) + " offset " + std::to_string(OffsetOf(3))));
  EXPECT_THAT(error, HasSubstr("checksum mismatch in the middle of the log; refusing to start"));
}

TEST_F(SegmentedLogTest, CorruptLengthInTheMiddleRefusesToStart) {
  Write(1, 5);
  Sync();
  CorruptByteAt(Segment(1), OffsetOf(2) + 3);  // the length's high byte: points past the end
  EXPECT_THAT(OpenError(), HasSubstr("in the middle of the log"));
}

TEST_F(SegmentedLogTest, CorruptionInAClosedSegmentRefusesToStart) {
  options_.max_segment_size_bytes = 3 * EncodedSize(Record(1));
  Reopen();
  Write(1, 9);
  Sync();
  ASSERT_EQ(log().SegmentFileNames().size(), 3u);
  CorruptByteAt(Segment(4), OffsetOf(3));  // the last record of a closed segment
  const std::string error = OpenError();
  EXPECT_THAT(error, HasSubstr(Path(Segment(4)) + " offset "));
  EXPECT_THAT(error, HasSubstr("in a closed segment; refusing to start"));
}

TEST_F(SegmentedLogTest, MissingMiddleSegmentRefusesToStart) {
  options_.max_segment_size_bytes = 3 * EncodedSize(Record(1));
  Reopen();
  Write(1, 9);
  Sync();
  log_.reset();
  ASSERT_OK(fs_.Remove(Path(Segment(4))));
  const std::string error = OpenError();
  EXPECT_THAT(error, HasSubstr(Path(Segment(7))));
  EXPECT_THAT(error, HasSubstr("a segment is missing"));
}

TEST_F(SegmentedLogTest, IndexGapRefusesToStart) {
  Write(1, 2);
  Sync();
  std::string bytes;
  AppendEncodedRecord(bytes, Record(4));  // index 3 is missing, every CRC is fine
  AppendGarbage(Segment(1), bytes);
  const std::string error = OpenError();
  EXPECT_THAT(error, HasSubstr("offset " + std::to_string(OffsetOf(3))));
  EXPECT_THAT(error, HasSubstr("record index 4, expected 3"));
}

TEST_F(SegmentedLogTest, RepeatedIndexRefusesToStart) {
  Write(1, 2);
  Sync();
  std::string bytes;
  AppendEncodedRecord(bytes, Record(2));
  AppendGarbage(Segment(1), bytes);
  EXPECT_THAT(OpenError(), HasSubstr("record index 2, expected 3"));
}

// Found by the wal_recovery fuzz target: a lone empty seg-0 opened as a log from index 0 whose
// LastIndex() wrapped around to 2^64 - 1.
TEST_F(SegmentedLogTest, SegmentStartingAtIndexZeroRefusesToStart) {
  log_.reset();
  ASSERT_OK(fs_.Remove(Path(Segment(1))));
  ASSERT_TRUE(fs_.Open(Path(Segment(0)), OpenMode::kCreateExclusive).ok());
  const std::string error = OpenError();
  EXPECT_THAT(error, HasSubstr(Path(Segment(0))));
  EXPECT_THAT(error, HasSubstr("first index 0"));
}

TEST_F(SegmentedLogTest, SegmentStartingNearTheLargestIndexRefusesToStart) {
  log_.reset();
  ASSERT_OK(fs_.Remove(Path(Segment(1))));
  ASSERT_TRUE(fs_.Open(Path(Segment(UINT64_MAX)), OpenMode::kCreateExclusive).ok());
  EXPECT_THAT(OpenError(), HasSubstr("first index " + std::to_string(UINT64_MAX)));
}

TEST_F(SegmentedLogTest, SegmentRollsOverAtTheSizeThreshold) {
  options_.max_segment_size_bytes = 2 * EncodedSize(Record(1));
  Reopen();
  Write(1, 5);
  Sync();
  EXPECT_EQ(log().SegmentFileNames(),
            (std::vector<std::string>{Segment(1), Segment(3), Segment(5)}));
  Crash();
  Reopen();
  ExpectRecords(1, 5);
}

TEST_F(SegmentedLogTest, CrashAfterARolloverKeepsTheClosedSegmentsWhole) {
  options_.max_segment_size_bytes = 2 * EncodedSize(Record(1));
  options_.max_buffered_bytes = 0;  // every Append writes through, without fsync
  Reopen();
  Write(1, 5);  // rolls over twice; no Sync
  Crash();
  Reopen();  // would refuse if a closed segment had lost its tail
  ExpectRecords(1, 4);
}

TEST_F(SegmentedLogTest, RecordLargerThanASegmentGetsASegmentOfItsOwn) {
  options_.max_segment_size_bytes = 64;
  Reopen();
  const LogRecord big{.index = 1, .term = 1, .type = 0, .data = std::string(500, 'x')};
  ASSERT_OK(log().Append(std::vector<LogRecord>{big, Record(2)}));
  Sync();
  Reopen();
  EXPECT_EQ(log().Entry(1), big);
  EXPECT_EQ(log().SegmentFileNames(), (std::vector<std::string>{Segment(1), Segment(2)}));
}

TEST_F(SegmentedLogTest, TruncateSuffixThenAppendSurvivesReopen) {
  Write(1, 5, 1);
  Sync();
  ASSERT_OK(log().TruncateSuffix(3));
  EXPECT_EQ(log().LastIndex(), 2u);
  Write(3, 4, 2);
  Sync();
  Crash();
  Reopen();
  EXPECT_EQ(log().LastIndex(), 4u);
  EXPECT_EQ(log().Term(2), 1u);
  EXPECT_EQ(log().Term(3), 2u);
}

TEST_F(SegmentedLogTest, TruncateSuffixIsDurableOnReturn) {
  Write(1, 5);
  Sync();
  ASSERT_OK(log().TruncateSuffix(2));
  Crash();
  Reopen();
  ExpectRecords(1, 1);
}

TEST_F(SegmentedLogTest, TruncateSuffixRemovesLaterSegments) {
  options_.max_segment_size_bytes = 2 * EncodedSize(Record(1));
  Reopen();
  Write(1, 7);
  Sync();
  ASSERT_OK(log().TruncateSuffix(4));
  EXPECT_EQ(log().SegmentFileNames(), (std::vector<std::string>{Segment(1), Segment(3)}));
  Crash();
  Reopen();
  ExpectRecords(1, 3);
}

TEST_F(SegmentedLogTest, TruncateSuffixOfUnwrittenRecordsNeedsNoFileChange) {
  Write(1, 3);
  Sync();
  Write(4, 6);
  ASSERT_OK(log().TruncateSuffix(5));
  Crash();
  Reopen();
  ExpectRecords(1, 4);
}

TEST_F(SegmentedLogTest, TruncatePrefixDeletesOldSegments) {
  options_.max_segment_size_bytes = 2 * EncodedSize(Record(1));
  Reopen();
  Write(1, 7);
  Sync();
  ASSERT_OK(log().TruncatePrefix(6));
  EXPECT_EQ(log().FirstIndex(), 5u);
  EXPECT_EQ(log().SegmentFileNames(), (std::vector<std::string>{Segment(5), Segment(7)}));
  EXPECT_FALSE(*fs_.Exists(Path(Segment(1))));
  Crash();
  Reopen();
  EXPECT_EQ(log().FirstIndex(), 5u);
  EXPECT_EQ(log().LastIndex(), 7u);
}

TEST_F(SegmentedLogTest, TruncatePrefixPastTheEndLeavesAnEmptyLogAtTheNewIndex) {
  Write(1, 4);
  Sync();
  ASSERT_OK(log().TruncatePrefix(10));
  EXPECT_EQ(log().FirstIndex(), 10u);
  EXPECT_EQ(log().LastIndex(), 9u);
  Write(10, 11);
  Sync();
  Crash();
  Reopen();
  EXPECT_EQ(log().SegmentFileNames(), std::vector<std::string>{Segment(10)});
  EXPECT_EQ(log().Entry(11), Record(11));
}

TEST_F(SegmentedLogTest, FailedFsyncSurfacesAndLaterWritesAreRefused) {
  Write(1, 2);
  fs_.FailNextSync();
  const Status failed = log().Sync();
  EXPECT_EQ(failed.code(), common::StatusCode::kIoError);
  EXPECT_THAT(failed.message(), HasSubstr("fsync: Input/output error"));
  // A retry must not pretend the data is now durable (fsyncgate).
  EXPECT_FALSE(log().Sync().ok());
  const Status append = log().Append(std::vector<LogRecord>{Record(3)});
  EXPECT_THAT(append.message(), HasSubstr("log unusable after an earlier failure"));
  EXPECT_FALSE(log().TruncateSuffix(1).ok());
  Crash();
  Reopen();
  EXPECT_EQ(log().LastIndex(), 0u);
}

TEST_F(SegmentedLogTest, FullDiskSurfacesAndLaterWritesAreRefused) {
  Write(1, 2);
  Sync();
  fs_.SetSpaceLimit(EncodedSize(Record(3)) + 5);
  Write(3, 4);
  const Status status = log().Sync();
  EXPECT_EQ(status.code(), common::StatusCode::kResourceExhausted);
  EXPECT_THAT(status.message(), HasSubstr("No space left on device"));
  fs_.ClearSpaceLimit();
  EXPECT_FALSE(log().Sync().ok());
  Crash();
  Reopen();
  ExpectRecords(1, 2);
}

TEST_F(SegmentedLogTest, PartialWriteOnAFullDiskIsATornTailAfterRestart) {
  Write(1, 2);
  Sync();
  fs_.SetSpaceLimit(EncodedSize(Record(3)) + 5);
  Write(3, 4);
  EXPECT_FALSE(log().Sync().ok());
  fs_.ClearSpaceLimit();
  log_.reset();  // the process exits without a crash: written bytes stay
  Reopen();
  ExpectRecords(1, 3);
  EXPECT_EQ(log_lines_.size(), 1u);
}

TEST_F(SegmentedLogTest, OtherFilesInTheDirectoryAreIgnored) {
  Write(1, 1);
  Sync();
  auto file = fs_.Open(Path("hard-state"), OpenMode::kCreateOrTruncate);
  ASSERT_TRUE(file.ok());
  Reopen();
  ExpectRecords(1, 1);
}

}  // namespace
}  // namespace refdb::storage
