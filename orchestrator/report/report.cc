#include "orchestrator/report/report.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <system_error>

#include "checker/formats.h"
#include "checker/run_stats.h"
#include "orchestrator/report/html.h"
#include "orchestrator/report/json_fields.h"
#include "orchestrator/report/report_page.h"
#include "orchestrator/store/atomic_file.h"
#include "orchestrator/store/results.h"
#include "orchestrator/store/run_dir.h"
#include "orchestrator/store/spec.h"

namespace orchestrator::report {

namespace fs = std::filesystem;
using checker::Json;
using common::Result;
using common::Status;
using orchestrator::CheckResult;
using orchestrator::ReadRunResults;
using orchestrator::RunDir;
using orchestrator::RunResults;
using orchestrator::RunSpec;
using orchestrator::RunVerdictName;
using orchestrator::WriteFileAtomically;

namespace {

// The order checks are listed in; others follow alphabetically.
constexpr std::array kCheckOrder = {
    "faults",   "linearizable",           "set",         "lease",    "fencing", "election-safety",
    "failover", "split-without-majority", "convergence", "liveness", "stats"};

std::vector<CheckRow> CheckRows(const std::vector<CheckResult>& checks) {
  std::vector<CheckRow> rows;
  auto row = [](const CheckResult& c) {
    return CheckRow{c.name, std::string(checker::VerdictName(c.verdict)), c.summary};
  };
  for (const char* name : kCheckOrder) {
    for (const CheckResult& c : checks) {
      if (c.name == name) rows.push_back(row(c));
    }
  }
  for (const CheckResult& c : checks) {
    if (std::find(kCheckOrder.begin(), kCheckOrder.end(), c.name) == kCheckOrder.end()) {
      rows.push_back(row(c));
    }
  }
  return rows;
}

std::string Subtitle(const std::optional<RunSpec>& spec, const RunResults& results) {
  std::string text;
  if (spec.has_value()) {
    text = spec->DbLabel() + " × " + std::to_string(spec->nodes) + " on " +
           (results.backend.empty() ? spec->backend_used : results.backend) + " · workload " +
           std::string(workloads::WorkloadKindName(spec->workload)) + " · " +
           orchestrator::PlainNumber(spec->time_limit_s) + " s";
    std::string faults;
    for (const std::string& n : spec->nemesis) faults += (faults.empty() ? "" : ", ") + n;
    if (!faults.empty()) text += " · faults " + faults;
    if (!spec->schedule.empty()) text += " · schedule " + spec->schedule;
    if (!spec->db_file.empty()) {
      text += " · definition " + spec->db_file + " (sha256 " + spec->db_sha256.substr(0, 12) + ")";
    }
    std::string bugs;
    for (const std::string& b : spec->db_bugs) bugs += (bugs.empty() ? "" : ", ") + b;
    if (!bugs.empty()) text += " · db bugs " + bugs;
    text += results.tls ? " · TLS on" : " · TLS off";
  } else {
    text = "? on " + (results.backend.empty() ? std::string("?") : results.backend);
  }
  if (!results.run_id.empty()) text += " · run " + results.run_id;
  return text;
}

std::vector<Link> RunLinks(const RunDir& run) {
  std::vector<Link> links;
  for (const fs::path& file : run.ExistingFiles()) {
    std::string label = file.string();
    if (file.has_parent_path()) {  // nodes/n1/node.log -> "n1 node.log"
      label = file.parent_path().filename().string() + " " + file.filename().string();
    }
    links.push_back({label, file.string()});
  }
  return links;
}

}  // namespace

std::string ReproduceCommand(const RunSpec& spec) { return ShellCommand(spec.ReproduceArgv()); }

Status WriteRunReport(const fs::path& run_dir) {
  ASSIGN_OR_RETURN(const RunDir run, RunDir::Open(run_dir));
  auto results = ReadRunResults(run.results());
  if (!results.ok() && results.status().code() == common::StatusCode::kNotFound) {
    return Status::NotFound(run_dir.string() +
                            ": no results.json (not a run folder, or the run is still going)");
  }
  if (!results.ok()) return results.status();
  // A spec.json that cannot be read costs the page its command line, not the page.
  const auto read_spec = orchestrator::ReadRunSpec(run.spec());
  const bool spec_missing = read_spec.status().code() == common::StatusCode::kNotFound;
  const std::optional<RunSpec> spec = read_spec.ok() ? std::optional(*read_spec) : std::nullopt;
  std::error_code ec;
  const fs::path named = fs::weakly_canonical(run_dir, ec);  // STORE/latest names its target
  ReportInput in{
      .title = (spec.has_value() ? spec->name : named.parent_path().filename().string()) + " · " +
               named.filename().string(),
      .verdict = std::string(RunVerdictName(results->verdict)),
      .is_run = true};
  in.subtitle = Subtitle(spec, *results);
  in.checks = CheckRows(results->checks);
  if (spec.has_value() && spec->seed.has_value()) in.seed = *spec->seed;
  if (spec.has_value()) in.command = ReproduceCommand(*spec);
  in.links = RunLinks(run);
  in.failover = results->Details("failover");
  in.faults = results->Details("faults");
  in.fault_coverage = results->fault_coverage;
  in.linearizable = results->Details("linearizable");
  if (spec_missing) {
    in.notes.emplace_back("spec.json is missing: no command to reproduce");
  } else if (!read_spec.ok()) {
    in.notes.push_back(read_spec.status().message() + ": no command to reproduce");
  }
  if (const auto& stop = results->stopped_early; stop.has_value()) {
    char at[32];
    std::snprintf(at, sizeof at, "%.1f", stop->at_s);
    in.notes.push_back("stopped early, " + std::string(at) +
                       " s into the workload (--stop-on-invalid): " + stop->check + " found key " +
                       stop->key + " invalid: " + stop->reason);
  }
  if (!results->error.empty()) {
    in.notes.push_back("the run failed during " + results->phase + ": " + results->error);
  }
  std::optional<checker::History> history;
  if (fs::exists(run.history(), ec)) {
    auto read = checker::ReadHistoryFile(run.history().string(), checker::Format::kJsonl);
    if (!read.ok()) return Status::InvalidArgument(read.status().message());
    history = std::move(*read);
    in.history = &*history;
  } else {
    in.notes.emplace_back("history.jsonl is missing: no timeline");
  }
  return WriteFileAtomically(run.report(), RenderReportPage(in));
}
Status WriteHistoryReport(const fs::path& out, const HistoryReportInput& input) {
  if (input.history == nullptr) return Status::InvalidArgument("no history to report");
  ReportInput in{.title = input.source,
                 .subtitle = "format " + input.format + " · model " + input.model + " · " +
                             std::to_string(input.history->events.size()) + " events",
                 .verdict = StringField(input.result, "verdict", "?"),
                 .history = input.history,
                 .linearizable = input.result,
                 .pairing = input.pairing};
  in.checks.push_back({"linearizable", in.verdict, StringField(input.result, "reason")});
  const bool is_timed = std::any_of(input.history->events.begin(), input.history->events.end(),
                                    [](const checker::Event& e) { return e.time_ns != 0; });
  if (is_timed) {  // without timestamps, rates and latencies would all read 0
    const checker::RunCheckResult stats = checker::ComputeRunStats(*input.history);
    in.checks.push_back({"stats", std::string(checker::VerdictName(stats.verdict)), stats.summary});
  }
  in.command = ShellCommand(
      {"splitbrain", "check", "--format", input.format, "--model", input.model, input.source});
  return WriteFileAtomically(out, RenderReportPage(in));
}

}  // namespace orchestrator::report
