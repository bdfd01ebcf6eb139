// Shrinking a failing fault schedule: the smallest schedule (fewest faults, shortest holds, the
// shortest run) under which a run still fails. It is delta debugging (Zeller and Hildebrandt's
// ddmin) over the schedule's entries, then over each hold and the run's length; whether a
// candidate still fails is the caller's oracle (for `splitbrain shrink`, real runs, each tried
// several times since a run is not deterministic). Pure: no runs, no clocks, no I/O here.
//
// The steps, in order, each keeping a candidate only when the oracle says it still fails:
//   faults    ddmin over the entries: keep one of n chunks, or drop one of n chunks (n from 2
//             up to the number of entries); then, with one entry left, no faults at all
//   holds     each entry's duration halved while it stays >= min_hold
//   shift     the whole schedule moved earlier so its first fault starts at `lead`
//   length    the time limit cut to the end of the last fault plus `tail`
// A candidate is tried at most once (the oracle's answers are remembered). When the oracle
// says kStopped (budget spent, Ctrl-C) shrinking ends with the smallest failing candidate so far.
#pragma once

#include <chrono>
#include <functional>
#include <string_view>

#include "nemesis/schedule.h"

namespace nemesis {

struct ShrinkCandidate {
  Schedule schedule;
  milliseconds time_limit{0};  // how long the workload runs
  bool operator==(const ShrinkCandidate&) const = default;
};

enum class TrialOutcome { kFails, kPasses, kStopped };

enum class ShrinkStep { kFaults, kNoFaults, kHolds, kShift, kLength };
std::string_view ShrinkStepName(ShrinkStep step);  // "faults", "no faults", "holds", ...

using ShrinkOracle = std::function<TrialOutcome(const ShrinkCandidate&, ShrinkStep)>;

struct ShrinkOptions {
  milliseconds min_hold{500};
  milliseconds lead{1000};
  milliseconds tail{3000};
};

struct ShrinkResult {
  ShrinkCandidate smallest;  // the smallest candidate that failed; the input when none did
  int tried = 0;             // distinct candidates given to the oracle
  int failed = 0;            // of them, how many still failed
  bool complete = true;      // false: the oracle stopped the search before its end
};

// `failing` is a candidate known to fail.
ShrinkResult ShrinkSchedule(const ShrinkCandidate& failing, const ShrinkOracle& oracle,
                            const ShrinkOptions& options = {});

// The end of the last fault (at + duration), 0 for an empty schedule.
milliseconds ScheduleEnd(const Schedule& schedule);

}  // namespace nemesis
