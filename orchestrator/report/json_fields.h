// Type-safe reads of fields of JSON documents the report did not write itself (results.json,
// spec.json, a check result): a missing field or one of the wrong type gives the default, never
// an exception (nlohmann's value() and get() throw on a type mismatch). Header-only, pure.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>

#include "checker/json_util.h"

namespace orchestrator::report {

// object[key], or a null JSON when `object` is not an object or has no such key.
inline const nlohmann::json& Field(const nlohmann::json& object, const char* key) {
  static const nlohmann::json kNull;
  if (!object.is_object()) return kNull;
  auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

inline std::string StringField(const nlohmann::json& object, const char* key,
                               std::string fallback = "") {
  const nlohmann::json& v = Field(object, key);
  return v.is_string() ? v.get<std::string>() : std::move(fallback);
}

// object[key] when it is an integer (checker/json_util.h: the one definition).
using checker::IntField;

inline std::optional<double> NumberField(const nlohmann::json& object, const char* key) {
  const nlohmann::json& v = Field(object, key);
  if (v.is_number()) return v.get<double>();
  return std::nullopt;
}

// A value for people: strings as they are, anything else as compact JSON.
inline std::string Text(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace orchestrator::report
