#include "orchestrator/run/node_disks.h"

namespace orchestrator {

using common::Result;
using common::Status;

Result<std::unique_ptr<NodeDisks>> NodeDisks::Mount(const std::string& run_id,
                                                    const RunDir& run_dir, int nodes) {
  auto disks = std::make_unique<NodeDisks>();
  for (int i = 1; i <= nodes; ++i) {
    const std::string name = "n" + std::to_string(i);
    ASSIGN_OR_RETURN(auto mount,
                     diskfs::DiskfsMount::Create({.helper = diskfs::DiskfsHelperPath(),
                                                  .run_id = run_id,
                                                  .name = name,
                                                  .backing = run_dir.node(i) / "disk",
                                                  .mountpoint = run_dir.node_data(i),
                                                  .log = run_dir.node(i) / "diskfs.log"}));
    disks->mounts_.push_back(std::move(mount));
  }
  return disks;
}

Result<diskfs::DiskfsMount*> NodeDisks::Of(int node) {
  if (node < 1 || node > static_cast<int>(mounts_.size()) || !mounts_[node - 1]) {
    return Status::InvalidArgument("disk of node " + std::to_string(node) + ": not mounted");
  }
  return mounts_[node - 1].get();
}

Status NodeDisks::Set(int node, const nemesis::DiskFaults& faults) {
  ASSIGN_OR_RETURN(diskfs::DiskfsMount * mount, Of(node));
  return mount->Set(faults);
}

Result<int> NodeDisks::Crash(int node) {
  ASSIGN_OR_RETURN(diskfs::DiskfsMount * mount, Of(node));
  return mount->Crash();
}

Result<nemesis::DiskProbe> NodeDisks::Probe(int node) {
  ASSIGN_OR_RETURN(diskfs::DiskfsMount * mount, Of(node));
  return diskfs::ProbeDir(mount->mountpoint());
}

Status NodeDisks::Unmount() {
  Status first;
  for (auto& mount : mounts_) {
    if (!mount) continue;
    const Status status = mount->Unmount();
    if (first.ok() && !status.ok()) first = status;
  }
  return first;
}

}  // namespace orchestrator
