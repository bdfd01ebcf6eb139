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
  // False when the strings s and v are known to differ in v's first length(s) characters (s is
  // then no prefix of v); true otherwise, including when either is not a string. Compares the
  // last piece of s at most, never spells a rope out.
  bool MayBePrefixOf(int64_t s, int64_t v) const;
  // False when the string v is known not to continue the string `before` (kNil: "") with the
  // string `piece` (v too short, or other characters there); true otherwise, including when
  // they are not strings. Compares piece's characters only.
  bool MayStandAt(int64_t v, int64_t before, int64_t piece) const;
  bool IsString(int64_t id) const { return id != kNil && entries_[Index(id)].is_string; }
  size_t size() const { return entries_.size(); }
  // Approximate heap bytes held, for memory budgets.
  size_t memory_bytes() const;

 private:
  struct StringKey {
    uint64_t length;
    uint64_t hash1;
    uint64_t hash2;
    bool operator==(const StringKey&) const = default;
    uint64_t Mix() const { return hash1 ^ (hash2 * 0x9e3779b97f4a7c15ULL) ^ length; }
  };
  // Plain data, so that the millions of ropes a kv search makes cost no allocation each and
  // nothing to destroy. The JSON of a value lives in spelled_ once someone asks for it.
  struct Entry {
    StringKey key{};      // strings only
    uint64_t power1 = 1;  // B1^length and B2^length modulo 2^61-1, for Concat
    uint64_t power2 = 1;
    int64_t left = kNil;  // rope children; kNil for a string spelled out from the start
    int64_t right = kNil;
    bool is_string = false;
  };
  struct ConcatSlot {
    int64_t a = kNil;
    int64_t b = kNil;
    int64_t id = kNil;  // kNil: empty
  };

  static size_t Index(int64_t id) { return static_cast<size_t>(id); }
  // Open addressing over string ids (kNil: empty), keyed by their entries' StringKey.
  int64_t FindString(const StringKey& key) const;
  void InsertStringSlot(int64_t id);
  int64_t AddString(const Entry& entry);
  void Spell(int64_t id, std::string& out) const;

  std::vector<Entry> entries_;
  mutable std::unordered_map<int64_t, Json> spelled_;  // id -> value, non-strings and spelled
  std::unordered_map<std::string, int64_t> ids_;       // non-strings: canonical JSON text -> id
  std::vector<int64_t> string_slots_ = std::vector<int64_t>(64, kNil);
  size_t strings_ = 0;
  std::vector<ConcatSlot> concat_slots_ = std::vector<ConcatSlot>(64);
  size_t concats_ = 0;
  mutable size_t text_bytes_ = 0;  // of the JSON in spelled_ and ids_
};

}  // namespace checker
