#include "refdb/storage/segmented_log.h"

#include "common/check.h"

namespace refdb::storage {

Status SegmentedLog::Append(std::span<const LogRecord> records) {
  RETURN_IF_ERROR(Usable());
  uint64_t last_term = entries_.empty() ? 0 : entries_.back().term;
  for (size_t i = 0; i < records.size(); ++i) {
    const LogRecord& record = records[i];
    if (record.index != LastIndex() + 1 + i) {
      return Status::InvalidArgument(dir_ + ": append: record index " +
                                     std::to_string(record.index) + " does not follow " +
                                     std::to_string(LastIndex() + i));
    }
    if (record.term < last_term) {
      return Status::InvalidArgument(dir_ + ": append: record " + std::to_string(record.index) +
                                     " has term " + std::to_string(record.term) + " below " +
                                     std::to_string(last_term));
    }
    last_term = record.term;
  }
  for (const LogRecord& record : records) {
    entries_.push_back(record);
    buffered_bytes_ += EncodedSize(record);
  }
  if (buffered_bytes_ > options_.max_buffered_bytes) return WriteBuffered();
  return Status::Ok();
}

Status SegmentedLog::Sync() {
  RETURN_IF_ERROR(Usable());
  RETURN_IF_ERROR(WriteBuffered());
  if (!is_dirty_) return Status::Ok();
  RETURN_IF_ERROR(Fail(open_file_->Sync()));
  is_dirty_ = false;
  return Status::Ok();
}

Status SegmentedLog::Flush() {
  RETURN_IF_ERROR(Usable());
  return WriteBuffered();
}

// Writes the unwritten entries, one write per segment, rolling over to a new segment when the
// open one is full.
Status SegmentedLog::WriteBuffered() {
  std::string batch;
  for (uint64_t index = unwritten_index_; index <= LastIndex(); ++index) {
    const LogRecord& record = Entry(index);
    const uint64_t segment_size_bytes = segments_.back().size_bytes + batch.size();
    if (segment_size_bytes > 0 &&
        segment_size_bytes + EncodedSize(record) > options_.max_segment_size_bytes) {
      RETURN_IF_ERROR(WriteToOpenSegment(batch));
      batch.clear();
      // The full segment is made durable before its successor exists (see the header).
      RETURN_IF_ERROR(Fail(open_file_->Sync()));
      is_dirty_ = false;
      RETURN_IF_ERROR(CreateSegment(index));
    }
    AppendEncodedRecord(batch, record);
  }
  RETURN_IF_ERROR(WriteToOpenSegment(batch));
  unwritten_index_ = LastIndex() + 1;
  buffered_bytes_ = 0;
  return Status::Ok();
}

Status SegmentedLog::WriteToOpenSegment(std::string_view bytes) {
  if (bytes.empty()) return Status::Ok();
  is_dirty_ = true;
  RETURN_IF_ERROR(Fail(open_file_->Append(bytes)));
  segments_.back().size_bytes += bytes.size();
  return Status::Ok();
}

// The new segment's directory entry is fsynced before any record goes into it, so a synced
// record can never sit in a file that a crash makes disappear.
Status SegmentedLog::CreateSegment(uint64_t first_index) {
  Result<std::unique_ptr<File>> file =
      fs_->Open(SegmentPath(first_index), OpenMode::kCreateExclusive);
  if (!file.ok()) return Fail(file.status());
  open_file_ = std::move(file).value();
  RETURN_IF_ERROR(Fail(fs_->SyncDir(dir_)));
  segments_.push_back(Segment{.first_index = first_index, .size_bytes = 0});
  return Status::Ok();
}

Status SegmentedLog::OpenLastSegment() {
  ASSIGN_OR_RETURN(open_file_,
                   fs_->Open(SegmentPath(segments_.back().first_index), OpenMode::kExisting));
  return Status::Ok();
}

Status SegmentedLog::TruncateSuffix(uint64_t first_index_to_remove) {
  RETURN_IF_ERROR(Usable());
  CHECK(first_index_to_remove >= FirstIndex())
      << dir_ << ": TruncateSuffix(" << first_index_to_remove << ") below the first index "
      << FirstIndex();
  while (!entries_.empty() && LastIndex() >= first_index_to_remove) {
    if (LastIndex() >= unwritten_index_) buffered_bytes_ -= EncodedSize(entries_.back());
    entries_.pop_back();
  }
  if (first_index_to_remove < unwritten_index_) {
    RETURN_IF_ERROR(RemoveWrittenSuffix(first_index_to_remove));
  }
  return Sync();
}

// Deletes later segments newest first, then shortens the one holding the cut.
Status SegmentedLog::RemoveWrittenSuffix(uint64_t first_index_to_remove) {
  unwritten_index_ = first_index_to_remove;
  while (segments_.size() > 1 && segments_.back().first_index >= first_index_to_remove) {
    open_file_.reset();
    RETURN_IF_ERROR(RemoveSegmentFile(segments_.back().first_index));
    segments_.pop_back();
    RETURN_IF_ERROR(Fail(OpenLastSegment()));
  }
  Segment& last = segments_.back();
  last.size_bytes = OffsetInSegment(last, first_index_to_remove);
  RETURN_IF_ERROR(Fail(open_file_->Truncate(last.size_bytes)));
  is_dirty_ = true;
  return Status::Ok();
}

Status SegmentedLog::TruncatePrefix(uint64_t first_index_to_keep) {
  RETURN_IF_ERROR(Sync());
  if (first_index_to_keep > LastIndex()) return EmptyInto(first_index_to_keep);
  // Oldest first, so a crash leaves a contiguous suffix of segments: still a valid log.
  while (segments_.size() > 1 && segments_[1].first_index <= first_index_to_keep) {
    RETURN_IF_ERROR(RemoveSegmentFile(segments_.front().first_index));
    const uint64_t removed_count = segments_[1].first_index - segments_[0].first_index;
    entries_.erase(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(removed_count));
    segments_.erase(segments_.begin());
  }
  return Status::Ok();
}

// Leaves one empty segment named `first_index`. Every step leaves a valid log: fewer old
// segments, then an empty log at the old index, then an empty log at the new one.
Status SegmentedLog::EmptyInto(uint64_t first_index) {
  while (segments_.size() > 1) {
    RETURN_IF_ERROR(RemoveSegmentFile(segments_.front().first_index));
    segments_.erase(segments_.begin());
  }
  RETURN_IF_ERROR(Fail(open_file_->Truncate(0)));
  RETURN_IF_ERROR(Fail(open_file_->Sync()));
  entries_.clear();
  const uint64_t old_first_index = segments_.front().first_index;
  segments_.front() = Segment{.first_index = first_index, .size_bytes = 0};
  unwritten_index_ = first_index;
  if (old_first_index != first_index) {
    open_file_.reset();
    RETURN_IF_ERROR(Fail(fs_->Rename(SegmentPath(old_first_index), SegmentPath(first_index))));
    RETURN_IF_ERROR(Fail(fs_->SyncDir(dir_)));
    RETURN_IF_ERROR(Fail(OpenLastSegment()));
  }
  return Status::Ok();
}

Status SegmentedLog::RemoveSegmentFile(uint64_t first_index) {
  RETURN_IF_ERROR(Fail(fs_->Remove(SegmentPath(first_index))));
  return Fail(fs_->SyncDir(dir_));
}

uint64_t SegmentedLog::OffsetInSegment(const Segment& segment, uint64_t index) const {
  uint64_t offset = 0;
  for (uint64_t i = segment.first_index; i < index; ++i) offset += EncodedSize(Entry(i));
  return offset;
}

const LogRecord& SegmentedLog::Entry(uint64_t index) const {
  CHECK(index >= FirstIndex() && index <= LastIndex())
      << dir_ << ": entry " << index << " outside [" << FirstIndex() << ", " << LastIndex() << "]";
  return entries_[index - FirstIndex()];
}

std::vector<LogRecord> SegmentedLog::Entries(uint64_t lo, uint64_t hi) const {
  CHECK(FirstIndex() <= lo && lo <= hi && hi <= LastIndex() + 1)
      << dir_ << ": entries [" << lo << ", " << hi << ") outside [" << FirstIndex() << ", "
      << LastIndex() + 1 << ")";
  const auto begin = entries_.begin() + static_cast<std::ptrdiff_t>(lo - FirstIndex());
  return {begin, begin + static_cast<std::ptrdiff_t>(hi - lo)};
}

std::vector<std::string> SegmentedLog::SegmentFileNames() const {
  std::vector<std::string> names;
  for (const Segment& segment : segments_) names.push_back(SegmentFileName(segment.first_index));
  return names;
}

std::string SegmentedLog::SegmentPath(uint64_t first_index) const {
  return JoinPath(dir_, SegmentFileName(first_index));
}

Status SegmentedLog::Fail(Status status) {
  if (!status.ok() && failure_.ok()) {
    failure_ = status.WithContext("log unusable after an earlier failure");
  }
  return status;
}

}  // namespace refdb::storage
