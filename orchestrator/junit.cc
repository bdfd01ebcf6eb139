#include "orchestrator/junit.h"

#include <unistd.h>

#include <cstdio>

#include "orchestrator/report/report.h"

namespace orchestrator {

using Json = nlohmann::json;

namespace {

// Decodes one UTF-8 sequence at text[i]; returns its length, or 0 when it is not valid UTF-8.
size_t Utf8Length(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  size_t length = 0;
  if (lead < 0x80) return 1;
  if ((lead & 0xe0) == 0xc0 && lead >= 0xc2)
    length = 2;
  else if ((lead & 0xf0) == 0xe0)
    length = 3;
  else if ((lead & 0xf8) == 0xf0 && lead <= 0xf4)
    length = 4;
  else
    return 0;
  if (i + length > text.size()) return 0;
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xc0) != 0x80) return 0;
  }
  return length;
}

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

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    const size_t length = Utf8Length(text, i);
    if (length == 0) {  // not UTF-8: U+FFFD
      out += "\xef\xbf\xbd";
      ++i;
      continue;
    }
    if (length > 1) {
      out.append(text.substr(i, length));
      i += length;
      continue;
    }
    ++i;
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\t':
        out += "&#9;";
        break;
      case '\n':
        out += "&#10;";
        break;
      case '\r':
        out += "&#13;";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          out += "\xef\xbf\xbd";  // XML 1.0 has no way to write these
        } else {
          out += c;
        }
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
