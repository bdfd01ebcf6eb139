#include "refdb/raft/raft_log.h"

#include <algorithm>

#include "common/check.h"

namespace refdb::raft {

RaftLog::RaftLog(const LogStore* store)
    : store_(store),
      offset_(store->LastIndex() + 1),
      committed_(store->FirstIndex() - 1),
      applied_(store->FirstIndex() - 1) {}

uint64_t RaftLog::first_index() const {
  if (unstable_snapshot_) return unstable_snapshot_->index + 1;
  return store_->FirstIndex();
}

uint64_t RaftLog::last_index() const {
  if (!unstable_.empty()) return offset_ + unstable_.size() - 1;
  if (unstable_snapshot_) return unstable_snapshot_->index;
  return store_->LastIndex();
}

uint64_t RaftLog::last_term() const {
  const std::optional<uint64_t> term = Term(last_index());
  CHECK(term.has_value()) << "the last entry " << last_index() << " has no term";
  return *term;
}

std::optional<uint64_t> RaftLog::UnstableTerm(uint64_t index) const {
  if (index >= offset_ && index < offset_ + unstable_.size())
    return unstable_[index - offset_].term;
  if (unstable_snapshot_ && index == unstable_snapshot_->index) return unstable_snapshot_->term;
  return std::nullopt;
}

std::optional<uint64_t> RaftLog::Term(uint64_t index) const {
  if (index > last_index()) return std::nullopt;
  if (std::optional<uint64_t> term = UnstableTerm(index)) return term;
  if (unstable_snapshot_ || index + 1 < store_->FirstIndex()) return std::nullopt;
  return store_->Term(index);
}

bool RaftLog::MatchTerm(uint64_t index, uint64_t term) const {
  const std::optional<uint64_t> ours = Term(index);
  return ours.has_value() && *ours == term;
}

bool RaftLog::IsUpToDate(uint64_t index, uint64_t term) const {
  return term > last_term() || (term == last_term() && index >= last_index());
}

std::optional<std::vector<Entry>> RaftLog::Slice(uint64_t lo, uint64_t hi, size_t max_count) const {
  CHECK(hi <= last_index() + 1) << "slice [" << lo << ", " << hi << ") past " << last_index();
  if (lo < first_index()) return std::nullopt;
  hi = std::min<uint64_t>(hi, lo + max_count);
  std::vector<Entry> out;
  if (lo >= hi) return out;
  if (lo < offset_) out = store_->Entries(lo, std::min(hi, offset_));
  for (uint64_t i = std::max(lo, offset_); i < hi; ++i) out.push_back(unstable_[i - offset_]);
  return out;
}

const Snapshot& RaftLog::snapshot() const {
  return unstable_snapshot_ ? *unstable_snapshot_ : store_->snapshot();
}

void RaftLog::Append(const std::vector<Entry>& entries) {
  if (entries.empty()) return;
  const uint64_t after = entries.front().index;
  CHECK(after > committed_) << "append at " << after << " would overwrite commit " << committed_;
  CHECK(after <= last_index() + 1)
      << "append at " << after << " leaves a gap after " << last_index();
  if (after <= offset_) {
    // The new entries replace the whole unstable tail and a suffix of the store, which the
    // shell truncates when it persists them.
    offset_ = after;
    unstable_.clear();
  } else {
    unstable_.resize(after - offset_);
  }
  unstable_.insert(unstable_.end(), entries.begin(), entries.end());
}

uint64_t RaftLog::FindConflict(const std::vector<Entry>& entries) const {
  for (const Entry& e : entries) {
    if (!MatchTerm(e.index, e.term)) return e.index;
  }
  return 0;
}

void RaftLog::CommitTo(uint64_t index) {
  if (index <= committed_) return;
  CHECK(index <= last_index()) << "commit " << index << " past the last index " << last_index();
  committed_ = index;
}

void RaftLog::Restore(const Snapshot& snapshot) {
  CHECK(snapshot.index > committed_)
      << "restore of snapshot " << snapshot.index << " at or below commit " << committed_;
  unstable_snapshot_ = snapshot;
  unstable_.clear();
  offset_ = snapshot.index + 1;
  committed_ = snapshot.index;
  applied_ = snapshot.index;
}

std::vector<Entry> RaftLog::CommittedToApply() const {
  const uint64_t lo = std::max(applied_ + 1, first_index());
  if (lo > committed_) return {};
  std::optional<std::vector<Entry>> entries = Slice(lo, committed_ + 1, committed_ + 1 - lo);
  CHECK(entries.has_value()) << "committed entries from " << lo << " were compacted";
  return std::move(*entries);
}

void RaftLog::AppliedTo(uint64_t index) {
  CHECK(index <= committed_) << "applied " << index << " past commit " << committed_;
  applied_ = std::max(applied_, index);
}

void RaftLog::StableTo(uint64_t index, uint64_t term) {
  // An entry that was overwritten after the Ready was taken stays unstable.
  if (UnstableTerm(index) != term || index < offset_) return;
  unstable_.erase(unstable_.begin(),
                  unstable_.begin() + static_cast<std::ptrdiff_t>(index + 1 - offset_));
  offset_ = index + 1;
}

void RaftLog::StableSnapshotTo(uint64_t index) {
  if (unstable_snapshot_ && unstable_snapshot_->index == index) unstable_snapshot_.reset();
}

}  // namespace refdb::raft
