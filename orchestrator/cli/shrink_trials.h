// ShrinkTrials: the oracle of `splitbrain shrink`. A candidate schedule is tried as real runs of
// `splitbrain run` (this binary, as a child process with the failing run's settings and seed,
// the candidate's schedule file and time limit, into OUT/store), up to `tries` times: it still
// fails when one run finds the target check invalid, and passes when none of them does. Each
// candidate's schedule is kept in OUT/candidates/NNN/schedule.json with the runs' output, and
// every run in OUT/store with its report. One progress line per candidate and per run.
//
// No run starts after the deadline, and Ctrl-C (the InterruptWatcher) stops the run in flight
// (SIGTERM: it heals and tears down as usual); both answer kStopped. A run that could not start
// (bad input, exit 254) also stops the search, with error() saying why. Not thread-safe.
#pragma once

#include <chrono>
#include <filesystem>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "nemesis/shrink.h"
#include "orchestrator/run/interrupts.h"
#include "orchestrator/store/spec.h"

namespace orchestrator {

struct TrialSettings {
  RunSpec spec;       // the failing run's spec (seed, database, bugs, nodes, backend used)
  std::string check;  // the check that must be invalid again
  std::filesystem::path out;
  std::filesystem::path splitbrain;  // the binary to run
  int tries = 3;
  std::chrono::steady_clock::time_point deadline;
};

// One candidate and what its runs found.
struct TrialRecord {
  int number = 0;  // 1, 2, ...: OUT/candidates/001/
  nemesis::ShrinkStep step = nemesis::ShrinkStep::kFaults;
  size_t faults = 0;
  double time_limit_s = 0;
  int runs = 0;
  bool fails = false;
  std::vector<std::string> verdicts;  // per run: the target check's verdict, or why none
  std::filesystem::path failing_run;  // the run folder that failed the check
  double seconds = 0;
};

class ShrinkTrials {
 public:
  ShrinkTrials(TrialSettings settings, const InterruptWatcher& interrupts, std::ostream& progress);

  nemesis::TrialOutcome Try(const nemesis::ShrinkCandidate& candidate, nemesis::ShrinkStep step);

  const std::vector<TrialRecord>& records() const { return records_; }
  int runs() const { return runs_; }
  const common::Status& error() const { return error_; }
  // The run folder in which `candidate` failed the check; empty when it never did here.
  std::filesystem::path FailingRunOf(const nemesis::ShrinkCandidate& candidate) const;
  bool interrupted() const { return interrupted_; }
  // The spec of a run of `candidate` whose schedule is the file `schedule`.
  RunSpec SpecFor(const nemesis::ShrinkCandidate& candidate,
                  const std::filesystem::path& schedule) const;

 private:
  enum class RunEnd { kFailed, kPassed, kStopped };
  // One `splitbrain run` of the candidate's schedule file.
  RunEnd RunOnce(const nemesis::ShrinkCandidate& candidate, const std::filesystem::path& dir,
                 int attempt, TrialRecord& record);
  RunEnd Judge(int exit_code, TrialRecord& record);
  std::string Elapsed() const;

  TrialSettings settings_;
  const InterruptWatcher& interrupts_;
  std::ostream& progress_;
  std::chrono::steady_clock::time_point start_;
  std::vector<TrialRecord> records_;
  std::map<std::string, std::filesystem::path> failing_runs_;  // by CandidateKey
  int runs_ = 0;
  common::Status error_;
  bool interrupted_ = false;
};

}  // namespace orchestrator
