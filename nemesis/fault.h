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
//   clock-rate             runs the targets' wall clocks `rate` times as fast (default: 2 or 0.5,
//                          drawn) while it lasts; rates of overlapping faults multiply; at the
//                          end the clock is set back to the real one
//   delay                  holds the packets sent over the shaped links for `delay_ms` (default
//                          100) plus a uniform draw within +-`jitter_ms` (default 0)
//   reorder                the same with a jitter as large as the delay (default 10 +- 10 ms),
//                          so packets sent less than the jitter apart overtake each other
//   duplicate              sends a fraction `probability` (default 0.2) of the packets twice
//   bandwidth              lets the links carry no more than `rate_kbit` (default 256) kbit/s
//   loss with `correlation` drops as loss does, in bursts (shape.h), through the packet holder
// Shaped links: those an exact cut names (one direction each), else every link from and to the
// targets (default: all), or only from them with `one_way`. shape.h says what a shape does;
// the packets are held in each sender's namespace, so the host's traffic is never shaped.
//   pause-candidate        freeze lease candidates of the election workload (SIGSTOP), resume
//                          them at the end (default target: one; leader: the lease's holder)
//   clock-candidate        step candidates' wall clocks, as clock does for nodes
//   partition-candidate    cut candidates from every database node
// The candidate faults target lease candidates 1..K (candidate_control.h), not nodes.
//   disk-lose-unsynced     SIGKILL the targets and drop every write to their data dirs that no
//                          fsync covered (a machine crash); restart them at the end
//   disk-error             the targets' disks fail `disk_op` (read, write or fsync; default
//                          fsync) with EIO until the end
//   disk-slow              every fsync on the targets' disks takes `fsync_delay` longer
//                          (default 100 ms)
//   disk-full              the targets' disks refuse writes that grow a file (ENOSPC)
//                          (disk faults: default target one; see disk_fault.h; a node that
//                          stopped under disk-error or disk-full is restarted at the end)
//   member-remove          remove the targets from the configuration (etcd's Cluster API) and
//                          stop them; at the end wipe them and add each back as a new member
//   member-add             remove, stop and wipe the targets, then add each back as a new
//                          member that stays down until the end (a voter that never answers
//                          counts in the quorum); at the end start them
//   member-replace         remove, stop and wipe the targets, add each back as a new member
//                          and start it, all at the start; nothing to undo at the end
//                          (membership faults: default target one, at most a minority of
//                          n >= 3 nodes; node_control.h's membership calls)
//
// Targets: one (a random node), minority (a random (n-1)/2 nodes), majority (a random n/2+1),
// all, leader (the current leader; an error when none is known), random (a random non-empty
// subset), follower (a random node that is not the leader; an error when no leader is known, so
// the nemesis waits for one as for leader). A fault may instead name its exact nodes, and a
// partition its exact cut, which is how an executed schedule replays exactly.
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
#include "nemesis/shape.h"

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
  kDelay,
  kReorder,
  kDuplicate,
  kBandwidth,
  kClockRate,
  kPauseCandidate,
  kClockCandidate,
  kPartitionCandidate,
  kDiskLoseUnsynced,
  kDiskError,
  kDiskSlow,
  kDiskFull,
  kMemberRemove,
  kMemberAdd,
  kMemberReplace,
};

enum class Target { kOne, kMinority, kMajority, kAll, kLeader, kRandom, kFollower };

struct Fault {
  FaultKind kind = FaultKind::kKill;
  std::optional<Target> target;    // kill, pause, loss; the kind's default when empty
  std::vector<int> nodes;          // exact targets (kill, pause, loss; link: its two ends)
  std::optional<Cut> cut;          // exact cut (partitions and link)
  bool one_way = false;            // link
  double probability = 0.2;        // loss
  std::optional<double> offset_s;  // clock; random when empty
  // Shaping (delay, reorder, duplicate, bandwidth, loss with a correlation); the kind's default
  // when empty.
  std::optional<double> delay_ms;
  std::optional<double> jitter_ms;
  std::optional<double> correlation;           // loss
  std::optional<double> rate_kbit;             // bandwidth
  std::optional<double> rate;                  // clock-rate; drawn when empty
  DiskOp disk_op = DiskOp::kFsync;             // disk-error
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
  Shape shape;                      // shaping: what the holder does to the links of `cut`
  double rate = 1;                  // clock-rate
  DiskOp disk_op = DiskOp::kFsync;  // disk-error
  std::chrono::milliseconds fsync_delay{0};  // disk-slow
};

std::string_view FaultName(FaultKind kind);
common::Result<FaultKind> ParseFaultKind(std::string_view name);
std::string_view TargetName(Target target);
common::Result<Target> ParseTarget(std::string_view name);

bool IsNetworkFault(FaultKind kind);    // partitions, link, loss and shaping (among nodes)
bool IsCandidateFault(FaultKind kind);  // pause-, clock- and partition-candidate
// kill, pause, loss, clock, clock-rate, shaping, the disk, membership and candidate faults
bool TakesTargets(FaultKind kind);
bool TakesCut(FaultKind kind);       // partitions, link and shaping
bool IsShapingKind(FaultKind kind);  // delay, reorder, duplicate, bandwidth
// Whether the plan's packets go through the packet holder: a shaping kind, or loss with a
// correlation.
bool IsShaped(const Plan& plan);
bool IsDiskFault(FaultKind kind);        // disk-lose-unsynced, disk-error, disk-slow, disk-full
bool IsMembershipFault(FaultKind kind);  // member-remove, member-add, member-replace
// Whether `kind` can be planned on n nodes without knowing anything else (ring needs 4).
bool Applicable(FaultKind kind, int n);

// `leader` is the current leader (0 when unknown). For a candidate fault, n is the number of
// candidates and `leader` the candidate holding the lease.
common::Result<Plan> PlanFault(const Fault& fault, int n, int leader, common::Rng& rng);

// The nodes `target` names on n nodes, ascending.
common::Result<std::vector<int>> ResolveTarget(Target target, int n, int leader, common::Rng& rng);

}  // namespace nemesis
