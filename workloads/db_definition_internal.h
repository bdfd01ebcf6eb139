// Internal to the definition parser (db_definition*.cc): JSON field helpers whose errors name
// the field, and the parsers each file owns.
#pragma once

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>

#include "workloads/db_definition.h"

namespace workloads::definition_internal {

using Json = nlohmann::json;

common::Status Bad(const std::string& field, const std::string& why);
common::Result<std::string> String(const Json& j, const std::string& field);
// The member `key` of `object`; nullptr when absent and not required.
common::Result<const Json*> Member(const Json& object, const std::string& key,
                                   const std::string& field, bool required);
common::Status OnlyKeys(const Json& object, const std::string& field,
                        const std::set<std::string>& allowed);
common::Result<uint16_t> Port(const Json& j, const std::string& field);

// db_template.cc
common::Result<Template> ParseTemplate(const Json& j, const std::string& field, bool need_program);
// db_status_mapping.cc
common::Result<Probe> ParseProbe(const Json& j, const std::string& field, bool with_format);
common::Result<StatusMapping> ParseStatus(const Json& j);

}  // namespace workloads::definition_internal
