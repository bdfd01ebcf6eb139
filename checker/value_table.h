// ValueTable: interns the JSON values of a history as small integers, so model states are short
// vectors of int64 that hash and compare fast. Two values get the same id exactly when they are
// equal: non-strings by their canonical JSON text (nlohmann's dump, keys sorted), strings by
// content.
//
// Strings are identified by (length, two polynomial hashes modulo 2^61-1), which Concat can
// compute for a + b in O(1) from a's and b's, so the kv model's appends never copy or rehash a
// string during the search: a concatenation is stored as a rope node (left, right) and only
// spelled out when someone reads it (Get). Two different strings of the same length collide
// only if both 61-bit hashes collide, with probability about 2^-120 per pair. Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
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
  int64_t InternString(std::string_view text);
  // The value with this id (null for kNil); spells out a rope. Requires: id came from here.
  const Json& Get(int64_t id) const;
  // The id of the string a + b, where a may be kNil (the empty string). Returns kNil if either
  // value is not a string (the caller reports the type error).
  int64_t Concat(int64_t a, int64_t b);
  bool IsString(int64_t id) const { return id != kNil && entries_[Index(id)].is_string; }
  size_t size() const { return entries_.size(); }
  // Approximate heap bytes held, for memory budgets.
  size_t memory_bytes() const { return memory_bytes_; }

 private:
  struct StringKey {
    uint64_t length;
    uint64_t hash1;
    uint64_t hash2;
    bool operator==(const StringKey&) const = default;
  };
  struct StringKeyHash {
    size_t operator()(const StringKey& k) const { return k.hash1 ^ (k.hash2 * 31) ^ k.length; }
  };
  struct PairHash {
    size_t operator()(const std::pair<int64_t, int64_t>& p) const {
      return static_cast<size_t>(p.first) * 0x9e3779b97f4a7c15ULL ^ static_cast<size_t>(p.second);
    }
  };
  struct Entry {
    mutable Json value;  // spelled out lazily for ropes
    mutable bool is_spelled = true;
    bool is_string = false;
    StringKey key{};      // strings only
    uint64_t power1 = 1;  // B1^length and B2^length modulo 2^61-1, for Concat
    uint64_t power2 = 1;
    int64_t left = kNil;  // rope children
    int64_t right = kNil;
  };

  static size_t Index(int64_t id) { return static_cast<size_t>(id); }
  int64_t AddString(Entry entry);
  void Spell(const Entry& entry, std::string& out) const;

  std::vector<Entry> entries_;
  std::unordered_map<std::string, int64_t> ids_;  // non-strings: canonical JSON text -> id
  std::unordered_map<StringKey, int64_t, StringKeyHash> string_ids_;
  std::unordered_map<std::pair<int64_t, int64_t>, int64_t, PairHash> concat_;
  size_t memory_bytes_ = 0;
};

}  // namespace checker
