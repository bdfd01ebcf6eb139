// WriteStoreIndex (declared in report.h): the page listing every run of a store.
#include <algorithm>
#include <cstdio>
#include <system_error>
#include <vector>

#include "checker/formats.h"
#include "orchestrator/report/coverage_matrix.h"
#include "orchestrator/report/html.h"
#include "orchestrator/report/json_fields.h"
#include "orchestrator/report/report.h"
#include "orchestrator/report/report_assets.h"
#include "orchestrator/report/trends.h"
#include "orchestrator/report/trends_page.h"
#include "orchestrator/store/atomic_file.h"
#include "orchestrator/store/results.h"
#include "orchestrator/store/run_dir.h"
#include "orchestrator/store/store_coverage.h"

namespace orchestrator::report {

namespace fs = std::filesystem;
using checker::Json;
using common::Result;
using common::Status;
using orchestrator::ListRuns;
using orchestrator::ReadRunResults;
using orchestrator::RunDir;
using orchestrator::RunVerdictName;
using orchestrator::StoreIndex;
using orchestrator::WriteFileAtomically;

namespace {

struct RunRow {
  std::string test;
  std::string stamp;  // the run folder's name: 20261126T233024Z[-2]
  std::string db;
  std::string faults;
  std::string verdict;
  std::string failover_median;
  std::string link;  // relative to the store
};

// "2026-11-26 23:30:24 UTC" from "20261126T233024Z"; other names as they are.
std::string ReadableTime(const std::string& stamp) {
  if (stamp.size() < 16 || stamp[8] != 'T' || stamp[15] != 'Z') return stamp;
  return stamp.substr(0, 4) + "-" + stamp.substr(4, 2) + "-" + stamp.substr(6, 2) + " " +
         stamp.substr(9, 2) + ":" + stamp.substr(11, 2) + ":" + stamp.substr(13, 2) + " UTC" +
         stamp.substr(16);
}

std::string Join(const std::vector<std::string>& items) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

RunRow RowOf(const fs::path& store, const RunDir& run, const Result<RunSpec>& spec_read,
             const Result<orchestrator::RunResults>& results) {
  RunRow row{.test = run.test(), .stamp = run.stamp()};
  const std::optional<RunSpec> spec = spec_read.ok() ? std::optional(*spec_read) : std::nullopt;
  auto is_unreadable = [](const common::Status& s) {
    return !s.ok() && s.code() != common::StatusCode::kNotFound;
  };
  const bool unreadable = is_unreadable(spec_read.status()) || is_unreadable(results.status());
  row.db = spec.has_value() ? spec->DbLabel() : "?";
  if (spec.has_value() && !spec->db_bugs.empty()) row.db += " (bugs: " + Join(spec->db_bugs) + ")";
  if (spec.has_value()) row.faults = spec->nemesis_auto ? "auto" : Join(spec->nemesis);
  if (spec.has_value() && !spec->schedule.empty()) row.faults = "schedule " + spec->schedule;
  if (row.faults.empty()) row.faults = "none";
  row.verdict = unreadable     ? "unreadable"
                : results.ok() ? std::string(RunVerdictName(results->verdict))
                               : "running or lost";
  const Json& median = results.ok()
                           ? Field(Field(results->Details("failover"), "new_leader_s"), "median")
                           : Field(Json(), "median");
  if (median.is_number()) {
    char text[32];
    std::snprintf(text, sizeof text, "%.3f s", median.get<double>());
    row.failover_median = text;
  }
  std::error_code ec;
  const fs::path relative = fs::relative(run.root(), store, ec);
  const bool has_report = fs::exists(run.report(), ec);
  row.link = (relative / (has_report ? "report.html" : "results.json")).string();
  return row;
}

// Each run's spec.json and results.json are read once, for its row and for the trends.
struct StoreRead {
  std::vector<RunRow> rows;  // newest first
  std::vector<TrendRun> trend_runs;
};

StoreRead ReadStore(const fs::path& store) {
  StoreRead read;
  for (const RunDir& run : ListRuns(store)) {
    const Result<RunSpec> spec = orchestrator::ReadRunSpec(run.spec());
    const Result<orchestrator::RunResults> results = ReadRunResults(run.results());
    read.rows.push_back(RowOf(store, run, spec, results));
    read.trend_runs.push_back(TrendRunOf(run, spec, results));
  }
  std::sort(read.rows.begin(), read.rows.end(), [](const RunRow& a, const RunRow& b) {
    return a.stamp != b.stamp ? a.stamp > b.stamp : a.test < b.test;
  });
  return read;
}

std::string RowHtml(const RunRow& row) {
  const bool known = row.verdict == "valid" || row.verdict == "invalid" || row.verdict == "unknown";
  return "<tr><td>" + EscapeHtml(row.test) + "</td><td>" + EscapeHtml(ReadableTime(row.stamp)) +
         "</td><td>" + EscapeHtml(row.db) + "</td><td>" + EscapeHtml(row.faults) +
         "</td><td><span class=\"badge" + (known ? " " + row.verdict : std::string()) + "\">" +
         EscapeHtml(row.verdict) + "</span></td><td class=\"num\">" +
         (row.failover_median.empty() ? "—" : EscapeHtml(row.failover_median)) +
         "</td><td><a href=\"" + EscapeHtml(EscapeUrlPath(row.link)) + "\">" +
         (row.link.ends_with("report.html") ? "report" : "results") + "</a></td></tr>";
}

std::string IndexPage(const std::vector<RunRow>& rows, const std::string& trends_html,
                      const std::string& coverage_section) {
  int invalid = 0;
  for (const RunRow& row : rows) invalid += row.verdict == "invalid" ? 1 : 0;
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>splitbrain runs</title><style>" +
      std::string(IndexCss()) +
      R"(</style></head><body><main id="index"><h1>splitbrain runs</h1><p class="dim">)" +
      std::to_string(rows.size()) + " runs, " + std::to_string(invalid) +
      " invalid; newest first. <a href=\"latest/report.html\">latest report</a></p>" + trends_html +
      "<h2>Runs</h2><table "
      "id=\"runs\"><tr><th>test</th><th>time</th><th>database</th><th>faults</th>"
      "<th>verdict</th><th>failover median</th><th>report</th></tr>";
  for (const RunRow& row : rows) html += RowHtml(row);
  return html + "</table>" + coverage_section + "</main></body></html>\n";
}

}  // namespace

Status WriteStoreIndex(const fs::path& store) { return WriteStoreIndex(store, TrendOptions{}); }

Status WriteStoreIndex(const fs::path& store, const TrendOptions& options) {
  std::error_code ec;
  if (!fs::is_directory(store, ec)) return Status::NotFound(store.string() + ": no such store");
  const StoreRead read = ReadStore(store);
  const std::string trends = TrendsSectionHtml(ComputeTrends(read.trend_runs, options), options);
  // Fault coverage: its own section, summed over every run of the store (coverage_matrix.h).
  const orchestrator::StoreCoverage coverage = orchestrator::ReadStoreCoverage(store);
  const std::string page =
      IndexPage(read.rows, trends, StoreCoverageSectionHtml(coverage.coverage, coverage.runs));
  return WriteFileAtomically(StoreIndex(store), page);
}

}  // namespace orchestrator::report
