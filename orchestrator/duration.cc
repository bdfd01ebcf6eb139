#include "orchestrator/duration.h"

#include <charconv>
#include <cmath>

namespace orchestrator {

common::Result<double> ParseSeconds(std::string_view text) {
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
    return common::Status::InvalidArgument("\"" + original +
                                           "\" is not a duration (examples: 30s, 500ms, 2m, 1.5)");
  }
  return value * scale;
}

common::Result<long long> ParseCount(std::string_view text) {
  long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || value < 0) {
    return common::Status::InvalidArgument("\"" + std::string(text) +
                                           "\" is not a non-negative whole number");
  }
  return value;
}

}  // namespace orchestrator
