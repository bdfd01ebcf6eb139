// Clock faults: steps (clock) and rates (clock-rate) of the targets' wall clocks, through
// NodeControl; overlapping steps on a node add up, overlapping rates multiply.
#include <cmath>
#include <string>
#include <vector>

#include "nemesis/nemesis.h"

namespace nemesis {

common::Status Nemesis::ShiftClocks(const std::vector<int>& nodes, double offset_s) {
  for (size_t i = 0; i < nodes.size(); ++i) {
    const double before = clock_offsets_[nodes[i]];
    common::Status set = control_.SetClockOffset(nodes[i], before + offset_s);
    if (set.ok()) {
      clock_offsets_[nodes[i]] = before + offset_s;
      continue;
    }
    for (size_t j = 0; j < i; ++j) {  // undo this fault's part
      clock_offsets_[nodes[j]] -= offset_s;
      KeepFirst(set, control_.SetClockOffset(nodes[j], clock_offsets_[nodes[j]]));
    }
    return set.WithContext("set the clock of node " + std::to_string(nodes[i]));
  }
  return common::Status::Ok();
}

common::Status Nemesis::ScaleClocks(const std::vector<int>& nodes, double rate) {
  for (size_t i = 0; i < nodes.size(); ++i) {
    const double before = clock_rates_.contains(nodes[i]) ? clock_rates_[nodes[i]] : 1.0;
    common::Status set = control_.SetClockRate(nodes[i], before * rate);
    if (set.ok()) {
      clock_rates_[nodes[i]] = before * rate;
      continue;
    }
    for (size_t j = 0; j < i; ++j) {  // undo this fault's part
      clock_rates_[nodes[j]] /= rate;
      KeepFirst(set, control_.SetClockRate(nodes[j], clock_rates_[nodes[j]]));
    }
    return set.WithContext("set the clock rate of node " + std::to_string(nodes[i]));
  }
  return common::Status::Ok();
}

common::Status Nemesis::UndoClocks(const Active& active) {
  common::Status first;
  const bool is_rate = active.plan.kind == FaultKind::kClockRate;
  for (int node : active.plan.targets) {
    common::Status set;
    if (is_rate) {
      double& rate = clock_rates_[node];
      if (rate == 0) rate = 1;
      rate /= active.plan.rate;
      if (std::abs(rate - 1) < 1e-9) rate = 1;  // the real rate exactly, no rounding residue
      set = control_.SetClockRate(node, rate);
    } else {
      double& offset = clock_offsets_[node];
      offset -= active.plan.offset_s;
      // Back to the real clock exactly once nothing else moves it (no rounding residue).
      if (std::abs(offset) < 1e-9) offset = 0;
      set = control_.SetClockOffset(node, offset);
    }
    KeepFirst(first, set.WithContext("reset the clock of node " + std::to_string(node)));
  }
  return first;
}

}  // namespace nemesis
