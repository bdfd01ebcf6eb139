#include "orchestrator/junit.h"

#include <unistd.h>

#include <cstdio>

#include "orchestrator/report/html.h"
#include "orchestrator/report/report.h"

namespace orchestrator {

using Json = nlohmann::json;

namespace {

std::string Attr(const std::string& name, const std::string& value) {
  return " " + name + "=\"" + XmlEscape(value) + "\"";
}

std::string Text(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "";
  return value.dump();
}

std::string Seconds(const Json& value) {
  if (!value.is_number()) return "0";
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", value.get<double>());
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

std::string JunitXml(const Json& results, const Json& spec, std::string_view timestamp) {
  const Json r = results.is_object() ? results : Json::object();
  const Json s = spec.is_object() ? spec : Json::object();
  const std::string suite_name =
      "splitbrain." + (r.contains("name") ? Text(r["name"]) : Text(s.value("name", Json("run"))));
  int tests = 0;
  int failures = 0;
  int errors = 0;
  std::string cases;
  const std::string classname = suite_name;
  auto add_case = [&](const std::string& name, const std::string& verdict,
                      const std::string& reason) {
    ++tests;
    cases +=
        "    <testcase" + Attr("name", name) + Attr("classname", classname) + Attr("time", "0");
    if (verdict == "valid") {
      cases += "/>\n";
      return;
    }
    const bool is_failure = verdict == "invalid";
    (is_failure ? failures : errors) += 1;
    const std::string element = is_failure ? "failure" : "error";
    cases += ">\n      <" + element + Attr("message", reason) + Attr("type", verdict) + ">" +
             XmlEscape(name + ": " + verdict + ": " + reason) + "</" + element + ">\n" +
             "    </testcase>\n";
  };
  if (r.contains("checks") && r["checks"].is_object() && !r["checks"].empty()) {
    for (const auto& [name, check] : r["checks"].items()) {
      add_case(name, Text(check.value("verdict", Json("unknown"))),
               Text(check.value("summary", Json(""))));
    }
  } else {
    // No checks ran: the run itself failed (or results.json is missing).
    std::string reason = r.contains("error") ? Text(r["error"]) : "the run has no check results";
    if (r.contains("phase")) reason = "during " + Text(r["phase"]) + ": " + reason;
    add_case("run", "run-failed", reason);
  }
  std::string properties;
  for (const char* key : {"run_id", "backend", "verdict", "exit_code"}) {
    if (r.contains(key)) properties += Property(key, Text(r[key]));
  }
  for (const char* key : {"db", "workload", "nodes", "seed"}) {
    if (s.contains(key)) properties += Property(key, Text(s[key]));
  }
  if (s.contains("nemesis") && s["nemesis"].is_array()) {
    std::string faults;
    for (const Json& f : s["nemesis"]) faults += (faults.empty() ? "" : ",") + Text(f);
    properties += Property("nemesis", faults);
  }
  const std::string time = Seconds(r.value("elapsed_s", Json(0)));
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  xml += "<testsuites" + Attr("name", "splitbrain") + Attr("tests", std::to_string(tests)) +
         Attr("failures", std::to_string(failures)) + Attr("errors", std::to_string(errors)) +
         Attr("time", time) + ">\n";
  xml += "  <testsuite" + Attr("name", suite_name) + Attr("id", "0") +
         Attr("tests", std::to_string(tests)) + Attr("failures", std::to_string(failures)) +
         Attr("errors", std::to_string(errors)) + Attr("skipped", "0") + Attr("time", time) +
         Attr("timestamp", std::string(timestamp)) + Attr("hostname", Hostname()) + ">\n";
  if (!properties.empty()) xml += "    <properties>\n" + properties + "    </properties>\n";
  xml += cases;
  xml += "    <system-out>" + XmlEscape("reproduce: " + report::ReproduceCommand(s)) +
         "</system-out>\n";
  xml += "  </testsuite>\n</testsuites>\n";
  return xml;
}

}  // namespace orchestrator
