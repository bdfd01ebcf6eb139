#include "refdb/raft/progress.h"

#include <algorithm>

namespace refdb::raft {

std::string_view ProgressStateName(ProgressState state) {
  switch (state) {
    case ProgressState::kProbe:
      return "probe";
    case ProgressState::kReplicate:
      return "replicate";
    case ProgressState::kSnapshot:
      return "snapshot";
  }
  return "unknown";
}

bool Progress::IsPaused() const {
  switch (state) {
    case ProgressState::kProbe:
      return probe_sent;
    case ProgressState::kReplicate:
      return false;
    case ProgressState::kSnapshot:
      return true;
  }
  return true;
}

void Progress::BecomeProbe() {
  // After a snapshot, probing resumes after whichever is newer: the snapshot or the match.
  if (state == ProgressState::kSnapshot) {
    next = std::max(match + 1, pending_snapshot + 1);
  } else {
    next = match + 1;
  }
  state = ProgressState::kProbe;
  probe_sent = false;
  pending_snapshot = 0;
}

void Progress::BecomeReplicate() {
  state = ProgressState::kReplicate;
  next = match + 1;
  probe_sent = false;
  pending_snapshot = 0;
}

void Progress::BecomeSnapshot(uint64_t snapshot_index) {
  state = ProgressState::kSnapshot;
  probe_sent = false;
  pending_snapshot = snapshot_index;
}

bool Progress::MaybeUpdate(uint64_t index) {
  bool updated = false;
  if (match < index) {
    match = index;
    updated = true;
    probe_sent = false;
  }
  next = std::max(next, index + 1);
  return updated;
}

bool Progress::MaybeDecreaseTo(uint64_t rejected, uint64_t hint_next) {
  // In correct Raft a rejection at or below the match index answers an append sent before the
  // follower caught up (reordered). Under a bug switch it can also mean the follower lost
  // entries it acknowledged; ignoring it then stalls that follower instead of looping forever.
  if (rejected <= match) return false;
  if (state == ProgressState::kReplicate) {
    next = match + 1;
    return true;
  }
  if (next == 0 || next - 1 != rejected) return false;  // not the probe we are waiting for
  next = std::max(std::min(rejected, hint_next), match + 1);
  probe_sent = false;
  return true;
}

void Progress::OnAppendSent(uint64_t last_sent) {
  if (state == ProgressState::kReplicate) {
    if (last_sent != 0) next = last_sent + 1;
    return;
  }
  probe_sent = true;
}

}  // namespace refdb::raft
