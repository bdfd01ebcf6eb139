// WglSearch: the Wing-Gong-Lowe depth-first search for one partition (see linearizability.h).
//
// The entries list holds a call entry for every operation and a return entry for every one
// with a known outcome, ordered by history position. Scanning from the head, the search tries
// to linearize each call entry (the model must accept it and the resulting configuration must
// be new to the cache); on success it removes ("lifts") the call and its return and starts
// over from the head; on reaching a return entry it backtracks (that operation must have been
// linearized before it returned). It succeeds when every known-outcome operation is placed.
//
// With `reduce_unknown`, two sound cuts for operations of unknown outcome (which may take
// effect at any point after their call, or never):
// - one that would change nothing (a no-op here: the state after it is the state before) is not
//   placed: leaving it out of the linearization gives the same states;
// - of identical unknown operations (same code, key and arguments: "twins"), the one called
//   first is placed first: with both called, swapping which of them sits where gives the same
//   states, so only linearizations that place twins in call order are tried. The placed twins
//   of a class are then always a prefix of it in call order, so the test is one bit.
// Not thread-safe; one search per thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "checker/memo_cache.h"
#include "checker/model.h"

namespace checker {

struct SearchOp {
  const CompiledOp* op = nullptr;
  int64_t call = 0;                 // history position of the call
  int64_t ret = Operation::kNever;  // of the return; kNever: outcome unknown (optional)
};

struct SearchBudget {
  std::optional<std::chrono::steady_clock::time_point> deadline;
  size_t memory_limit_bytes = 0;  // 0: none
  size_t other_bytes = 0;         // held by other live searches; counts against the limit
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
            const SearchBudget& budget, bool reduce_unknown = false);

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
    State state_before;
  };
  struct Node {  // the persistent stack of linearized ops, for the longest linearization
    int32_t op;
    int32_t parent;
  };

  void BuildEntries();
  void FindTwins();
  bool IsLinearized(int32_t op) const { return (linearized_[op / 64] >> (op % 64)) & 1U; }
  void Lift(int32_t entry);
  void Unlift(int32_t entry);
  bool TryLinearize(int32_t entry, State& next);
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

  const bool reduce_unknown_;
  std::vector<int32_t> previous_twin_;  // per op: the twin called before it, or -1

  std::vector<Entry> entries_;  // entries_[0] is the head sentinel
  std::vector<uint64_t> zobrist_;
  std::vector<uint64_t> linearized_;  // bitset over ops
  uint64_t bitset_hash_ = 0;
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
  uint64_t steps_ = 0;
};

}  // namespace checker
