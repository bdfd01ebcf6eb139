#include "orchestrator/report/coverage_matrix.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <string>

#include "orchestrator/report/report.h"
#include "orchestrator/report/test_store.h"

namespace orchestrator::report {
namespace {

using checker::CoverageRole;
using checker::CoverageState;
using checker::FaultCoverage;
using nlohmann::json;

constexpr char kHostile[] = "kill<script>alert(1)</script>";

FaultCoverage Sample(const std::string& fault, int64_t leader_steady) {
  FaultCoverage c;
  c.faults = leader_steady;
  c.cells[{.fault = fault, .role = CoverageRole::kLeader, .state = CoverageState::kSteady}] =
      leader_steady;
  return c;
}

int Occurrences(const std::string& text, const std::string& part) {
  int n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

// Adds `coverage` to the results.json of the run folder `dir`.
void SetCoverage(const fs::path& dir, const FaultCoverage& coverage) {
  json results = json::parse(ReadFile(dir / "results.json"));
  results["fault_coverage"] = coverage.ToJson();
  WriteFile(dir / "results.json", results.dump());
}

TEST(CoverageMatrix, EveryCellIsWrittenAndTheEmptyOnesMarked) {
  FaultCoverage c = Sample("kill", 3);
  c.cells[{.fault = "pause", .role = CoverageRole::kLagging, .state = CoverageState::kElecting}] =
      1;
  const std::string html = CoverageMatrixHtml(c, {.id = "m"});
  // 2 rows of 5 roles x 6 states; 2 cells hit.
  EXPECT_EQ(Occurrences(html, "<td class=\"num hit\""), 2);
  EXPECT_EQ(Occurrences(html, "<td class=\"num empty\""), 58);
  EXPECT_EQ(EmptyCoverageCells(c, {}), 58);
  EXPECT_NE(html.find("title=\"kill, leader, steady\">3</td>"), std::string::npos);
  EXPECT_NE(html.find("title=\"pause, lagging, electing\">1</td>"), std::string::npos);
  EXPECT_NE(html.find("58 of 60 cells empty"), std::string::npos);
  EXPECT_NE(html.find(">snapshot-transfer</th>"), std::string::npos);
}

TEST(CoverageMatrix, FaultsThatMissedEverythingStillGetARow) {
  const std::string html = CoverageMatrixHtml(FaultCoverage{}, {.id = "m", .faults = {"loss"}});
  EXPECT_NE(html.find("<th class=\"fault\">loss</th>"), std::string::npos);
  EXPECT_EQ(Occurrences(html, "<td class=\"num empty\""), 30);
  EXPECT_EQ(CoverageMatrixHtml(FaultCoverage{}, {.id = "m"}), "");
}

TEST(CoverageMatrix, EscapesFaultNamesAndTheId) {
  const std::string html = CoverageMatrixHtml(Sample(kHostile, 1), {.id = "a\"b"});
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_NE(html.find("kill&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("id=\"a&quot;b\""), std::string::npos);
}

TEST(CoverageMatrix, RunReportShowsTheRunsMatrix) {
  Store store;
  const fs::path dir = store.AddRun("valid-run", "refdb-register", "20261126T233024Z");
  SetCoverage(dir, Sample(kHostile, 2));
  ASSERT_TRUE(WriteRunReport(dir).ok());
  const std::string page = ReadFile(dir / "report.html");
  const size_t section = page.find("<section id=\"coverage\"><h2>Fault coverage</h2>");
  ASSERT_NE(section, std::string::npos);
  EXPECT_NE(page.find("<table class=\"coverage\" id=\"coverage-matrix\">", section),
            std::string::npos);
  EXPECT_NE(page.find(">2</td>", section), std::string::npos);
  EXPECT_EQ(page.find("<script>alert"), std::string::npos);
}

TEST(CoverageMatrix, RunWithoutCoverageHasNoSection) {
  Store store;
  const fs::path dir = store.AddRun("valid-run", "refdb-register", "20261126T233024Z");
  ASSERT_TRUE(WriteRunReport(dir).ok());
  EXPECT_EQ(ReadFile(dir / "report.html").find("id=\"coverage\""), std::string::npos);
}

TEST(CoverageMatrix, IndexSumsTheCoverageOfEveryRun) {
  Store store;
  SetCoverage(store.AddRun("valid-run", "refdb-register", "20261126T233024Z"), Sample("kill", 2));
  SetCoverage(store.AddRun("invalid-run", "refdb-register", "20261126T233052Z"), Sample("kill", 3));
  store.AddRun("valid-run", "refdb-register", "20261126T233099Z");  // no coverage recorded
  ASSERT_TRUE(WriteStoreIndex(store.root()).ok());
  const std::string index = ReadFile(store.root() / "index.html");
  EXPECT_NE(index.find("summed over the 2 runs"), std::string::npos);
  EXPECT_NE(index.find("title=\"kill, leader, steady\">5</td>"), std::string::npos);
  EXPECT_EQ(Occurrences(index, "<td class=\"num empty\""), 29);
  // After the runs table.
  EXPECT_LT(index.find("id=\"runs\""), index.find("id=\"coverage\""));
}

TEST(CoverageMatrix, IndexWithoutCoverageSaysSoAndEscapes) {
  Store store;
  store.AddRun("valid-run", "refdb-register", "20261126T233024Z");
  ASSERT_TRUE(WriteStoreIndex(store.root()).ok());
  EXPECT_NE(ReadFile(store.root() / "index.html").find("No run in this store recorded"),
            std::string::npos);
  SetCoverage(store.root() / "refdb-register" / "20261126T233024Z", Sample(kHostile, 1));
  ASSERT_TRUE(WriteStoreIndex(store.root()).ok());
  const std::string index = ReadFile(store.root() / "index.html");
  EXPECT_EQ(index.find("<script>alert"), std::string::npos);
  EXPECT_NE(index.find("kill&lt;script&gt;"), std::string::npos);
}

}  // namespace
}  // namespace orchestrator::report
