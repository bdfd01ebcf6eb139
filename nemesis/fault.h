// The fault catalogue: what each fault is called (the names `--nemesis` and schedule files use),
// whom it targets, and how a fault becomes a concrete plan (which nodes, which cut) for a given
// cluster. Planning is a pure function of the fault, the cluster size, the current leader and a
// seeded Rng, so it is unit-tested without a cluster; nemesis.h executes plans.
//
//   kill                   SIGKILL the targets; restart them at the end (default target: one)
//   pause                  freeze the targets; resume them at the end (default target: one)
//   partition-halves       a random minority cut from the majority (exact halves for even n)
//   partition-leader       the current leader cut from every other node
//   partition-random-node  one random node cut from every other node
//   partition-ring         majorities ring (partition.h)
//   partition-bridge       two halves joined by one node
//   link                   one link between two random nodes (`one_way`: one direction)
//   loss                   the targets drop a fraction `probability` of what other nodes send
//                          them (default target: all, probability 0.2)
//   clock                  steps the targets' wall clocks by `offset_s` seconds while they run
//                          (default target: one; offset: random, 10..300 s ahead or behind);
//                          offsets of overlapping clock faults on one node add up
//   disk-lose-unsynced     SIGKILL the targets and drop every write to their data dirs that no
//                          fsync covered (a machine crash); restart them at the end
//   disk-error             the targets' disks fail `disk_op` (read, write or fsync; default
//                          fsync) with EIO until the end
//   disk-slow              every fsync on the targets' disks takes `fsync_delay` longer
//                          (default 100 ms)
//   disk-full              the targets' disks refuse writes that grow a file (ENOSPC)
//                          (disk faults: default target one; see disk_fault.h; a node that
//                          stopped under disk-error or disk-full is restarted at the end)
//
// Targets: one (a random node), minority (a random (n-1)/2 nodes), majority (a random n/2+1),
// all, leader (the current leader; an error when none is known), random (a random non-empty
// subset). A fault may instead name its exact nodes, and a partition its exact cut, which is
// how an executed schedule replays exactly.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/rng.h"
#include "common/status.h"
#include "nemesis/disk_fault.h"
#include "nemesis/partition.h"

namespace nemesis {

enum class FaultKind {
  kKill,
  kPause,
  kPartitionHalves,
  kPartitionLeader,
  kPartitionRandomNode,
  kPartitionRing,
  kPartitionBridge,
  kLink,
  kLoss,
  kClock,
  kDiskLoseUnsynced,
  kDiskError,
  kDiskSlow,
  kDiskFull,
};

enum class Target { kOne, kMinority, kMajority, kAll, kLeader, kRandom };

struct Fault {
  FaultKind kind = FaultKind::kKill;
  std::optional<Target> target;     // kill, pause, loss; the kind's default when empty
  std::vector<int> nodes;           // exact targets (kill, pause, loss; link: its two ends)
  std::optional<Cut> cut;           // exact cut (partitions and link)
  bool one_way = false;             // link
  double probability = 0.2;         // loss
  std::optional<double> offset_s;   // clock; random when empty
  DiskOp disk_op = DiskOp::kFsync;  // disk-error
  std::chrono::milliseconds fsync_delay{100};  // disk-slow
  bool operator==(const Fault&) const = default;
};

// A fault made concrete for one cluster: what Nemesis applies and records.
struct Plan {
  FaultKind kind = FaultKind::kKill;
  std::vector<int> targets;         // ascending; for partitions, the nodes that lose a link
  Cut cut;                          // partitions and link
  double probability = 0;           // loss
  double offset_s = 0;              // clock
  DiskOp disk_op = DiskOp::kFsync;  // disk-error
  std::chrono::milliseconds fsync_delay{0};  // disk-slow
};

std::string_view FaultName(FaultKind kind);
common::Result<FaultKind> ParseFaultKind(std::string_view name);
std::string_view TargetName(Target target);
common::Result<Target> ParseTarget(std::string_view name);

bool IsNetworkFault(FaultKind kind);  // partitions, link and loss
bool IsDiskFault(FaultKind kind);     // disk-lose-unsynced, disk-error, disk-slow, disk-full
// kill, pause, loss, clock and the disk faults (the others take a cut)
bool TakesTargets(FaultKind kind);
// Whether `kind` can be planned on n nodes without knowing anything else (ring needs 4).
bool Applicable(FaultKind kind, int n);

// `leader` is the current leader (0 when unknown).
common::Result<Plan> PlanFault(const Fault& fault, int n, int leader, common::Rng& rng);

// The nodes `target` names on n nodes, ascending.
common::Result<std::vector<int>> ResolveTarget(Target target, int n, int leader, common::Rng& rng);

}  // namespace nemesis
