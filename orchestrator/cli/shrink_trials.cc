#include "orchestrator/cli/shrink_trials.h"

#include <cstdio>
#include <ostream>
#include <system_error>
#include <utility>

#include "common/process/child.h"
#include "orchestrator/store/atomic_file.h"
#include "orchestrator/store/exit_code.h"
#include "orchestrator/store/results.h"
#include "orchestrator/store/run_dir.h"

namespace orchestrator {

namespace fs = std::filesystem;
using nemesis::ShrinkCandidate;
using nemesis::TrialOutcome;
using Clock = std::chrono::steady_clock;

namespace {

std::string Minutes(Clock::duration d) {
  const long long s = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  char text[32];
  std::snprintf(text, sizeof text, "%lldm%02llds", s / 60, s % 60);
  return text;
}

// "kill at 1s for 1500ms, partition-halves at 6s for 3s"
std::string FaultNames(const nemesis::Schedule& schedule) {
  std::string names;
  for (const nemesis::ScheduleEntry& entry : schedule) {
    names += (names.empty() ? "" : ", ") + std::string(nemesis::FaultName(entry.fault.kind)) +
             " at " + nemesis::FormatDuration(entry.at) + " for " +
             nemesis::FormatDuration(entry.duration);
  }
  return names.empty() ? "none" : names;
}

std::string CandidateFolder(int number) {
  char name[16];
  std::snprintf(name, sizeof name, "%03d", number);
  return name;
}

std::string CandidateKey(const ShrinkCandidate& candidate) {
  return nemesis::ScheduleToJson(candidate.schedule).dump() + "|" +
         std::to_string(candidate.time_limit.count());
}

}  // namespace

fs::path ShrinkTrials::FailingRunOf(const ShrinkCandidate& candidate) const {
  const auto found = failing_runs_.find(CandidateKey(candidate));
  return found == failing_runs_.end() ? fs::path() : found->second;
}

ShrinkTrials::ShrinkTrials(TrialSettings settings, const InterruptWatcher& interrupts,
                           std::ostream& progress)
    : settings_(std::move(settings)),
      interrupts_(interrupts),
      progress_(progress),
      start_(Clock::now()) {}

std::string ShrinkTrials::Elapsed() const { return Minutes(Clock::now() - start_); }

RunSpec ShrinkTrials::SpecFor(const ShrinkCandidate& candidate, const fs::path& schedule) const {
  RunSpec spec = settings_.spec;
  spec.schedule = schedule.string();
  spec.nemesis.clear();
  spec.nemesis_auto = false;  // the candidate's schedule, not one drawn or recorded before
  spec.replay_schedule.clear();
  spec.time_limit_s = std::chrono::duration<double>(candidate.time_limit).count();
  spec.junit.clear();
  spec.store = (settings_.out / "store").string();
  return spec;
}

TrialOutcome ShrinkTrials::Try(const ShrinkCandidate& candidate, nemesis::ShrinkStep step) {
  TrialRecord record{.number = static_cast<int>(records_.size()) + 1,
                     .step = step,
                     .faults = candidate.schedule.size(),
                     .time_limit_s = std::chrono::duration<double>(candidate.time_limit).count()};
  const fs::path dir = settings_.out / "candidates" / CandidateFolder(record.number);
  std::error_code ec;
  fs::create_directories(dir, ec);
  const common::Status written =
      WriteFileAtomically(dir / "schedule.json", nemesis::ScheduleFileText(candidate.schedule));
  if (ec || !written.ok()) {
    error_ = ec ? common::Status::IoError(dir.string() + ": " + ec.message()) : written;
    return TrialOutcome::kStopped;
  }
  progress_ << "[" << record.number << "] " << nemesis::ShrinkStepName(step) << ": "
            << record.faults << " fault(s) (" << FaultNames(candidate.schedule) << "), time limit "
            << PlainNumber(record.time_limit_s) << "s  (" << Elapsed() << " used)\n"
            << std::flush;
  const Clock::time_point began = Clock::now();
  RunEnd end = RunEnd::kPassed;
  for (int attempt = 1; attempt <= settings_.tries && end == RunEnd::kPassed; ++attempt) {
    end = RunOnce(candidate, dir, attempt, record);
  }
  record.seconds = std::chrono::duration<double>(Clock::now() - began).count();
  record.fails = end == RunEnd::kFailed;
  if (record.fails) failing_runs_[CandidateKey(candidate)] = record.failing_run;
  records_.push_back(record);
  if (end == RunEnd::kStopped) return TrialOutcome::kStopped;
  progress_ << "    " << (record.fails ? "still fails: kept" : "passes: dropped") << "\n"
            << std::flush;
  return record.fails ? TrialOutcome::kFails : TrialOutcome::kPasses;
}

ShrinkTrials::RunEnd ShrinkTrials::RunOnce(const ShrinkCandidate& candidate, const fs::path& dir,
                                           int attempt, TrialRecord& record) {
  if (interrupts_.interrupted()) {
    interrupted_ = true;
    return RunEnd::kStopped;
  }
  if (Clock::now() >= settings_.deadline) {
    progress_ << "    the budget is spent: no more runs\n" << std::flush;
    return RunEnd::kStopped;
  }
  std::vector<std::string> argv =
      SpecFor(candidate, fs::absolute(dir / "schedule.json")).ReproduceArgv();
  argv[0] = settings_.splitbrain.string();
  const fs::path log = dir / ("run-" + std::to_string(attempt) + ".log");
  progress_ << "    run " << attempt << "/" << settings_.tries << " ... " << std::flush;
  auto child =
      common::process::Child::Spawn({.argv = argv, .log_path = log, .new_process_group = true});
  if (!child.ok()) {
    error_ = child.status();
    return RunEnd::kStopped;
  }
  ++runs_;
  ++record.runs;
  while (true) {
    auto ended = child->WaitForExit(std::chrono::milliseconds(250));
    if (ended.ok()) return Judge(ended->ShellCode(), record);
    if (interrupts_.interrupted()) {
      progress_ << "interrupted: stopping the run (it heals and tears down)\n" << std::flush;
      (void)child->Stop(std::chrono::seconds(60));
      interrupted_ = true;
      return RunEnd::kStopped;
    }
  }
}

ShrinkTrials::RunEnd ShrinkTrials::Judge(int exit_code, TrialRecord& record) {
  if (exit_code == kExitBadInput) {
    error_ = common::Status::InvalidArgument(
        "a candidate run refused its arguments (exit 254); see its run-*.log under " +
        (settings_.out / "candidates").string());
    progress_ << "refused its arguments\n" << std::flush;
    return RunEnd::kStopped;
  }
  std::error_code ec;
  const fs::path run = fs::canonical(settings_.out / "store" / "latest", ec);
  auto results = ec ? common::Result<RunResults>(common::Status::NotFound("no run folder"))
                    : ReadRunResults(RunDir(run).results());
  std::string verdict = "no results (exit " + std::to_string(exit_code) + ")";
  bool failed = false;
  if (results.ok()) {
    const CheckResult* check = results->Check(settings_.check);
    verdict =
        check == nullptr
            ? std::string(RunVerdictName(results->verdict)) + ", no " + settings_.check
            : settings_.check + " " + std::string(RunVerdictName(RunVerdictOf(check->verdict)));
    failed = check != nullptr && check->verdict == checker::Verdict::kInvalid;
  }
  record.verdicts.push_back(verdict);
  if (failed) record.failing_run = run;
  progress_ << verdict << "  (" << Elapsed() << " used)\n" << std::flush;
  return failed ? RunEnd::kFailed : RunEnd::kPassed;
}

}  // namespace orchestrator
