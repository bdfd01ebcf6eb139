#include "checker/model.h"

#include <algorithm>

#include "checker/models.h"
#include "common/check.h"

namespace checker {

namespace keyed_state {

State Make(int64_t default_value) { return State{default_value}; }

namespace {
// Index of the key slot for `key` in state, or of the slot where it would be inserted.
size_t LowerBound(const State& state, int64_t key) {
  size_t lo = 0;
  size_t hi = (state.size() - 1) / 2;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (state[1 + 2 * mid] < key) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return 1 + 2 * lo;
}
}  // namespace

int64_t GetListed(const State& state, int64_t key) {
  CHECK(!state.empty());
  size_t slot = LowerBound(state, key);
  if (slot < state.size() && state[slot] == key) return state[slot + 1];
  return state[0];
}

void Set(const State& state, int64_t key, int64_t value, State* next) {
  CHECK(!state.empty() && next != &state);
  if (state.size() == 1 || (state.size() == 3 && state[1] == key)) {  // the only key
    const bool keep = value != state[0];
    next->resize(keep ? 3 : 1);
    (*next)[0] = state[0];
    if (keep) {
      (*next)[1] = key;
      (*next)[2] = value;
    }
    return;
  }
  size_t slot = LowerBound(state, key);
  bool present = slot < state.size() && state[slot] == key;
  bool keep = value != state[0];
  next->clear();
  next->reserve(state.size() + 2);
  next->insert(next->end(), state.begin(), state.begin() + static_cast<ptrdiff_t>(slot));
  if (keep) {
    next->push_back(key);
    next->push_back(value);
  }
  size_t rest = present ? slot + 2 : slot;
  next->insert(next->end(), state.begin() + static_cast<ptrdiff_t>(rest), state.end());
}

}  // namespace keyed_state

Json Model::StateToJson(const State& state, const ValueTable& values) const {
  if (state.size() == 1) return values.Get(state[0]);
  if (state.size() == 3 && state[1] == ValueTable::kNil) return values.Get(state[2]);
  Json object = Json::object();
  for (size_t i = 1; i + 1 < state.size(); i += 2) {
    const Json& key = values.Get(state[i]);
    object[key.is_string() ? key.get<std::string>() : key.dump()] = values.Get(state[i + 1]);
  }
  return object;
}

namespace {

constexpr ModelKind kModelKinds[] = {ModelKind::kRegister, ModelKind::kCasRegister, ModelKind::kKv,
                                     ModelKind::kMultiRegister, ModelKind::kMutex};

}  // namespace

std::string_view ModelKindName(ModelKind kind) {
  switch (kind) {
    case ModelKind::kRegister:
      return "register";
    case ModelKind::kCasRegister:
      return "cas-register";
    case ModelKind::kKv:
      return "kv";
    case ModelKind::kMultiRegister:
      return "multi-register";
    case ModelKind::kMutex:
      return "mutex";
  }
  return "unknown";
}

Result<ModelKind> ParseModelKind(std::string_view name) {
  for (ModelKind kind : kModelKinds) {
    if (ModelKindName(kind) == name) return kind;
  }
  return Status::InvalidArgument("unknown model \"" + std::string(name) +
                                 "\" (expected register, cas-register, kv, multi-register or "
                                 "mutex)");
}

std::vector<std::string> ModelNames() {
  std::vector<std::string> names;
  for (ModelKind kind : kModelKinds) names.emplace_back(ModelKindName(kind));
  return names;
}

std::unique_ptr<Model> MakeModel(ModelKind kind, const ModelOptions& options) {
  switch (kind) {
    case ModelKind::kRegister:
      return MakeRegisterModel(options, /*with_cas=*/false);
    case ModelKind::kCasRegister:
      return MakeRegisterModel(options, /*with_cas=*/true);
    case ModelKind::kKv:
      return MakeKvModel(options);
    case ModelKind::kMultiRegister:
      return MakeMultiRegisterModel(options);
    case ModelKind::kMutex:
      return MakeMutexModel(options);
  }
  return MakeRegisterModel(options, /*with_cas=*/true);
}

Result<std::unique_ptr<Model>> MakeModel(std::string_view name, const ModelOptions& options) {
  ASSIGN_OR_RETURN(ModelKind kind, ParseModelKind(name));
  return MakeModel(kind, options);
}

}  // namespace checker
