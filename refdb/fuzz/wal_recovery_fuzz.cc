// Fuzz target: recovery of a SegmentedLog (segmented_log.h) from arbitrary directory contents,
// on the in-memory FaultyFileSystem, so no real disk is touched.
//
// Input (fuzz_input.h): a flags byte, then up to kMaxFiles files, each a name byte and a piece
// of contents (storage_input.h, TakeLogFiles: name byte n < 200 names the segment whose first
// index is n; 200..254 the segments just below 2^64; 255 a file that is not a segment). Flag
// bit 0 recomputes every record's checksum first, so mutations reach the checks behind the CRC
// (index sequence, terms, segment chain) instead of all dying as checksum mismatches.
//
// Beyond "no crash" it holds that
//   - a refused log gets an IoError with a message, and no file was changed;
//   - a recovered log starts at index 1 or later, each segment's records re-encode to a
//     prefix of that file's original bytes (recovery returns nothing that was not written
//     validly), the whole file for every segment but the last (only a tail is ever cut), and
//     each file now holds exactly its records;
//   - opening the recovered log again gives the same records and cuts nothing;
//   - a record appended and synced after recovery is there after the next open.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/check.h"
#include "refdb/fuzz/fuzz_input.h"
#include "refdb/fuzz/storage_input.h"
#include "refdb/storage/faulty_file_system.h"
#include "refdb/storage/log_format.h"
#include "refdb/storage/segmented_log.h"

namespace refdb::fuzz {
namespace {

using storage::FaultyFileSystem;
using storage::LogRecord;
using storage::SegmentedLog;

constexpr uint8_t kFixChecksums = 1;
constexpr char kDir[] = "/log";

std::string Encode(const SegmentedLog& log, uint64_t lo, uint64_t hi) {
  std::string out;
  for (const LogRecord& record : log.Entries(lo, hi)) storage::AppendEncodedRecord(out, record);
  return out;
}

void CheckRecovered(const SegmentedLog& log, const Files& before, const Files& after) {
  CHECK(log.FirstIndex() >= 1) << "recovered a log starting at index " << log.FirstIndex();
  CHECK(log.LastIndex() + 1 >= log.FirstIndex());
  const std::vector<std::string> names = log.SegmentFileNames();
  for (size_t i = 0; i < names.size(); ++i) {
    const bool is_last = i + 1 == names.size();
    const uint64_t lo = *storage::ParseSegmentFileName(names[i]);
    const uint64_t hi =
        is_last ? log.LastIndex() + 1 : *storage::ParseSegmentFileName(names[i + 1]);
    CHECK(lo <= hi) << names[i];
    const std::string records = Encode(log, lo, hi);
    const auto original = before.find(names[i]);
    const std::string original_bytes = original == before.end() ? "" : original->second;
    CHECK(original_bytes.starts_with(records)) << names[i] << ": records nobody wrote";
    CHECK(is_last || original_bytes == records) << names[i] << ": a closed segment was cut";
    CHECK(after.at(names[i]) == records) << names[i] << ": file differs from its records";
  }
}

SegmentedLog::Options LogOptions(std::vector<std::string>& log_lines) {
  return {.max_segment_size_bytes = 256,
          .log_line = [&log_lines](const std::string& line) { log_lines.push_back(line); }};
}

void CheckReopenAndAppend(FaultyFileSystem& fs, const SegmentedLog& recovered) {
  const std::vector<LogRecord> records =
      recovered.Entries(recovered.FirstIndex(), recovered.LastIndex() + 1);
  std::vector<std::string> log_lines;
  auto log = SegmentedLog::Open(fs, kDir, LogOptions(log_lines));
  CHECK(log.ok()) << "a recovered log does not open again: " << log.status().message();
  CHECK(log_lines.empty()) << "the second open cut again: " << log_lines.front();
  CHECK(log->FirstIndex() == recovered.FirstIndex());
  CHECK(log->Entries(log->FirstIndex(), log->LastIndex() + 1) == records);
  const LogRecord next{.index = log->LastIndex() + 1,
                       .term = records.empty() ? 1 : records.back().term,
                       .data = "appended after recovery"};
  CHECK(log->Append({&next, 1}).ok());
  CHECK(log->Sync().ok());
  auto reopened = SegmentedLog::Open(fs, kDir, LogOptions(log_lines));
  CHECK(reopened.ok()) << reopened.status().message();
  CHECK(reopened->LastIndex() == next.index && reopened->Entry(next.index) == next);
}

}  // namespace
}  // namespace refdb::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using refdb::fuzz::Files;
  refdb::fuzz::ByteReader reader(data, size);
  const bool fix_checksums = (reader.TakeByte() & refdb::fuzz::kFixChecksums) != 0;
  const Files before = refdb::fuzz::TakeLogFiles(reader, fix_checksums);
  refdb::storage::FaultyFileSystem fs;
  refdb::fuzz::WriteFiles(fs, refdb::fuzz::kDir, before);
  std::vector<std::string> log_lines;
  auto log =
      refdb::storage::SegmentedLog::Open(fs, refdb::fuzz::kDir, refdb::fuzz::LogOptions(log_lines));
  const Files after = refdb::fuzz::ReadFiles(fs, refdb::fuzz::kDir);
  if (!log.ok()) {
    CHECK(log.status().code() == common::StatusCode::kIoError) << log.status().message();
    CHECK(!log.status().message().empty());
    CHECK(after == before) << "a refused log was changed";
    return 0;
  }
  refdb::fuzz::CheckRecovered(*log, before, after);
  refdb::fuzz::CheckReopenAndAppend(fs, *log);
  return 0;
}
