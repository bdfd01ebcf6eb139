#include "orchestrator/report/report_page.h"

#include <cstdio>
#include <map>
#include <string>
#include <string_view>

#include "orchestrator/report/counterexample_view.h"
#include "orchestrator/report/coverage_matrix.h"
#include "orchestrator/report/html.h"
#include "orchestrator/report/json_fields.h"
#include "orchestrator/report/report_assets.h"

namespace orchestrator::report {

using checker::Json;

namespace {

std::string Badge(const std::string& verdict, bool big = false) {
  const bool known = verdict == "valid" || verdict == "invalid" || verdict == "unknown";
  return "<span class=\"badge" + std::string(known ? " " + verdict : "") + (big ? " big" : "") +
         "\">" + EscapeHtml(verdict) + "</span>";
}

std::string Seconds(const Json& value) {
  if (!value.is_number()) return "—";
  char text[32];
  std::snprintf(text, sizeof text, "%.3f s", value.get<double>());
  return text;
}

std::string ChecksTable(const ReportInput& in, bool has_counterexample) {
  std::string html =
      "<table class=\"checks\"><tr><th>check</th><th>verdict</th><th>reason</th></tr>";
  for (const CheckRow& c : in.checks) {
    html += "<tr><td>" + EscapeHtml(c.name) + "</td><td>" + Badge(c.verdict) + "</td><td>" +
            EscapeHtml(c.summary);
    if (c.name == "linearizable" && has_counterexample) {
      html += " <a href=\"#counterexample\">see the counterexample</a>";
    }
    html += "</td></tr>";
  }
  return html + "</table>";
}

std::string VerdictSection(const ReportInput& in, bool has_counterexample) {
  std::string html = R"(<section id="verdict" class=")" + EscapeHtml(in.verdict) +
                     "\"><h2>Verdict " + Badge(in.verdict, true) + "</h2>" +
                     ChecksTable(in, has_counterexample) + "<dl class=\"meta\">";
  if (in.seed.has_value()) html += "<dt>seed</dt><dd>" + std::to_string(*in.seed) + "</dd>";
  if (!in.command.empty()) {
    html += "<dt>reproduce</dt><dd><code id=\"command\">" + EscapeHtml(in.command) + "</code></dd>";
  }
  if (!in.links.empty()) {
    html += "<dt>files</dt><dd class=\"links\">";
    for (const Link& link : in.links) {
      html += "<a href=\"" + EscapeHtml(EscapeUrlPath(link.href)) + "\">" + EscapeHtml(link.label) +
              "</a> ";
    }
    html += "</dd>";
  }
  html += "</dl>";
  if (!in.notes.empty()) {
    html += "<ul class=\"notes\">";
    for (const std::string& note : in.notes) html += "<li>" + EscapeHtml(note) + "</li>";
    html += "</ul>";
  }
  return html + "</section>";
}

// "n1, n3"; a candidate fault's targets are lease candidates: "c2".
std::string Targets(const Json& targets, std::string_view fault = "") {
  std::string text;
  if (!targets.is_array()) return text;
  const std::string prefix = fault.ends_with("-candidate") ? "c" : "n";
  for (const Json& t : targets) text += (text.empty() ? "" : ", ") + prefix + Text(t);
  return text;
}

std::string FailoverRow(const Json& e, const std::map<int64_t, Json>& targets, double bound,
                        double recovery_bound) {
  const int64_t id = IntField(e, "id").value_or(0);
  const bool no_majority = StringField(e, "kind") == "no-majority";
  auto over = [&](const char* field, double limit) {
    const auto v = NumberField(e, field);
    return v.has_value() && *v > limit ? " bad" : "";
  };
  auto it = targets.find(id);
  std::string row = "<tr><td>" + EscapeHtml(StringField(e, "fault")) + "</td><td>" +
                    EscapeHtml(it == targets.end() ? "" : Targets(it->second)) +
                    "</td><td class=\"num\">" + Seconds(Field(e, "start_s")) +
                    "</td><td class=\"num\">n" + EscapeHtml(Text(Field(e, "leader"))) + ", term " +
                    EscapeHtml(Text(Field(e, "term"))) + "</td>";
  if (no_majority) {
    // No majority existed, so no leader could be elected until the heal: recovery after it.
    return row + "<td>no majority: recovery after the heal at " + Seconds(Field(e, "heal_s")) +
           "</td><td class=\"num" + over("recovery_leader_s", recovery_bound) + "\">" +
           Seconds(Field(e, "recovery_leader_s")) + "</td><td class=\"num" +
           over("recovery_write_s", recovery_bound) + "\">" +
           Seconds(Field(e, "recovery_write_s")) + "</td><td class=\"num\">" +
           Seconds(Field(e, "unavailable_s")) + "</td></tr>";
  }
  std::string leader = Field(e, "leader_kept") == true
                           ? "leader kept (healed first)"
                           : Seconds(Field(e, "new_leader_s")) + " <span class=\"dim\">n" +
                                 EscapeHtml(Text(Field(e, "new_leader"))) + ", term " +
                                 EscapeHtml(Text(Field(e, "new_term"))) + "</span>";
  return row + "<td>majority left: failover</td><td class=\"num" + over("new_leader_s", bound) +
         "\">" + leader + "</td><td class=\"num" + over("first_write_s", bound) + "\">" +
         Seconds(Field(e, "first_write_s")) + "</td><td class=\"num\">" +
         Seconds(Field(e, "unavailable_s")) + "</td></tr>";
}

std::string FailoverSection(const ReportInput& in, const Json& timeline) {
  std::string html = "<section id=\"failover\"><h2>Failover</h2>";
  const Json& events = Field(in.failover, "events");
  if (!events.is_array() || events.empty()) {
    return html + "<p class=\"dim\">No fault removed the leader.</p></section>";
  }
  std::map<int64_t, Json> targets;
  for (const Json& f : Field(timeline, "faults")) {
    if (auto id = IntField(f, "id")) targets[*id] = Field(f, "targets");
  }
  const double bound = NumberField(in.failover, "bound_s").value_or(1e300);
  const double recovery_bound = NumberField(in.failover, "recovery_bound_s").value_or(1e300);
  html +=
      "<p class=\"dim\">One row per fault that took the leader away. Where a majority was left, "
      "failover: times from when the fault took effect (bound " +
      Seconds(Field(in.failover, "bound_s")) +
      "). Where none was (even halves, a killed majority), no leader can be elected until the "
      "heal: times from the heal (bound " +
      Seconds(Field(in.failover, "recovery_bound_s")) +
      ").</p><table><tr>"
      "<th>fault</th><th>targets</th><th class=\"num\">start</th><th class=\"num\">leader "
      "then</th><th>kind</th><th class=\"num\">time to new leader</th><th class=\"num\">time to "
      "first acknowledged write</th><th class=\"num\">unavailability</th></tr>";
  for (const Json& e : events) html += FailoverRow(e, targets, bound, recovery_bound);
  return html + "</table></section>";
}

// Every fault the run planned, and whether it took effect (checker/fault_check.h).
std::string FaultsSection(const ReportInput& in) {
  const Json& faults = Field(in.faults, "faults");
  if (!faults.is_array() || faults.empty()) return "";
  std::string html =
      R"(<section id="faults"><h2>Faults</h2><p class="dim">)" +
      EscapeHtml(Text(Field(in.faults, "planned"))) + " planned, " +
      EscapeHtml(Text(Field(in.faults, "applied"))) + " applied, " +
      EscapeHtml(Text(Field(in.faults, "verified"))) + " verified, " +
      EscapeHtml(Text(Field(in.faults, "failed"))) +
      " failed. A fault that did not take effect makes the run unknown.</p><table><tr>"
      "<th class=\"num\">id</th><th>fault</th><th>targets</th><th class=\"num\">start</th>"
      "<th>status</th><th>reason</th></tr>";
  for (const Json& f : faults) {
    const std::string status = StringField(f, "status");
    html += "<tr><td class=\"num\">" + EscapeHtml(Text(Field(f, "id"))) + "</td><td>" +
            EscapeHtml(StringField(f, "fault")) + "</td><td>" +
            EscapeHtml(Targets(Field(f, "targets"), StringField(f, "fault"))) +
            "</td><td class=\"num\">" + Seconds(Field(f, "start_s")) + "</td><td class=\"" +
            (status == "verified" ? "" : "bad") + "\">" + EscapeHtml(status) + "</td><td>" +
            EscapeHtml(StringField(f, "reason")) + "</td></tr>";
  }
  return html + "</table></section>";
}

// Which fault hit which role in which cluster state (checker/fault_coverage.h).
std::string CoverageSection(const ReportInput& in) {
  if (!in.fault_coverage.has_value()) return "";
  const std::string matrix = CoverageMatrixHtml(*in.fault_coverage, {.id = "coverage-matrix"});
  return R"(<section id="coverage"><h2>Fault coverage</h2>)" +
         (matrix.empty() ? std::string("<p class=\"dim\">No fault took effect on a node.</p>")
                         : matrix) +
         "</section>";
}

std::string TimelineSection(const ReportInput& in, const Json& timeline, bool has_cx) {
  std::string html =
      "<section id=\"timeline\"><h2>Timeline</h2><div class=\"toolbar\">"
      "<button type=\"button\" id=\"zoom-in\">zoom in</button>"
      "<button type=\"button\" id=\"zoom-out\">zoom out</button>"
      "<button type=\"button\" id=\"zoom-reset\">whole run</button>";
  if (has_cx) html += R"(<button type="button" id="zoom-cx">counterexample window</button>)";
  html += R"(<span id="range" class="dim"></span></div>)";
  const Json& notes = Field(timeline, "notes");
  if (notes.is_array() && !notes.empty()) {
    html += "<ul class=\"notes\">";
    for (const Json& note : notes) html += "<li>" + EscapeHtml(Text(note)) + "</li>";
    html += "</ul>";
  }
  if (in.is_run) html += R"(<div id="leaders" class="chart"></div>)";
  html += R"(<div id="tenures" class="chart"></div>)";
  return html +
         "<div id=\"ops\" class=\"chart\"></div><div id=\"latency\" class=\"chart\"></div>"
         "<div id=\"throughput\" class=\"chart\"></div>"
         "<noscript><p>The charts need JavaScript.</p></noscript></section>";
}

}  // namespace

std::string RenderReportPage(const ReportInput& in) {
  Json timeline = in.history != nullptr ? BuildTimeline(*in.history, in.timeline) : Json(nullptr);
  CounterexampleView cx;
  if (in.history != nullptr && in.linearizable.is_object()) {
    cx = BuildCounterexampleView(in.linearizable, *in.history, in.pairing);
  }
  const bool has_cx = !cx.html.empty();
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>" +
      EscapeHtml("splitbrain: " + in.title) + "</title><style>" + std::string(ReportCss()) +
      "</style></head><body>"
      "<svg id=\"svg-ns\" width=\"0\" height=\"0\" aria-hidden=\"true\"></svg>"
      "<header><h1>" +
      EscapeHtml(in.title) + "</h1><p class=\"sub\">" + EscapeHtml(in.subtitle) + "</p></header>" +
      VerdictSection(in, has_cx);
  if (in.is_run) html += FailoverSection(in, timeline) + FaultsSection(in) + CoverageSection(in);
  if (in.history != nullptr) html += TimelineSection(in, timeline, has_cx);
  html += cx.html;
  const Json data = {{"timeline", std::move(timeline)}, {"counterexample", std::move(cx.data)}};
  html += R"(<script type="application/json" id="report-data">)" + JsonForScript(data) +
          "</script><script>" + std::string(ReportScript()) + "</script></body></html>\n";
  return html;
}

}  // namespace orchestrator::report
