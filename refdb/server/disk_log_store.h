// DiskLogStore: the core's LogStore over refdb/storage: entries in a SegmentedLog (`DIR/log`),
// hard state and snapshot in a StableStore (`DIR`). The core reads it; the server loop writes
// it through Persist and Compact. Not thread-safe: the loop owns it.
//
// What is durable when:
//   - Persist writes the Ready's snapshot, entries and hard state; with `sync` it fsyncs the
//     log once (group commit: every entry of one loop iteration shares it). Without `sync`
//     (only the `no-fsync` bug switch) appended entries may stay in this process's buffer, so
//     a SIGKILL loses them although they were acknowledged.
//   - The hard state is saved (atomically, fsynced) only when term or vote change: the commit
//     index need not be durable (a restarted node relearns it), and saving it on every commit
//     would cost two fsyncs per write. On open, the commit index is clamped into
//     [snapshot index, last index].
//   - Compact saves a snapshot of the state machine, then frees the log entries it covers.
//
// Layout seen by the core: the snapshot covers [1, S]; entries (S, last]. The SegmentedLog
// frees whole segments only, so it may still hold entries <= S; they are hidden.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "refdb/raft/log_store.h"
#include "refdb/storage/file_system.h"
#include "refdb/storage/segmented_log.h"
#include "refdb/storage/stable_store.h"

namespace refdb::server {

class DiskLogStore final : public raft::LogStore {
 public:
  // Opens (creating if needed) the store under `dir`. Fails on any damage the storage layer
  // reports, or when the log does not continue the snapshot. `fs` must outlive the store.
  static common::Result<std::unique_ptr<DiskLogStore>> Open(storage::FileSystem& fs,
                                                            const std::string& dir);

  raft::HardState hard_state() const override { return hard_state_; }
  const raft::Snapshot& snapshot() const override { return snapshot_; }
  uint64_t FirstIndex() const override { return snapshot_.index + 1; }
  uint64_t LastIndex() const override;
  uint64_t Term(uint64_t index) const override;
  std::vector<raft::Entry> Entries(uint64_t lo, uint64_t hi) const override;

  // Step 1 of the loop: persist what a Ready says.
  common::Status Persist(const std::optional<raft::Snapshot>& snapshot,
                         const std::vector<raft::Entry>& entries,
                         const std::optional<raft::HardState>& hard_state, bool sync);
  // Keeps a snapshot at `index` (must be in (snapshot index, last index] and applied) and
  // frees the entries it covers.
  common::Status Compact(uint64_t index, std::vector<raft::NodeId> members, std::string data);

 private:
  DiskLogStore(storage::SegmentedLog log, storage::StableStore stable)
      : log_(std::move(log)), stable_(std::move(stable)) {}

  common::Status Load();
  common::Status SaveSnapshot(const raft::Snapshot& snapshot);
  common::Status AppendEntries(const std::vector<raft::Entry>& entries);
  common::Status SaveHardState(const raft::HardState& hard_state);

  storage::SegmentedLog log_;
  storage::StableStore stable_;
  raft::HardState hard_state_;
  raft::Snapshot snapshot_;
};

}  // namespace refdb::server
