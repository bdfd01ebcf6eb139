// LiveLinearizability: checks a history for linearizability while it is being recorded, so the
// verdict is ready soon after the recording ends.
//
// Events are fed in index order as they are written (Add). Client operations are paired as
// PairOperations pairs them and split into components as CheckLinearizability splits them: the
// connected sets of keys the model says each operation touches (a transaction joins its keys).
// A component is *quiet* when none of its keys has an open operation and nothing was added to
// it for `quiet`; a background thread (Start) checks each quiet component that changed since its
// last check with CheckLinearizability on exactly its operations, and checks it again when it
// goes quiet again after new operations. Finish ends the thread and hands the live results to
// CheckReusing (component_checks.h): a component whose operations are still exactly those it
// was checked on keeps a definite result, everything else (components never quiet, changed
// since, or unknown because a budget ran out) is checked then, in one call with the options'
// budget. So the verdict equals CheckLinearizability over the whole history (see
// component_checks.h for why, and for what budgets change).
//
// A component found invalid while the history is still growing stays invalid: every operation
// added later was invoked after all of its completed operations returned, and a linearizable
// history's prefix of that kind is linearizable. first_invalid() says so at once (a run may stop
// early on it); Finish still decides the final verdict from the whole history.
//
// Thread safety: Add, CheckQuiet, first_invalid and stats may be called from any thread; Start,
// Stop and Finish from the owner only. Stop (and Finish, and the destructor) cancel a live check
// in progress (CheckOptions::cancel; it is left to Finish's check) and wait for it to give up.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "checker/component_checks.h"
#include "checker/linearizability.h"
#include "checker/model.h"
#include "checker/value_table.h"
#include "common/mutex.h"

namespace checker {

struct LiveCheckOptions {
  // The model and the budget of every check, live and final. Requires partition (the default);
  // without it nothing is checked live.
  CheckOptions check;
  bool reads = true;  // false: reads are left out, as WithoutReads leaves them out
  std::chrono::milliseconds quiet{500};  // how long a component stays unchanged to be quiet
};

// The first component a live check found invalid.
struct LiveInvalid {
  Json key;               // the failing key (an array for joined keys)
  int64_t last_call = 0;  // the history index of the last call among the checked operations
  int64_t found_ns = 0;   // time_ns of the last event added when it was found
  std::string reason;     // CheckLinearizability's
};

struct LiveStats {
  int64_t checks = 0;     // live checks run (a component checked again counts again)
  int64_t invalid = 0;    // of which invalid
  int64_t unknown = 0;    // of which unknown (a budget ran out)
  double check_s = 0;     // time the live checks took
  int64_t cancelled = 0;  // checks in progress when Stop was called, given up (not counted above)
};

struct LiveOutcome {
  CheckResult result;        // the verdict over the whole history
  int64_t keys_live = 0;     // components whose live result was final
  int64_t keys_at_end = 0;   // components checked by Finish
  double final_check_s = 0;  // Finish, from its call to the verdict (the wait for Stop included)
  LiveStats live;
};

class LiveLinearizability {
 public:
  using Clock = std::chrono::steady_clock;

  explicit LiveLinearizability(LiveCheckOptions options);
  ~LiveLinearizability();
  LiveLinearizability(const LiveLinearizability&) = delete;
  LiveLinearizability& operator=(const LiveLinearizability&) = delete;

  // Starts the background thread that runs CheckQuiet every quiet/4 (at most every 100 ms).
  void Start();
  // Stops it, cancelling the check in progress. Idempotent. Later CheckQuiet calls check nothing.
  void Stop();

  // Feeds one event of the history (events of named processes are ignored).
  void Add(const Event& event);

  // Checks, on the calling thread, every component that is quiet at `now` and changed since its
  // last check; the number checked.
  int CheckQuiet(Clock::time_point now);

  std::optional<LiveInvalid> first_invalid() const;
  LiveStats stats() const;

  // Stops, then the verdict over `ops`: the whole history's operations as PairOperations gives
  // them (WithoutReads applied when options.reads is false), live results reused where they
  // cover a component exactly. Errors are CheckLinearizability's.
  Result<LiveOutcome> Finish(const std::vector<Operation>& ops);

 private:
  struct OpenOp {
    Operation op;
    std::vector<int64_t> keys;  // what it may touch, for quiet detection
  };
  struct Component {
    std::vector<Operation> ops;  // in completion order
    std::vector<int64_t> keys;
    int64_t version = 0;  // grows with every change
    int64_t checked_version = -1;
    Clock::time_point last_change;
  };
  struct Candidate {
    int64_t first_key = 0;
    int64_t version = 0;
    ComponentKeys names;
    std::vector<Operation> ops;  // in call order
  };

  void Invoke(const Event& event) REQUIRES(mu_);
  void Complete(const Event& event) REQUIRES(mu_);
  void Close(int64_t process) REQUIRES(mu_);
  // Adds a paired operation (its keys from the model) to its component.
  void Finalize(Operation op) REQUIRES(mu_);
  void Place(Operation op, const std::vector<int64_t>& keys) REQUIRES(mu_);
  size_t SlotOf(int64_t key) REQUIRES(mu_);
  size_t Merge(size_t a, size_t b) REQUIRES(mu_);
  bool IsQuiet(const Component& c, Clock::time_point now) const REQUIRES(mu_);
  std::optional<Candidate> NextCandidate(Clock::time_point now) REQUIRES(mu_);
  void Record(Candidate candidate, Result<CheckResult> result, double seconds) REQUIRES(mu_);
  LiveInvalid Invalid(const Candidate& candidate, const CheckResult& result) const REQUIRES(mu_);
  void Loop();

  const LiveCheckOptions options_;
  const std::unique_ptr<Model> model_;
  mutable common::Mutex mu_;
  common::CondVar wake_;
  ValueTable values_ GUARDED_BY(mu_);
  std::unordered_map<int64_t, OpenOp> open_ GUARDED_BY(mu_);  // by process
  std::unordered_map<int64_t, int> pending_ GUARDED_BY(mu_);  // open operations per key
  std::unordered_map<int64_t, size_t> slot_of_key_ GUARDED_BY(mu_);
  DisjointSets sets_ GUARDED_BY(mu_);
  std::unordered_map<size_t, Component> components_ GUARDED_BY(mu_);  // by root slot
  ComponentChecks checks_ GUARDED_BY(mu_);
  Status error_ GUARDED_BY(mu_);  // not ok: nothing more is checked live
  std::optional<LiveInvalid> first_invalid_ GUARDED_BY(mu_);
  LiveStats stats_ GUARDED_BY(mu_);
  int64_t last_time_ns_ GUARDED_BY(mu_) = 0;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::atomic<bool> cancel_{false};  // set by Stop: a check in progress gives up
  std::thread thread_;               // the owner's: Start and Stop
};

}  // namespace checker
