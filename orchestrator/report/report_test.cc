#include "orchestrator/report/report.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "common/testing/prerequisite.h"
#include "orchestrator/cli/check_command.h"
#include "orchestrator/cli/report_command.h"
#include "orchestrator/report/report_page.h"
#include "orchestrator/report/test_store.h"

namespace orchestrator::report {
namespace {

namespace fs = std::filesystem;

struct Cli {
  int code = 0;
  std::string out;
  std::string err;
};

Cli Report(const std::vector<std::string>& args) {
  std::ostringstream out;
  std::ostringstream err;
  const int code = RunReportCommand(args, out, err);
  return {code, out.str(), err.str()};
}

Cli Check(const std::vector<std::string>& args) {
  std::ostringstream out;
  std::ostringstream err;
  const int code = RunCheckCommand(args, out, err);
  return {code, out.str(), err.str()};
}

// The page, or "" (and a test failure) when it cannot be written.
std::string RunReport(const fs::path& dir) {
  const common::Status status = WriteRunReport(dir);
  EXPECT_TRUE(status.ok()) << status.message();
  return ReadFile(dir / "report.html");
}

size_t Count(const std::string& text, const std::string& part) {
  size_t count = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++count;
  return count;
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// What a page may not hold: anything that makes a browser fetch from elsewhere.
void ExpectSelfContained(const std::string& html) {
  EXPECT_FALSE(Contains(html, "http:"));
  EXPECT_FALSE(Contains(html, "https:"));
  EXPECT_FALSE(Contains(html, "src="));
  EXPECT_FALSE(Contains(html, "@import"));
  EXPECT_FALSE(std::regex_search(html, std::regex(R"((href|src|action)\s*=\s*["']?\s*//)")));
  EXPECT_FALSE(std::regex_search(html, std::regex(R"(url\(\s*["']?[a-z]+:)")));
}

// Every <script ...> the page opens: only the JSON data block and the one inline script.
void ExpectOnlyOwnScripts(const std::string& html) {
  const std::regex open_tag(R"(<script\b[^>]*>)", std::regex::icase);
  std::vector<std::string> tags;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), open_tag);
       it != std::sregex_iterator(); ++it) {
    tags.push_back(it->str());
  }
  ASSERT_EQ(tags.size(), 2u);
  EXPECT_EQ(tags[0], "<script type=\"application/json\" id=\"report-data\">");
  EXPECT_EQ(tags[1], "<script>");
}

TEST(RunReport, HasEverySectionOfAValidRun) {
  Store store;
  const fs::path dir = store.AddRun("valid-run", "refdb-register", "20261126T233024Z");
  const std::string html = RunReport(dir);
  for (const char* id : {"verdict", "failover", "timeline", "leaders", "ops", "latency",
                         "throughput", "report-data"}) {
    EXPECT_TRUE(Contains(html, "id=\"" + std::string(id) + "\"")) << id;
  }
  EXPECT_FALSE(Contains(html, "id=\"counterexample\""));
  EXPECT_LT(html.find("id=\"verdict\""), html.find("id=\"failover\""));
  EXPECT_LT(html.find("id=\"failover\""), html.find("id=\"timeline\""));
  EXPECT_TRUE(Contains(html, "<span class=\"badge valid big\">valid</span>"));
  EXPECT_TRUE(Contains(html, "<dt>seed</dt><dd>1933706336</dd>"));
  EXPECT_TRUE(Contains(
      html,
      "splitbrain run --name refdb-register --db refdb --backend netns --nodes 5 "
      "--workload register --concurrency 10 --time-limit 15s --nemesis "
      "kill,partition-leader --nemesis-interval 4s --max-failover 5s --max-recovery 5s --seed "
      "1933706336 --store /tmp/rep-store"));
  EXPECT_TRUE(Contains(html, "<td>kill</td><td>n3</td>"));  // the failover row, with targets
  EXPECT_TRUE(Contains(html, "0.241 s"));                   // time to the new leader
  for (const char* link :
       {"history.jsonl", "results.json", "nodes/n1/node.log", "nodes/n5/events.jsonl"}) {
    EXPECT_TRUE(Contains(html, "href=\"" + std::string(link) + "\"")) << link;
  }
  ExpectSelfContained(html);
  ExpectOnlyOwnScripts(html);
}

TEST(RunReport, InvalidRunLinksTheVerdictToTheCounterexample) {
  Store store;
  const fs::path dir = store.AddRun("invalid-run", "refdb-register", "20261126T233052Z");
  const std::string html = RunReport(dir);
  EXPECT_TRUE(Contains(html, "<span class=\"badge invalid big\">invalid</span>"));
  EXPECT_TRUE(Contains(html, "<a href=\"#counterexample\">"));
  ASSERT_TRUE(Contains(html, "<section id=\"counterexample\">"));
  EXPECT_TRUE(Contains(html, "id=\"cx-chart\""));
  EXPECT_TRUE(Contains(html, "--db-bug stale-reads"));
  // The failed read, what it returned, and what it could have seen: the register held 0 and
  // the overlapping writes wrote 0, 1 and 4; nobody wrote 2.
  EXPECT_TRUE(Contains(html, "<code>r3: read() -&gt; 2</code>"));
  EXPECT_TRUE(Contains(html, "<dt>it returned</dt><dd><code>2</code>"));
  EXPECT_TRUE(Contains(html,
                       "<dt>values written by operations overlapping it</dt><dd><code>0, 1, "
                       "4</code>"));
  EXPECT_TRUE(Contains(html, "{&quot;r3&quot;:0}"));  // the state the linearization reached
  ExpectSelfContained(html);
}

TEST(RunReport, EscapesEveryValueFromTheRunFiles) {
  Store store;
  const std::string evil = "<script>alert(1)</script>";
  const fs::path dir = store.root() / "xss" / "20261126T000000Z";
  WriteFile(dir / "spec.json", nlohmann::json({{"name", "<script>"},
                                               {"db", "refdb"},
                                               {"nemesis", {evil}},
                                               {"seed", 7},
                                               {"store", "\"'><!--"}})
                                   .dump());
  WriteFile(dir / "results.json",
            nlohmann::json({{"verdict", "invalid"},
                            {"run_id", evil},
                            {"name", evil},
                            {"checks", {{evil, {{"verdict", "invalid"}, {"summary", evil}}}}}})
                .dump());
  WriteFile(dir / "history.jsonl",
            "{\"index\":0,\"time_ns\":1000,\"process\":0,\"type\":\"invoke\",\"f\":\"<script>\","
            "\"key\":\"<script>alert(1)</script>\",\"value\":\"<script>alert(1)</script>\"}\n"
            "{\"index\":1,\"time_ns\":2000,\"process\":0,\"type\":\"ok\",\"f\":\"<script>\","
            "\"key\":\"</script><!--\",\"value\":\"</script><script>alert(1)</script>\"}\n"
            "{\"index\":2,\"time_ns\":3000,\"process\":\"<script>alert(1)</script>\","
            "\"type\":\"info\",\"f\":\"<script>\",\"value\":\"<b>\"}\n"
            "{\"index\":3,\"time_ns\":4000,\"process\":\"nemesis\",\"type\":\"info\","
            "\"f\":\"<script>alert(1)</script>\",\"value\":{\"phase\":\"start\",\"id\":1,"
            "\"targets\":[1]}}\n");
  WriteFile(dir / "nodes" / "<script>" / "node.log", evil);
  store.PointLatestAt(dir);
  const std::string html = RunReport(dir);
  ExpectOnlyOwnScripts(html);
  EXPECT_FALSE(Contains(html, "<script>alert"));
  EXPECT_EQ(Count(html, "</script"), 2u);  // the data block's and the script's own ends
  EXPECT_FALSE(Contains(html, "<!--"));
  EXPECT_FALSE(Contains(html, "<b>"));
  EXPECT_TRUE(Contains(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_TRUE(Contains(html, "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e"));
  EXPECT_TRUE(Contains(html, "href=\"nodes/%3Cscript%3E/node.log\""));
  ExpectSelfContained(html);

  ASSERT_TRUE(WriteStoreIndex(store.root()).ok());
  const std::string index = ReadFile(store.root() / "index.html");
  EXPECT_FALSE(Contains(index, "<script"));
  EXPECT_TRUE(Contains(index, "&lt;script&gt;alert(1)&lt;/script&gt;"));
  ExpectSelfContained(index);

  // A verdict that is none of the four is not drawn at all: the file is refused, naming it.
  WriteFile(dir / "results.json", nlohmann::json({{"verdict", evil}}).dump());
  const common::Status refused = WriteRunReport(dir);
  EXPECT_EQ(refused.code(), common::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(refused.message(), "results.json: verdict:")) << refused.message();
}

// A run history of `ops` writes by 10 processes (every 97th times out) with a status sample
// per 100 ops, built in memory: parsing a file this size is the checker's cost, not the report's.
checker::History LargeHistory(int ops) {
  checker::History history{.source = "large"};
  int64_t index = 0;
  auto add = [&](checker::Event e) {
    e.index = index++;
    history.events.push_back(std::move(e));
  };
  for (int i = 0; i < ops; ++i) {
    const int64_t t = int64_t{i} * 100'000;
    const checker::Process process = checker::Process::Client(i % 10);
    const nlohmann::json key = "k" + std::to_string(i % 50);
    add({.time_ns = t, .process = process, .f = "write", .key = key, .value = i});
    add({.time_ns = t + 900'000 + int64_t{i % 7} * 100'000,
         .process = process,
         .type = i % 97 == 0 ? checker::EventType::kInfo : checker::EventType::kOk,
         .f = "write",
         .key = key,
         .value = i});
    if (i % 100 == 0) {
      add({.time_ns = t,
           .process = checker::Process::Named("status"),
           .type = checker::EventType::kInfo,
           .f = "status",
           .value = {{"node", i / 100 % 3 + 1}, {"role", "leader"}, {"term", 1}, {"applied", 1}}});
    }
  }
  return history;
}

TEST(RunReport, AggregatesAHundredThousandOperationsIntoABoundedPage) {
  const checker::History history = LargeHistory(100'000);
  const std::string html =
      RenderReportPage({.title = "large", .verdict = "valid", .is_run = true, .history = &history});
  EXPECT_LT(html.size(), 1'500'000u);
  EXPECT_TRUE(Contains(html, "100000 operations: more than 30000"));
  EXPECT_TRUE(Contains(html, "\"mode\":\"binned\""));
  EXPECT_TRUE(Contains(html, "points drawn (every"));
  ExpectSelfContained(html);
  ExpectOnlyOwnScripts(html);
}

TEST(RunReport, RunThatFailedEarlyGetsAPageWithItsError) {
  Store store;
  const fs::path dir = store.root() / "t" / "20261126T000000Z";
  WriteFile(dir / "results.json",
            R"({"verdict":"run-failed","phase":"backend up","error":"no docker"})");
  const std::string html = RunReport(dir);
  EXPECT_TRUE(Contains(html, "the run failed during backend up: no docker"));
  EXPECT_TRUE(Contains(html, "history.jsonl is missing"));
  EXPECT_FALSE(Contains(html, "id=\"timeline\""));
}

TEST(ReportCommand, MissingFolderExitsBadInput) {
  const Cli cli = Report({"/nonexistent/splitbrain/run"});
  EXPECT_EQ(cli.code, 254);
  EXPECT_TRUE(Contains(cli.err, "/nonexistent/splitbrain/run: no such run folder")) << cli.err;
}

TEST(ReportCommand, NoArgumentExitsBadInput) { EXPECT_EQ(Report({}).code, 254); }

TEST(ReportCommand, CorruptResultsExitBadInput) {
  Store store;
  const fs::path dir = store.AddRun("valid-run", "t", "20261126T000000Z");
  WriteFile(dir / "results.json", "{\"verdict\": ");
  const Cli cli = Report({dir.string()});
  EXPECT_EQ(cli.code, 254);
  EXPECT_TRUE(Contains(cli.err, "results.json: not valid JSON")) << cli.err;
}

TEST(ReportCommand, CorruptHistoryExitsBadInputNamingTheLine) {
  Store store;
  const fs::path dir = store.AddRun("valid-run", "t", "20261126T000000Z");
  WriteFile(dir / "history.jsonl",
            "{\"index\":0,\"process\":0,\"type\":\"invoke\",\"f\":\"r\"}\n{");
  const Cli cli = Report({dir.string()});
  EXPECT_EQ(cli.code, 254);
  EXPECT_TRUE(Contains(cli.err, "history.jsonl:2")) << cli.err;
}

TEST(ReportCommand, WritesTheReportAndTheIndexThroughLatest) {
  Store store;
  store.AddRun("valid-run", "refdb-register", "20261126T233024Z");
  store.AddRun("invalid-run", "refdb-register", "20261126T233052Z");
  const Cli cli = Report({(store.root() / "latest").string()});
  ASSERT_EQ(cli.code, 0) << cli.err;
  EXPECT_TRUE(fs::exists(store.root() / "refdb-register" / "20261126T233052Z" / "report.html"));
  const std::string index = ReadFile(store.root() / "index.html");
  // Newest first; the older run has no report yet, so it links its results.
  const size_t newer = index.find("2026-11-26 23:30:52 UTC");
  const size_t older = index.find("2026-11-26 23:30:24 UTC");
  ASSERT_NE(newer, std::string::npos);
  ASSERT_NE(older, std::string::npos);
  EXPECT_LT(newer, older);
  EXPECT_TRUE(Contains(index, "href=\"refdb-register/20261126T233052Z/report.html\""));
  EXPECT_TRUE(Contains(index, "href=\"refdb-register/20261126T233024Z/results.json\""));
  EXPECT_TRUE(Contains(index, "refdb (bugs: stale-reads)"));
  EXPECT_TRUE(Contains(index, "kill, partition-leader"));
  EXPECT_TRUE(Contains(index, "0.241 s"));  // the valid run's failover median
  EXPECT_TRUE(Contains(index, "<span class=\"badge invalid\">invalid</span>"));
  ExpectSelfContained(index);
}

TEST(ReportCommand, FolderOutsideAStoreGetsAReportButNoIndex) {
  Store store;
  const fs::path dir = store.root() / "a" / "b";
  fs::create_directories(dir.parent_path());
  fs::copy(Testdata() / "valid-run", dir, fs::copy_options::recursive);
  const Cli cli = Report({dir.string()});
  EXPECT_EQ(cli.code, 0) << cli.err;
  EXPECT_TRUE(fs::exists(dir / "report.html"));
  EXPECT_FALSE(fs::exists(store.root() / "index.html"));
  EXPECT_TRUE(Contains(cli.out, "no index written")) << cli.out;
}

TEST(CheckHtml, DrawsAnExternalHistoryWithItsCounterexample) {
  const std::string path =
      std::string(SPLITBRAIN_SHARED_DIR) + "/histories/porcupine/test_data/jepsen/etcd_000.log";
  SPLITBRAIN_REQUIRE(fs::exists(path), "no shared corpus: " << path << " is not there");
  Store store;
  const fs::path out = store.root() / "etcd_000.html";
  const Cli cli = Check({"--html", out.string(), path});
  EXPECT_EQ(cli.code, kExitInvalid) << cli.err;
  const std::string html = ReadFile(out);
  for (const char* id : {"verdict", "timeline", "ops", "throughput", "counterexample"}) {
    EXPECT_TRUE(Contains(html, "id=\"" + std::string(id) + "\"")) << id;
  }
  EXPECT_FALSE(Contains(html, "id=\"failover\""));
  EXPECT_FALSE(Contains(html, "id=\"leaders\""));
  EXPECT_TRUE(Contains(html, "the history has no timestamps: the axis is event index"));
  EXPECT_TRUE(Contains(html, "splitbrain check --format porcupine-etcd --model cas-register"));
  ExpectSelfContained(html);
  ExpectOnlyOwnScripts(html);
}

TEST(CheckHtml, NeedsExactlyOneFile) {
  const Cli cli = Check({"--html", "/tmp/x.html", "a.jsonl", "b.jsonl"});
  EXPECT_EQ(cli.code, kExitBadInput);
  EXPECT_TRUE(Contains(cli.err, "--html draws one history")) << cli.err;
}

}  // namespace
}  // namespace orchestrator::report
