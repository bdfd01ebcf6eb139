// A polynomial test that proves some register histories not linearizable without a search.
//
// An observation (a read returning v, or a successful CAS expecting v, both with known outcome)
// is impossible when every writer of v on its key (a write of v, a CAS to v, or the initial
// state if it holds v) is overwritten in real time before the observation was called: some
// operation X with a known outcome that certainly wrote another value (a write, a successful
// CAS) was called after the writer returned and returned before the observation was called. In
// any linearization take the last writer of v placed before the observation: its X comes after
// it and before the observation, and no writer of v follows X before the observation, so the
// register does not hold v there. A writer with unknown outcome never returned, so nothing is
// certainly after it, and the test stays silent (the search decides). This is the stale read of
// a partitioned old leader, found in O(n log n) where the search must try every placement of
// the crashed operations around it.
//
// For the register models only (register, cas-register), whose writes replace the value.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "checker/model.h"
#include "checker/wgl_search.h"

namespace checker {

struct ImpossibleRead {
  size_t observation = 0;           // index into the ops
  std::vector<size_t> writers;      // every writer of its value
  std::vector<size_t> overwriters;  // for each writer (and the initial state), an X
};

// Requires: ops hold the register models' operations (model_util::RegisterOp codes).
std::optional<ImpossibleRead> FindImpossibleRead(std::span<const SearchOp> ops,
                                                 const State& initial);

}  // namespace checker
