#include "checker/value_table.h"

#include "common/check.h"

namespace checker {

int64_t ValueTable::Intern(const Json& value) {
  if (value.is_null()) return kNil;
  std::string text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
  auto [it, inserted] = ids_.try_emplace(std::move(text), static_cast<int64_t>(values_.size()));
  if (inserted) {
    values_.push_back(value);
    memory_bytes_ += 2 * it->first.size() + 96;
  }
  return it->second;
}

int64_t ValueTable::InternString(const std::string& text) { return Intern(Json(text)); }

const Json& ValueTable::Get(int64_t id) const {
  static const Json kNull;
  if (id == kNil) return kNull;
  CHECK(id >= 0 && id < static_cast<int64_t>(values_.size())) << "unknown value id " << id;
  return values_[static_cast<size_t>(id)];
}

bool ValueTable::IsString(int64_t id) const { return id != kNil && Get(id).is_string(); }

int64_t ValueTable::Concat(int64_t a, int64_t b) {
  if ((a != kNil && !IsString(a)) || !IsString(b)) return kNil;
  auto key = std::make_pair(a, b);
  if (auto it = concat_.find(key); it != concat_.end()) return it->second;
  std::string joined = a == kNil ? std::string() : Get(a).get<std::string>();
  joined += Get(b).get<std::string>();
  int64_t id = InternString(joined);
  concat_.emplace(key, id);
  memory_bytes_ += 48;
  return id;
}

}  // namespace checker
