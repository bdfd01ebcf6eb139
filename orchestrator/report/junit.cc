#include "orchestrator/report/junit.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <utility>

#include "orchestrator/report/html.h"
#include "orchestrator/report/report.h"
#include "orchestrator/store/atomic_file.h"
#include "orchestrator/store/run_dir.h"

namespace orchestrator {

namespace {

std::string Attr(const std::string& name, const std::string& value) {
  return " " + name + "=\"" + XmlEscape(value) + "\"";
}

std::string Seconds(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", value);
  return text;
}

std::string Hostname() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "localhost";
  return name;
}

std::string Property(const std::string& name, const std::string& value) {
  return "      <property" + Attr("name", name) + Attr("value", value) + "/>\n";
}

}  // namespace

// The report's HTML escaping (entities, U+FFFD for bytes that are not UTF-8), and then what XML
// needs beyond HTML: line breaks and tabs as character references (attribute values would
// normalise them to spaces) and the control characters XML 1.0 cannot hold as U+FFFD.
std::string XmlEscape(std::string_view text) {
  const std::string html = report::EscapeHtml(text);
  std::string out;
  out.reserve(html.size());
  for (char c : html) {
    if (c == '\t') {
      out += "&#9;";
    } else if (c == '\n') {
      out += "&#10;";
    } else if (c == '\r') {
      out += "&#13;";
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      out += "\xef\xbf\xbd";
    } else {
      out += c;
    }
  }
  return out;
}

namespace {

// One <testcase> per check; a run that failed before its checks is one errored testcase "run".
struct Cases {
  std::string xml;
  int tests = 0;
  int failures = 0;
  int errors = 0;

  void Add(const std::string& classname, const std::string& name, std::string_view verdict,
           const std::string& reason) {
    ++tests;
    xml += "    <testcase" + Attr("name", name) + Attr("classname", classname) + Attr("time", "0");
    if (verdict == "valid") {
      xml += "/>\n";
      return;
    }
    const bool is_failure = verdict == "invalid";
    (is_failure ? failures : errors) += 1;
    const std::string element = is_failure ? "failure" : "error";
    xml += ">\n      <" + element + Attr("message", reason) + Attr("type", std::string(verdict)) +
           ">" + XmlEscape(name + ": " + std::string(verdict) + ": " + reason) + "</" + element +
           ">\n" + "    </testcase>\n";
  }
};

std::string Properties(const RunResults& r, const std::optional<RunSpec>& spec) {
  std::string properties;
  if (!r.run_id.empty()) properties += Property("run_id", r.run_id);
  if (!r.backend.empty()) properties += Property("backend", r.backend);
  properties += Property("verdict", std::string(RunVerdictName(r.verdict)));
  properties += Property("exit_code", std::to_string(r.exit_code));
  if (!spec.has_value()) return properties;
  properties += Property("db", spec->DbLabel());
  if (!spec->db_file.empty()) properties += Property("db_file", spec->db_file);
  if (!spec->db_sha256.empty()) properties += Property("db_sha256", spec->db_sha256);
  properties += Property("workload", std::string(workloads::WorkloadKindName(spec->workload)));
  properties += Property("nodes", std::to_string(spec->nodes));
  if (spec->seed.has_value()) properties += Property("seed", std::to_string(*spec->seed));
  std::string faults;
  for (const std::string& f : spec->nemesis) faults += (faults.empty() ? "" : ",") + f;
  return properties + Property("nemesis", faults);
}

}  // namespace

namespace {

// One run's <testsuite> (id `id`), with its counts added to `totals`.
std::string Suite(const JunitRun& run, int id, Cases& totals, double& total_s) {
  const RunResults& r = run.results;
  const std::optional<RunSpec>& spec = run.spec;
  const std::string name = !r.name.empty() ? r.name : spec.has_value() ? spec->name : "run";
  const std::string suite_name = "splitbrain." + name;
  Cases cases;
  for (const CheckResult& check : r.checks) {
    cases.Add(suite_name, check.name, checker::VerdictName(check.verdict), check.summary);
  }
  if (r.checks.empty()) {
    // No checks ran: the run itself failed.
    std::string reason = !r.error.empty() ? r.error : "the run has no check results";
    if (!r.phase.empty()) reason = "during " + r.phase + ": " + reason;
    cases.Add(suite_name, "run", RunVerdictName(RunVerdict::kRunFailed), reason);
  }
  totals.tests += cases.tests;
  totals.failures += cases.failures;
  totals.errors += cases.errors;
  total_s += r.elapsed_s;
  const std::string time = Seconds(r.elapsed_s);
  std::string xml = "  <testsuite" + Attr("name", suite_name) + Attr("id", std::to_string(id)) +
                    Attr("tests", std::to_string(cases.tests)) +
                    Attr("failures", std::to_string(cases.failures)) +
                    Attr("errors", std::to_string(cases.errors)) + Attr("skipped", "0") +
                    Attr("time", time) + Attr("timestamp", run.timestamp) +
                    Attr("hostname", Hostname()) + ">\n";
  xml += "    <properties>\n" + Properties(r, spec) + "    </properties>\n";
  xml += cases.xml;
  if (spec.has_value()) {
    xml += "    <system-out>" + XmlEscape("reproduce: " + report::ReproduceCommand(*spec)) +
           "</system-out>\n";
  }
  return xml + "  </testsuite>\n";
}

}  // namespace

std::string JunitXml(const std::vector<JunitRun>& runs) {
  Cases totals;
  double total_s = 0;
  std::string suites;
  for (size_t i = 0; i < runs.size(); ++i) {
    suites += Suite(runs[i], static_cast<int>(i), totals, total_s);
  }
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites" + Attr("name", "splitbrain") +
         Attr("tests", std::to_string(totals.tests)) +
         Attr("failures", std::to_string(totals.failures)) +
         Attr("errors", std::to_string(totals.errors)) + Attr("time", Seconds(total_s)) + ">\n" +
         suites + "</testsuites>\n";
}

std::string JunitXml(const RunResults& results, const std::optional<RunSpec>& spec,
                     std::string_view timestamp) {
  return JunitXml({JunitRun{results, spec, std::string(timestamp)}});
}

namespace report {

namespace {

// "20261207T072308Z" -> "2026-12-07T07:23:08Z"; another folder name stays as it is.
std::string IsoTimestamp(const std::string& stamp) {
  if (stamp.size() < 16 || stamp[8] != 'T' || stamp[15] != 'Z') return stamp;
  return stamp.substr(0, 4) + "-" + stamp.substr(4, 2) + "-" + stamp.substr(6, 2) + "T" +
         stamp.substr(9, 2) + ":" + stamp.substr(11, 2) + ":" + stamp.substr(13, 2) + "Z";
}

}  // namespace

common::Status WriteStoreJunit(const std::filesystem::path& store) {
  std::vector<RunDir> runs = ListRuns(store);
  std::sort(runs.begin(), runs.end(), [](const RunDir& a, const RunDir& b) {
    return std::pair(a.stamp(), a.test()) < std::pair(b.stamp(), b.test());
  });
  std::vector<JunitRun> entries;
  for (const RunDir& run : runs) {
    JunitRun entry{.timestamp = IsoTimestamp(run.stamp())};
    auto results = ReadRunResults(run.results());
    if (results.ok()) {
      entry.results = std::move(*results);
    } else {
      // Listed as a failed run with the reason, never left out.
      entry.results.name = run.test();
      entry.results.error = results.status().message();
    }
    auto spec = ReadRunSpec(run.spec());
    if (spec.ok()) entry.spec = std::move(*spec);
    entries.push_back(std::move(entry));
  }
  return WriteFileAtomically(StoreJunit(store), JunitXml(entries));
}

}  // namespace report

}  // namespace orchestrator
