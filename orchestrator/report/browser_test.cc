// The report in a real browser: headless Chromium (Debian's `chromium`, which `ci/setup.sh
// --tests` installs) loads a run's report.html, an invalid run's report and the store index
// from file://, with every host name unresolvable. A test fails on any console message (the
// pages log nothing; an uncaught exception or a blocked load shows up as one), checks that the
// script drew each chart, and keeps a screenshot of each page in the build tree
// (build/<preset>/orchestrator/report/screenshots/) for people to look at.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "checker/fault_coverage.h"
#include "checker/formats.h"
#include "checker/run_history.h"
#include "common/testing/prerequisite.h"
#include "nemesis/command_runner.h"
#include "orchestrator/cli/check_command.h"
#include "orchestrator/report/report.h"
#include "orchestrator/report/synthetic_runs.h"
#include "orchestrator/report/test_store.h"

namespace orchestrator::report {
namespace {

std::string FindChromium() {
  for (const char* path : {"/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
    if (fs::exists(path)) return path;
  }
  return "";
}

struct Browser {
  std::string program;
  fs::path profile;  // a fresh profile per page: no state carries over

  // Loads `page` and returns what the browser printed: the DOM after the scripts ran (stdout)
  // and its log (stderr), interleaved. Also writes a screenshot to `screenshot`.
  std::string Load(const fs::path& page, const fs::path& screenshot) {
    const std::vector<std::string> common = {program,
                                             "--headless=new",
                                             "--no-sandbox",
                                             "--disable-gpu",
                                             "--hide-scrollbars",
                                             "--no-first-run",
                                             "--host-resolver-rules=MAP * ~NOTFOUND",
                                             "--enable-logging=stderr",
                                             "--v=0",
                                             "--window-size=1400,2400"};
    nemesis::SpawnRunner runner(std::chrono::seconds(60));
    std::vector<std::string> dump = common;
    dump.push_back("--user-data-dir=" + (profile / "dump").string());
    dump.push_back("--dump-dom");
    dump.push_back("file://" + page.string());
    auto dumped = runner.Run(dump);
    EXPECT_TRUE(dumped.ok()) << dumped.status().message();
    std::vector<std::string> shot = common;
    shot.push_back("--user-data-dir=" + (profile / "shot").string());
    shot.push_back("--screenshot=" + screenshot.string());
    shot.push_back("file://" + page.string());
    auto shown = runner.Run(shot);
    EXPECT_TRUE(shown.ok()) << shown.status().message();
    return dumped.ok() ? dumped->output : "";
  }
};

// Every line Chromium logged for the page's console (messages, uncaught errors, failed loads).
std::vector<std::string> ConsoleLines(const std::string& output) {
  std::vector<std::string> lines;
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    if (line.find(":CONSOLE") != std::string::npos) lines.push_back(line);
  }
  return lines;
}

// The markup from the element with `id` to the next of the page's sections or charts.
std::string Section(const std::string& dom, const std::string& id) {
  const size_t start = dom.find("id=\"" + id + "\"");
  if (start == std::string::npos) return "";
  size_t end = std::string::npos;
  for (const char* other : {"verdict", "failover", "timeline", "leaders", "tenures", "ops",
                            "latency", "throughput", "counterexample"}) {
    const size_t at = dom.find("id=\"" + std::string(other) + "\"", start + 1);
    if (other != id && at != std::string::npos) end = std::min(end, at);
  }
  return dom.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

void ExpectPng(const fs::path& path) {
  ASSERT_TRUE(fs::exists(path)) << path;
  EXPECT_GT(fs::file_size(path), 20'000u) << path << " looks blank";
  EXPECT_EQ(ReadFile(path).substr(0, 8), "\x89PNG\r\n\x1a\n");
}

class BrowserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    browser_.program = FindChromium();
    SPLITBRAIN_REQUIRE(!browser_.program.empty(), "no chromium (ci/setup.sh --tests installs it)");
    browser_.profile = store_.root() / "profile";
    fs::create_directories(kScreenshots);
  }

  const fs::path kScreenshots = SCREENSHOT_DIR;
  Store store_;
  Browser browser_;
};

TEST_F(BrowserTest, ValidRunReportDrawsEveryChartWithoutAConsoleMessage) {
  const fs::path run = store_.AddRun("valid-run", "refdb-register", "20261126T203000Z");
  ASSERT_TRUE(WriteRunReport(run).ok());
  const fs::path shot = kScreenshots / "valid-run.png";
  const std::string dom = browser_.Load(run / "report.html", shot);
  EXPECT_EQ(ConsoleLines(dom), std::vector<std::string>{});
  ASSERT_NE(dom.find("id=\"verdict\""), std::string::npos) << dom.substr(0, 2000);
  EXPECT_NE(Section(dom, "verdict").find("valid"), std::string::npos);
  EXPECT_NE(Section(dom, "failover").find("<table"), std::string::npos);
  // The script turned the embedded data into SVG in each chart.
  for (const char* chart : {"leaders", "ops", "latency", "throughput"}) {
    const std::string section = Section(dom, chart);
    EXPECT_NE(section.find("<svg"), std::string::npos) << chart;
    EXPECT_NE(section.find("<rect"), std::string::npos) << chart;
  }
  EXPECT_EQ(dom.find("id=\"counterexample\""), std::string::npos);
  ExpectPng(shot);
}

TEST_F(BrowserTest, InvalidRunReportDrawsTheCounterexample) {
  const fs::path run = store_.AddRun("invalid-run", "refdb-register", "20261126T204000Z");
  ASSERT_TRUE(WriteRunReport(run).ok());
  const fs::path shot = kScreenshots / "invalid-run.png";
  const std::string dom = browser_.Load(run / "report.html", shot);
  EXPECT_EQ(ConsoleLines(dom), std::vector<std::string>{});
  EXPECT_NE(Section(dom, "verdict").find("href=\"#counterexample\""), std::string::npos);
  const std::string counterexample = Section(dom, "counterexample");
  ASSERT_FALSE(counterexample.empty());
  EXPECT_NE(counterexample.find("<svg"), std::string::npos);
  ExpectPng(shot);
}

TEST_F(BrowserTest, StoreIndexListsBothRunsWithoutAConsoleMessage) {
  store_.AddRun("valid-run", "refdb-register", "20261126T203000Z");
  const fs::path invalid = store_.AddRun("invalid-run", "stale-reads", "20261126T204000Z");
  ASSERT_TRUE(WriteRunReport(invalid).ok());
  ASSERT_TRUE(WriteStoreIndex(store_.root()).ok());
  const fs::path shot = kScreenshots / "index.png";
  const std::string dom = browser_.Load(store_.root() / "index.html", shot);
  EXPECT_EQ(ConsoleLines(dom), std::vector<std::string>{});
  EXPECT_NE(dom.find("stale-reads"), std::string::npos);
  EXPECT_NE(dom.find("refdb-register"), std::string::npos);
  EXPECT_NE(dom.find("stale-reads/20261126T204000Z/report.html"), std::string::npos);
  ExpectPng(shot);
}

// Puts into the run's results.json the fault coverage of its own history, plus one hostile cell.
void RecordCoverage(const fs::path& run) {
  auto history =
      checker::ReadHistoryFile((run / "history.jsonl").string(), checker::Format::kJsonl);
  ASSERT_TRUE(history.ok()) << history.status().message();
  checker::FaultCoverage coverage =
      checker::ComputeFaultCoverage(checker::ReadRunHistory(std::move(*history)));
  ASSERT_GT(coverage.faults, 0);
  coverage.cells[{.fault = "kill<img src=x onerror=alert(1)>",
                  .role = checker::CoverageRole::kFollower,
                  .state = checker::CoverageState::kElecting}] = 1;
  nlohmann::json results = nlohmann::json::parse(ReadFile(run / "results.json"));
  results["fault_coverage"] = coverage.ToJson();
  WriteFile(run / "results.json", results.dump());
}

TEST_F(BrowserTest, StoreIndexDrawsTheFaultCoverageMatrixWithoutAConsoleMessage) {
  const fs::path run = store_.AddRun("valid-run", "refdb-register", "20261126T203000Z");
  RecordCoverage(run);
  ASSERT_TRUE(WriteRunReport(run).ok());
  ASSERT_TRUE(WriteStoreIndex(store_.root()).ok());
  for (const fs::path& page : {store_.root() / "index.html", run / "report.html"}) {
    const fs::path shot = kScreenshots / ("coverage-" + page.stem().string() + ".png");
    const std::string dom = browser_.Load(page, shot);
    EXPECT_EQ(ConsoleLines(dom), std::vector<std::string>{}) << page;
    const size_t matrix = dom.find("<table class=\"coverage\" id=\"coverage-matrix\">");
    ASSERT_NE(matrix, std::string::npos) << page;
    // The real run's kill of the leader (node 3), hit cells and empty ones.
    EXPECT_NE(dom.find("<th class=\"fault\">kill</th>", matrix), std::string::npos) << page;
    EXPECT_NE(dom.find("title=\"kill, leader, steady\">1</td>", matrix), std::string::npos);
    EXPECT_NE(dom.find("class=\"num hit\"", matrix), std::string::npos) << page;
    EXPECT_NE(dom.find("class=\"num empty\"", matrix), std::string::npos) << page;
    // The hostile name stayed text: no element was made of it.
    EXPECT_EQ(dom.find("<img"), std::string::npos) << page;
    EXPECT_NE(dom.find("kill&lt;img src=x onerror=alert(1)&gt;"), std::string::npos) << page;
    ExpectPng(shot);
  }
}

TEST_F(BrowserTest, ExternalHistoryReportDrawsOnAnEventAxis) {
  // A Porcupine etcd log (no timestamps, not linearizable) through `splitbrain check --html`.
  const std::string history =
      std::string(SPLITBRAIN_SHARED_DIR) + "/histories/porcupine/test_data/jepsen/etcd_000.log";
  SPLITBRAIN_REQUIRE(fs::exists(history), "no shared corpus: " << history << " is not there");
  std::ostringstream out;
  std::ostringstream err;
  const fs::path page = store_.root() / "etcd_000.html";
  EXPECT_EQ(RunCheckCommand({"--html", page.string(), history}, out, err), 1) << err.str();
  const fs::path shot = kScreenshots / "check-etcd_000.png";
  const std::string dom = browser_.Load(page, shot);
  EXPECT_EQ(ConsoleLines(dom), std::vector<std::string>{});
  for (const char* chart : {"ops", "throughput", "counterexample"}) {
    EXPECT_NE(Section(dom, chart).find("<svg"), std::string::npos) << chart;
  }
  ExpectPng(shot);
}

size_t Count(const std::string& text, const std::string& what) {
  size_t count = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++count;
  return count;
}

TEST_F(BrowserTest, StoreIndexDrawsTrendsOfFourNightsWithoutAConsoleMessage) {
  // Two tests over four nights (one with a hostile name), the last night's failover doubled,
  // and a real run without a night before them (its own night: the UTC day of its stamp).
  for (int night = 1; night <= 4; ++night) {
    for (const char* test : {"refdb-partitions", "etcd-<i>kill&\"x\""}) {
      char stamp[32];
      std::snprintf(stamp, sizeof stamp, "202612%02dT021700Z", night);
      WriteSyntheticRun(store_.root(),
                        {.test = test,
                         .stamp = stamp,
                         .night = "night-" + std::to_string(night),
                         .verdict = night == 2 ? RunVerdict::kInvalid : RunVerdict::kValid,
                         .failover_median_s = night == 4 ? 0.5 : 0.2 + 0.01 * night,
                         .ok_per_s = 800 + 10 * night});
    }
  }
  store_.AddRun("valid-run", "refdb-register", "20261130T030000Z");
  ASSERT_TRUE(WriteStoreIndex(store_.root()).ok());
  const fs::path shot = kScreenshots / "index-trends.png";
  const std::string dom = browser_.Load(store_.root() / "index.html", shot);
  EXPECT_EQ(ConsoleLines(dom), std::vector<std::string>{});
  const size_t start = dom.find("id=\"trends\"");
  ASSERT_NE(start, std::string::npos) << dom.substr(0, 2000);
  const std::string trends = dom.substr(start, dom.find("id=\"runs\"") - start);
  // Three tests with up to four charts each, and a verdict strip of five nights per test.
  EXPECT_EQ(Count(trends, "<tr data-test="), 3u) << trends;
  EXPECT_EQ(Count(trends, "class=\"verdict-strip\""), 3u);
  EXPECT_EQ(Count(trends, "<rect class="), 15u);
  EXPECT_GE(Count(trends, "class=\"sparkline\""), 8u);
  EXPECT_GE(Count(trends, "<polyline points=\""), 8u);
  EXPECT_NE(trends.find("etcd-&lt;i&gt;kill&amp;"), std::string::npos) << trends;
  EXPECT_EQ(trends.find("<i>kill"), std::string::npos);
  // The newest night doubled the failover median of both synthetic tests.
  const std::string regressions = trends.substr(trends.find("id=\"regressions\""));
  EXPECT_EQ(Count(regressions, "<li>"), 2u) << regressions;
  EXPECT_NE(regressions.find("refdb-partitions: failover median 220 ms → 500 ms"),
            std::string::npos)
      << regressions;
  ExpectPng(shot);
}

TEST(BrowserConsole, AConsoleMessageOrUncaughtErrorIsSeen) {
  // The check the tests above rely on: a page that throws is caught.
  const std::string program = FindChromium();
  SPLITBRAIN_REQUIRE(!program.empty(), "no chromium (ci/setup.sh --tests installs it)");
  Store store;
  WriteFile(store.root() / "bad.html",
            "<!doctype html><body><p id=x>x</p><script>undefinedFunction();</script></body>");
  Browser browser{program, store.root() / "profile"};
  const std::string out = browser.Load(store.root() / "bad.html", store.root() / "bad.png");
  const std::vector<std::string> lines = ConsoleLines(out);
  ASSERT_EQ(lines.size(), 1u) << out;
  EXPECT_NE(lines[0].find("undefinedFunction is not defined"), std::string::npos);
}

}  // namespace
}  // namespace orchestrator::report
