#include "checker/observed_values.h"

#include "checker/wgl_search.h"

namespace checker {

ObservedValues::ObservedValues(const Model& model, std::span<const SearchOp> ops,
                               const State& initial, bool enabled)
    : enabled_(enabled && model.ReplacesValues()), ops_(ops) {
  if (!enabled_) return;
  slot_.assign(ops.size(), -1);
  std::unordered_map<KeyValue, int32_t, Hash> sources;
  std::vector<Model::ValueUse> uses(ops.size());
  for (size_t i = 0; i < ops.size(); ++i) {
    uses[i] = model.Uses(*ops[i].op);
    const int64_t key = ops[i].op->key;
    if (uses[i].writes) ++sources[{key, *uses[i].writes}];
    if (uses[i].observes) sources.try_emplace({key, *uses[i].observes}, 0);
  }
  for (auto& [kv, count] : sources) count += keyed_state::Get(initial, kv.key) == kv.value ? 1 : 0;
  for (size_t i = 0; i < ops.size(); ++i) {
    if (ops[i].ret == Operation::kNever || !uses[i].observes) continue;
    const KeyValue kv{ops[i].op->key, *uses[i].observes};
    if (sources[kv] != 1) continue;
    auto [it, inserted] = slots_.try_emplace(kv, static_cast<int32_t>(pending_.size()));
    if (inserted) pending_.push_back(0);
    slot_[i] = it->second;
    ++pending_[it->second];
  }
  enabled_ = !slots_.empty();
}

bool ObservedValues::KeepsObservers(const State& state, int32_t op, const State& next) const {
  const int64_t key = ops_[op].op->key;
  const int64_t current = keyed_state::Get(state, key);
  if (keyed_state::Get(next, key) == current) return true;
  auto it = slots_.find({key, current});
  if (it == slots_.end()) return true;
  const int32_t others = pending_[it->second] - (slot_[op] == it->second ? 1 : 0);
  return others == 0;
}

}  // namespace checker
