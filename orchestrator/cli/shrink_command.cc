#include "orchestrator/cli/shrink_command.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <ostream>
#include <system_error>

#include "common/duration.h"
#include "nemesis/shrink.h"
#include "orchestrator/cli/shrink_trials.h"
#include "orchestrator/report/html.h"
#include "orchestrator/store/atomic_file.h"
#include "orchestrator/store/exit_code.h"
#include "orchestrator/store/results.h"
#include "orchestrator/store/run_dir.h"

namespace orchestrator {

namespace fs = std::filesystem;
using common::Result;
using common::Status;
using nemesis::ShrinkCandidate;
using Json = nlohmann::json;

std::string ShrinkUsage() {
  return "usage: splitbrain shrink RUN_DIR [--budget 30m] [--tries 3] [--check NAME] [--out DIR]\n"
         "Replays an invalid run with fewer faults, shorter holds and a shorter time limit\n"
         "(delta debugging) and keeps the smallest schedule that still fails the same check.\n"
         "Each candidate runs up to --tries times (a run is not deterministic): it still fails\n"
         "when one run finds the check invalid. Every run uses the run's own settings and seed.\n"
         "  --budget  no new run starts after this long (default 30m); the smallest so far is\n"
         "            kept\n"
         "  --tries   runs per candidate (default 3)\n"
         "  --check   the check that must fail (default: linearizable when the run found it\n"
         "            invalid, else the first invalid check by name)\n"
         "  --out     where to write (default RUN_DIR/shrink; must not exist yet)\n"
         "Writes OUT/schedule.json, OUT/shrink.json (with the reproduce command), OUT/smallest\n"
         "(the smallest failing run's folder and report) and OUT/store (every run tried).\n"
         "Exit code: 0 done, 3 interrupted or a run could not start, 254 bad arguments or a run\n"
         "that cannot be shrunk.\n";
}

namespace {

struct ShrinkArgs {
  fs::path run_dir;
  fs::path out;
  double budget_s = 30 * 60;
  int tries = 3;
  std::string check;
};

Result<ShrinkArgs> ParseShrinkArgs(const std::vector<std::string>& args) {
  ShrinkArgs parsed;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    const bool is_flag =
        arg == "--budget" || arg == "--tries" || arg == "--check" || arg == "--out";
    if (is_flag && (i + 1 == args.size() || args[i + 1].empty())) {
      return Status::InvalidArgument(arg + " needs a value");
    }
    if (arg == "--budget") {
      auto budget = common::ParseSeconds(args[++i]);
      if (!budget.ok() || *budget <= 0) {
        return Status::InvalidArgument("--budget: \"" + args[i] + "\" is not a positive duration");
      }
      parsed.budget_s = *budget;
    } else if (arg == "--tries") {
      auto tries = common::ParseCount(args[++i]);
      if (!tries.ok() || *tries < 1 || *tries > 100) {
        return Status::InvalidArgument("--tries: \"" + args[i] +
                                       "\" is not a number from 1 to 100");
      }
      parsed.tries = static_cast<int>(*tries);
    } else if (arg == "--check") {
      parsed.check = args[++i];
    } else if (arg == "--out") {
      parsed.out = args[++i];
    } else if (arg.rfind("--", 0) == 0) {
      return Status::InvalidArgument("unknown flag " + arg);
    } else if (!parsed.run_dir.empty()) {
      return Status::InvalidArgument("one run folder only (got " + parsed.run_dir.string() +
                                     " and " + arg + ")");
    } else {
      parsed.run_dir = arg;
    }
  }
  if (parsed.run_dir.empty()) return Status::InvalidArgument("no RUN_DIR given");
  return parsed;
}

// What the failing run was: its spec, schedule, and the check to fail again.
struct FailingRun {
  RunSpec spec;
  ShrinkCandidate candidate;
  std::string check;
};

// The check to fail again: `asked`, which must be invalid; by default linearizable when it is
// invalid (the property users state first), else the first invalid check by name.
Result<std::string> TargetCheck(const RunResults& results, const std::string& asked,
                                const fs::path& dir) {
  std::vector<std::string> invalid;
  for (const CheckResult& check : results.checks) {
    if (check.verdict == checker::Verdict::kInvalid) invalid.push_back(check.name);
  }
  std::sort(invalid.begin(), invalid.end());
  if (invalid.empty()) {
    return Status::InvalidArgument(dir.string() + ": the run is " +
                                   std::string(RunVerdictName(results.verdict)) +
                                   ", not invalid: nothing to shrink");
  }
  const std::string wanted = asked.empty() ? "linearizable" : asked;
  if (std::find(invalid.begin(), invalid.end(), wanted) != invalid.end()) return wanted;
  if (asked.empty()) return invalid.front();
  std::string names;
  for (const std::string& name : invalid) names += (names.empty() ? "" : ", ") + name;
  return Status::InvalidArgument("--check " + asked + ": not an invalid check of " + dir.string() +
                                 " (invalid: " + names + ")");
}

Result<FailingRun> ReadFailingRun(const ShrinkArgs& args) {
  ASSIGN_OR_RETURN(const RunDir run, RunDir::Open(args.run_dir));
  ASSIGN_OR_RETURN(RunSpec spec, ReadRunSpec(run.spec()));
  ASSIGN_OR_RETURN(const RunResults results, ReadRunResults(run.results()));
  ASSIGN_OR_RETURN(std::string check, TargetCheck(results, args.check, run.root()));
  std::error_code ec;
  if (!fs::exists(run.schedule(), ec)) {
    return Status::InvalidArgument(run.root().string() +
                                   " has no schedule.json: only runs recorded by `splitbrain "
                                   "run` can be shrunk");
  }
  auto schedule = nemesis::LoadSchedule(run.schedule());
  if (!schedule.ok()) return Status::InvalidArgument(schedule.status().message());
  if (schedule->empty()) {
    return Status::InvalidArgument(run.root().string() +
                                   ": the run had no faults (schedule.json is empty)");
  }
  const auto limit = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::duration<double>(spec.time_limit_s));
  return FailingRun{.spec = std::move(spec),
                    .candidate = {.schedule = std::move(*schedule), .time_limit = limit},
                    .check = std::move(check)};
}

double Seconds(std::chrono::milliseconds duration) {
  return std::chrono::duration<double>(duration).count();
}

std::string CommandLine(const std::vector<std::string>& argv) {
  std::string line;
  for (const std::string& word : argv) line += (line.empty() ? "" : " ") + report::ShellQuote(word);
  return line;
}

Json TrialsJson(const std::vector<TrialRecord>& records) {
  Json trials = Json::array();
  for (const TrialRecord& r : records) {
    trials.push_back({{"candidate", r.number},
                      {"step", nemesis::ShrinkStepName(r.step)},
                      {"faults", r.faults},
                      {"time_limit_s", r.time_limit_s},
                      {"runs", r.runs},
                      {"fails", r.fails},
                      {"verdicts", r.verdicts},
                      {"seconds", r.seconds}});
  }
  return trials;
}

}  // namespace

namespace {

struct ShrinkOutcome {
  nemesis::ShrinkResult result;
  fs::path smallest_run;
  std::vector<std::string> reproduce;
  double seconds = 0;
};

Status WriteShrinkFiles(const fs::path& out, const FailingRun& failing, const ShrinkTrials& trials,
                        const ShrinkOutcome& outcome) {
  const nemesis::ShrinkCandidate& smallest = outcome.result.smallest;
  RETURN_IF_ERROR(
      WriteFileAtomically(out / "schedule.json", nemesis::ScheduleFileText(smallest.schedule)));
  const Json summary = {
      {"check", failing.check},
      {"original",
       {{"faults", failing.candidate.schedule.size()},
        {"time_limit_s", Seconds(failing.candidate.time_limit)},
        {"schedule", nemesis::ScheduleToJson(failing.candidate.schedule)}}},
      {"smallest",
       {{"faults", smallest.schedule.size()},
        {"time_limit_s", Seconds(smallest.time_limit)},
        {"schedule", nemesis::ScheduleToJson(smallest.schedule)},
        {"run", outcome.smallest_run.string()}}},
      {"complete", outcome.result.complete && trials.error().ok() && !trials.interrupted()},
      {"candidates", outcome.result.tried},
      {"runs", trials.runs()},
      {"seconds", outcome.seconds},
      {"reproduce", outcome.reproduce},
      {"trials", TrialsJson(trials.records())}};
  RETURN_IF_ERROR(WriteFileAtomically(out / "shrink.json", summary.dump(2) + "\n"));
  std::error_code ec;
  fs::remove(out / "smallest", ec);
  const fs::path target = fs::relative(outcome.smallest_run, out, ec);
  fs::create_directory_symlink(ec ? outcome.smallest_run : target, out / "smallest", ec);
  if (ec) return Status::IoError((out / "smallest").string() + ": " + ec.message());
  return Status::Ok();
}

void PrintOutcome(std::ostream& out, const fs::path& dir, const FailingRun& failing,
                  const ShrinkTrials& trials, const ShrinkOutcome& outcome) {
  const nemesis::ShrinkCandidate& smallest = outcome.result.smallest;
  const std::string how = outcome.result.complete ? "shrunk" : "stopped early";
  out << "\n"
      << how << " (" << (trials.interrupted() ? "interrupted, " : "")
      << PlainNumber(static_cast<double>(static_cast<long long>(outcome.seconds))) << " s, "
      << outcome.result.tried << " candidates, " << trials.runs()
      << " runs): " << failing.candidate.schedule.size() << " fault(s) -> "
      << smallest.schedule.size() << ", time limit "
      << PlainNumber(Seconds(failing.candidate.time_limit)) << "s -> "
      << PlainNumber(Seconds(smallest.time_limit)) << "s; " << failing.check
      << " invalid under it\n";
  if (outcome.result.failed == 0) out << "no smaller schedule failed " << failing.check << "\n";
  if (!outcome.result.complete) {
    const std::string why = trials.interrupted()   ? "interrupted"
                            : !trials.error().ok() ? "a run could not start"
                                                   : "budget spent";
    out << "the search ended early (" << why
        << "): this is the smallest failing schedule found so far\n";
  }
  out << "schedule:  " << (dir / "schedule.json").string() << "\n"
      << "report:    " << (dir / "smallest" / "report.html").string() << "\n"
      << "summary:   " << (dir / "shrink.json").string() << "\n"
      << "reproduce: " << CommandLine(outcome.reproduce) << "\n";
}

Result<fs::path> PrepareOut(const ShrinkArgs& args) {
  std::error_code ec;
  const fs::path out = fs::absolute(args.out.empty() ? args.run_dir / "shrink" : args.out, ec);
  if (fs::exists(out, ec) && !fs::is_empty(out, ec)) {
    return Status::InvalidArgument(out.string() +
                                   " already exists: remove it or give another --out");
  }
  fs::create_directories(out, ec);
  if (ec) return Status::IoError(out.string() + ": " + ec.message());
  return out;
}

}  // namespace

int RunShrinkCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  auto parsed = ParseShrinkArgs(args);
  if (!parsed.ok()) {
    err << "splitbrain shrink: " << parsed.status().message() << "\n" << ShrinkUsage();
    return kExitBadInput;
  }
  auto failing = ReadFailingRun(*parsed);
  auto dir = failing.ok() ? PrepareOut(*parsed) : Result<fs::path>(failing.status());
  if (!dir.ok()) {
    err << "splitbrain shrink: " << dir.status().message() << "\n";
    return ExitCodeOfFailure(dir.status());
  }
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  InterruptWatcher interrupts;
  const auto start = std::chrono::steady_clock::now();
  const auto budget = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(parsed->budget_s));
  ShrinkTrials trials({.spec = failing->spec,
                       .check = failing->check,
                       .out = *dir,
                       .splitbrain = self,
                       .tries = parsed->tries,
                       .deadline = start + budget},
                      interrupts, out);
  out << "shrinking " << parsed->run_dir.string() << ": " << failing->candidate.schedule.size()
      << " fault(s), time limit " << PlainNumber(failing->spec.time_limit_s) << "s, check "
      << failing->check << " invalid; " << parsed->tries << " run(s) per candidate, budget "
      << PlainNumber(parsed->budget_s) << " s\n"
      << std::flush;
  ShrinkOutcome outcome{.result = nemesis::ShrinkSchedule(
                            failing->candidate, [&trials](const auto& candidate, auto step) {
                              return trials.Try(candidate, step);
                            })};
  outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  outcome.smallest_run = trials.FailingRunOf(outcome.result.smallest);
  if (outcome.smallest_run.empty()) outcome.smallest_run = fs::absolute(parsed->run_dir);
  outcome.reproduce =
      trials.SpecFor(outcome.result.smallest, *dir / "schedule.json").ReproduceArgv();
  const Status written = WriteShrinkFiles(*dir, *failing, trials, outcome);
  PrintOutcome(out, *dir, *failing, trials, outcome);
  for (const Status& problem : {trials.error(), written}) {
    if (problem.ok()) continue;
    err << "splitbrain shrink: " << problem.message() << "\n";
    return kExitRunFailed;
  }
  return trials.interrupted() ? kExitRunFailed : kExitValid;
}

}  // namespace orchestrator
