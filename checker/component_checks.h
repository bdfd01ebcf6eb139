// Checking a history whose components were partly checked before: the end of a live check
// (live_linearizability.h). A component is what CheckLinearizability checks alone: the
// operations of one connected set of keys (transactions join their keys). A component checked
// earlier, on exactly the operations it has now, keeps that result; every other component is
// checked now, in one CheckLinearizability call (so they share its budget as in the whole check).
//
// Why the verdict equals CheckLinearizability(ops) over the whole history: that check partitions
// the operations into the same components (the same models compile the same keys, joined the
// same way) and searches each alone; a history is linearizable exactly when every component is
// (Herlihy & Wing's locality, extended to transactions by joining their keys). A reused result
// was computed by CheckLinearizability on the very same operations. Only an earlier result that
// was definite (valid or invalid) is reused: an unknown one (a budget ran out) is checked again,
// so a budget never turns into valid. Budgets are wall clock, so where a budget runs out the two
// may differ in saying unknown where the other finished; definite verdicts never differ.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "checker/linearizability.h"

namespace checker {

// A component's keys, as canonical JSON text, sorted: its name across value tables.
using ComponentKeys = std::vector<std::string>;
// A key's entry in ComponentKeys: its JSON text (invalid UTF-8 replaced, never an exception).
std::string ComponentKeyName(const Json& key);

// One earlier check of a component.
struct ComponentCheck {
  std::vector<Operation> ops;  // what it checked, in call order
  CheckResult result;
};

using ComponentChecks = std::map<ComponentKeys, ComponentCheck>;

struct CombinedCheck {
  CheckResult result;       // as CheckLinearizability(ops) reports it; elapsed_s: this call's time
  int64_t reused = 0;       // components whose earlier check was used
  int64_t checked_now = 0;  // components checked by this call
};

// CheckLinearizability(ops, options) in verdict, reusing `earlier` where it covers a component's
// operations exactly. `ops` as PairOperations gives them (ids are positions); counterexamples
// of reused results are renumbered to these ids. Errors are CheckLinearizability's.
Result<CombinedCheck> CheckReusing(const std::vector<Operation>& ops, const CheckOptions& options,
                                   const ComponentChecks& earlier);

// True when `a` and `b` are the same operations for a check: the same calls, returns,
// processes, functions, keys, inputs, outputs and outcomes (ids and source lines aside).
bool SameOperations(const std::vector<Operation>& a, const std::vector<const Operation*>& b);

// Union-find over small integer slots (keys), with path halving.
class DisjointSets {
 public:
  size_t Add() {
    parent_.push_back(parent_.size());
    return parent_.size() - 1;
  }
  size_t Find(size_t x) {
    while (parent_[x] != x) x = parent_[x] = parent_[parent_[x]];
    return x;
  }
  // Joins the sets of a and b; returns the root of the joined set (a's root).
  size_t Join(size_t a, size_t b) {
    a = Find(a);
    b = Find(b);
    if (a != b) parent_[b] = a;
    return a;
  }

 private:
  std::vector<size_t> parent_;
};

}  // namespace checker
