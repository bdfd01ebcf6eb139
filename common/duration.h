// ParseSeconds and ParseCount: the durations and counts flags, spec files and schedules take:
// "60s", "500ms", "2m", "1h", "1.5" (seconds); "512". Header-only, like the rest of common/.
#pragma once

#include <charconv>
#include <cmath>
#include <string>
#include <string_view>

#include "common/status.h"

namespace common {

// Seconds in `text`: a non-negative number with an optional unit ms, s, m or h (default s).
inline Result<double> ParseSeconds(std::string_view text) {
  const std::string original(text);
  double scale = 1;
  auto strip = [&](std::string_view suffix, double factor) {
    if (text.size() > suffix.size() && text.substr(text.size() - suffix.size()) == suffix) {
      text.remove_suffix(suffix.size());
      scale = factor;
      return true;
    }
    return false;
  };
  strip("ms", 0.001) || strip("s", 1) || strip("m", 60) || strip("h", 3600);
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() ||
      !std::isfinite(value) || value < 0) {
    return Status::InvalidArgument("\"" + original +
                                   "\" is not a duration (examples: 5s, 500ms, 2m, 1.5)");
  }
  return value * scale;
}

// A non-negative whole number: "512".
inline Result<long long> ParseCount(std::string_view text) {
  long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || value < 0) {
    return Status::InvalidArgument("\"" + std::string(text) +
                                   "\" is not a non-negative whole number");
  }
  return value;
}

}  // namespace common
