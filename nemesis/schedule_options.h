// The options of one schedule entry (every key but "at", "fault" and "duration"), parsed into
// its Fault; schedule.cc reads the entries. Internal to nemesis/.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "common/status.h"
#include "nemesis/fault.h"

namespace nemesis::schedule_internal {

// A duration: seconds as a number, or a string like "5s" or "500ms".
common::Result<std::chrono::milliseconds> DurationField(const nlohmann::json& value,
                                                        const char* key);
// Sets the field of `fault` that `key` names from `value`; InvalidArgument naming the key.
common::Status ParseOption(const std::string& key, const nlohmann::json& value, Fault& fault);

}  // namespace nemesis::schedule_internal
