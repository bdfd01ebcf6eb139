// WglSearch: the Wing-Gong-Lowe depth-first search for one partition (see linearizability.h).
//
// The entries list holds a call entry for every operation and a return entry for every one
// with a known outcome, ordered by history position. Scanning from the head, the search tries
// to linearize each call entry (the model must accept it and the resulting configuration must
// be new to the cache); on success it removes ("lifts") the call and its return and starts
// over from the head; on reaching a return entry it backtracks (that operation must have been
// linearized before it returned). It succeeds when every known-outcome operation is placed.
//
// With Cuts::kAll, sound cuts (each keeps a completion reachable whenever one exists):
// - Unknown no-ops: an operation of unknown outcome (it may take effect at any point after its
//   call, or never) that would change nothing here is not placed: leaving it out gives the same
//   states.
// - Twins: of identical unknown operations (same code, key and arguments), the one called
//   first is placed first: with both called, swapping which of them sits where gives the same
//   states. The placed twins of a class are then always a prefix of it in call order, so the
//   test is one bit.
// - Forced reads: when a known-outcome candidate that never changes the state (a read, a failed
//   CAS: Model::ChangesNoState) is accepted here, it is placed and nothing else is tried in that
//   configuration. Any completion that places it later can place it now instead: it is a
//   candidate, so it was called before every remaining known operation returned, it is accepted
//   in this state, and moving it changes no state any other operation sees. (An operation that
//   merely leaves this state as it is, like a write of the current value, does not qualify:
//   placed later it may change the state.)
// - Lookahead: after a placement, the known read whose return entry comes first (it must be
//   placed before anything called after it returned, so only the current candidates can come
//   before it) is asked whether the state can still reach what it returned. When every
//   candidate on its key only extends the value or changes nothing (Model::OnlyExtends,
//   ChangesNoState) and the model says no (Model::MayAcceptAfterExtending: kv's value is no
//   prefix of the read's), the configuration has no completion and is undone at once.
// - Observed values: a placement that replaces a value only one operation (or the initial
//   state) can produce, while a known operation that observes that value is unplaced, is
//   refused: that observer could never be placed (observed_values.h, register models).
// - Dominance: the cache refuses a configuration (K, s, U) when it holds (K, s, U') with U' a
//   subset of U (K: known operations placed, s: state, U: unknown operations placed); see
//   memo_cache.h. Sound with a configuration still on the stack, too: if a completion existed,
//   take a cached configuration with one that has the most known operations placed and, among
//   those, needs the fewest unknown operations before its next known one. Its first step is
//   tried (the cuts above only swap it for an equivalent one or drop it), and the resulting
//   configuration, or the one dominating it, is cached with a completion and is better by that
//   measure: a contradiction. So the search never ends "not linearizable" wrongly.
// Not thread-safe; one search per thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "checker/memo_cache.h"
#include "checker/model.h"
#include "checker/observed_values.h"

namespace checker {

// Which cuts a search makes. kAll: every cut above. kReachable: only those that keep every
// reachable model state reachable (unknown no-ops, twins, forced reads, dominance; each keeps the
// configurations it drops covered by one it keeps, placing the same operations or a superset),
// for ReachedStates: the lookahead and the observed-value cut drop configurations with no
// completion, and with them states a window may start from. kNone: the plain search.
enum class Cuts { kNone, kReachable, kAll };

struct SearchOp {
  const CompiledOp* op = nullptr;
  int64_t call = 0;                 // history position of the call
  int64_t ret = Operation::kNever;  // of the return; kNever: outcome unknown (optional)
};

struct SearchBudget {
  std::optional<std::chrono::steady_clock::time_point> deadline;
  size_t memory_limit_bytes = 0;  // 0: none
  size_t other_bytes = 0;         // held by other live searches; counts against the limit
  const std::atomic<bool>* cancel = nullptr;  // true: stop as if out of time
};

// kPaused: the step budget of this Run call ran out; call Run again to continue.
enum class SearchOutcome { kLinearizable, kNotLinearizable, kOutOfTime, kOutOfMemory, kPaused };

struct SearchResult {
  SearchOutcome outcome = SearchOutcome::kLinearizable;
  std::vector<size_t> longest;  // indices into the ops, in linearization order
  size_t states = 0;            // configurations cached
  size_t peak_memory_bytes = 0;
};

class WglSearch {
 public:
  // Requires: ops sorted by call; model, values and ops outlive the search.
  WglSearch(const Model& model, ValueTable& values, std::span<const SearchOp> ops, State initial,
            const SearchBudget& budget, Cuts cuts = Cuts::kNone);

  // Searches for at most max_steps more steps (one step tries one entry), continuing where the
  // last call stopped. Requires: the last call returned kPaused, or this is the first call.
  SearchResult Run(uint64_t max_steps = UINT64_MAX);

  size_t MemoryBytes() const;
  uint64_t steps() const { return steps_; }
  void set_other_bytes(size_t bytes) { budget_.other_bytes = bytes; }

  // Up to `max` distinct states the search reached, in the order it reached them.
  std::vector<State> ReachedStates(size_t max) const;

 private:
  struct Entry {
    int32_t op = -1;
    bool is_call = false;
    int32_t match = -1;  // a call's return entry, or -1
    int32_t prev = -1;
    int32_t next = -1;
  };
  struct Frame {
    int32_t entry;
    bool forced;  // a forced read: nothing else is tried in the configuration before it
    State state_before;
  };
  struct Node {  // the persistent stack of linearized ops, for the longest linearization
    int32_t op;
    int32_t parent;
  };

  void BuildEntries();
  void FindTwins();
  // Flips op's bit in the known or unknown set.
  void Flip(int32_t op);
  bool IsLinearized(int32_t op) const;
  void Lift(int32_t entry);
  void Unlift(int32_t entry);
  bool TryLinearize(int32_t entry, State& next);
  enum class Forced { kNone, kPlaced, kRefused };
  Forced PlaceForced(State& next);
  // The lookahead; with the call entry of an extension, for the state it would make, before it
  // is placed.
  bool Viable(int32_t extension_entry = -1) const;
  void Backtrack();
  int32_t NextCandidate(int32_t after) const;
  bool OverBudget(SearchOutcome* outcome);
  SearchResult Finish(SearchOutcome outcome);

  const Model& model_;
  ValueTable& values_;
  std::span<const SearchOp> ops_;
  State state_;
  State initial_;
  SearchBudget budget_;

  const bool reduce_;
  std::vector<int32_t> previous_twin_;  // per op: the twin called before it, or -1

  std::vector<Entry> entries_;  // entries_[0] is the head sentinel
  std::vector<uint64_t> zobrist_;
  // With reduce, unknown-outcome operations are counted in unknown_ (for dominance), the
  // others in known_; without, all in known_. rank_[op] is the op's bit in its set.
  std::vector<int32_t> rank_;
  std::vector<uint8_t> in_unknown_;
  std::vector<uint8_t> changes_no_state_;  // per op: Model::ChangesNoState
  std::vector<uint8_t> only_extends_;      // per op: Model::OnlyExtends
  bool lookahead_ = false;                 // some op only extends
  ObservedValues observed_;                // the observed-value cut (observed_values.h)
  std::vector<uint64_t> known_;
  std::vector<uint64_t> unknown_;
  uint64_t bitset_hash_ = 0;  // of known_
  MemoCache cache_;
  std::vector<Frame> frames_;
  size_t depth_ = 0;  // frames in use (frames_ keeps capacity for reuse)
  std::vector<Node> nodes_;
  int32_t top_node_ = -1;
  int32_t best_node_ = -1;
  size_t best_depth_ = 0;
  size_t peak_memory_bytes_ = 0;
  bool started_ = false;
  size_t required_left_ = 0;
  int32_t entry_ = -1;  // where the scan resumes
  bool fresh_ = false;  // a new configuration: look for a forced read first
  uint64_t steps_ = 0;
};

}  // namespace checker
