// Linearizability checking: is there a total order of the operations, consistent with their
// real-time order, that the model accepts?
//
// The search is Wing & Gong's, with Lowe's memoisation (as in Porcupine): a depth-first search
// over a doubly linked list of call and return entries that tries to linearize each operation
// whose call comes before the first remaining return, and backtracks on that return; a cache of
// (set of linearized operations, model state) pairs prunes every configuration seen before.
// The set is a bitset with an incremental Zobrist hash; states are the model's short id vectors.
//
// P-compositionality: operations are split into partitions, the connected components of the
// keys they touch (per key for kv and registers with independent keys; transactions join their
// keys), and each partition is checked alone (Herlihy & Wing's locality). --no-partition turns
// it off.
//
// Unknown outcomes (info, or no completion) may take effect at any point after their call, or
// never: they have no return entry, and the search is done once every operation with a known
// outcome is linearized. The search is deterministic: the same history gives the same verdict,
// counterexample and counts. Time and memory budgets end the search with verdict unknown and
// the reason; they never crash or exhaust memory.
//
// For an invalid history the counterexample names the failing partition's key, the longest
// linearizable prefix the search found, the operation that could not be placed after it, the
// state it would have seen, and the smallest window of operations that still cannot be
// linearized (see Counterexample).
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checker/history.h"
#include "checker/model.h"

namespace checker {

enum class Verdict { kValid, kInvalid, kUnknown };
std::string_view VerdictName(Verdict verdict);  // "valid", "invalid", "unknown"

struct CheckOptions {
  ModelKind model = ModelKind::kCasRegister;
  Json initial;  // null: the model's default
  bool nil_read_is_unknown = false;
  bool partition = true;
  double time_limit_s = 0;      // wall-clock budget for the whole check; 0: none
  int64_t memory_limit_mb = 0;  // budget for the search's caches; 0: none
  bool counterexample = true;   // compute the window (costs a few more searches)
  // Sound reductions of the search (wgl_search.h, linearizability.cc): values no operation
  // observes merged into one, identical unknown operations placed in call order, unknown
  // operations that change nothing not placed. false: the plain search (tests compare them).
  bool reduce = true;
  // When it becomes true the check stops soon (within about a thousand search steps) and says
  // unknown; live checks use it to give up at the end of a run. Not owned.
  const std::atomic<bool>* cancel = nullptr;
};

// One operation as a counterexample shows it.
struct OpView {
  int64_t id = 0;  // Operation::id
  int64_t process = 0;
  std::string description;  // the model's: "cas(1, 2)", "read() -> 3"
  int64_t call = 0;
  int64_t ret = Operation::kNever;
  bool is_unknown = false;
};

struct Counterexample {
  Json key;  // the failing partition's key, or an array of its keys
  // The longest linearization found, in order, and the state after each of its operations.
  std::vector<OpView> longest_linearization;
  std::vector<Json> states;
  // The operation that could not be placed after it (the earliest-returning one left), and the
  // state it would have had to act on.
  OpView failed_op;
  Json state_before_failure;
  // The smallest window: the shortest run of the partition's operations, ending with the
  // failing prefix's last return, that is not linearizable from any state the search reached
  // before it. In call order. When the window's step budget runs out first, it is the shortest
  // failing prefix found so far and window_is_minimal is false.
  std::vector<OpView> window;
  bool window_is_minimal = false;
};

struct CheckResult {
  Verdict verdict = Verdict::kValid;
  std::string reason;
  int64_t operations = 0;  // operations checked (after dropping those that constrain nothing)
  int64_t partitions = 0;
  int64_t partitions_checked = 0;
  int64_t states_explored = 0;  // cache entries over all partitions
  int64_t peak_memory_bytes = 0;
  double elapsed_s = 0;
  std::optional<Counterexample> counterexample;

  Json ToJson() const;
};

// Checks `ops` against options.model. Errors (InvalidArgument) are about the input: an operation
// the model does not support, a malformed value, a bad initial state.
Result<CheckResult> CheckLinearizability(const std::vector<Operation>& ops,
                                         const CheckOptions& options);

}  // namespace checker
