// Fuzz target: recovery of a SegmentedLog (segmented_log.h) from arbitrary directory contents,
// on the in-memory FaultyFileSystem, so no real disk is touched.
//
// Input (fuzz_input.h): a flags byte, then up to kMaxFiles files, each a name byte and a
// piece of contents. Name byte n < 200 names the segment whose first index is n; 200..254 the
// segments just below 2^64 (index overflow); 255 a file that is not a segment. Flag bit 0
// recomputes every record's checksum first, so mutations reach the checks behind the CRC
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
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/check.h"
#include "refdb/fuzz/fuzz_input.h"
#include "refdb/storage/coding.h"
#include "refdb/storage/faulty_file_system.h"
#include "refdb/storage/log_format.h"
#include "refdb/storage/segmented_log.h"

namespace refdb::fuzz {
namespace {

using storage::FaultyFileSystem;
using storage::LogRecord;
using storage::SegmentedLog;
using Files = std::map<std::string, std::string>;

constexpr size_t kMaxFiles = 8;
constexpr uint8_t kFixChecksums = 1;
const std::string kDir = "/log";

std::string FileName(uint8_t name_byte) {
  if (name_byte < 200) return storage::SegmentFileName(name_byte);
  if (name_byte < 255) return storage::SegmentFileName(UINT64_MAX - (254 - name_byte));
  return "notes.txt";
}

// Rewrites the checksum of every whole record, walking the file as recovery does.
void FixChecksums(std::string& contents) {
  size_t offset = 0;
  while (contents.size() - offset >= storage::kRecordHeaderSize) {
    const std::string_view rest = std::string_view(contents).substr(offset);
    const size_t data_size = storage::DecodeFixed32(rest, 0);
    if (rest.size() - storage::kRecordHeaderSize < data_size) return;
    const LogRecord record{.index = storage::DecodeFixed64(rest, 8),
                           .term = storage::DecodeFixed64(rest, 16),
                           .type = static_cast<uint8_t>(rest[24]),
                           .data = std::string(rest.substr(storage::kRecordHeaderSize, data_size))};
    std::string encoded;
    storage::AppendEncodedRecord(encoded, record);
    contents.replace(offset, encoded.size(), encoded);
    offset += encoded.size();
  }
}

Files ParseInput(ByteReader& reader) {
  const uint8_t flags = reader.TakeByte();
  Files files;
  for (size_t i = 0; i < kMaxFiles && !reader.empty(); ++i) {
    const std::string name = FileName(reader.TakeByte());
    std::string contents(reader.TakePiece());
    if ((flags & kFixChecksums) != 0) FixChecksums(contents);
    files[name] = std::move(contents);
  }
  return files;
}

void WriteFiles(FaultyFileSystem& fs, const Files& files) {
  CHECK(fs.CreateDir(kDir).ok());
  for (const auto& [name, contents] : files) {
    auto file = fs.Open(storage::JoinPath(kDir, name), storage::OpenMode::kCreateOrTruncate);
    CHECK(file.ok()) << file.status().message();
    CHECK((*file)->Append(contents).ok());
    CHECK((*file)->Sync().ok());
  }
  CHECK(fs.SyncDir(kDir).ok());
}

Files ReadFiles(FaultyFileSystem& fs) {
  Files files;
  auto names = fs.ListDir(kDir);
  CHECK(names.ok()) << names.status().message();
  for (const std::string& name : *names) {
    auto contents = storage::ReadWholeFile(fs, storage::JoinPath(kDir, name));
    CHECK(contents.ok()) << contents.status().message();
    files[name] = *contents;
  }
  return files;
}

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
  const Files before = refdb::fuzz::ParseInput(reader);
  refdb::storage::FaultyFileSystem fs;
  refdb::fuzz::WriteFiles(fs, before);
  std::vector<std::string> log_lines;
  auto log =
      refdb::storage::SegmentedLog::Open(fs, refdb::fuzz::kDir, refdb::fuzz::LogOptions(log_lines));
  const Files after = refdb::fuzz::ReadFiles(fs);
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
