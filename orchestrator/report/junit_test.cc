#include "orchestrator/report/junit.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "common/testing/prerequisite.h"
#include "nemesis/command_runner.h"
#include "orchestrator/report/report.h"

namespace orchestrator {
namespace {

using Json = nlohmann::json;

size_t Count(const std::string& text, const std::string& what) {
  size_t count = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++count;
  return count;
}

// Results and spec from their JSON, as a run folder holds them.
RunResults R(const Json& json) {
  auto results = RunResults::FromJson(json);
  EXPECT_TRUE(results.ok()) << results.status().message();
  return results.ok() ? *results : RunResults{};
}

std::optional<RunSpec> S(const Json& json) {
  if (json.empty()) return std::nullopt;
  auto spec = RunSpec::FromJson(json);
  EXPECT_TRUE(spec.ok()) << spec.status().message();
  return spec.ok() ? std::optional<RunSpec>(*spec) : std::nullopt;
}

Json Spec() {
  return Json::parse(R"({"name":"refdb-register","db":"refdb","backend":"auto",
    "backend-used":"netns","nodes":3,"workload":"register","concurrency":10,"rate":0,
    "time-limit":20.0,"nemesis":["kill","partition-leader"],"nemesis-interval":5.0,
    "schedule":"","db-bug":["stale-reads"],"max-failover":5.0,"seed":42,"store":"store",
    "junit":"","refdb-bin":""})");
}

TEST(Junit, OneTestcasePerCheckWithAFailureForInvalidAndAnErrorForUnknown) {
  const Json results = Json::parse(R"({"name":"refdb-register","run_id":"0a1b2c3d",
    "backend":"netns","verdict":"invalid","exit_code":1,"elapsed_s":21.5,"checks":{
      "linearizable":{"verdict":"invalid","summary":"key k3: read 4 cannot be placed"},
      "election-safety":{"verdict":"valid","summary":"at most one leader"},
      "failover":{"verdict":"unknown","summary":"a fault never ended"}}})");
  const std::string xml = JunitXml(R(results), S(Spec()), "2026-11-26T23:37:07Z");
  EXPECT_EQ(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites", 0), 0u);
  EXPECT_NE(xml.find("<testsuites name=\"splitbrain\" tests=\"3\" failures=\"1\" errors=\"1\""),
            std::string::npos);
  EXPECT_EQ(Count(xml, "<testsuite "), 1u);
  EXPECT_EQ(Count(xml, "<testcase "), 3u);
  EXPECT_EQ(Count(xml, "<failure "), 1u);
  EXPECT_EQ(Count(xml, "<error "), 1u);
  EXPECT_NE(xml.find("message=\"key k3: read 4 cannot be placed\" type=\"invalid\""),
            std::string::npos);
  EXPECT_NE(xml.find("timestamp=\"2026-11-26T23:37:07Z\""), std::string::npos);
  EXPECT_NE(xml.find("<property name=\"seed\" value=\"42\"/>"), std::string::npos);
  EXPECT_NE(xml.find("time=\"21.500\""), std::string::npos);
  EXPECT_NE(xml.find("reproduce: splitbrain run"), std::string::npos);
  EXPECT_TRUE(xml.ends_with("  </testsuite>\n</testsuites>\n"));
}

TEST(Junit, AFailedRunIsOneErroredTestcaseWithThePhaseAndReason) {
  const Json results = Json::parse(R"({"name":"t","verdict":"run-failed","exit_code":3,
    "phase":"wait for a leader","error":"no leader within 30000 ms"})");
  const std::string xml = JunitXml(R(results), S(Spec()), "2026-11-26T23:37:07Z");
  EXPECT_EQ(Count(xml, "<testcase "), 1u);
  EXPECT_NE(xml.find("name=\"run\""), std::string::npos);
  EXPECT_NE(xml.find("message=\"during wait for a leader: no leader within 30000 ms\""),
            std::string::npos);
  EXPECT_NE(xml.find("errors=\"1\""), std::string::npos);
}

TEST(Junit, EveryValueIsEscaped) {
  const Json results = Json::parse(R"({"name":"a<b>&\"c'","verdict":"invalid","checks":{
      "x</testcase><script>":{"verdict":"invalid","summary":"v=\"<tag>\" & \u0001 done"}}})");
  const std::string xml = JunitXml(R(results), std::nullopt, "t");
  EXPECT_EQ(xml.find("<script>"), std::string::npos);
  EXPECT_EQ(xml.find("<tag>"), std::string::npos);
  EXPECT_EQ(xml.find('\x01'), std::string::npos);
  EXPECT_NE(xml.find("splitbrain.a&lt;b&gt;&amp;&quot;c&#39;"), std::string::npos);
  EXPECT_EQ(Count(xml, "<testcase "), 1u);
  EXPECT_EQ(Count(xml, "</testcase>"), 1u);
}

TEST(Junit, XmlEscapeKeepsUtf8AndReplacesWhatXmlCannotHold) {
  EXPECT_EQ(XmlEscape("plain"), "plain");
  EXPECT_EQ(XmlEscape("ö → ✓"), "ö → ✓");
  EXPECT_EQ(XmlEscape("a\nb"), "a&#10;b");
  EXPECT_EQ(XmlEscape(std::string("\x02") + "\xff"), "\xef\xbf\xbd\xef\xbf\xbd");
}

// xmllint's verdict on `xml` against testdata/junit.xsd: "" when valid, else its output.
std::string SchemaErrors(const std::string& xml) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("junit_test_" + std::to_string(::getpid()) + ".xml");
  std::ofstream(path) << xml;
  nemesis::SpawnRunner runner(std::chrono::seconds(30));
  auto result = runner.Run({"xmllint", "--noout", "--schema",
                            std::string(REPORT_TESTDATA_DIR) + "/junit.xsd", path.string()});
  std::filesystem::remove(path);
  if (!result.ok()) return result.status().message();
  return result->exit_code == 0 ? "" : result->output;
}

TEST(Junit, ValidAgainstTheJunitSchemaForEveryKindOfRun) {
  nemesis::SpawnRunner runner;
  const bool has_xmllint = nemesis::RunChecked(runner, {"xmllint", "--version"}).ok();
  SPLITBRAIN_REQUIRE(has_xmllint, "no xmllint (ci/setup.sh --tests installs libxml2-utils)");
  Json checks = Json::object();
  checks["linearizable"] = {{"verdict", "invalid"}, {"summary", "key k3: read <4> & more"}};
  checks["election-safety"] = {{"verdict", "valid"}, {"summary", "ok"}};
  checks["failover"] = {{"verdict", "unknown"}, {"summary", "a fault never ended\n(line 7)"}};
  const Json invalid = {{"name", "refdb-register"}, {"run_id", "0a1b2c3d"}, {"verdict", "invalid"},
                        {"exit_code", 1},           {"elapsed_s", 21.5},    {"checks", checks}};
  EXPECT_EQ(SchemaErrors(JunitXml(R(invalid), S(Spec()), "2026-11-26T23:37:07Z")), "");
  const Json failed = {{"name", "t"},
                       {"verdict", "run-failed"},
                       {"exit_code", 3},
                       {"phase", "backend up"},
                       {"error", "docker: \x01 not answering"}};
  EXPECT_EQ(SchemaErrors(JunitXml(R(failed), std::nullopt, "2026-11-26T23:37:07Z")), "");
  // The schema check itself can fail: a testcase without its classname is refused.
  EXPECT_NE(SchemaErrors("<?xml version=\"1.0\"?><testsuites><testsuite name=\"s\" tests=\"1\" "
                         "failures=\"0\" errors=\"0\" time=\"1\" "
                         "timestamp=\"2026-11-26T23:37:07Z\" hostname=\"h\">"
                         "<testcase name=\"c\" time=\"0\"/></testsuite></testsuites>"),
            "");
}

TEST(ReproduceCommand, RepeatsTheRunWithItsSeedAndTheBackendItUsed) {
  EXPECT_EQ(report::ReproduceCommand(*S(Spec())),
            "splitbrain run --name refdb-register --db refdb --backend netns --nodes 3 "
            "--workload register --concurrency 10 --time-limit 20s --nemesis kill,partition-leader "
            "--nemesis-interval 5s --db-bug stale-reads --max-failover 5s --max-recovery 5s "
            "--seed 42 --store store");
  RunSpec odd;
  odd.name = "it's here";
  odd.nemesis.clear();
  EXPECT_EQ(
      report::ReproduceCommand(odd).rfind("splitbrain run --name 'it'\\''s here' --db refdb", 0),
      0u);
}

}  // namespace
}  // namespace orchestrator
