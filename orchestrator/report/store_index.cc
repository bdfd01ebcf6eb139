// WriteStoreIndex and StoreOf (declared in report.h): the page listing every run of a store.
#include <algorithm>
#include <cstdio>
#include <system_error>
#include <vector>

#include "checker/formats.h"
#include "orchestrator/report/html.h"
#include "orchestrator/report/json_fields.h"
#include "orchestrator/report/report.h"
#include "orchestrator/report/report_assets.h"
#include "orchestrator/report/write_file.h"

namespace orchestrator::report {

namespace fs = std::filesystem;
using checker::Json;
using common::Result;
using common::Status;

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

// An object from a JSON file of a run, or null when it is missing or unreadable.
Json ReadObject(const fs::path& path, bool& unreadable) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return nullptr;
  auto text = checker::ReadWholeFile(path.string());
  Json json = text.ok() ? Json::parse(*text, nullptr, false) : Json();
  if (!json.is_object()) {
    unreadable = true;
    return nullptr;
  }
  return json;
}

// "2026-11-26 23:30:24 UTC" from "20261126T233024Z"; other names as they are.
std::string ReadableTime(const std::string& stamp) {
  if (stamp.size() < 16 || stamp[8] != 'T' || stamp[15] != 'Z') return stamp;
  return stamp.substr(0, 4) + "-" + stamp.substr(4, 2) + "-" + stamp.substr(6, 2) + " " +
         stamp.substr(9, 2) + ":" + stamp.substr(11, 2) + ":" + stamp.substr(13, 2) + " UTC" +
         stamp.substr(16);
}

std::string Join(const Json& array, const std::string& separator) {
  std::string text;
  if (!array.is_array()) return text;
  for (const Json& v : array) text += (text.empty() ? "" : separator) + Text(v);
  return text;
}

RunRow ReadRun(const fs::path& store, const fs::path& dir) {
  RunRow row{.test = dir.parent_path().filename().string(), .stamp = dir.filename().string()};
  bool unreadable = false;
  const Json spec = ReadObject(dir / "spec.json", unreadable);
  const Json results = ReadObject(dir / "results.json", unreadable);
  row.db = StringField(spec, "db", "?");
  if (const std::string bugs = Join(Field(spec, "db-bug"), ", "); !bugs.empty()) {
    row.db += " (bugs: " + bugs + ")";
  }
  row.faults = Join(Field(spec, "nemesis"), ", ");
  if (!StringField(spec, "schedule").empty())
    row.faults = "schedule " + StringField(spec, "schedule");
  if (row.faults.empty()) row.faults = "none";
  row.verdict = unreadable ? "unreadable" : StringField(results, "verdict", "running or lost");
  const Json& median =
      Field(Field(Field(Field(Field(results, "checks"), "failover"), "details"), "new_leader_s"),
            "median");
  if (median.is_number()) {
    char text[32];
    std::snprintf(text, sizeof text, "%.3f s", median.get<double>());
    row.failover_median = text;
  }
  std::error_code ec;
  const fs::path relative = fs::relative(dir, store, ec);
  const bool has_report = fs::exists(dir / "report.html", ec);
  row.link = (relative / (has_report ? "report.html" : "results.json")).string();
  return row;
}

std::vector<RunRow> ReadRuns(const fs::path& store) {
  std::vector<RunRow> rows;
  std::error_code ec;
  for (const auto& test : fs::directory_iterator(store, ec)) {
    if (test.is_symlink(ec) || !test.is_directory(ec)) continue;  // skips STORE/latest
    std::error_code inner;
    for (const auto& run : fs::directory_iterator(test.path(), inner)) {
      if (run.is_symlink(inner) || !run.is_directory(inner)) continue;
      const bool is_run = fs::exists(run.path() / "spec.json", inner) ||
                          fs::exists(run.path() / "results.json", inner);
      if (is_run) rows.push_back(ReadRun(store, run.path()));
    }
  }
  std::sort(rows.begin(), rows.end(), [](const RunRow& a, const RunRow& b) {
    return a.stamp != b.stamp ? a.stamp > b.stamp : a.test < b.test;
  });
  return rows;
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

std::string IndexPage(const std::vector<RunRow>& rows) {
  int invalid = 0;
  for (const RunRow& row : rows) invalid += row.verdict == "invalid" ? 1 : 0;
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>splitbrain runs</title><style>" +
      std::string(IndexCss()) +
      R"(</style></head><body><main id="index"><h1>splitbrain runs</h1><p class="dim">)" +
      std::to_string(rows.size()) + " runs, " + std::to_string(invalid) +
      " invalid; newest first. <a href=\"latest/report.html\">latest report</a></p>"
      "<table id=\"runs\"><tr><th>test</th><th>time</th><th>database</th><th>faults</th>"
      "<th>verdict</th><th>failover median</th><th>report</th></tr>";
  for (const RunRow& row : rows) html += RowHtml(row);
  return html + "</table></main></body></html>\n";
}

}  // namespace

Status WriteStoreIndex(const fs::path& store) {
  std::error_code ec;
  if (!fs::is_directory(store, ec)) return Status::NotFound(store.string() + ": no such store");
  const std::string page = IndexPage(ReadRuns(store));
  return WriteFileAtomically(store / "index.html", page);
}

Result<fs::path> StoreOf(const fs::path& run_dir) {
  std::error_code ec;
  const fs::path real = fs::canonical(run_dir, ec);
  if (ec) return Status::NotFound(run_dir.string() + ": " + ec.message());
  const fs::path store = real.parent_path().parent_path();
  if (!fs::is_symlink(store / "latest", ec)) {
    return Status::NotFound(run_dir.string() + " is not inside a store (no " +
                            (store / "latest").string() + ")");
  }
  return store;
}

}  // namespace orchestrator::report
