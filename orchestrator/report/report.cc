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
#include "orchestrator/report/write_file.h"

namespace orchestrator::report {

namespace fs = std::filesystem;
using checker::Json;
using common::Result;
using common::Status;

namespace {

// The order checks are listed in; others follow alphabetically.
constexpr std::array kCheckOrder = {
    "faults",   "linearizable",           "set",         "lease",    "election-safety",
    "failover", "split-without-majority", "convergence", "liveness", "stats"};

// A JSON file of the run; nullopt when it does not exist. Errors say what is wrong with it.
Result<std::optional<Json>> ReadJsonFile(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::optional<Json>();
  auto text = checker::ReadWholeFile(path.string());
  if (!text.ok()) return Status::InvalidArgument(text.status().message());
  Json json = Json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) {
    return Status::InvalidArgument(path.string() + ": not a valid JSON object");
  }
  return std::optional<Json>(std::move(json));
}

std::string Number(double value) {
  char text[32];
  if (value == std::floor(value) && std::abs(value) < 1e15) {
    std::snprintf(text, sizeof text, "%.0f", value);
  } else {
    std::snprintf(text, sizeof text, "%g", value);
  }
  return text;
}

std::vector<CheckRow> CheckRows(const Json& checks) {
  std::vector<CheckRow> rows;
  if (!checks.is_object()) return rows;
  auto row = [](const std::string& name, const Json& c) {
    return CheckRow{name, StringField(c, "verdict", "?"), StringField(c, "summary")};
  };
  for (const char* name : kCheckOrder) {
    if (checks.contains(name)) rows.push_back(row(name, checks[name]));
  }
  for (const auto& [name, c] : checks.items()) {
    if (std::find(kCheckOrder.begin(), kCheckOrder.end(), name) == kCheckOrder.end()) {
      rows.push_back(row(name, c));
    }
  }
  return rows;
}

std::string Subtitle(const Json& spec, const Json& results) {
  std::string text = StringField(spec, "db", "?") + " × " + Text(Field(spec, "nodes")) + " on " +
                     StringField(results, "backend", StringField(spec, "backend-used", "?")) +
                     " · workload " + StringField(spec, "workload", "?");
  if (auto limit = NumberField(spec, "time-limit")) text += " · " + Number(*limit) + " s";
  std::string faults;
  for (const Json& n : Field(spec, "nemesis")) faults += (faults.empty() ? "" : ", ") + Text(n);
  if (!faults.empty()) text += " · faults " + faults;
  if (!StringField(spec, "schedule").empty())
    text += " · schedule " + StringField(spec, "schedule");
  std::string bugs;
  for (const Json& b : Field(spec, "db-bug")) bugs += (bugs.empty() ? "" : ", ") + Text(b);
  if (!bugs.empty()) text += " · db bugs " + bugs;
  if (auto id = StringField(results, "run_id"); !id.empty()) text += " · run " + id;
  return text;
}

std::vector<Link> RunLinks(const fs::path& run_dir) {
  std::vector<Link> links;
  std::error_code ec;
  for (const char* name : {"history.jsonl", "results.json", "spec.json", "schedule.json"}) {
    if (fs::exists(run_dir / name, ec)) links.push_back({name, name});
  }
  std::vector<std::string> nodes;
  for (const auto& entry : fs::directory_iterator(run_dir / "nodes", ec)) {
    nodes.push_back(entry.path().filename().string());
  }
  std::sort(nodes.begin(), nodes.end());
  for (const std::string& node : nodes) {
    for (const char* file : {"node.log", "events.jsonl"}) {
      const fs::path relative = fs::path("nodes") / node / file;
      if (fs::exists(run_dir / relative, ec)) {
        links.push_back({node + " " + file, relative.string()});
      }
    }
  }
  return links;
}

}  // namespace

// `splitbrain run ...` with the settings of spec.json: the same seed gives the same workload
// and fault schedule.
std::string ReproduceCommand(const Json& spec) {
  std::vector<std::string> argv = {"splitbrain", "run"};
  auto add = [&](const std::string& flag, const std::string& value) {
    if (value.empty()) return;
    argv.push_back(flag);
    argv.push_back(value);
  };
  auto number = [&](const char* key) {
    auto v = NumberField(spec, key);
    return v.has_value() ? Number(*v) : std::string();
  };
  auto seconds = [&](const char* key) {
    const std::string n = number(key);
    return n.empty() ? n : n + "s";
  };
  add("--name", StringField(spec, "name"));
  add("--db", StringField(spec, "db"));
  add("--backend", StringField(spec, "backend-used", StringField(spec, "backend")));
  add("--nodes", number("nodes"));
  add("--workload", StringField(spec, "workload"));
  add("--concurrency", number("concurrency"));
  if (NumberField(spec, "rate").value_or(0) > 0) add("--rate", number("rate"));
  add("--time-limit", seconds("time-limit"));
  std::string nemesis;
  for (const Json& n : Field(spec, "nemesis")) nemesis += (nemesis.empty() ? "" : ",") + Text(n);
  add("--nemesis", nemesis);
  if (!nemesis.empty()) add("--nemesis-interval", seconds("nemesis-interval"));
  add("--schedule", StringField(spec, "schedule"));
  for (const Json& bug : Field(spec, "db-bug")) add("--db-bug", Text(bug));
  add("--max-failover", seconds("max-failover"));
  if (Field(spec, "max-recovery").is_number()) add("--max-recovery", seconds("max-recovery"));
  add("--seed", number("seed"));
  add("--store", StringField(spec, "store"));
  add("--refdb-bin", StringField(spec, "refdb-bin"));
  return ShellCommand(argv);
}

Status WriteRunReport(const fs::path& run_dir) {
  std::error_code ec;
  if (!fs::is_directory(run_dir, ec)) {
    return Status::NotFound(run_dir.string() + ": no such run folder");
  }
  ASSIGN_OR_RETURN(std::optional<Json> results, ReadJsonFile(run_dir / "results.json"));
  if (!results.has_value()) {
    return Status::NotFound(run_dir.string() +
                            ": no results.json (not a run folder, or the run is still going)");
  }
  ASSIGN_OR_RETURN(std::optional<Json> spec, ReadJsonFile(run_dir / "spec.json"));
  const Json spec_json = spec.value_or(Json::object());
  const fs::path named = fs::weakly_canonical(run_dir, ec);  // STORE/latest names its target
  ReportInput in{.title = StringField(spec_json, "name", named.parent_path().filename().string()) +
                          " · " + named.filename().string(),
                 .verdict = StringField(*results, "verdict", "?"),
                 .is_run = true};
  in.subtitle = Subtitle(spec_json, *results);
  in.checks = CheckRows(Field(*results, "checks"));
  if (auto seed = IntField(spec_json, "seed")) in.seed = static_cast<uint64_t>(*seed);
  if (spec.has_value()) in.command = ReproduceCommand(spec_json);
  in.links = RunLinks(run_dir);
  in.failover = Field(Field(Field(*results, "checks"), "failover"), "details");
  in.faults = Field(Field(Field(*results, "checks"), "faults"), "details");
  in.linearizable = Field(Field(Field(*results, "checks"), "linearizable"), "details");
  if (!spec.has_value()) in.notes.emplace_back("spec.json is missing: no command to reproduce");
  if (auto error = StringField(*results, "error"); !error.empty()) {
    in.notes.push_back("the run failed during " + StringField(*results, "phase", "?") + ": " +
                       error);
  }
  std::optional<checker::History> history;
  if (fs::exists(run_dir / "history.jsonl", ec)) {
    auto read =
        checker::ReadHistoryFile((run_dir / "history.jsonl").string(), checker::Format::kJsonl);
    if (!read.ok()) return Status::InvalidArgument(read.status().message());
    history = std::move(*read);
    in.history = &*history;
  } else {
    in.notes.emplace_back("history.jsonl is missing: no timeline");
  }
  return WriteFileAtomically(run_dir / "report.html", RenderReportPage(in));
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
