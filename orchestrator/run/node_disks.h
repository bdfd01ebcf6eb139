// NodeDisks: every node's data dir mounted through the FUSE disk layer (diskfs/), for a run
// whose schedule has disk faults. Each node's files really live in run_dir/nodes/n<i>/disk;
// splitbrain-diskfs mounts that onto run_dir/nodes/n<i>/data (the dir the backend hands the
// node), so every read, write and fsync of the database goes through the layer, whatever
// language it is written in. Mount before the nodes are created; unmount after they are
// stopped (RAII: the destructor unmounts what is still mounted; `splitbrain cleanup` finds the
// mounts of a run that died by their fsname). Set, Crash and Probe may be called from the
// nemesis thread while the run's thread waits; Unmount only once the nemesis is done.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "nemesis/disk_fault.h"
#include "orchestrator/run/diskfs/diskfs_mount.h"
#include "orchestrator/store/run_dir.h"

namespace orchestrator {

class NodeDisks {
 public:
  // Mounts nodes 1..nodes; on an error, what was mounted is unmounted.
  static common::Result<std::unique_ptr<NodeDisks>> Mount(const std::string& run_id,
                                                          const RunDir& run_dir, int nodes);

  common::Status Set(int node, const nemesis::DiskFaults& faults);
  common::Result<int> Crash(int node);
  common::Result<nemesis::DiskProbe> Probe(int node);
  // Every mount; the first error wins. Idempotent.
  common::Status Unmount();

 private:
  common::Result<diskfs::DiskfsMount*> Of(int node);

  std::vector<std::unique_ptr<diskfs::DiskfsMount>> mounts_;  // index node - 1
};

}  // namespace orchestrator
