#include "checker/value_table.h"

#include "common/check.h"

namespace checker {
namespace {

constexpr uint64_t kMod = (uint64_t{1} << 61) - 1;
constexpr uint64_t kBase1 = 0x1f3a5b7c9d2e4f61ULL % kMod;
constexpr uint64_t kBase2 = 0x0b4d2c6e8a1f3957ULL % kMod;

uint64_t MulMod(uint64_t a, uint64_t b) {
  __extension__ using Uint128 = unsigned __int128;
  Uint128 product = static_cast<Uint128>(a) * b;
  auto lo = static_cast<uint64_t>(product & kMod);
  auto hi = static_cast<uint64_t>(product >> 61);
  uint64_t sum = lo + hi;
  return sum >= kMod ? sum - kMod : sum;
}

uint64_t AddMod(uint64_t a, uint64_t b) {
  uint64_t sum = a + b;
  return sum >= kMod ? sum - kMod : sum;
}

}  // namespace

int64_t ValueTable::Intern(const Json& value) {
  if (value.is_null()) return kNil;
  if (value.is_string()) return InternString(value.get_ref<const std::string&>());
  std::string text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
  auto [it, inserted] = ids_.try_emplace(std::move(text), static_cast<int64_t>(entries_.size()));
  if (inserted) {
    entries_.push_back(Entry{.value = value});
    memory_bytes_ += 2 * it->first.size() + sizeof(Entry) + 64;
  }
  return it->second;
}

int64_t ValueTable::InternString(std::string_view text) {
  Entry entry{.is_string = true, .key = {text.size(), 0, 0}};
  for (unsigned char c : text) {
    entry.key.hash1 = AddMod(MulMod(entry.key.hash1, kBase1), c + 1u);
    entry.key.hash2 = AddMod(MulMod(entry.key.hash2, kBase2), c + 1u);
    entry.power1 = MulMod(entry.power1, kBase1);
    entry.power2 = MulMod(entry.power2, kBase2);
  }
  if (auto it = string_ids_.find(entry.key); it != string_ids_.end()) return it->second;
  entry.value = Json(std::string(text));
  return AddString(std::move(entry));
}

int64_t ValueTable::AddString(Entry entry) {
  auto id = static_cast<int64_t>(entries_.size());
  string_ids_.emplace(entry.key, id);
  memory_bytes_ += sizeof(Entry) + 64 + (entry.is_spelled ? entry.key.length : 0);
  entries_.push_back(std::move(entry));
  return id;
}

int64_t ValueTable::Concat(int64_t a, int64_t b) {
  if ((a != kNil && !IsString(a)) || !IsString(b)) return kNil;
  if (a == kNil || entries_[Index(a)].key.length == 0) return b;
  if (entries_[Index(b)].key.length == 0) return a;
  auto pair = std::make_pair(a, b);
  if (auto it = concat_.find(pair); it != concat_.end()) return it->second;
  const Entry& l = entries_[Index(a)];
  const Entry& r = entries_[Index(b)];
  Entry rope{
      .is_spelled = false,
      .is_string = true,
      .key = {l.key.length + r.key.length, AddMod(MulMod(l.key.hash1, r.power1), r.key.hash1),
              AddMod(MulMod(l.key.hash2, r.power2), r.key.hash2)},
      .power1 = MulMod(l.power1, r.power1),
      .power2 = MulMod(l.power2, r.power2),
      .left = a,
      .right = b};
  int64_t id;
  if (auto it = string_ids_.find(rope.key); it != string_ids_.end()) {
    id = it->second;
  } else {
    id = AddString(std::move(rope));
  }
  concat_.emplace(pair, id);
  memory_bytes_ += 64;
  return id;
}

void ValueTable::Spell(const Entry& entry, std::string& out) const {
  if (entry.is_spelled) {
    out += entry.value.get_ref<const std::string&>();
    return;
  }
  Spell(entries_[Index(entry.left)], out);
  Spell(entries_[Index(entry.right)], out);
}

const Json& ValueTable::Get(int64_t id) const {
  static const Json kNullValue;
  if (id == kNil) return kNullValue;
  CHECK(id >= 0 && id < static_cast<int64_t>(entries_.size())) << "unknown value id " << id;
  const Entry& entry = entries_[Index(id)];
  if (!entry.is_spelled) {
    std::string text;
    text.reserve(entry.key.length);
    Spell(entry, text);
    entry.value = Json(std::move(text));
    entry.is_spelled = true;
  }
  return entry.value;
}

}  // namespace checker
