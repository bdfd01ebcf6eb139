#include "orchestrator/run/execute.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <ostream>

#include "checker/formats.h"
#include "checker/node_log.h"
#include "orchestrator/report/junit.h"
#include "orchestrator/report/report.h"
#include "orchestrator/run/drive.h"
#include "orchestrator/run/run_checks.h"
#include "orchestrator/run/session.h"
#include "orchestrator/store/atomic_file.h"
#include "orchestrator/store/exit_code.h"
#include "orchestrator/store/results.h"

namespace orchestrator {

namespace fs = std::filesystem;
using common::Status;
using Clock = std::chrono::steady_clock;

namespace {

// "2026-11-26T23:37:07Z".
std::string IsoTimestamp(std::chrono::system_clock::time_point time) {
  const std::time_t t = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

class Execution {
 public:
  Execution(const RunPlan& plan, std::ostream& out, std::ostream& err,
            const InterruptWatcher& interrupts)
      : plan_(plan),
        out_(out),
        err_(err),
        interrupts_(interrupts),
        session_(plan, interrupts),
        driver_(plan, session_, interrupts, out, err) {}

  int Execute();

 private:
  Status Drive();
  Status Finish(Status status);
  // Writes the run-failed results; `phase` is what the run was doing when it failed.
  int Failed(const Status& status, const std::string& phase);
  int CheckAndStore();
  RunResults Results(const std::vector<CheckResult>& checks) const;
  void WriteResults(const RunResults& results);
  void Report();
  void NameDb(RunResults& results) const;

  const RunPlan& plan_;
  std::ostream& out_;
  std::ostream& err_;
  const InterruptWatcher& interrupts_;
  ClusterSession session_;
  Driver driver_;
  std::unique_ptr<workloads::HistoryWriter> history_;
  const std::chrono::system_clock::time_point start_time_ = std::chrono::system_clock::now();
  const Clock::time_point started_ = Clock::now();
};

Status Execution::Drive() {
  ASSIGN_OR_RETURN(history_, workloads::HistoryWriter::Open(session_.run_dir()->history()));
  return driver_.Run(*history_);
}

// Collects the nodes' logs into the run folder (and the history), tears the cluster down and
// closes the history; the first error wins.
Status Execution::Finish(Status status) {
  if (session_.backend() != nullptr) {
    Status collected = session_.CollectLogs();
    if (status.ok()) status = collected;
    if (history_) {
      // Each node's own log, in the history's vocabulary: the checks read no database's files.
      for (int i = 1; i <= plan_.spec.nodes; ++i) {
        auto log = plan_.db->ReadNodeLog(i, session_.run_dir()->node_data(i));
        if (log.has_value()) history_->Append(checker::NodeLogEvent(*log));
      }
    }
    Status down = session_.Down(out_, err_);
    if (status.ok()) status = down;
  }
  if (history_) {
    Status closed = history_->Close();
    if (status.ok()) status = closed;
  }
  return status;
}

int Execution::Failed(const Status& status, const std::string& phase) {
  const std::string reason =
      interrupts_.interrupted() ? "interrupted by " + interrupts_.signal_name() : status.message();
  err_ << "splitbrain run: the run failed during " << phase << ": " << reason << "\n";
  if (session_.run_dir().has_value()) {
    RunResults results{.run_id = session_.run_id(),
                       .name = plan_.spec.name,
                       .verdict = RunVerdict::kRunFailed,
                       .exit_code = kExitRunFailed,
                       .phase = phase,
                       .error = reason};
    NameDb(results);
    WriteResults(results);
    err_ << "  store: " << session_.run_dir()->root().string() << "\n";
  }
  return kExitRunFailed;
}

int Execution::Execute() {
  Status status = session_.Open();
  if (status.ok()) status = session_.BringUp(out_);
  if (status.ok() && !interrupts_.interrupted()) status = Drive();
  // What failed is the phase it failed (or was interrupted) in, not the teardown after it.
  const bool failed = !status.ok() || interrupts_.interrupted();
  const std::string phase = session_.phase();
  status = Finish(status);
  if (failed) return Failed(status, phase);
  if (!status.ok() || interrupts_.interrupted()) return Failed(status, session_.phase());
  session_.set_phase("checks");
  return CheckAndStore();
}

void Execution::NameDb(RunResults& results) const {
  results.db = plan_.db->name();
  results.tls = plan_.spec.tls;
  if (const std::optional<workloads::DbSource> source = plan_.db->source()) {
    results.db_file = source->file.string();
    results.db_sha256 = source->sha256;
  }
}

RunResults Execution::Results(const std::vector<CheckResult>& checks) const {
  const checker::Verdict verdict = CombinedVerdict(checks);
  RunResults results{.run_id = session_.run_id(),
                     .name = plan_.spec.name,
                     .backend = std::string(session_.backend()->name()),
                     .verdict = RunVerdictOf(verdict),
                     .exit_code = ExitCodeOf(verdict),
                     .workload_s = driver_.workload_s(),
                     .elapsed_s = std::chrono::duration<double>(Clock::now() - started_).count(),
                     .ops = {.ok = driver_.counters().ok.load(),
                             .fail = driver_.counters().fail.load(),
                             .info = driver_.counters().info.load()},
                     .checks = checks};
  NameDb(results);
  for (const CheckResult& c : checks) {
    if (c.name != kFaultsCheck || !c.details.is_object()) continue;
    FaultCounts counts;
    for (const auto& [key, field] :
         {std::pair{"planned", &counts.planned}, std::pair{"applied", &counts.applied},
          std::pair{"verified", &counts.verified}, std::pair{"failed", &counts.failed},
          std::pair{"unverified", &counts.unverified}}) {
      if (auto it = c.details.find(key); it != c.details.end() && it->is_number_integer()) {
        *field = it->get<int64_t>();
      }
    }
    results.faults = counts;
  }
  return results;
}

int Execution::CheckAndStore() {
  const RunDir& run = *session_.run_dir();
  auto history = checker::ReadHistoryFile(run.history().string(), checker::Format::kJsonl);
  if (!history.ok()) {
    err_ << "splitbrain run: cannot read back the history: " << history.status().message() << "\n";
    return kExitRunFailed;
  }
  ChecksInput input = ChecksInputFor(plan_, *driver_.workload());
  input.live = driver_.live();
  ChecksOutcome outcome = RunChecks(input, std::move(*history));
  const std::vector<CheckResult>& checks = outcome.checks;
  RunResults results = Results(checks);
  results.fault_coverage = std::move(outcome.fault_coverage);
  results.stopped_early = driver_.stopped_early();
  if (results.stopped_early.has_value()) {
    char at[32];
    std::snprintf(at, sizeof at, "%.1f", results.stopped_early->at_s);
    out_ << "stopped early: " << results.stopped_early->check << " found key "
         << results.stopped_early->key << " invalid " << at
         << " s into the workload (--stop-on-invalid)\n";
  }
  out_ << "checks:\n";
  for (const CheckResult& c : checks) {
    out_ << "  " << c.name << ": " << checker::VerdictName(c.verdict) << "  " << c.summary << "\n";
  }
  // Faults that did not take effect are said on the verdict line: a run that planned faults
  // and applied none is not a chaos run, whatever the other checks say.
  std::string faults_note;
  if (const CheckResult* faults = results.Check(kFaultsCheck);
      faults != nullptr && faults->verdict != checker::Verdict::kValid) {
    faults_note = "; faults: " + faults->summary;
  }
  // The reason, in the checks' own words: each check that said invalid, and why.
  std::string invalid_note;
  for (const CheckResult& c : checks) {
    if (c.verdict != checker::Verdict::kInvalid) continue;
    invalid_note += (invalid_note.empty() ? ": " : "; ") + c.name + ": " + c.summary;
  }
  WriteResults(results);
  out_ << "verdict: " << RunVerdictName(results.verdict) << " (exit " << results.exit_code << ")"
       << faults_note << invalid_note << "\n"
       << "results: " << run.results().string() << "\n";
  Report();
  return results.exit_code;
}

// results.json, and the same verdict as JUnit XML: junit.xml in the run folder, and --junit.
void Execution::WriteResults(const RunResults& results) {
  const RunDir& run = *session_.run_dir();
  Status written = WriteFileAtomically(run.results(), results.ToJson().dump(2) + "\n");
  if (!written.ok()) err_ << "splitbrain run: " << written.message() << "\n";
  const RunSpec& spec =
      session_.recorded_spec().run_id.empty() ? plan_.spec : session_.recorded_spec();
  const std::string xml = JunitXml(results, spec, IsoTimestamp(start_time_));
  for (const fs::path& path : {run.junit(), fs::path(plan_.spec.junit)}) {
    if (path.empty()) continue;
    if (Status s = WriteFileAtomically(path, xml); !s.ok()) {
      err_ << "splitbrain run: junit: " << s.message() << "\n";
    }
  }
}

// The report and the store index; a report never changes the verdict.
void Execution::Report() {
  const RunDir& run = *session_.run_dir();
  Status reported = report::WriteRunReport(run.root());
  if (reported.ok()) reported = report::WriteStoreIndex(plan_.spec.store);
  if (reported.ok()) out_ << "report: " << run.report().string() << "\n";
  if (!reported.ok()) err_ << "splitbrain run: warning: report: " << reported.message() << "\n";
}

}  // namespace

int ExecuteRun(const RunPlan& plan, std::ostream& out, std::ostream& err,
               const InterruptWatcher& interrupts) {
  Execution execution(plan, out, err, interrupts);
  return execution.Execute();
}

}  // namespace orchestrator
