#include "checker/component_checks.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <unordered_map>

#include "checker/value_table.h"

namespace checker {

namespace {

// The history split as CheckLinearizability splits it: per component its operations (in the
// order of the input) and its keys.
struct Split {
  std::vector<std::vector<const Operation*>> ops;
  std::vector<ComponentKeys> keys;
};

// The components, ordered by their first operation. Errors are the model's (an operation it
// cannot compile, a bad initial state): the whole check reports them.
Result<Split> SplitByKeys(const std::vector<Operation>& ops, const CheckOptions& options) {
  const std::unique_ptr<Model> model =
      MakeModel(options.model, {.nil_read_is_unknown = options.nil_read_is_unknown});
  ValueTable values;
  RETURN_IF_ERROR(model->Initial(options.initial, values).status());
  std::unordered_map<int64_t, size_t> slot_of_key;
  std::vector<int64_t> key_of_slot;
  DisjointSets sets;
  std::vector<std::pair<const Operation*, size_t>> placed;  // an operation and one of its slots
  for (const Operation& op : ops) {
    ASSIGN_OR_RETURN(std::optional<CompiledOp> compiled, model->Compile(op, values));
    if (!compiled) continue;  // constrains nothing: the whole check leaves it out too
    if (compiled->keys.empty()) compiled->keys.push_back(ValueTable::kNil);
    std::optional<size_t> root;
    for (int64_t key : compiled->keys) {
      auto [it, inserted] = slot_of_key.try_emplace(key, 0);
      if (inserted) {
        it->second = sets.Add();
        key_of_slot.push_back(key);
      }
      root = root.has_value() ? sets.Join(*root, it->second) : sets.Find(it->second);
    }
    placed.emplace_back(&op, *root);
  }
  Split split;
  std::unordered_map<size_t, size_t> component_of_root;
  for (const auto& [op, slot] : placed) {
    auto [it, inserted] = component_of_root.try_emplace(sets.Find(slot), split.ops.size());
    if (inserted) split.ops.emplace_back();
    split.ops[it->second].push_back(op);
  }
  split.keys.resize(split.ops.size());
  for (size_t slot = 0; slot < key_of_slot.size(); ++slot) {
    const size_t component = component_of_root.at(sets.Find(slot));
    split.keys[component].push_back(ComponentKeyName(values.Get(key_of_slot[slot])));
  }
  for (ComponentKeys& keys : split.keys) std::sort(keys.begin(), keys.end());
  for (auto& component : split.ops) {
    std::stable_sort(component.begin(), component.end(),
                     [](const Operation* a, const Operation* b) { return a->call < b->call; });
  }
  return split;
}

// An earlier counterexample in the numbering of `ops` (the component's operations now): its
// operations were numbered by their calls, which are the same.
void Renumber(const std::vector<const Operation*>& ops, CheckResult& result) {
  if (!result.counterexample.has_value()) return;
  std::unordered_map<int64_t, int64_t> id_of_call;
  for (const Operation* op : ops) id_of_call[op->call] = op->id;
  Counterexample& cx = *result.counterexample;
  auto renumber = [&](OpView& view) {
    if (auto it = id_of_call.find(view.call); it != id_of_call.end()) view.id = it->second;
  };
  for (OpView& view : cx.longest_linearization) renumber(view);
  for (OpView& view : cx.window) renumber(view);
  renumber(cx.failed_op);
  // As CheckLinearizability says it (linearizability.cc, DescribeFailure).
  const std::string key = cx.key.is_null() ? "" : "key " + cx.key.dump() + ": ";
  result.reason =
      key + cx.failed_op.description + " (process " + std::to_string(cx.failed_op.process) +
      ", op " + std::to_string(cx.failed_op.id) + ") cannot be linearized after the " +
      std::to_string(cx.longest_linearization.size()) + " operations placed before it (of " +
      std::to_string(ops.size()) + " in its partition)";
}

// One result from the reused ones (in component order) and the one checked now.
CheckResult Combine(const Split& split, std::vector<std::pair<size_t, CheckResult>> reused,
                    std::optional<CheckResult> now) {
  CheckResult combined;
  combined.partitions = static_cast<int64_t>(split.ops.size());
  for (const auto& ops : split.ops) combined.operations += static_cast<int64_t>(ops.size());
  std::optional<size_t> invalid;  // the first reused invalid one
  for (size_t i = 0; i < reused.size(); ++i) {
    const CheckResult& r = reused[i].second;
    combined.partitions_checked += r.partitions_checked;
    combined.states_explored += r.states_explored;
    combined.peak_memory_bytes = std::max(combined.peak_memory_bytes, r.peak_memory_bytes);
    if (r.verdict == Verdict::kInvalid && !invalid.has_value()) invalid = i;
  }
  if (now.has_value()) {
    combined.partitions_checked += now->partitions_checked;
    combined.states_explored += now->states_explored;
    combined.peak_memory_bytes = std::max(combined.peak_memory_bytes, now->peak_memory_bytes);
  }
  if (invalid.has_value()) {
    CheckResult& r = reused[*invalid].second;
    Renumber(split.ops[reused[*invalid].first], r);
    combined.verdict = Verdict::kInvalid;
    combined.reason = std::move(r.reason);
    combined.counterexample = std::move(r.counterexample);
  } else if (now.has_value() && now->verdict != Verdict::kValid) {
    combined.verdict = now->verdict;
    combined.reason = std::move(now->reason);
    combined.counterexample = std::move(now->counterexample);
  } else {
    combined.reason = "all " + std::to_string(combined.operations) + " operations in " +
                      std::to_string(combined.partitions) + " partition" +
                      (combined.partitions == 1 ? "" : "s") + " are linearizable";
  }
  return combined;
}

}  // namespace

std::string ComponentKeyName(const Json& key) {
  return key.dump(-1, ' ', false, Json::error_handler_t::replace);
}

bool SameOperations(const std::vector<Operation>& a, const std::vector<const Operation*>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const Operation& x = a[i];
    const Operation& y = *b[i];
    if (x.call != y.call || x.is_unknown != y.is_unknown || x.process != y.process || x.f != y.f ||
        x.key != y.key || x.input != y.input) {
      return false;
    }
    if (!x.is_unknown && (x.ret != y.ret || x.output != y.output)) return false;
  }
  return true;
}

Result<CombinedCheck> CheckReusing(const std::vector<Operation>& ops, const CheckOptions& options,
                                   const ComponentChecks& earlier) {
  const auto start = std::chrono::steady_clock::now();
  auto split = options.partition && !earlier.empty() ? SplitByKeys(ops, options)
                                                     : Result<Split>(Status::NotFound("none"));
  if (!split.ok()) {  // nothing to reuse, or an error the whole check reports in its words
    ASSIGN_OR_RETURN(CheckResult whole, CheckLinearizability(ops, options));
    const int64_t partitions = whole.partitions;
    return CombinedCheck{.result = std::move(whole), .checked_now = partitions};
  }
  std::vector<std::pair<size_t, CheckResult>> reused;
  std::vector<bool> left(ops.size(), false);
  for (size_t i = 0; i < split->ops.size(); ++i) {
    auto it = earlier.find(split->keys[i]);
    if (it != earlier.end() && it->second.result.verdict != Verdict::kUnknown &&
        SameOperations(it->second.ops, split->ops[i])) {
      reused.emplace_back(i, it->second.result);
      continue;
    }
    for (const Operation* op : split->ops[i]) left[static_cast<size_t>(op - ops.data())] = true;
  }
  std::vector<Operation> remaining;
  for (size_t i = 0; i < ops.size(); ++i) {
    if (left[i]) remaining.push_back(ops[i]);
  }
  std::optional<CheckResult> now;
  if (!remaining.empty()) {
    ASSIGN_OR_RETURN(now, CheckLinearizability(remaining, options));
  }
  CombinedCheck out;
  out.reused = static_cast<int64_t>(reused.size());
  out.checked_now = static_cast<int64_t>(split->ops.size() - reused.size());
  out.result = Combine(*split, std::move(reused), std::move(now));
  out.result.elapsed_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace checker
