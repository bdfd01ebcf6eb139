#include "checker/connectivity.h"

#include <algorithm>

namespace checker {
namespace {

bool IsUp(const Connectivity& connectivity, int64_t node) {
  return node >= 1 && node <= connectivity.nodes && !connectivity.down.contains(node);
}

bool IsTwoWay(const Connectivity& connectivity, int64_t a, int64_t b) {
  return !connectivity.cut.contains({a, b}) && !connectivity.cut.contains({b, a});
}

std::string GroupText(const std::vector<int64_t>& group) {
  std::string text = "[";
  for (size_t i = 0; i < group.size(); ++i) text += (i > 0 ? "," : "") + std::to_string(group[i]);
  return text + "]";
}

bool ChangesConnectivity(const Fault& fault) {
  return (fault.StopsNodes() && !fault.targets.empty()) || !fault.cut.empty();
}

// A fault coming into force or going out of it.
struct Change {
  int64_t index = 0;
  int64_t ns = 0;
  bool is_heal = false;
  const Fault* fault = nullptr;
};

// The changes of the faults that count, in history order; at one index a heal comes first.
std::vector<Change> Changes(const std::vector<Fault>& faults) {
  std::vector<Change> changes;
  for (const Fault& fault : faults) {
    if (fault.IsFailed() || !ChangesConnectivity(fault)) continue;
    // In force on every node (a kill of a majority leaves none only once the last is down).
    const int64_t from = fault.InForceIndex();
    const std::optional<int64_t> until = fault.InForceUntilIndex();
    if (until.has_value() && *until <= from) continue;  // undone before it took effect
    changes.push_back({.index = from, .ns = fault.InForceNs(), .fault = &fault});
    if (until.has_value()) {
      changes.push_back(
          {.index = *until, .ns = *fault.InForceUntilNs(), .is_heal = true, .fault = &fault});
    }
  }
  std::stable_sort(changes.begin(), changes.end(), [](const Change& a, const Change& b) {
    return a.index != b.index ? a.index < b.index : a.is_heal && !b.is_heal;
  });
  return changes;
}

std::vector<int64_t> Ids(const std::set<const Fault*>& faults) {
  std::vector<const Fault*> sorted(faults.begin(), faults.end());
  std::sort(sorted.begin(), sorted.end(),
            [](const Fault* a, const Fault* b) { return a->start_index < b->start_index; });
  std::vector<int64_t> ids;
  ids.reserve(sorted.size());
  for (const Fault* fault : sorted) ids.push_back(fault->id);
  return ids;
}

}  // namespace

std::vector<int64_t> RoundTripPeers(const Connectivity& connectivity, int64_t node) {
  if (!IsUp(connectivity, node)) return {};
  std::vector<int64_t> peers;
  for (int64_t other = 1; other <= connectivity.nodes; ++other) {
    if (other == node || (IsUp(connectivity, other) && IsTwoWay(connectivity, node, other))) {
      peers.push_back(other);
    }
  }
  return peers;
}

bool HasMajority(const Connectivity& connectivity) {
  for (int64_t node = 1; node <= connectivity.nodes; ++node) {
    const auto peers = static_cast<int64_t>(RoundTripPeers(connectivity, node).size());
    if (peers * 2 > connectivity.nodes) return true;
  }
  return false;
}

std::vector<std::vector<int64_t>> LiveGroups(const Connectivity& connectivity) {
  std::set<int64_t> seen;
  std::vector<std::vector<int64_t>> groups;
  for (int64_t first = 1; first <= connectivity.nodes; ++first) {
    if (!IsUp(connectivity, first) || seen.contains(first)) continue;
    std::vector<int64_t> group;
    std::vector<int64_t> frontier = {first};
    seen.insert(first);
    while (!frontier.empty()) {
      const int64_t node = frontier.back();
      frontier.pop_back();
      group.push_back(node);
      for (int64_t peer : RoundTripPeers(connectivity, node)) {
        if (seen.insert(peer).second) frontier.push_back(peer);
      }
    }
    std::sort(group.begin(), group.end());
    groups.push_back(std::move(group));
  }
  return groups;
}

std::string DescribeGroups(const Connectivity& connectivity) {
  const auto groups = LiveGroups(connectivity);
  std::string text;
  bool has_large_group = false;
  for (const auto& group : groups) {
    text += (text.empty() ? "" : " | ") + GroupText(group);
    has_large_group |= static_cast<int64_t>(group.size()) * 2 > connectivity.nodes;
  }
  if (!connectivity.down.empty()) {
    const std::vector<int64_t> down(connectivity.down.begin(), connectivity.down.end());
    text += (text.empty() ? "" : " with ") + GroupText(down) + " down";
  }
  if (has_large_group) return text + ", no node with direct round trips to a majority";
  switch (groups.size()) {
    case 0:
      return text + ", no majority";
    case 1:
      return text + ", not a majority";
    case 2:
      return text + ", neither a majority";
    default:
      return text + ", none a majority";
  }
}

Connectivity ConnectivityUnder(const std::vector<const Fault*>& faults, int64_t nodes) {
  Connectivity connectivity{.nodes = nodes};
  for (const Fault* fault : faults) {
    if (fault->StopsNodes()) {
      connectivity.down.insert(fault->targets.begin(), fault->targets.end());
    }
    connectivity.cut.insert(fault->cut.begin(), fault->cut.end());
  }
  return connectivity;
}

std::vector<NoMajorityInterval> NoMajorityIntervals(const std::vector<Fault>& faults,
                                                    int64_t nodes) {
  std::vector<NoMajorityInterval> intervals;
  std::vector<const Fault*> active;
  std::optional<NoMajorityInterval> open;
  std::set<const Fault*> open_faults;
  for (const Change& change : Changes(faults)) {
    if (change.is_heal) {
      std::erase(active, change.fault);
    } else {
      active.push_back(change.fault);
    }
    const Connectivity now = ConnectivityUnder(active, nodes);
    const bool has_majority = HasMajority(now);
    if (!open.has_value() && !has_majority) {
      open = NoMajorityInterval{.start_index = change.index,
                                .start_ns = change.ns,
                                .start_fault = change.fault->id,
                                .at_start = now};
      open_faults = std::set<const Fault*>(active.begin(), active.end());
    } else if (open.has_value() && !change.is_heal) {
      open_faults.insert(change.fault);
    } else if (open.has_value() && has_majority) {
      open->end_index = change.index;
      open->end_ns = change.ns;
      open->restored_by = change.fault->id;
      open->heal_end_index = change.fault->end_index;
      open->heal_end_ns = change.fault->end_ns;
      open->faults = Ids(open_faults);
      intervals.push_back(std::move(*open));
      open.reset();
    }
  }
  if (open.has_value()) {
    open->faults = Ids(open_faults);
    intervals.push_back(std::move(*open));
  }
  return intervals;
}

const NoMajorityInterval* IntervalAt(const std::vector<NoMajorityInterval>& intervals,
                                     int64_t index) {
  for (const NoMajorityInterval& interval : intervals) {
    if (interval.start_index <= index && index < interval.end_index.value_or(Operation::kNever)) {
      return &interval;
    }
  }
  return nullptr;
}

}  // namespace checker
