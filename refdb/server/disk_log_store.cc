#include "refdb/server/disk_log_store.h"

#include <algorithm>
#include <utility>

#include "common/check.h"
#include "common/mutex.h"
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

// A record's checksum proves it is what was written, not that refdb wrote it. The core trusts
// its log (it checks what peers send, in ValidateMessage), so a type it does not know or a
// membership entry that does not decode (another version's, or a bug's) stops the node here.
Status CheckEntries(const storage::SegmentedLog& log) {
  for (uint64_t index = log.FirstIndex(); index <= log.LastIndex(); ++index) {
    const storage::LogRecord& record = log.Entry(index);
    const std::string what = "log store: entry " + std::to_string(index);
    if (record.type > static_cast<uint8_t>(raft::EntryType::kEmpty)) {
      return Status::IoError(what + " has unknown type " + std::to_string(record.type) +
                             "; refusing to start");
    }
    if (record.type == static_cast<uint8_t>(raft::EntryType::kConfChange)) {
      const Status members = raft::DecodeMembers(record.data).status();
      if (!members.ok()) return Status::IoError(what + ": " + members.message());
    }
  }
  return Status::Ok();
}

}  // namespace

// One background snapshot write: its snapshot, and its outcome once `done`.
struct DiskLogStore::SnapshotJob {
  raft::Snapshot snapshot;
  common::Mutex mu;
  common::CondVar cv;
  bool done GUARDED_BY(mu) = false;
  Status result GUARDED_BY(mu);
};

Result<std::unique_ptr<DiskLogStore>> DiskLogStore::Open(storage::FileSystem& fs,
                                                         const std::string& dir,
                                                         BackgroundRunner runner) {
  const std::string log_dir = storage::JoinPath(dir, "log");
  RETURN_IF_ERROR(fs.CreateDir(dir));
  RETURN_IF_ERROR(fs.CreateDir(log_dir));
  ASSIGN_OR_RETURN(storage::SegmentedLog log, storage::SegmentedLog::Open(fs, log_dir, {}));
  ASSIGN_OR_RETURN(storage::StableStore stable, storage::StableStore::Open(fs, dir));
  ASSIGN_OR_RETURN(storage::StableStore snapshot_stable, storage::StableStore::Open(fs, dir));
  std::unique_ptr<DiskLogStore> store(new DiskLogStore(
      std::move(log), std::move(stable),
      std::make_shared<storage::StableStore>(std::move(snapshot_stable)), std::move(runner)));
  RETURN_IF_ERROR(store->Load());
  return store;
}

// A write in flight finishes (it may be a snapshot the next start needs); a custom runner's
// job that never ran is abandoned (it owns what it uses).
DiskLogStore::~DiskLogStore() {
  if (writer_.joinable()) writer_.join();
}

Status DiskLogStore::Load() {
  ASSIGN_OR_RETURN(std::optional<storage::Snapshot> snapshot, stable_.LoadSnapshot());
  // No log reaches index 2^63 (storage refuses segments past it); a later snapshot would move
  // the log where indexes wrap.
  if (snapshot && snapshot->meta.index >= uint64_t{1} << 63) {
    return Status::IoError("log store: snapshot index " + std::to_string(snapshot->meta.index) +
                           " is past 2^63; refusing to start");
  }
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
  RETURN_IF_ERROR(CheckEntries(log_));
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
  if (snapshot) {
    RETURN_IF_ERROR(FinishCompact());  // the two writes of the snapshot file never overlap
    RETURN_IF_ERROR(SaveSnapshot(*snapshot));
  }
  RETURN_IF_ERROR(AppendEntries(entries));
  if (!entries.empty()) RETURN_IF_ERROR(sync ? log_.Sync() : log_.Flush());
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
  RETURN_IF_ERROR(StartCompact(index, std::move(members), std::move(data)));
  return FinishCompact();
}

Status DiskLogStore::StartCompact(uint64_t index, std::vector<raft::NodeId> members,
                                  std::string data) {
  if (job_) {
    return Status::InvalidArgument("log store: a snapshot at " +
                                   std::to_string(job_->snapshot.index) +
                                   " is still being written");
  }
  if (index <= snapshot_.index || index > LastIndex()) {
    return Status::InvalidArgument("log store: compact to " + std::to_string(index) + " outside (" +
                                   std::to_string(snapshot_.index) + ", " +
                                   std::to_string(LastIndex()) + "]");
  }
  auto job = std::make_shared<SnapshotJob>();
  job->snapshot = {
      .index = index, .term = Term(index), .members = std::move(members), .data = std::move(data)};
  job_ = job;
  auto write = [job, stable = snapshot_stable_] {
    const raft::Snapshot& s = job->snapshot;
    Status result = stable->SaveSnapshot(
        {.index = s.index, .term = s.term, .members_blob = raft::EncodeMembers(s.members)}, s.data);
    {
      common::MutexLock lock(job->mu);
      job->result = std::move(result);
      job->done = true;
    }
    job->cv.NotifyAll();
  };
  if (runner_) {
    runner_(std::move(write));
  } else {
    if (writer_.joinable()) writer_.join();  // the previous job's thread, already done
    writer_ = std::thread(std::move(write));
  }
  return Status::Ok();
}

Status DiskLogStore::PollCompact() {
  if (!job_) return Status::Ok();
  {
    common::MutexLock lock(job_->mu);
    if (!job_->done) return Status::Ok();
  }
  return InstallFinishedJob();
}

Status DiskLogStore::FinishCompact() {
  if (!job_) return Status::Ok();
  {
    common::MutexLock lock(job_->mu);
    job_->cv.Wait(lock, [this]() REQUIRES(job_->mu) { return job_->done; });
  }
  return InstallFinishedJob();
}

// The snapshot file is durable: only now may the core see it and the log drop what it covers.
Status DiskLogStore::InstallFinishedJob() {
  std::shared_ptr<SnapshotJob> job = std::move(job_);
  job_.reset();
  if (writer_.joinable()) writer_.join();
  Status result;
  {
    common::MutexLock lock(job->mu);
    result = job->result;
  }
  RETURN_IF_ERROR(result);
  snapshot_ = std::move(job->snapshot);
  return log_.TruncatePrefix(snapshot_.index + 1);
}

}  // namespace refdb::server
