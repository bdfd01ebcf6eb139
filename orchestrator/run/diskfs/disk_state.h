// DiskState: what splitbrain-diskfs's FUSE operations (fuse_ops.cc) and its control socket
// (control_server.h) share: the backing directory, the faults in force and the unsynced
// writes. One mutex guards the faults and the bookkeeping; no operation sleeps under it (an
// fsync's added latency is waited out before it is taken).
#pragma once

#include <fuse.h>

#include "common/mutex.h"
#include "common/unique_fd.h"
#include "nemesis/disk_fault.h"
#include "orchestrator/run/diskfs/unsynced_writes.h"

namespace diskfs {

struct DiskState {
  explicit DiskState(common::UniqueFd backing_dir)
      : backing(std::move(backing_dir)), unsynced(backing.get()) {}

  const common::UniqueFd backing;  // O_DIRECTORY descriptor of the backing directory
  common::Mutex mutex;
  nemesis::DiskFaults faults GUARDED_BY(mutex);
  UnsyncedWrites unsynced GUARDED_BY(mutex);
  struct fuse* fuse = nullptr;  // set before the loop starts; for cache invalidation
};

// The operations, for fuse_new; each finds the DiskState as fuse_get_context()->private_data.
const fuse_operations& Operations();

}  // namespace diskfs
