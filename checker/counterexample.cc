#include "checker/counterexample.h"

#include <algorithm>

#include "common/check.h"

namespace checker {
namespace {

// Windows are searched only in partitions up to this size; beyond it the prefix search alone
// could take as long as the whole check.
constexpr size_t kMaxWindowPartition = 20000;
// At most this many window starts are tried, each from at most this many states.
constexpr size_t kMaxWindowStarts = 256;
constexpr size_t kMaxStartStates = 64;
// Each search the window needs gets at most this many steps; past it the window is left out.
constexpr uint64_t kMaxWindowSearchSteps = 1 << 20;
constexpr uint64_t kMinWindowSteps = 1 << 16;

OpView View(const FailedPartition& p, size_t i) {
  const Operation& source = *p.sources[i];
  return {.id = source.id,
          .process = source.process,
          .description = p.model.Describe(*p.ops[i].op, p.values),
          .call = source.call,
          .ret = source.is_unknown ? Operation::kNever : source.ret,
          .is_unknown = source.is_unknown};
}

// The window's searches share one step budget, a few times what the failed search took: the
// explanation must not cost much more than the verdict.
struct WindowBudget {
  uint64_t steps_left;
};

bool Linearizable(const FailedPartition& p, std::span<const SearchOp> ops, const State& initial,
                  WindowBudget& window_budget, bool* out_of_budget,
                  std::vector<State>* reached = nullptr) {
  // Only the verdict is used unless the reached states are wanted: those come from a search
  // whose cuts leave no reachable state out (on etcd_040's failing prefix: 2,400 steps instead
  // of the plain search's 59,000).
  WglSearch search(p.model, p.values, ops, initial, p.budget,
                   reached == nullptr ? Cuts::kAll : Cuts::kReachable);
  SearchResult r = search.Run(std::min(window_budget.steps_left, kMaxWindowSearchSteps));
  window_budget.steps_left -= std::min(window_budget.steps_left, search.steps());
  if (r.outcome == SearchOutcome::kOutOfTime || r.outcome == SearchOutcome::kOutOfMemory ||
      r.outcome == SearchOutcome::kPaused) {
    *out_of_budget = true;
    return true;
  }
  if (reached) *reached = search.ReachedStates(kMaxStartStates);
  return r.outcome == SearchOutcome::kLinearizable;
}

// The history cut at `cutoff`: operations called before it; those returning after it become
// unknown. Returns indices into p.ops alongside the search ops.
std::vector<SearchOp> Prefix(const FailedPartition& p, int64_t cutoff, std::vector<size_t>* index) {
  std::vector<SearchOp> ops;
  index->clear();
  for (size_t i = 0; i < p.ops.size(); ++i) {
    SearchOp op = p.ops[i];
    if (op.call >= cutoff) continue;
    if (op.ret > cutoff) op.ret = Operation::kNever;
    ops.push_back(op);
    index->push_back(i);
  }
  return ops;
}

// The smallest failing window: first the shortest failing prefix (binary search on the cutoff:
// a prefix that fails makes every longer one fail), then the latest start whose suffix fails
// from every state the prefix search reached. The failed operation's return is tried first:
// it is usually where the shortest failing prefix ends, which saves most of the search.
std::vector<OpView> SmallestWindow(const FailedPartition& p, int64_t failed_ret,
                                   WindowBudget budget, bool* is_minimal) {
  std::vector<int64_t> returns;
  for (const SearchOp& op : p.ops) {
    if (op.ret != Operation::kNever) returns.push_back(op.ret);
  }
  std::sort(returns.begin(), returns.end());
  bool out_of_budget = false;
  std::vector<size_t> index;
  size_t lo = 0;
  size_t hi = returns.size() - 1;  // returns[hi] fails: it is the whole partition
  auto at_failed = std::lower_bound(returns.begin(), returns.end(), failed_ret);
  if (at_failed != returns.end()) {
    auto guess = static_cast<size_t>(at_failed - returns.begin());
    if (!Linearizable(p, Prefix(p, returns[guess] + 1, &index), p.initial, budget,
                      &out_of_budget)) {
      hi = guess;
      if (guess > 0 && Linearizable(p, Prefix(p, returns[guess - 1] + 1, &index), p.initial, budget,
                                    &out_of_budget)) {
        lo = guess;
      }
    } else {
      lo = guess + 1;
    }
  }
  while (lo < hi && !out_of_budget) {
    size_t mid = (lo + hi) / 2;
    std::vector<SearchOp> ops = Prefix(p, returns[mid] + 1, &index);
    if (Linearizable(p, ops, p.initial, budget, &out_of_budget)) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  std::vector<SearchOp> prefix = Prefix(p, returns[hi] + 1, &index);
  std::vector<State> starts;
  Linearizable(p, prefix, p.initial, budget, &out_of_budget, &starts);
  size_t begin = 0;
  size_t tried = 0;
  for (size_t s = prefix.size(); s-- > 0 && tried < kMaxWindowStarts && !out_of_budget; ++tried) {
    const int64_t start = prefix[s].call;
    std::vector<SearchOp> window;
    for (const SearchOp& op : prefix) {
      if (op.ret >= start) window.push_back(op);
    }
    bool fails_everywhere = true;
    for (const State& state : starts) {
      if (Linearizable(p, window, state, budget, &out_of_budget)) {
        fails_everywhere = false;
        break;
      }
    }
    if (fails_everywhere && !out_of_budget) {
      begin = s;
      *is_minimal = true;
      break;
    }
  }
  std::vector<OpView> views;
  const int64_t start = prefix.empty() ? 0 : prefix[begin].call;
  for (size_t k = 0; k < prefix.size(); ++k) {
    if (prefix[k].ret >= start) views.push_back(View(p, index[k]));
  }
  return views;
}

}  // namespace

Counterexample BuildCounterexample(const FailedPartition& p, const std::vector<size_t>& longest,
                                   uint64_t search_steps, bool with_window) {
  Counterexample cx;
  State state = p.initial;
  State next;
  std::vector<bool> placed(p.ops.size(), false);
  for (size_t i : longest) {
    CHECK(p.model.Step(state, *p.ops[i].op, p.values, &next)) << "replay of the linearization";
    state.swap(next);
    cx.longest_linearization.push_back(View(p, i));
    cx.states.push_back(p.model.StateToJson(state, p.values));
    placed[i] = true;
  }
  cx.state_before_failure = p.model.StateToJson(state, p.values);
  size_t failed = p.ops.size();
  for (size_t i = 0; i < p.ops.size(); ++i) {
    if (placed[i] || p.ops[i].ret == Operation::kNever) continue;
    if (failed == p.ops.size() || p.ops[i].ret < p.ops[failed].ret) failed = i;
  }
  CHECK(failed < p.ops.size()) << "an invalid partition has an operation left to place";
  cx.failed_op = View(p, failed);
  if (with_window && p.ops.size() <= kMaxWindowPartition) {
    cx.window =
        SmallestWindow(p, p.ops[failed].ret, {std::max<uint64_t>(kMinWindowSteps, search_steps)},
                       &cx.window_is_minimal);
  }
  return cx;
}

}  // namespace checker
