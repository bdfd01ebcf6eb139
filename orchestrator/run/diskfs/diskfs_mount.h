// DiskfsMount: one node's data directory mounted through splitbrain-diskfs (diskfs_main.cc), as
// an RAII object. Create starts the helper (its own process group, so a Ctrl-C meant for the
// run does not unmount a node's disk under it; SPLITBRAIN_RUN_ID in its environment) and
// returns once the mount answers on its control socket and is listed in /proc/self/mounts; the
// destructor unmounts (SIGTERM to the helper, which unmounts; if the mount is still listed
// after 5 s, a lazy umount2 and SIGKILL). Unmount the nodes' disks only after the nodes are
// stopped: a lazily detached mount leaves a running node with errors on every file.
//
// Stale mounts of a dead run are found by their fsname (`splitbrain-<run id>-<name>`, type
// `fuse.splitbrain-diskfs`): CleanupDiskMounts. Thread-safe: Set, Crash and Get are each one
// request on the control socket.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/process/child.h"
#include "common/status.h"
#include "nemesis/disk_fault.h"
#include "orchestrator/run/backend/cleanup.h"

namespace diskfs {

struct DiskfsMountOptions {
  std::filesystem::path helper;      // the splitbrain-diskfs program
  std::string run_id;                // names the mount and the socket
  std::string name;                  // e.g. "n1": unique within the run
  std::filesystem::path backing;     // where the files really are; created if missing
  std::filesystem::path mountpoint;  // must exist (an empty directory)
  std::filesystem::path log;         // the helper's output, appended
};

class DiskfsMount {
 public:
  static common::Result<std::unique_ptr<DiskfsMount>> Create(const DiskfsMountOptions& options);
  DiskfsMount(const DiskfsMount&) = delete;
  DiskfsMount& operator=(const DiskfsMount&) = delete;
  ~DiskfsMount();  // Unmount; a failure is logged

  common::Status Set(const nemesis::DiskFaults& faults);
  // Drops every unsynced write; returns how many files it reverted.
  common::Result<int> Crash();
  // The helper's `get` answer (faults in force, unsynced files).
  common::Result<std::string> Get();
  // Idempotent.
  common::Status Unmount();

  const std::filesystem::path& mountpoint() const { return options_.mountpoint; }

 private:
  explicit DiskfsMount(DiskfsMountOptions options) : options_(std::move(options)) {}
  common::Status AwaitReady();

  DiskfsMountOptions options_;
  common::process::Child helper_;
  bool mounted_ = false;
};

// splitbrain-diskfs beside this program (the build puts both in one folder).
std::filesystem::path DiskfsHelperPath();

// Whether `mountpoint` is listed in /proc/self/mounts as a splitbrain-diskfs mount.
bool IsDiskfsMounted(const std::filesystem::path& mountpoint);

// Lazily unmounts every splitbrain-diskfs mount of a run `filter` accepts; one line each.
common::Result<std::vector<std::string>> CleanupDiskMounts(const orchestrator::RunFilter& filter);

// Writes, fsyncs, reads back and removes a probe file in `dir` (`.splitbrain-probe`): what a
// process sees there now.
nemesis::DiskProbe ProbeDir(const std::filesystem::path& dir);

}  // namespace diskfs
