// Nemesis: the faults that act on node processes and their disks (kill, pause, the disk
// faults), split from nemesis.cc by responsibility. The contract is in nemesis.h.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <string>

#include "nemesis/nemesis.h"

namespace nemesis {
namespace {

// Adds the effect of one disk fault's plan to `faults`.
void AddDiskFault(const Plan& plan, DiskFaults& faults) {
  switch (plan.kind) {
    case FaultKind::kDiskError:
      faults.eio.insert(plan.disk_op);
      break;
    case FaultKind::kDiskSlow:
      faults.fsync_delay = std::max(faults.fsync_delay, plan.fsync_delay);
      break;
    case FaultKind::kDiskFull:
      faults.full = true;
      break;
    default:
      break;
  }
}

std::string ErrnoName(int error) {
  if (error == 0) return "no error";
  if (error == EIO) return "EIO";
  if (error == ENOSPC) return "ENOSPC";
  return std::strerror(error);  // NOLINT(concurrency-mt-unsafe): under the nemesis mutex
}

}  // namespace

common::Status Nemesis::KillAll(const std::vector<int>& nodes) {
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (kills_[nodes[i]]++ > 0) continue;  // already down for another fault
    common::Status killed = control_.Kill(nodes[i]);
    if (killed.ok()) continue;
    for (size_t j = 0; j <= i; ++j) {  // undo this fault's part, the failed node included
      if (--kills_[nodes[j]] == 0 && j < i) KeepFirst(killed, Restart(nodes[j]));
    }
    return killed.WithContext("kill node " + std::to_string(nodes[i]));
  }
  return common::Status::Ok();
}

common::Status Nemesis::PauseAll(const std::vector<int>& nodes) {
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (pauses_[nodes[i]]++ > 0) continue;
    common::Status paused = control_.Pause(nodes[i]);
    if (paused.ok()) continue;
    for (size_t j = 0; j <= i; ++j) {
      if (--pauses_[nodes[j]] == 0 && j < i) KeepFirst(paused, control_.Resume(nodes[j]));
    }
    return paused.WithContext("pause node " + std::to_string(nodes[i]));
  }
  return common::Status::Ok();
}

common::Status Nemesis::Restart(int node) {
  RETURN_IF_ERROR(control_.Start(node).WithContext("start node " + std::to_string(node)));
  return rules_.Reapply(node);
}

common::Status Nemesis::LoseUnsynced(const std::vector<int>& nodes) {
  RETURN_IF_ERROR(KillAll(nodes));
  common::Status dropped;
  for (int node : nodes) {
    auto reverted = control_.DropUnsyncedWrites(node);
    if (!reverted.ok()) {
      dropped =
          reverted.status().WithContext("drop the unsynced writes of node " + std::to_string(node));
      break;
    }
  }
  if (dropped.ok()) return dropped;
  for (int node : nodes) {  // undo the kill: the fault did not happen as planned
    if (--kills_[node] == 0) KeepFirst(dropped, Restart(node));
  }
  return dropped;
}

common::Status Nemesis::SetDisks(const std::vector<int>& nodes, const Active* skip,
                                 const Plan* extra) {
  for (int node : nodes) {
    DiskFaults faults;
    for (const auto& [id, other] : active_) {
      const auto& targets = other.plan.targets;
      if (&other == skip || std::find(targets.begin(), targets.end(), node) == targets.end()) {
        continue;
      }
      AddDiskFault(other.plan, faults);
    }
    if (extra != nullptr) AddDiskFault(*extra, faults);
    RETURN_IF_ERROR(control_.SetDiskFaults(node, faults)
                        .WithContext("set the disk faults of node " + std::to_string(node)));
  }
  return common::Status::Ok();
}

common::Status Nemesis::UndoDisk(const Active& active) {
  common::Status first = SetDisks(active.plan.targets, &active, nullptr);
  for (int node : active.plan.targets) {
    if (kills_[node] > 0) continue;  // a kill fault restarts it
    auto state = control_.RunState(node);
    if (state.ok() && *state == NodeRunState::kStopped) KeepFirst(first, Restart(node));
  }
  return first;
}

void Nemesis::VerifyDisk(const Active& active, const AddProbe& add) {
  const Plan& plan = active.plan;
  for (int node : plan.targets) {
    auto probe = control_.ProbeDisk(node);
    if (!probe.ok()) {
      add("disk", node, 0, false, probe.status().message());
      continue;
    }
    if (plan.kind == FaultKind::kDiskError) {
      const int seen = plan.disk_op == DiskOp::kWrite   ? probe->write_errno
                       : plan.disk_op == DiskOp::kFsync ? probe->fsync_errno
                                                        : probe->read_errno;
      add("eio", node, 0, seen == EIO,
          std::string(DiskOpName(plan.disk_op)) + " of a probe file gave " + ErrnoName(seen));
    } else if (plan.kind == FaultKind::kDiskFull) {
      add("enospc", node, 0, probe->write_errno == ENOSPC,
          "a growing write gave " + ErrnoName(probe->write_errno));
    } else {
      add("slow", node, 0, probe->fsync_time >= plan.fsync_delay,
          "an fsync took " + std::to_string(probe->fsync_time.count()) + " ms");
    }
  }
}

}  // namespace nemesis
