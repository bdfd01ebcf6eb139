// ValueTable: interns the JSON values of a history as small integers, so model states are short
// vectors of int64 that hash and compare fast. Two values get the same id exactly when their
// canonical JSON text (nlohmann's dump, keys sorted) is the same. Concat builds the string
// concatenations the kv model's append needs, memoised so a state stays a vector of ids.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "checker/history.h"

namespace checker {

class ValueTable {
 public:
  static constexpr int64_t kNil = -1;  // JSON null: absent, nothing read

  // The id of `value`; null is always kNil.
  int64_t Intern(const Json& value);
  // The id of a string value.
  int64_t InternString(const std::string& text);
  // The value with this id (null for kNil). Requires: id came from this table.
  const Json& Get(int64_t id) const;
  // The id of the string a + b, where a may be kNil (the empty string). Requires: both strings.
  // Returns kNil if either value is not a string (the caller reports the type error).
  int64_t Concat(int64_t a, int64_t b);
  bool IsString(int64_t id) const;
  size_t size() const { return values_.size(); }
  // Approximate heap bytes held, for memory budgets.
  size_t memory_bytes() const { return memory_bytes_; }

 private:
  struct PairHash {
    size_t operator()(const std::pair<int64_t, int64_t>& p) const {
      return std::hash<int64_t>()(p.first * 0x9e3779b97f4a7c15LL ^ p.second);
    }
  };

  std::vector<Json> values_;
  std::unordered_map<std::string, int64_t> ids_;  // canonical text -> id
  std::unordered_map<std::pair<int64_t, int64_t>, int64_t, PairHash> concat_;
  size_t memory_bytes_ = 0;
};

}  // namespace checker
