// Builds the counterexample of a partition the search proved not linearizable: the longest
// linearization with its states, the operation that could not be placed, and the smallest
// failing window (see Counterexample in linearizability.h).
#pragma once

#include <span>
#include <vector>

#include "checker/linearizability.h"
#include "checker/wgl_search.h"

namespace checker {

struct FailedPartition {
  const Model& model;
  ValueTable& values;
  const State& initial;
  std::span<const SearchOp> ops;                 // sorted by call
  const std::vector<const Operation*>& sources;  // sources[i] is ops[i]'s Operation
  const SearchBudget& budget;
};

// `longest` is the search's longest linearization (indices into partition.ops), found in
// `search_steps` steps. The window costs more searches of the partition, together at most about
// search_steps (and within the budget); with_window=false skips it.
Counterexample BuildCounterexample(const FailedPartition& partition,
                                   const std::vector<size_t>& longest, uint64_t search_steps,
                                   bool with_window);

}  // namespace checker
