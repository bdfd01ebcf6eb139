// DiskLogStore: the core's LogStore over refdb/storage: entries in a SegmentedLog (`DIR/log`),
// hard state and snapshot in a StableStore (`DIR`). The core reads it; the server loop writes
// it through Persist and Compact. Not thread-safe: the loop owns it.
//
// What is durable when:
//   - Persist writes the Ready's snapshot, entries and hard state; with `sync` it fsyncs the
//     log once (group commit: every entry of one loop iteration shares it). Without `sync`
//     (only the `no-fsync` bug switch) appended entries are written to the segment file
//     (write(2)) but never fsynced: a SIGKILL of the process loses nothing, but a machine crash
//     (the nemesis's disk-lose-unsynced) loses them although they were acknowledged.
//   - The hard state is saved (atomically, fsynced) only when term or vote change: the commit
//     index need not be durable (a restarted node relearns it), and saving it on every commit
//     would cost two fsyncs per write. On open, the commit index is clamped into
//     [snapshot index, last index].
//   - StartCompact hands a snapshot of the state machine (serialized by the loop) to a
//     background writer (temp file, fsync, rename, directory fsync: StableStore), so the loop
//     never waits for it. Nothing changes for the core until the loop learns it is durable:
//     PollCompact (each iteration) or FinishCompact (blocking) then makes it snapshot() and
//     frees the log entries it covers. One write at a time; a received snapshot (Persist)
//     first waits for the one in flight. Compact does both steps, blocking.
//
// Layout seen by the core: the snapshot covers [1, S]; entries (S, last]. The SegmentedLog
// frees whole segments only, so it may still hold entries <= S; they are hidden.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "refdb/raft/log_store.h"
#include "refdb/storage/file_system.h"
#include "refdb/storage/segmented_log.h"
#include "refdb/storage/stable_store.h"

namespace refdb::server {

class DiskLogStore final : public raft::LogStore {
 public:
  // Runs a snapshot write away from the loop. The default (empty) starts a thread per write,
  // joined by the store. Tests pass one that keeps the job and runs it when they choose.
  using BackgroundRunner = std::function<void(std::function<void()> job)>;

  // Opens (creating if needed) the store under `dir`. Fails on any damage the storage layer
  // reports, or when the log does not continue the snapshot. `fs` must outlive the store and
  // be thread-safe when `runner` runs jobs on another thread (PosixFileSystem is).
  static common::Result<std::unique_ptr<DiskLogStore>> Open(storage::FileSystem& fs,
                                                            const std::string& dir,
                                                            BackgroundRunner runner = {});
  ~DiskLogStore() override;
  DiskLogStore(const DiskLogStore&) = delete;
  DiskLogStore& operator=(const DiskLogStore&) = delete;

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
  // Fsyncs the entries written since the last sync (Persist without `sync`).
  common::Status SyncLog() { return log_.Sync(); }
  // Keeps a snapshot at `index` (must be in (snapshot index, last index] and applied) and
  // frees the entries it covers. Blocking.
  common::Status Compact(uint64_t index, std::vector<raft::NodeId> members, std::string data);

  // Starts writing a snapshot at `index` (same rules as Compact) in the background.
  // InvalidArgument while another one is being written.
  common::Status StartCompact(uint64_t index, std::vector<raft::NodeId> members, std::string data);
  // True from StartCompact until PollCompact or FinishCompact took the result.
  bool compaction_pending() const { return job_ != nullptr; }
  // Does not block: if the background write finished, installs it (or returns its error;
  // the log is then left whole).
  common::Status PollCompact();
  // Waits for the background write, if any, then as PollCompact.
  common::Status FinishCompact();

 private:
  struct SnapshotJob;

  DiskLogStore(storage::SegmentedLog log, storage::StableStore stable,
               std::shared_ptr<storage::StableStore> snapshot_stable, BackgroundRunner runner)
      : log_(std::move(log)),
        stable_(std::move(stable)),
        snapshot_stable_(std::move(snapshot_stable)),
        runner_(std::move(runner)) {}

  common::Status Load();
  common::Status SaveSnapshot(const raft::Snapshot& snapshot);
  common::Status AppendEntries(const std::vector<raft::Entry>& entries);
  common::Status SaveHardState(const raft::HardState& hard_state);
  common::Status InstallFinishedJob();

  storage::SegmentedLog log_;
  storage::StableStore stable_;  // hard state and received snapshots: the loop's
  // Local snapshots: used only by the job in flight (a second handle on the same files; the
  // two never write at the same time).
  std::shared_ptr<storage::StableStore> snapshot_stable_;
  BackgroundRunner runner_;
  std::shared_ptr<SnapshotJob> job_;  // the write in flight, if any
  std::thread writer_;                // the default runner's thread for job_
  raft::HardState hard_state_;
  raft::Snapshot snapshot_;
};

}  // namespace refdb::server
