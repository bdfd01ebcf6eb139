// Cuts::kReachable (wgl_search.h) against the plain search: on thousands of small random
// register histories that are not linearizable (so both searches explore everything), the
// states they reach are the same set. The counterexample's window starts from those states
// (counterexample.cc), so a cut that lost one could make a window look smaller than it is.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "checker/model_util.h"
#include "checker/wgl_search.h"
#include "common/rng.h"

namespace checker {
namespace {

using model_util::kCas;
using model_util::kRead;
using model_util::kWrite;

// A random history on one register: overlapping intervals, a third of the writes and CASes
// crashed, values 0..2 (so they repeat), and reads returning any of them, so most histories are
// not linearizable.
struct RandomRegister {
  ValueTable values;
  std::vector<CompiledOp> compiled;
  std::vector<SearchOp> search;
  std::unique_ptr<Model> model = MakeModel(ModelKind::kCasRegister);

  explicit RandomRegister(common::Rng& rng) {
    const size_t n = 6 + rng.Uniform(7);
    compiled.reserve(n);
    int64_t call = 0;
    for (size_t i = 0; i < n; ++i) {
      call += static_cast<int64_t>(rng.Uniform(3));
      const uint64_t kind = rng.Uniform(3);
      const bool crashed = kind != 0 && rng.Uniform(3) == 0;
      CompiledOp op{.f = kind == 0 ? kRead : kind == 1 ? kWrite : kCas, .is_unknown = crashed};
      op.a = values.Intern(static_cast<int64_t>(rng.Uniform(3)));
      op.b = values.Intern(static_cast<int64_t>(rng.Uniform(3)));
      compiled.push_back(op);
      const int64_t ret = crashed ? Operation::kNever : call + 1 + int64_t(rng.Uniform(6));
      search.push_back({&compiled.back(), call, ret});
    }
  }

  // The distinct states a search with `cuts` reaches, sorted; empty if it found the history
  // linearizable (it stopped early).
  std::vector<State> Reached(Cuts cuts) {
    WglSearch s(*model, values, search, keyed_state::Make(values.Intern(0)), SearchBudget{}, cuts);
    if (s.Run().outcome != SearchOutcome::kNotLinearizable) return {};
    std::vector<State> states = s.ReachedStates(1000);
    std::sort(states.begin(), states.end());
    return states;
  }
};

TEST(ReachedStates, TheReachableCutsReachEveryStateThePlainSearchReaches) {
  common::Rng rng(20261207);
  int compared = 0;
  int differs_with_all_cuts = 0;
  for (int trial = 0; trial < 4000; ++trial) {
    RandomRegister h(rng);
    const std::vector<State> plain = h.Reached(Cuts::kNone);
    if (plain.empty()) continue;
    ++compared;
    ASSERT_EQ(h.Reached(Cuts::kReachable), plain) << "trial " << trial;
    if (h.Reached(Cuts::kAll) != plain) ++differs_with_all_cuts;
  }
  // Enough invalid histories to mean something, and every cut on: then some states are lost
  // (the lookahead and the observed-value cut drop dead ends), which is why kReachable exists.
  EXPECT_GT(compared, 1000);
  EXPECT_GT(differs_with_all_cuts, 0);
}

}  // namespace
}  // namespace checker
