#include "refdb/server/disk_log_store.h"

#include <algorithm>
#include <utility>

#include "common/check.h"
#include "refdb/raft/membership.h"

namespace refdb::server {

using common::Result;
using common::Status;

namespace {

storage::LogRecord ToRecord(const raft::Entry& e) {
  return {.index = e.index, .term = e.term, .type = static_cast<uint8_t>(e.type), .data = e.data};
}

raft::Entry FromRecord(const storage::LogRecord& r) {
  return {.term = r.term,
          .index = r.index,
          .type = static_cast<raft::EntryType>(r.type),
          .data = r.data};
}

}  // namespace

Result<std::unique_ptr<DiskLogStore>> DiskLogStore::Open(storage::FileSystem& fs,
                                                         const std::string& dir) {
  const std::string log_dir = storage::JoinPath(dir, "log");
  RETURN_IF_ERROR(fs.CreateDir(dir));
  RETURN_IF_ERROR(fs.CreateDir(log_dir));
  ASSIGN_OR_RETURN(storage::SegmentedLog log, storage::SegmentedLog::Open(fs, log_dir, {}));
  ASSIGN_OR_RETURN(storage::StableStore stable, storage::StableStore::Open(fs, dir));
  std::unique_ptr<DiskLogStore> store(new DiskLogStore(std::move(log), std::move(stable)));
  RETURN_IF_ERROR(store->Load());
  return store;
}

Status DiskLogStore::Load() {
  ASSIGN_OR_RETURN(std::optional<storage::Snapshot> snapshot, stable_.LoadSnapshot());
  if (snapshot) {
    ASSIGN_OR_RETURN(std::vector<raft::NodeId> members,
                     raft::DecodeMembers(snapshot->meta.members_blob));
    snapshot_ = {.index = snapshot->meta.index,
                 .term = snapshot->meta.term,
                 .members = std::move(members),
                 .data = std::move(snapshot->data)};
  }
  // A crash between saving a snapshot and freeing the log leaves a log that ends before it.
  if (log_.LastIndex() < snapshot_.index) RETURN_IF_ERROR(log_.TruncatePrefix(snapshot_.index + 1));
  if (log_.FirstIndex() > snapshot_.index + 1) {
    return Status::IoError("log store: the log starts at " + std::to_string(log_.FirstIndex()) +
                           " but the snapshot ends at " + std::to_string(snapshot_.index) +
                           ": entries are missing");
  }
  ASSIGN_OR_RETURN(std::optional<storage::HardState> hs, stable_.LoadHardState());
  if (hs) hard_state_ = {.term = hs->term, .vote = hs->vote, .commit = hs->commit};
  hard_state_.commit = std::clamp(hard_state_.commit, snapshot_.index, LastIndex());
  return Status::Ok();
}

uint64_t DiskLogStore::LastIndex() const { return std::max(log_.LastIndex(), snapshot_.index); }

uint64_t DiskLogStore::Term(uint64_t index) const {
  CHECK(index >= snapshot_.index && index <= LastIndex())
      << "term of " << index << " outside [" << snapshot_.index << ", " << LastIndex() << "]";
  if (index == snapshot_.index) return snapshot_.term;
  return log_.Term(index);
}

std::vector<raft::Entry> DiskLogStore::Entries(uint64_t lo, uint64_t hi) const {
  CHECK(FirstIndex() <= lo && lo <= hi && hi <= LastIndex() + 1)
      << "entries [" << lo << ", " << hi << ") outside [" << FirstIndex() << ", " << LastIndex() + 1
      << ")";
  std::vector<raft::Entry> entries;
  entries.reserve(hi - lo);
  for (uint64_t i = lo; i < hi; ++i) entries.push_back(FromRecord(log_.Entry(i)));
  return entries;
}

Status DiskLogStore::Persist(const std::optional<raft::Snapshot>& snapshot,
                             const std::vector<raft::Entry>& entries,
                             const std::optional<raft::HardState>& hard_state, bool sync) {
  if (snapshot) RETURN_IF_ERROR(SaveSnapshot(*snapshot));
  RETURN_IF_ERROR(AppendEntries(entries));
  if (sync && !entries.empty()) RETURN_IF_ERROR(log_.Sync());
  if (hard_state) RETURN_IF_ERROR(SaveHardState(*hard_state));
  return Status::Ok();
}

// A received snapshot replaces the whole log (the core restores only when the log does not
// hold the snapshot's last entry, so every entry after it conflicts too).
Status DiskLogStore::SaveSnapshot(const raft::Snapshot& snapshot) {
  const uint64_t keep = snapshot.index + 1;
  if (log_.LastIndex() >= keep && log_.FirstIndex() <= keep) {
    RETURN_IF_ERROR(log_.TruncateSuffix(keep));
  }
  RETURN_IF_ERROR(stable_.SaveSnapshot({.index = snapshot.index,
                                        .term = snapshot.term,
                                        .members_blob = raft::EncodeMembers(snapshot.members)},
                                       snapshot.data));
  snapshot_ = snapshot;
  return log_.TruncatePrefix(keep);
}

Status DiskLogStore::AppendEntries(const std::vector<raft::Entry>& entries) {
  if (entries.empty()) return Status::Ok();
  const uint64_t first = entries.front().index;
  CHECK(first > snapshot_.index && first <= LastIndex() + 1)
      << "append at " << first << " to a log (" << snapshot_.index << ", " << LastIndex() << "]";
  if (first <= log_.LastIndex()) RETURN_IF_ERROR(log_.TruncateSuffix(first));
  std::vector<storage::LogRecord> records;
  records.reserve(entries.size());
  for (const raft::Entry& e : entries) records.push_back(ToRecord(e));
  return log_.Append(records);
}

Status DiskLogStore::SaveHardState(const raft::HardState& hard_state) {
  const bool must_save = hard_state.term != hard_state_.term || hard_state.vote != hard_state_.vote;
  if (must_save) {
    RETURN_IF_ERROR(stable_.SaveHardState(
        {.term = hard_state.term, .vote = hard_state.vote, .commit = hard_state.commit}));
  }
  hard_state_ = hard_state;
  return Status::Ok();
}

Status DiskLogStore::Compact(uint64_t index, std::vector<raft::NodeId> members, std::string data) {
  if (index <= snapshot_.index || index > LastIndex()) {
    return Status::InvalidArgument("log store: compact to " + std::to_string(index) + " outside (" +
                                   std::to_string(snapshot_.index) + ", " +
                                   std::to_string(LastIndex()) + "]");
  }
  raft::Snapshot snapshot{
      .index = index, .term = Term(index), .members = std::move(members), .data = std::move(data)};
  RETURN_IF_ERROR(stable_.SaveSnapshot({.index = snapshot.index,
                                        .term = snapshot.term,
                                        .members_blob = raft::EncodeMembers(snapshot.members)},
                                       snapshot.data));
  snapshot_ = std::move(snapshot);
  return log_.TruncatePrefix(index + 1);
}

}  // namespace refdb::server
