// Type-safe reads of fields of JSON objects the checks did not write themselves (events of a
// history, lines of a node's log): a missing field or one of the wrong type gives nullopt, never
// an exception (nlohmann's value() and get() throw on a type mismatch). Header-only, pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "checker/history.h"

namespace checker {

// object[name] when `object` is an object whose field `name` is an integer; else nullopt.
inline std::optional<int64_t> IntField(const Json& object, const char* name) {
  if (!object.is_object()) return std::nullopt;
  auto it = object.find(name);
  if (it == object.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int64_t>();
}

// object[name] when `object` is an object whose field `name` is a string; else nullopt.
inline std::optional<std::string> StringField(const Json& object, const char* name) {
  if (!object.is_object()) return std::nullopt;
  auto it = object.find(name);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

}  // namespace checker
