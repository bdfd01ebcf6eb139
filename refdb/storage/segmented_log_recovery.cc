// SegmentedLog::Open and recovery: reads every segment, checks it, cuts a torn tail and
// refuses to start on anything else. The rules and their reasons are in segmented_log.h.
#include <algorithm>
#include <iostream>

#include "refdb/storage/segmented_log.h"

namespace refdb::storage {
namespace {

// No log reaches 2^63 entries; a segment named beyond would let LastIndex() wrap around.
constexpr uint64_t kMaxFirstIndex = uint64_t{1} << 63;

}  // namespace

SegmentedLog::SegmentedLog(FileSystem& fs, std::string dir, Options options)
    : fs_(&fs), dir_(std::move(dir)), options_(std::move(options)) {
  if (!options_.log_line) {
    options_.log_line = [](const std::string& line) { std::cerr << line << "\n"; };
  }
}

Result<SegmentedLog> SegmentedLog::Open(FileSystem& fs, std::string dir, Options options) {
  SegmentedLog log(fs, std::move(dir), std::move(options));
  RETURN_IF_ERROR(log.Recover());
  return log;
}

Status SegmentedLog::Recover() {
  ASSIGN_OR_RETURN(const std::vector<uint64_t> first_indexes, ListSegments());
  if (first_indexes.empty()) return CreateSegment(1);
  for (size_t i = 0; i < first_indexes.size(); ++i) {
    RETURN_IF_ERROR(RecoverSegment(first_indexes[i], i + 1 == first_indexes.size()));
  }
  unwritten_index_ = LastIndex() + 1;
  RETURN_IF_ERROR(OpenLastSegment());
  // Whatever Open shows must be durable; see "Recovery" in the header.
  RETURN_IF_ERROR(open_file_->Sync());
  return fs_->SyncDir(dir_);
}

Result<std::vector<uint64_t>> SegmentedLog::ListSegments() {
  ASSIGN_OR_RETURN(const std::vector<std::string> names, fs_->ListDir(dir_));
  std::vector<uint64_t> first_indexes;
  for (const std::string& name : names) {
    if (auto first_index = ParseSegmentFileName(name)) first_indexes.push_back(*first_index);
  }
  std::sort(first_indexes.begin(), first_indexes.end());
  return first_indexes;
}

Status SegmentedLog::RecoverSegment(uint64_t first_index, bool is_last) {
  const std::string path = SegmentPath(first_index);
  if (first_index == 0 || first_index > kMaxFirstIndex) {
    // Indexes start at 1 (§5.3): a log from index 0 would end at 2^64 - 1 while empty.
    return Corruption(path, 0,
                      "segment first index " + std::to_string(first_index) +
                          " is outside [1, 2^63]; refusing to start");
  }
  if (!segments_.empty() && first_index != LastIndex() + 1) {
    return Corruption(path, 0,
                      "segment starts at index " + std::to_string(first_index) +
                          " but the log before it ends at index " + std::to_string(LastIndex()) +
                          ": a segment is missing or overlaps; refusing to start");
  }
  segments_.push_back(Segment{.first_index = first_index, .size_bytes = 0});
  ASSIGN_OR_RETURN(const std::string contents, ReadWholeFile(*fs_, path));
  const std::string_view bytes = contents;
  size_t offset = 0;
  while (offset < bytes.size()) {
    DecodedRecord decoded = DecodeRecord(bytes.substr(offset));
    if (decoded.outcome != DecodeOutcome::kOk) {
      return HandleBadRecord(path, bytes, offset, decoded.outcome, is_last);
    }
    const uint64_t expected_index = LastIndex() + 1;
    if (decoded.record.index != expected_index) {
      return Corruption(path, offset,
                        "record index " + std::to_string(decoded.record.index) + ", expected " +
                            std::to_string(expected_index) + "; refusing to start");
    }
    if (!entries_.empty() && decoded.record.term < entries_.back().term) {
      return Corruption(path, offset, "record term decreases; refusing to start");
    }
    entries_.push_back(std::move(decoded.record));
    offset += decoded.size_bytes;
    segments_.back().size_bytes = offset;
  }
  return Status::Ok();
}

Status SegmentedLog::HandleBadRecord(const std::string& path, std::string_view contents,
                                     size_t offset, DecodeOutcome outcome, bool is_last) {
  const std::string reason = DecodeOutcomeName(outcome);
  if (!is_last) {
    return Corruption(path, offset, reason + " in a closed segment; refusing to start");
  }
  if (HasValidRecordAfter(contents, offset)) {
    return Corruption(path, offset, reason + " in the middle of the log; refusing to start");
  }
  return CutTornTail(path, offset, contents.size(), outcome);
}

// Looks for any record with a matching CRC that starts after the bad one and carries a later
// index. Finding one means the bad bytes are not a torn tail: something was written after
// them. Offsets whose index field is implausible are skipped without computing a CRC.
bool SegmentedLog::HasValidRecordAfter(std::string_view contents, size_t offset) const {
  const uint64_t expected_index = LastIndex() + 1;
  const uint64_t max_plausible_index = expected_index + contents.size() / kRecordHeaderSize;
  for (size_t candidate = offset + 1; candidate + kRecordHeaderSize <= contents.size();
       ++candidate) {
    const std::string_view rest = contents.substr(candidate);
    const std::optional<uint64_t> index = PeekIndex(rest);
    if (!index || *index < expected_index || *index > max_plausible_index) continue;
    if (DecodeRecord(rest).outcome == DecodeOutcome::kOk) return true;
  }
  return false;
}

Status SegmentedLog::CutTornTail(const std::string& path, size_t offset, size_t size_bytes,
                                 DecodeOutcome outcome) {
  options_.log_line(path + " offset " + std::to_string(offset) + ": " + DecodeOutcomeName(outcome) +
                    " at the tail of the log (a write torn by a " + "crash); truncating " +
                    std::to_string(size_bytes - offset) + " bytes");
  ASSIGN_OR_RETURN(std::unique_ptr<File> file, fs_->Open(path, OpenMode::kExisting));
  RETURN_IF_ERROR(file->Truncate(offset));
  return file->Sync();
}

Status SegmentedLog::Corruption(const std::string& path, size_t offset,
                                const std::string& reason) const {
  return Status::IoError(path + " offset " + std::to_string(offset) + ": " + reason);
}

}  // namespace refdb::storage
