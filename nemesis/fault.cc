#include "nemesis/fault.h"

#include <algorithm>
#include <array>
#include <utility>

namespace nemesis {
namespace {

constexpr std::array<std::pair<FaultKind, std::string_view>, 25> kFaultNames{{
    {FaultKind::kKill, "kill"},
    {FaultKind::kPause, "pause"},
    {FaultKind::kPartitionHalves, "partition-halves"},
    {FaultKind::kPartitionLeader, "partition-leader"},
    {FaultKind::kPartitionRandomNode, "partition-random-node"},
    {FaultKind::kPartitionRing, "partition-ring"},
    {FaultKind::kPartitionBridge, "partition-bridge"},
    {FaultKind::kLink, "link"},
    {FaultKind::kLoss, "loss"},
    {FaultKind::kClock, "clock"},
    {FaultKind::kDelay, "delay"},
    {FaultKind::kReorder, "reorder"},
    {FaultKind::kDuplicate, "duplicate"},
    {FaultKind::kBandwidth, "bandwidth"},
    {FaultKind::kClockRate, "clock-rate"},
    {FaultKind::kPauseCandidate, "pause-candidate"},
    {FaultKind::kClockCandidate, "clock-candidate"},
    {FaultKind::kPartitionCandidate, "partition-candidate"},
    {FaultKind::kDiskLoseUnsynced, "disk-lose-unsynced"},
    {FaultKind::kDiskError, "disk-error"},
    {FaultKind::kDiskSlow, "disk-slow"},
    {FaultKind::kDiskFull, "disk-full"},
    {FaultKind::kMemberRemove, "member-remove"},
    {FaultKind::kMemberAdd, "member-add"},
    {FaultKind::kMemberReplace, "member-replace"},
}};

constexpr std::array<std::pair<DiskOp, std::string_view>, 3> kDiskOpNames{{
    {DiskOp::kRead, "read"},
    {DiskOp::kWrite, "write"},
    {DiskOp::kFsync, "fsync"},
}};

// A random clock step: 10..300 s (whole milliseconds), ahead or behind.
double RandomOffset(common::Rng& rng) {
  const double magnitude = static_cast<double>(rng.Range(10'000, 300'000)) / 1000;
  return rng.Chance(1, 2) ? magnitude : -magnitude;
}

constexpr std::array<std::pair<Target, std::string_view>, 7> kTargetNames{{
    {Target::kOne, "one"},
    {Target::kMinority, "minority"},
    {Target::kMajority, "majority"},
    {Target::kAll, "all"},
    {Target::kLeader, "leader"},
    {Target::kRandom, "random"},
    {Target::kFollower, "follower"},
}};

std::vector<int> FirstOf(std::vector<int> nodes, size_t count) {
  nodes.resize(std::min(count, nodes.size()));
  std::sort(nodes.begin(), nodes.end());
  return nodes;
}

common::Status CheckNodes(const std::vector<int>& nodes, int n, std::string_view fault) {
  if (!nodes.empty() && n < 1) {
    return common::Status::InvalidArgument(std::string(fault) + ": nothing to target");
  }
  std::vector<int> sorted = nodes;
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (sorted[i] < 1 || sorted[i] > n || (i > 0 && sorted[i] == sorted[i - 1])) {
      return common::Status::InvalidArgument(std::string(fault) + ": node " +
                                             std::to_string(sorted[i]) +
                                             " is repeated or not in 1.." + std::to_string(n));
    }
  }
  return common::Status::Ok();
}

// Every node that loses a link in `cut`, ascending.
std::vector<int> CutNodes(const Cut& cut) {
  std::set<int> nodes;
  for (const Link& link : cut) {
    nodes.insert(link.from);
    nodes.insert(link.to);
  }
  return {nodes.begin(), nodes.end()};
}

common::Result<Cut> RandomLink(const Fault& fault, int n, common::Rng& rng) {
  if (fault.nodes.size() == 2) return PullLink(fault.nodes[0], fault.nodes[1], fault.one_way);
  if (!fault.nodes.empty()) {
    return common::Status::InvalidArgument("link: names " + std::to_string(fault.nodes.size()) +
                                           " nodes; it needs exactly two");
  }
  if (n < 2) return common::Status::InvalidArgument("link: needs at least 2 nodes");
  const std::vector<int> nodes = Shuffled(n, rng);
  return PullLink(nodes[0], nodes[1], fault.one_way);
}

common::Result<Cut> ShapeCut(const Fault& fault, int n, int leader, common::Rng& rng) {
  switch (fault.kind) {
    case FaultKind::kPartitionHalves:
      return Halves(n, rng);
    case FaultKind::kPartitionLeader:
      if (leader == 0) return common::Status::Unavailable("partition-leader: no leader is known");
      return IsolateNode(n, leader);
    case FaultKind::kPartitionRandomNode:
      return IsolateNode(n, static_cast<int>(rng.Range(1, n)));
    case FaultKind::kPartitionRing:
      return Ring(n);
    case FaultKind::kPartitionBridge:
      return Bridge(n, rng);
    case FaultKind::kLink:
      return RandomLink(fault, n, rng);
    default:
      return common::Status::Internal(std::string(FaultName(fault.kind)) + " has no cut");
  }
}

common::Status CheckCut(const Cut& cut, int n, std::string_view fault) {
  for (const Link& link : cut) {
    if (link.from < 1 || link.from > n || link.to < 1 || link.to > n || link.from == link.to) {
      return common::Status::InvalidArgument(
          std::string(fault) + ": link " + std::to_string(link.from) + "->" +
          std::to_string(link.to) + " is not between two nodes of 1.." + std::to_string(n));
    }
  }
  return common::Status::Ok();
}

// The shape a shaping fault (or a loss with a correlation) gives its links: what the fault
// names, the kind's defaults for the rest.
Shape ShapeOf(const Fault& fault) {
  Shape shape;
  switch (fault.kind) {
    case FaultKind::kReorder:
      shape.delay_ms = fault.delay_ms.value_or(10);
      shape.jitter_ms = fault.jitter_ms.value_or(shape.delay_ms);
      break;
    case FaultKind::kDelay:
      shape.delay_ms = fault.delay_ms.value_or(100);
      break;
    case FaultKind::kDuplicate:
      shape.duplicate = fault.probability;
      break;
    case FaultKind::kBandwidth:
      shape.rate_kbit = fault.rate_kbit.value_or(256);
      break;
    default:  // loss
      shape.loss = fault.probability;
      shape.loss_correlation = fault.correlation.value_or(0);
      break;
  }
  if (fault.kind != FaultKind::kReorder) {
    shape.delay_ms = fault.delay_ms.value_or(shape.delay_ms);
    shape.jitter_ms = fault.jitter_ms.value_or(0);
  }
  shape.rate_kbit = fault.rate_kbit.value_or(shape.rate_kbit);
  return shape;
}

// Shaped links: the exact cut, or every link from (and, unless one-way, to) each target; a
// loss shapes the links into its targets, as the iptables loss drops what they receive.
common::Result<Plan> PlanShaping(const Fault& fault, int n, int leader, common::Rng& rng) {
  const std::string name(FaultName(fault.kind));
  Plan plan{.kind = fault.kind, .shape = ShapeOf(fault)};
  RETURN_IF_ERROR(ValidateShape(plan.shape).WithContext(name));
  if (n < 2) return common::Status::InvalidArgument(name + ": needs at least 2 nodes");
  if (fault.cut) {
    RETURN_IF_ERROR(CheckCut(*fault.cut, n, name));
    plan.cut = *fault.cut;
    plan.targets = CutNodes(plan.cut);
  } else {
    if (!fault.nodes.empty()) {
      plan.targets = fault.nodes;
      std::sort(plan.targets.begin(), plan.targets.end());
    } else {
      auto resolved = ResolveTarget(fault.target.value_or(Target::kAll), n, leader, rng);
      if (!resolved.ok()) return resolved.status().WithContext(name);
      plan.targets = std::move(resolved).value();
    }
    const bool into = fault.kind == FaultKind::kLoss;
    for (int target : plan.targets) {
      for (int other = 1; other <= n; ++other) {
        if (other == target) continue;
        if (!into) plan.cut.insert({.from = target, .to = other});
        if (into || !fault.one_way) plan.cut.insert({.from = other, .to = target});
      }
    }
  }
  if (plan.cut.empty()) return common::Status::InvalidArgument(name + ": no link to shape");
  if (fault.kind == FaultKind::kLoss) plan.probability = fault.probability;
  return plan;
}

}  // namespace

std::string_view FaultName(FaultKind kind) {
  for (const auto& [k, name] : kFaultNames) {
    if (k == kind) return name;
  }
  return "unknown";
}

common::Result<FaultKind> ParseFaultKind(std::string_view name) {
  for (const auto& [kind, text] : kFaultNames) {
    if (text == name) return kind;
  }
  std::string known;
  for (const auto& [kind, text] : kFaultNames)
    known += (known.empty() ? "" : ", ") + std::string(text);
  return common::Status::InvalidArgument("unknown fault \"" + std::string(name) +
                                         "\"; known: " + known);
}

std::string_view TargetName(Target target) {
  for (const auto& [t, name] : kTargetNames) {
    if (t == target) return name;
  }
  return "unknown";
}

common::Result<Target> ParseTarget(std::string_view name) {
  for (const auto& [target, text] : kTargetNames) {
    if (text == name) return target;
  }
  return common::Status::InvalidArgument(
      "unknown target \"" + std::string(name) +
      "\"; known: one, minority, majority, all, leader, follower, random");
}

std::string_view DiskOpName(DiskOp op) {
  for (const auto& [o, name] : kDiskOpNames) {
    if (o == op) return name;
  }
  return "unknown";
}

common::Result<DiskOp> ParseDiskOp(std::string_view name) {
  for (const auto& [op, text] : kDiskOpNames) {
    if (text == name) return op;
  }
  return common::Status::InvalidArgument("unknown disk operation \"" + std::string(name) +
                                         "\"; known: read, write, fsync");
}

bool IsDiskFault(FaultKind kind) {
  return kind == FaultKind::kDiskLoseUnsynced || kind == FaultKind::kDiskError ||
         kind == FaultKind::kDiskSlow || kind == FaultKind::kDiskFull;
}

bool IsMembershipFault(FaultKind kind) {
  return kind == FaultKind::kMemberRemove || kind == FaultKind::kMemberAdd ||
         kind == FaultKind::kMemberReplace;
}

bool IsCandidateFault(FaultKind kind) {
  return kind == FaultKind::kPauseCandidate || kind == FaultKind::kClockCandidate ||
         kind == FaultKind::kPartitionCandidate;
}

bool IsNetworkFault(FaultKind kind) {
  return kind != FaultKind::kKill && kind != FaultKind::kPause && kind != FaultKind::kClock &&
         kind != FaultKind::kClockRate && !IsCandidateFault(kind) && !IsDiskFault(kind) &&
         !IsMembershipFault(kind);
}

bool IsShapingKind(FaultKind kind) {
  return kind == FaultKind::kDelay || kind == FaultKind::kReorder ||
         kind == FaultKind::kDuplicate || kind == FaultKind::kBandwidth;
}

bool TakesTargets(FaultKind kind) {
  return !IsNetworkFault(kind) || kind == FaultKind::kLoss || IsShapingKind(kind);
}

bool TakesCut(FaultKind kind) { return !TakesTargets(kind) || IsShapingKind(kind); }

bool IsShaped(const Plan& plan) {
  return IsShapingKind(plan.kind) ||
         (plan.kind == FaultKind::kLoss && plan.shape.loss_correlation > 0);
}

bool Applicable(FaultKind kind, int n) {
  switch (kind) {
    case FaultKind::kPartitionRing:
      return n >= 4;
    case FaultKind::kPartitionBridge:
    case FaultKind::kMemberRemove:
    case FaultKind::kMemberAdd:
    case FaultKind::kMemberReplace:
      return n >= 3;
    case FaultKind::kKill:
    case FaultKind::kPause:
    case FaultKind::kClock:
    case FaultKind::kClockRate:
    case FaultKind::kPauseCandidate:
    case FaultKind::kClockCandidate:
    case FaultKind::kPartitionCandidate:
    case FaultKind::kDiskLoseUnsynced:
    case FaultKind::kDiskError:
    case FaultKind::kDiskSlow:
    case FaultKind::kDiskFull:
      return n >= 1;
    default:
      return n >= 2;
  }
}

common::Result<std::vector<int>> ResolveTarget(Target target, int n, int leader, common::Rng& rng) {
  if (n < 1) return common::Status::InvalidArgument("target: the cluster has no node");
  switch (target) {
    case Target::kOne:
      return FirstOf(Shuffled(n, rng), 1);
    case Target::kMinority:
      return FirstOf(Shuffled(n, rng), static_cast<size_t>(n - 1) / 2);
    case Target::kMajority:
      return FirstOf(Shuffled(n, rng), static_cast<size_t>(n) / 2 + 1);
    case Target::kAll:
      return FirstOf(Shuffled(n, rng), static_cast<size_t>(n));
    case Target::kLeader:
      if (leader < 1 || leader > n) {
        return common::Status::Unavailable("target leader: no leader is known");
      }
      return std::vector<int>{leader};
    case Target::kRandom:
      return FirstOf(Shuffled(n, rng), rng.Uniform(static_cast<uint64_t>(n)) + 1);
    case Target::kFollower: {
      // Checked before drawing: a retry while no leader is known draws the same numbers.
      if (leader < 1 || leader > n) {
        return common::Status::Unavailable("target follower: no leader is known");
      }
      if (n < 2) return common::Status::InvalidArgument("target follower: one node only");
      std::vector<int> others = Shuffled(n, rng);
      std::erase(others, leader);
      return FirstOf(std::move(others), 1);
    }
  }
  return common::Status::Internal("unhandled target");
}

common::Result<Plan> PlanFault(const Fault& fault, int n, int leader, common::Rng& rng) {
  const std::string_view name = FaultName(fault.kind);
  Plan plan{.kind = fault.kind};
  RETURN_IF_ERROR(CheckNodes(fault.nodes, n, name));
  if (IsShapingKind(fault.kind) || (fault.kind == FaultKind::kLoss && fault.correlation)) {
    return PlanShaping(fault, n, leader, rng);
  }
  if (TakesTargets(fault.kind)) {
    const bool is_loss = fault.kind == FaultKind::kLoss;
    const Target target = fault.target.value_or(is_loss ? Target::kAll : Target::kOne);
    if (!fault.nodes.empty()) {
      plan.targets = fault.nodes;
      std::sort(plan.targets.begin(), plan.targets.end());
    } else {
      auto resolved = ResolveTarget(target, n, leader, rng);
      if (!resolved.ok()) return resolved.status().WithContext(std::string(name));
      plan.targets = std::move(resolved).value();
    }
    if (plan.targets.empty()) {
      return common::Status::InvalidArgument(std::string(name) + ": no node to target among " +
                                             std::to_string(n));
    }
    if (IsMembershipFault(fault.kind) &&
        (n < 3 || plan.targets.size() > static_cast<size_t>(n - 1) / 2)) {
      // A majority must stay a member and up to add the targets back.
      return common::Status::InvalidArgument(
          std::string(name) + ": " + std::to_string(plan.targets.size()) +
          " targets; at most a minority of at least 3 nodes (" + std::to_string(n) + ")");
    }
    if (is_loss) plan.probability = fault.probability;
    if (fault.kind == FaultKind::kClock || fault.kind == FaultKind::kClockCandidate) {
      plan.offset_s = fault.offset_s ? *fault.offset_s : RandomOffset(rng);
    }
    if (fault.kind == FaultKind::kClockRate) {
      plan.rate = fault.rate ? *fault.rate : (rng.Chance(1, 2) ? 2.0 : 0.5);
      if (!(plan.rate >= 0.1 && plan.rate <= 10) || plan.rate == 1) {
        return common::Status::InvalidArgument("clock-rate: rate " + std::to_string(plan.rate) +
                                               " is not in [0.1, 10] or is 1");
      }
    }
    if (fault.kind == FaultKind::kDiskError) plan.disk_op = fault.disk_op;
    if (fault.kind == FaultKind::kDiskSlow) plan.fsync_delay = fault.fsync_delay;
    return plan;
  }
  if (fault.cut) {
    RETURN_IF_ERROR(CheckCut(*fault.cut, n, name));
    plan.cut = *fault.cut;
  } else {
    ASSIGN_OR_RETURN(plan.cut, ShapeCut(fault, n, leader, rng));
  }
  plan.targets = CutNodes(plan.cut);
  return plan;
}

}  // namespace nemesis
