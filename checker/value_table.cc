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
    spelled_.emplace(it->second, value);
    entries_.push_back(Entry{});
    text_bytes_ += 2 * it->first.size() + 64;
  }
  return it->second;
}

int64_t ValueTable::InternString(std::string_view text) {
  Entry entry{.key = {text.size(), 0, 0}, .is_string = true};
  for (unsigned char c : text) {
    entry.key.hash1 = AddMod(MulMod(entry.key.hash1, kBase1), c + 1u);
    entry.key.hash2 = AddMod(MulMod(entry.key.hash2, kBase2), c + 1u);
    entry.power1 = MulMod(entry.power1, kBase1);
    entry.power2 = MulMod(entry.power2, kBase2);
  }
  if (int64_t id = FindString(entry.key); id != kNil) return id;
  int64_t id = AddString(entry);
  spelled_.emplace(id, Json(std::string(text)));
  text_bytes_ += text.size() + 64;
  return id;
}

int64_t ValueTable::FindString(const StringKey& key) const {
  const size_t mask = string_slots_.size() - 1;
  for (size_t i = key.Mix() & mask;; i = (i + 1) & mask) {
    const int64_t id = string_slots_[i];
    if (id == kNil || entries_[Index(id)].key == key) return id;
  }
}

void ValueTable::InsertStringSlot(int64_t id) {
  const size_t mask = string_slots_.size() - 1;
  size_t i = entries_[Index(id)].key.Mix() & mask;
  while (string_slots_[i] != kNil) i = (i + 1) & mask;
  string_slots_[i] = id;
}

int64_t ValueTable::AddString(const Entry& entry) {
  auto id = static_cast<int64_t>(entries_.size());
  entries_.push_back(entry);
  if ((strings_ + 1) * 2 > string_slots_.size()) {  // load <= 1/2
    std::vector<int64_t> old(string_slots_.size() * 2, kNil);
    old.swap(string_slots_);
    for (int64_t s : old) {
      if (s != kNil) InsertStringSlot(s);
    }
  }
  InsertStringSlot(id);
  ++strings_;
  return id;
}

int64_t ValueTable::Concat(int64_t a, int64_t b) {
  if ((a != kNil && !IsString(a)) || !IsString(b)) return kNil;
  if (a == kNil || entries_[Index(a)].key.length == 0) return b;
  if (entries_[Index(b)].key.length == 0) return a;
  auto slot_of = [](int64_t x, int64_t y) {
    return static_cast<size_t>(x) * 0x9e3779b97f4a7c15ULL ^ static_cast<size_t>(y);
  };
  size_t mask = concat_slots_.size() - 1;
  size_t i = slot_of(a, b) & mask;
  for (; concat_slots_[i].id != kNil; i = (i + 1) & mask) {
    if (concat_slots_[i].a == a && concat_slots_[i].b == b) return concat_slots_[i].id;
  }
  const Entry& l = entries_[Index(a)];
  const Entry& r = entries_[Index(b)];
  const Entry rope{
      .key = {l.key.length + r.key.length, AddMod(MulMod(l.key.hash1, r.power1), r.key.hash1),
              AddMod(MulMod(l.key.hash2, r.power2), r.key.hash2)},
      .power1 = MulMod(l.power1, r.power1),
      .power2 = MulMod(l.power2, r.power2),
      .left = a,
      .right = b,
      .is_string = true};
  int64_t id = FindString(rope.key);
  if (id == kNil) id = AddString(rope);
  concat_slots_[i] = {a, b, id};
  if (++concats_ * 2 > concat_slots_.size()) {  // load <= 1/2
    std::vector<ConcatSlot> old(concat_slots_.size() * 2);
    old.swap(concat_slots_);
    mask = concat_slots_.size() - 1;
    for (const ConcatSlot& slot : old) {
      if (slot.id == kNil) continue;
      size_t j = slot_of(slot.a, slot.b) & mask;
      while (concat_slots_[j].id != kNil) j = (j + 1) & mask;
      concat_slots_[j] = slot;
    }
  }
  return id;
}

void ValueTable::Spell(int64_t id, std::string& out) const {
  if (auto it = spelled_.find(id); it != spelled_.end()) {
    out += it->second.get_ref<const std::string&>();
    return;
  }
  const Entry& entry = entries_[Index(id)];
  Spell(entry.left, out);
  Spell(entry.right, out);
}

const Json& ValueTable::Get(int64_t id) const {
  static const Json kNullValue;
  if (id == kNil) return kNullValue;
  CHECK(id >= 0 && id < static_cast<int64_t>(entries_.size())) << "unknown value id " << id;
  if (auto it = spelled_.find(id); it != spelled_.end()) return it->second;
  std::string text;
  text.reserve(entries_[Index(id)].key.length);
  Spell(id, text);
  text_bytes_ += text.size() + 64;
  return spelled_.emplace(id, Json(std::move(text))).first->second;
}

bool ValueTable::MayBePrefixOf(int64_t s, int64_t v) const {
  if (s == v || s == kNil || v == kNil || !IsString(s) || !IsString(v)) return true;
  const Entry& whole = entries_[Index(s)];
  if (whole.key.length > entries_[Index(v)].key.length) return false;
  auto text_of = [this](int64_t id) -> const std::string* {
    auto it = spelled_.find(id);
    return it == spelled_.end() ? nullptr : &it->second.get_ref<const std::string&>();
  };
  const std::string* v_text = text_of(v);
  if (v_text == nullptr) return true;
  size_t offset = 0;
  const std::string* piece = text_of(s);
  if (piece == nullptr && whole.left != kNil) {
    offset = entries_[Index(whole.left)].key.length;
    piece = text_of(whole.right);
  }
  return piece == nullptr || v_text->compare(offset, piece->size(), *piece) == 0;
}

bool ValueTable::MayStandAt(int64_t v, int64_t before, int64_t piece) const {
  if (v == kNil || piece == kNil || !IsString(v) || !IsString(piece)) return true;
  if (before != kNil && !IsString(before)) return true;
  const size_t offset = before == kNil ? 0 : entries_[Index(before)].key.length;
  const size_t length = entries_[Index(piece)].key.length;
  if (offset + length > entries_[Index(v)].key.length) return false;
  auto v_text = spelled_.find(v);
  auto piece_text = spelled_.find(piece);
  if (v_text == spelled_.end() || piece_text == spelled_.end()) return true;
  return v_text->second.get_ref<const std::string&>().compare(
             offset, length, piece_text->second.get_ref<const std::string&>()) == 0;
}

size_t ValueTable::memory_bytes() const {
  return entries_.capacity() * sizeof(Entry) + string_slots_.capacity() * sizeof(int64_t) +
         concat_slots_.capacity() * sizeof(ConcatSlot) + text_bytes_;
}

}  // namespace checker
