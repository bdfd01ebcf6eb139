// Parsing of the durations and sizes flags take: "60s", "500ms", "2m", "1.5" (seconds).
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace orchestrator {

// Seconds in `text`: a non-negative number with an optional unit ms, s, m or h (default s).
common::Result<double> ParseSeconds(std::string_view text);

// A non-negative whole number: "512".
common::Result<long long> ParseCount(std::string_view text);

}  // namespace orchestrator
