#include "checker/linearizability.h"

#include <algorithm>
#include <chrono>
#include <numeric>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "checker/counterexample.h"
#include "checker/impossible_reads.h"
#include "checker/model_util.h"
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
  // When MergeUnobservedValues changed ops[i]'s written value, the value as recorded (else
  // empty): counterexamples are described, and their windows searched, with these.
  std::vector<std::optional<int64_t>> recorded_value;

  // ops[i] as recorded.
  CompiledOp Recorded(size_t i) const {
    CompiledOp op = ops[i];
    if (i < recorded_value.size() && recorded_value[i].has_value()) {
      (op.f == model_util::kWrite ? op.a : op.b) = *recorded_value[i];
    }
    return op;
  }
};

// A register's written value that no read returns and no CAS compares with can never be told
// apart from another such value: every read and CAS behaves the same whether the register holds
// one or the other (a read of x != either fails on both; a CAS expecting x likewise; a failed
// CAS passes on both). So they are merged into one value, unobservable by construction, and
// states that differed only there become one state for the search's cache. Only for the
// register models, whose steps compare values and nothing else (kv's appends concatenate them).
void MergeUnobservedValues(Compiled& c, const CheckOptions& options) {
  using model_util::kCas;
  using model_util::kCasFailed;
  using model_util::kRead;
  using model_util::kWrite;
  if (!options.reduce ||
      (options.model != ModelKind::kRegister && options.model != ModelKind::kCasRegister)) {
    return;
  }
  std::unordered_set<int64_t> observed;
  for (const CompiledOp& op : c.ops) {
    if (!op.txn.empty() || op.f < kRead || op.f > kCasFailed) return;
    if (op.f == kRead) observed.insert(op.b);
    if (op.f == kCas || op.f == kCasFailed) observed.insert(op.a);
  }
  const size_t before = c.values.size();
  const int64_t merged = c.values.InternString("splitbrain: a value no operation observes");
  if (c.values.size() == before) return;  // the history holds that text: leave it alone
  c.recorded_value.resize(c.ops.size());
  for (size_t i = 0; i < c.ops.size(); ++i) {
    CompiledOp& op = c.ops[i];
    int64_t* written = op.f == kWrite ? &op.a : op.f == kCas ? &op.b : nullptr;
    if (written == nullptr || observed.contains(*written)) continue;
    c.recorded_value[i] = *written;
    *written = merged;
  }
}

Result<Compiled> CompileAll(const std::vector<Operation>& ops, const CheckOptions& options) {
  Compiled c;
  c.model = MakeModel(options.model, {.nil_read_is_unknown = options.nil_read_is_unknown});
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
  MergeUnobservedValues(c, options);
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

std::string DescribeFailure(const Counterexample& cx, size_t partition_size) {
  std::string key = cx.key.is_null() ? "" : "key " + cx.key.dump() + ": ";
  return key + cx.failed_op.description + " (process " + std::to_string(cx.failed_op.process) +
         ", op " + std::to_string(cx.failed_op.id) + ") cannot be linearized after the " +
         std::to_string(cx.longest_linearization.size()) + " operations placed before it (of " +
         std::to_string(partition_size) + " in its partition)";
}

}  // namespace

// One partition's search, kept alive between rounds.
struct LiveSearch {
  size_t partition;
  std::vector<SearchOp> ops;
  std::unique_ptr<WglSearch> search;
};

// Records a finished search in result. Returns false when checking should stop.
bool Conclude(Compiled& c, const std::vector<size_t>& partition, LiveSearch& live,
              const SearchResult& r, const CheckOptions& options, const SearchBudget& budget,
              CheckResult& result, std::string& unknown_reason) {
  ++result.partitions_checked;
  result.states_explored += static_cast<int64_t>(r.states);
  if (r.outcome == SearchOutcome::kLinearizable) return true;
  Json key = PartitionKey(c, partition);
  std::string where = (key.is_null() ? std::string("the history") : "key " + key.dump());
  std::string explored = " (" + std::to_string(r.states) + " states explored)";
  if (r.outcome == SearchOutcome::kOutOfTime) {
    const bool cancelled = options.cancel != nullptr && options.cancel->load();
    unknown_reason =
        (cancelled ? "cancelled"
                   : "time limit of " + std::to_string(options.time_limit_s) + " s reached") +
        std::string(" while checking ") + where + explored;
    return false;  // the budget is shared: nothing else can be checked
  }
  if (r.outcome == SearchOutcome::kOutOfMemory) {
    if (unknown_reason.empty()) {
      unknown_reason = "memory limit of " + std::to_string(options.memory_limit_mb) +
                       " MB reached while checking " + where + explored;
    }
    return true;  // other partitions may still prove the history invalid
  }
  // The counterexample is described, and its window searched, with the ops as recorded.
  std::vector<const Operation*> sources;
  std::vector<CompiledOp> recorded;
  recorded.reserve(live.ops.size());
  std::vector<SearchOp> shown = live.ops;
  for (SearchOp& op : shown) {
    const auto index = static_cast<size_t>(op.op - c.ops.data());
    sources.push_back(c.sources[index]);
    recorded.push_back(c.Recorded(index));
    op.op = &recorded.back();
  }
  const uint64_t search_steps = live.search->steps();
  live.search.reset();  // frees its cache before the counterexample's searches
  Counterexample cx = BuildCounterexample({.model = *c.model,
                                           .values = c.values,
                                           .initial = c.initial,
                                           .ops = shown,
                                           .sources = sources,
                                           .budget = budget},
                                          r.longest, search_steps, options.counterexample);
  cx.key = key;
  result.verdict = Verdict::kInvalid;
  result.reason = DescribeFailure(cx, partition.size());
  result.counterexample = std::move(cx);
  return false;
}

// With options.reduce, on the register models: the first partition with an impossible read
// (impossible_reads.h) is not linearizable. Its counterexample comes from a search over just the
// operations the proof names, which are not linearizable by the same argument. Returns whether
// one was found (and recorded in result).
bool ConcludeImpossibleRead(Compiled& c, const std::vector<std::vector<size_t>>& partitions,
                            std::vector<LiveSearch>& live, const SearchBudget& budget,
                            const CheckOptions& options, CheckResult& result) {
  if (!options.reduce ||
      (options.model != ModelKind::kRegister && options.model != ModelKind::kCasRegister)) {
    return false;
  }
  for (LiveSearch& l : live) {
    std::optional<ImpossibleRead> found = FindImpossibleRead(l.ops, c.initial);
    if (!found) continue;
    std::vector<size_t> named = {found->observation};
    named.insert(named.end(), found->writers.begin(), found->writers.end());
    named.insert(named.end(), found->overwriters.begin(), found->overwriters.end());
    std::sort(named.begin(), named.end());  // the ops are in call order
    named.erase(std::unique(named.begin(), named.end()), named.end());
    LiveSearch window{l.partition, {}, nullptr};
    for (size_t i : named) window.ops.push_back(l.ops[i]);
    window.search = std::make_unique<WglSearch>(*c.model, c.values, window.ops, c.initial, budget,
                                                options.reduce ? Cuts::kAll : Cuts::kNone);
    SearchResult r = window.search->Run();
    if (r.outcome != SearchOutcome::kNotLinearizable) return false;  // the search decides
    std::string unused;
    Conclude(c, partitions[l.partition], window, r, options, budget, result, unused);
    return true;
  }
  return false;
}

// Searches all partitions in rounds: each round gives every unfinished search a step budget
// four times the last one. A partition that is quickly shown invalid ends the check even when
// another, earlier one would take millions of steps (Porcupine gets the same effect by running
// partitions in parallel and cancelling the rest); the order stays deterministic and no work is
// redone, because searches resume where they paused.
void RunPartitions(Compiled& c, const std::vector<std::vector<size_t>>& partitions,
                   const SearchBudget& budget, const CheckOptions& options, CheckResult& result) {
  std::vector<LiveSearch> live;
  live.reserve(partitions.size());
  for (size_t p = 0; p < partitions.size(); ++p) {
    live.push_back({p, SearchOpsOf(c, partitions[p]), nullptr});
  }
  if (ConcludeImpossibleRead(c, partitions, live, budget, options, result)) return;
  std::string unknown_reason;
  size_t live_bytes = 0;
  for (uint64_t steps = 1 << 14; !live.empty(); steps *= 4) {
    std::vector<LiveSearch> paused;
    size_t next_live_bytes = 0;
    for (LiveSearch& l : live) {
      if (!l.search) {
        l.search = std::make_unique<WglSearch>(*c.model, c.values, l.ops, c.initial, budget,
                                               options.reduce ? Cuts::kAll : Cuts::kNone);
      }
      l.search->set_other_bytes(live_bytes + next_live_bytes);
      SearchResult r = l.search->Run(steps);
      result.peak_memory_bytes =
          std::max(result.peak_memory_bytes, static_cast<int64_t>(r.peak_memory_bytes));
      if (r.outcome == SearchOutcome::kPaused) {
        next_live_bytes += l.search->MemoryBytes();
        paused.push_back(std::move(l));
        continue;
      }
      if (!Conclude(c, partitions[l.partition], l, r, options, budget, result, unknown_reason)) {
        if (result.verdict != Verdict::kInvalid) result.verdict = Verdict::kUnknown;
        if (result.verdict == Verdict::kUnknown) result.reason = unknown_reason;
        return;
      }
    }
    live = std::move(paused);
    live_bytes = next_live_bytes;
  }
  if (!unknown_reason.empty()) {
    result.verdict = Verdict::kUnknown;
    result.reason = unknown_reason;
  }
}

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
  budget.cancel = options.cancel;

  CheckResult result;
  result.operations = static_cast<int64_t>(c.ops.size());
  std::vector<std::vector<size_t>> partitions = Partition(c, options.partition);
  result.partitions = static_cast<int64_t>(partitions.size());
  RunPartitions(c, partitions, budget, options, result);
  if (result.verdict == Verdict::kValid) {
    {
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
                           {"window", OpViewsToJson(cx.window)},
                           {"window_is_minimal", cx.window_is_minimal}};
  }
  return j;
}

}  // namespace checker
