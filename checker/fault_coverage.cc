#include "checker/fault_coverage.h"

#include <algorithm>
#include <optional>
#include <set>
#include <utility>

namespace checker {
namespace {

constexpr std::array<std::pair<CoverageRole, std::string_view>, 5> kRoleNames{{
    {CoverageRole::kLeader, "leader"},
    {CoverageRole::kFollower, "follower"},
    {CoverageRole::kCandidate, "candidate"},
    {CoverageRole::kLagging, "lagging"},
    {CoverageRole::kUnknown, "unknown"},
}};

constexpr std::array<std::pair<CoverageState, std::string_view>, 6> kStateNames{{
    {CoverageState::kSteady, "steady"},
    {CoverageState::kElecting, "electing"},
    {CoverageState::kCatchingUp, "catching-up"},
    {CoverageState::kSnapshotTransfer, "snapshot-transfer"},
    {CoverageState::kDuringAnotherFault, "during-another-fault"},
    {CoverageState::kUnknown, "unknown"},
}};

// What the samples of the window before a fault's start say about the cluster.
struct ClusterView {
  std::map<int64_t, const StatusSample*> latest;    // per node, answered or not
  std::vector<const StatusSample*> leader_samples;  // of the leader below, in history order
  const StatusSample* leader = nullptr;             // the latest sample of a node that leads
  int64_t min_term = 0;
  int64_t max_term = 0;
  bool has_answer = false;
};

ClusterView ViewBefore(const RunHistory& history, const Fault& fault,
                       const FaultCoverageOptions& options) {
  ClusterView view;
  const int64_t since_ns = fault.start_ns - options.window.count();
  std::vector<const StatusSample*> window;
  for (const StatusSample& sample : history.samples) {
    if (sample.index >= fault.start_index) break;
    if (sample.time_ns < since_ns) continue;
    window.push_back(&sample);
    view.latest[sample.node] = &sample;
    if (!sample.is_answered) continue;
    view.min_term = view.has_answer ? std::min(view.min_term, sample.term) : sample.term;
    view.max_term = view.has_answer ? std::max(view.max_term, sample.term) : sample.term;
    view.has_answer = true;
  }
  for (const auto& [node, sample] : view.latest) {
    if (!sample->is_answered || sample->role != "leader") continue;
    if (view.leader == nullptr || sample->term > view.leader->term) view.leader = sample;
  }
  for (const StatusSample* sample : window) {
    if (view.leader != nullptr && sample->node == view.leader->node && sample->is_answered &&
        sample->role == "leader" && sample->term == view.leader->term) {
      view.leader_samples.push_back(sample);
    }
  }
  return view;
}

// A follower is lagging when its applied index is more than lag_entries behind the leader's in
// the leader's last sample taken BEFORE the follower's: the follower had longer to catch up, so
// the entries committed between the two polls never count as lag.
bool IsLagging(const ClusterView& view, const StatusSample& sample,
               const FaultCoverageOptions& options) {
  if (view.leader == nullptr || sample.role != "follower" || !sample.applied) return false;
  const StatusSample* before = nullptr;
  for (const StatusSample* leader : view.leader_samples) {
    if (leader->index < sample.index) before = leader;
  }
  if (before == nullptr || !before->applied) return false;
  return *before->applied - *sample.applied > options.lag_entries;
}

CoverageRole RoleOf(const ClusterView& view, int64_t node, const FaultCoverageOptions& options) {
  const auto it = view.latest.find(node);
  if (it == view.latest.end() || !it->second->is_answered) return CoverageRole::kUnknown;
  const StatusSample& sample = *it->second;
  if (sample.role == "leader") return CoverageRole::kLeader;
  if (sample.role == "candidate" || sample.role == "pre-candidate") return CoverageRole::kCandidate;
  if (sample.role != "follower") return CoverageRole::kUnknown;
  return IsLagging(view, sample, options) ? CoverageRole::kLagging : CoverageRole::kFollower;
}

CoverageState StateOf(const ClusterView& view, const FaultCoverageOptions& options) {
  if (!view.has_answer) return CoverageState::kUnknown;
  if (view.leader == nullptr || view.min_term != view.max_term) return CoverageState::kElecting;
  for (const auto& [node, sample] : view.latest) {
    if (sample->is_answered && IsLagging(view, *sample, options)) {
      return CoverageState::kCatchingUp;
    }
  }
  return CoverageState::kSteady;
}

// Another fault in force when `fault` starts: started before it and not yet healing.
bool DuringAnotherFault(const RunHistory& history, const Fault& fault) {
  return std::any_of(history.faults.begin(), history.faults.end(), [&](const Fault& other) {
    if (other.id == fault.id || other.IsFailed() || other.start_index >= fault.start_index) {
      return false;
    }
    const std::optional<int64_t> until = other.InForceUntilIndex();
    return !until || *until > fault.start_index;
  });
}

// The nodes a fault hits. A cut hits the nodes outside every majority (joined by links cut in
// neither direction): partition-leader hits the leader, not the followers that only lost their
// link to it. A cut that leaves every node in a majority (a ring, one link) hits the nodes the
// history names as its targets (those that lost a link), as does every fault without a cut.
std::vector<int64_t> HitNodes(const Fault& fault, int64_t nodes) {
  if (fault.cut.empty() || nodes < 1) return fault.targets;
  const std::set<std::pair<int64_t, int64_t>> cut(fault.cut.begin(), fault.cut.end());
  std::vector<int64_t> group(static_cast<size_t>(nodes) + 1);
  for (int64_t node = 1; node <= nodes; ++node) group[node] = node;
  // Few nodes: relabel until stable instead of a union-find.
  for (bool changed = true; changed;) {
    changed = false;
    for (int64_t a = 1; a <= nodes; ++a) {
      for (int64_t b = a + 1; b <= nodes; ++b) {
        if (cut.contains({a, b}) || cut.contains({b, a}) || group[a] == group[b]) continue;
        group[a] = group[b] = std::min(group[a], group[b]);
        changed = true;
      }
    }
  }
  std::map<int64_t, int64_t> sizes;
  for (int64_t node = 1; node <= nodes; ++node) ++sizes[group[node]];
  std::vector<int64_t> hit;
  for (int64_t node = 1; node <= nodes; ++node) {
    if (sizes[group[node]] < nodes / 2 + 1) hit.push_back(node);
  }
  return hit.empty() ? fault.targets : hit;
}

bool OnCandidates(const Fault& fault) {
  constexpr std::string_view kSuffix = "-candidate";
  return fault.name.size() > kSuffix.size() &&
         std::string_view(fault.name).substr(fault.name.size() - kSuffix.size()) == kSuffix;
}

template <typename Enum, size_t N>
Result<Enum> ParseName(const std::array<std::pair<Enum, std::string_view>, N>& names,
                       std::string_view name, std::string_view what) {
  for (const auto& [value, text] : names) {
    if (text == name) return value;
  }
  return Status::InvalidArgument("unknown " + std::string(what) + " \"" + std::string(name) + "\"");
}

}  // namespace

std::string_view CoverageRoleName(CoverageRole role) {
  return kRoleNames[static_cast<size_t>(role)].second;
}

std::string_view CoverageStateName(CoverageState state) {
  return kStateNames[static_cast<size_t>(state)].second;
}

Result<CoverageRole> ParseCoverageRole(std::string_view name) {
  return ParseName(kRoleNames, name, "coverage role");
}

Result<CoverageState> ParseCoverageState(std::string_view name) {
  return ParseName(kStateNames, name, "coverage state");
}

FaultCoverage ComputeFaultCoverage(const RunHistory& history, const FaultCoverageOptions& options) {
  FaultCoverage coverage;
  for (const Fault& fault : history.faults) {
    if (fault.IsFailed() || (fault.targets.empty() && fault.cut.empty()) || OnCandidates(fault)) {
      continue;
    }
    ++coverage.faults;
    const ClusterView view = ViewBefore(history, fault, options);
    const CoverageState state = StateOf(view, options);
    const bool is_overlapping = DuringAnotherFault(history, fault);
    for (int64_t target : HitNodes(fault, history.nodes)) {
      const CoverageRole role = RoleOf(view, target, options);
      ++coverage.cells[{fault.name, role, state}];
      if (is_overlapping) ++coverage.cells[{fault.name, role, CoverageState::kDuringAnotherFault}];
    }
  }
  return coverage;
}

int64_t FaultCoverage::Count(const CoverageCell& cell) const {
  const auto it = cells.find(cell);
  return it == cells.end() ? 0 : it->second;
}

std::vector<std::string> FaultCoverage::FaultNames() const {
  std::set<std::string> names;
  for (const auto& [cell, count] : cells) names.insert(cell.fault);
  return {names.begin(), names.end()};
}

void FaultCoverage::Add(const FaultCoverage& other) {
  faults += other.faults;
  for (const auto& [cell, count] : other.cells) cells[cell] += count;
}

Json FaultCoverage::ToJson() const {
  Json list = Json::array();
  for (const auto& [cell, count] : cells) {
    list.push_back({{"fault", cell.fault},
                    {"role", CoverageRoleName(cell.role)},
                    {"state", CoverageStateName(cell.state)},
                    {"count", count}});
  }
  return {{"faults", faults}, {"cells", std::move(list)}};
}

Result<FaultCoverage> FaultCoverage::FromJson(const Json& json) {
  if (!json.is_object()) return Status::InvalidArgument("fault_coverage: not an object");
  FaultCoverage coverage;
  const auto faults = json.find("faults");
  if (faults == json.end() || !faults->is_number_integer() || faults->get<int64_t>() < 0) {
    return Status::InvalidArgument("fault_coverage.faults: not a non-negative integer");
  }
  coverage.faults = faults->get<int64_t>();
  const auto cells = json.find("cells");
  if (cells == json.end() || !cells->is_array()) {
    return Status::InvalidArgument("fault_coverage.cells: not an array");
  }
  for (size_t i = 0; i < cells->size(); ++i) {
    const Json& cell = (*cells)[i];
    const std::string where = "fault_coverage.cells[" + std::to_string(i) + "]";
    const bool has_shape = cell.is_object() && cell.contains("fault") &&
                           cell["fault"].is_string() && cell.contains("role") &&
                           cell["role"].is_string() && cell.contains("state") &&
                           cell["state"].is_string() && cell.contains("count") &&
                           cell["count"].is_number_integer() && cell["count"].get<int64_t>() > 0;
    if (!has_shape) {
      return Status::InvalidArgument(where +
                                     ": needs strings fault, role, state and a positive count");
    }
    auto role = ParseCoverageRole(cell["role"].get<std::string>());
    if (!role.ok()) return role.status().WithContext(where);
    auto state = ParseCoverageState(cell["state"].get<std::string>());
    if (!state.ok()) return state.status().WithContext(where);
    coverage.cells[{cell["fault"].get<std::string>(), *role, *state}] +=
        cell["count"].get<int64_t>();
  }
  return coverage;
}

}  // namespace checker
