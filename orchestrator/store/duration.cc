#include "orchestrator/store/duration.h"

#include <charconv>

#include "common/duration.h"

namespace orchestrator {

common::Result<double> ParseSeconds(std::string_view text) { return common::ParseSeconds(text); }

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
