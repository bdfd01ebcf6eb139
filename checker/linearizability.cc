#include "checker/linearizability.h"

#include <algorithm>
#include <chrono>
#include <numeric>
#include <unordered_map>

#include "checker/counterexample.h"
#include "checker/wgl_search.h"
#include "common/check.h"

namespace checker {

std::string_view VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kValid:
      return "valid";
    case Verdict::kInvalid:
      return "invalid";
    case Verdict::kUnknown:
      return "unknown";
  }
  return "?";
}

namespace {

using Clock = std::chrono::steady_clock;

// Everything the partitions share: the model, the values, the compiled operations.
struct Compiled {
  std::unique_ptr<Model> model;
  ValueTable values;
  State initial;
  std::vector<CompiledOp> ops;
  std::vector<const Operation*> sources;  // sources[i] is the Operation ops[i] came from
};

Result<Compiled> CompileAll(const std::vector<Operation>& ops, const CheckOptions& options) {
  Compiled c;
  ASSIGN_OR_RETURN(c.model,
                   MakeModel(options.model, {.nil_read_is_unknown = options.nil_read_is_unknown}));
  auto initial = c.model->Initial(options.initial, c.values);
  if (!initial.ok()) return initial.status().WithContext("initial state");
  c.initial = std::move(initial).value();
  c.ops.reserve(ops.size());
  for (const Operation& op : ops) {
    ASSIGN_OR_RETURN(std::optional<CompiledOp> compiled, c.model->Compile(op, c.values));
    if (!compiled) continue;
    c.ops.push_back(std::move(*compiled));
    c.sources.push_back(&op);
  }
  return c;
}

// Connected components of the keys operations touch; each partition lists op indices in call
// order, and partitions are ordered by their first call.
std::vector<std::vector<size_t>> Partition(const Compiled& c, bool by_key) {
  std::vector<std::vector<size_t>> partitions;
  if (!by_key) {
    partitions.emplace_back(c.ops.size());
    std::iota(partitions[0].begin(), partitions[0].end(), size_t{0});
    return partitions;
  }
  std::unordered_map<int64_t, size_t> key_slot;
  std::vector<size_t> parent;
  auto find = [&](size_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  };
  std::vector<size_t> op_slot(c.ops.size());
  for (size_t i = 0; i < c.ops.size(); ++i) {
    size_t first = 0;
    for (size_t k = 0; k < c.ops[i].keys.size(); ++k) {
      auto [it, inserted] = key_slot.try_emplace(c.ops[i].keys[k], parent.size());
      if (inserted) parent.push_back(parent.size());
      size_t root = find(it->second);
      if (k == 0) {
        first = root;
      } else if (root != first) {
        parent[root] = first;
      }
    }
    op_slot[i] = first;
  }
  std::unordered_map<size_t, size_t> partition_of_root;
  for (size_t i = 0; i < c.ops.size(); ++i) {
    size_t root = find(op_slot[i]);
    auto [it, inserted] = partition_of_root.try_emplace(root, partitions.size());
    if (inserted) partitions.emplace_back();
    partitions[it->second].push_back(i);
  }
  return partitions;
}

std::vector<SearchOp> SearchOpsOf(const Compiled& c, const std::vector<size_t>& partition) {
  std::vector<SearchOp> ops;
  ops.reserve(partition.size());
  for (size_t i : partition) {
    const Operation& source = *c.sources[i];
    ops.push_back({&c.ops[i], source.call, source.is_unknown ? Operation::kNever : source.ret});
  }
  std::stable_sort(ops.begin(), ops.end(),
                   [](const SearchOp& a, const SearchOp& b) { return a.call < b.call; });
  return ops;
}

Json PartitionKey(const Compiled& c, const std::vector<size_t>& partition) {
  std::vector<int64_t> keys;
  for (size_t i : partition) keys.insert(keys.end(), c.ops[i].keys.begin(), c.ops[i].keys.end());
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  if (keys.size() == 1) return c.values.Get(keys[0]);
  Json array = Json::array();
  for (int64_t k : keys) array.push_back(c.values.Get(k));
  return array;
}

}  // namespace

namespace {

struct PartitionRun {
  SearchResult search;
  std::vector<SearchOp> ops;
};

std::string DescribeFailure(const Counterexample& cx, size_t partition_size) {
  std::string key = cx.key.is_null() ? "" : "key " + cx.key.dump() + ": ";
  return key + cx.failed_op.description + " (process " + std::to_string(cx.failed_op.process) +
         ", op " + std::to_string(cx.failed_op.id) + ") cannot be linearized after the " +
         std::to_string(cx.longest_linearization.size()) + " operations placed before it (of " +
         std::to_string(partition_size) + " in its partition)";
}

}  // namespace

Result<CheckResult> CheckLinearizability(const std::vector<Operation>& ops,
                                         const CheckOptions& options) {
  const Clock::time_point start = Clock::now();
  ASSIGN_OR_RETURN(Compiled c, CompileAll(ops, options));
  SearchBudget budget;
  if (options.time_limit_s > 0) {
    budget.deadline = start + std::chrono::duration_cast<Clock::duration>(
                                  std::chrono::duration<double>(options.time_limit_s));
  }
  budget.memory_limit_bytes = static_cast<size_t>(options.memory_limit_mb) * 1024 * 1024;

  CheckResult result;
  result.operations = static_cast<int64_t>(c.ops.size());
  std::vector<std::vector<size_t>> partitions = Partition(c, options.partition);
  result.partitions = static_cast<int64_t>(partitions.size());
  std::string unknown_reason;
  for (const std::vector<size_t>& partition : partitions) {
    std::vector<SearchOp> search_ops = SearchOpsOf(c, partition);
    WglSearch search(*c.model, c.values, search_ops, c.initial, budget);
    SearchResult r = search.Run();
    ++result.partitions_checked;
    result.states_explored += static_cast<int64_t>(r.states);
    result.peak_memory_bytes =
        std::max(result.peak_memory_bytes, static_cast<int64_t>(r.peak_memory_bytes));
    if (r.outcome == SearchOutcome::kLinearizable) continue;
    Json key = PartitionKey(c, partition);
    std::string where = (key.is_null() ? std::string("the history") : "key " + key.dump());
    if (r.outcome == SearchOutcome::kOutOfTime) {
      unknown_reason = "time limit of " + std::to_string(options.time_limit_s) +
                       " s reached while checking " + where + " (" + std::to_string(r.states) +
                       " states explored)";
      break;  // the budget is shared: nothing else can be checked
    }
    if (r.outcome == SearchOutcome::kOutOfMemory) {
      if (unknown_reason.empty()) {
        unknown_reason = "memory limit of " + std::to_string(options.memory_limit_mb) +
                         " MB reached while checking " + where + " (" + std::to_string(r.states) +
                         " states explored)";
      }
      continue;  // other partitions may still prove the history invalid
    }
    std::vector<const Operation*> sources;
    for (const SearchOp& op : search_ops) sources.push_back(c.sources[op.op - c.ops.data()]);
    Counterexample cx = BuildCounterexample({.model = *c.model,
                                             .values = c.values,
                                             .initial = c.initial,
                                             .ops = search_ops,
                                             .sources = sources,
                                             .budget = budget},
                                            r.longest, options.counterexample);
    cx.key = key;
    result.verdict = Verdict::kInvalid;
    result.reason = DescribeFailure(cx, partition.size());
    result.counterexample = std::move(cx);
    break;
  }
  if (result.verdict != Verdict::kInvalid) {
    if (!unknown_reason.empty()) {
      result.verdict = Verdict::kUnknown;
      result.reason = unknown_reason;
    } else {
      result.reason = "all " + std::to_string(result.operations) + " operations in " +
                      std::to_string(result.partitions) + " partition" +
                      (result.partitions == 1 ? "" : "s") + " are linearizable";
    }
  }
  result.elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
  return result;
}

namespace {

Json OpViewToJson(const OpView& op) {
  Json j = {{"id", op.id},
            {"process", op.process},
            {"op", op.description},
            {"call", op.call},
            {"unknown", op.is_unknown}};
  j["return"] = op.ret == Operation::kNever ? Json(nullptr) : Json(op.ret);
  return j;
}

Json OpViewsToJson(const std::vector<OpView>& ops) {
  Json array = Json::array();
  for (const OpView& op : ops) array.push_back(OpViewToJson(op));
  return array;
}

}  // namespace

Json CheckResult::ToJson() const {
  Json j = {{"verdict", VerdictName(verdict)},
            {"reason", reason},
            {"operations", operations},
            {"partitions", partitions},
            {"partitions_checked", partitions_checked},
            {"states_explored", states_explored},
            {"peak_memory_bytes", peak_memory_bytes},
            {"elapsed_s", elapsed_s}};
  if (counterexample) {
    const Counterexample& cx = *counterexample;
    j["counterexample"] = {{"key", cx.key},
                           {"longest_linearization", OpViewsToJson(cx.longest_linearization)},
                           {"states", cx.states},
                           {"failed_op", OpViewToJson(cx.failed_op)},
                           {"state_before_failure", cx.state_before_failure},
                           {"window", OpViewsToJson(cx.window)}};
  }
  return j;
}

}  // namespace checker
