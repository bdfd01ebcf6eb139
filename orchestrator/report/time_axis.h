// TimeAxis: where an event sits on the report's shared horizontal axis. A history with
// timestamps is drawn in seconds from its first event (the origin the failover check uses too);
// one without (Porcupine logs carry none) is drawn by event index. Immutable after Of(); cheap
// to copy; thread-safe to share.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "checker/history.h"

namespace orchestrator::report {

class TimeAxis {
 public:
  static TimeAxis Of(const checker::History& history) {
    TimeAxis axis;
    for (const checker::Event& e : history.events) {
      axis.is_timed_ = axis.is_timed_ || e.time_ns != 0;
      axis.points_.emplace_back(e.index, e.time_ns);
    }
    if (!axis.points_.empty()) axis.origin_ns_ = axis.points_.front().second;
    return axis;
  }

  bool is_timed() const { return is_timed_; }
  std::string unit() const { return is_timed_ ? "s" : "event"; }

  // The axis value of a timestamp (seconds from the origin, rounded to 0.1 ms), or of an event
  // index when the history has no times.
  double FromNs(int64_t time_ns) const {
    return std::round(static_cast<double>(time_ns - origin_ns_) / 1e5) / 1e4;
  }
  double At(const checker::Event& event) const {
    return is_timed_ ? FromNs(event.time_ns) : static_cast<double>(event.index);
  }
  // The axis value of the event with index `index`; nullopt when no event has it.
  std::optional<double> AtIndex(int64_t index) const {
    auto it = std::lower_bound(points_.begin(), points_.end(), std::pair{index, INT64_MIN});
    if (it == points_.end() || it->first != index) return std::nullopt;
    return is_timed_ ? FromNs(it->second) : static_cast<double>(index);
  }
  double end() const {
    double end = 0;
    for (const auto& [index, time_ns] : points_) {
      end = std::max(end, is_timed_ ? FromNs(time_ns) : static_cast<double>(index));
    }
    return end;
  }

 private:
  bool is_timed_ = false;
  int64_t origin_ns_ = 0;
  std::vector<std::pair<int64_t, int64_t>> points_;  // (index, time_ns), by index
};

}  // namespace orchestrator::report
