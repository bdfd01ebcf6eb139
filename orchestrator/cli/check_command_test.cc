#include "orchestrator/cli/check_command.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/testing/prerequisite.h"

namespace orchestrator {
namespace {

namespace fs = std::filesystem;

struct CliRun {
  int code;
  std::string out;
  std::string err;
};

CliRun Check(std::vector<std::string> args) {
  std::ostringstream out;
  std::ostringstream err;
  int code = RunCheckCommand(args, out, err);
  return {code, out.str(), err.str()};
}

// --- Every row of ../shared/histories/expected.tsv gives its expected verdict. ---

struct ExpectedRow {
  std::string path;
  std::string format;
  std::string expected;
};

void PrintTo(const ExpectedRow& row, std::ostream* os) { *os << row.path; }

std::vector<ExpectedRow> ReadExpectedRows() {
  std::vector<ExpectedRow> rows;
  std::ifstream tsv(std::string(SPLITBRAIN_SHARED_DIR) + "/histories/expected.tsv");
  std::string line;
  std::getline(tsv, line);  // header
  while (std::getline(tsv, line)) {
    std::istringstream fields(line);
    ExpectedRow row;
    std::getline(fields, row.path, '\t');
    std::getline(fields, row.format, '\t');
    std::getline(fields, row.expected, '\t');
    if (!row.path.empty()) rows.push_back(row);
  }
  return rows;
}

class ExpectedVerdicts : public testing::TestWithParam<ExpectedRow> {};

TEST_P(ExpectedVerdicts, MatchesTheKnownVerdict) {
  const ExpectedRow& row = GetParam();
  std::string path = std::string(SPLITBRAIN_SHARED_DIR) + "/histories/" + row.path;
  CliRun run = Check({"--json", path});
  ASSERT_NE(run.code, kExitBadInput) << run.err;
  auto doc = nlohmann::json::parse(run.out);
  if (doc["files"][0]["operations"] != 0) {  // an empty file reads as any format
    EXPECT_EQ(doc["files"][0]["format"], row.format);
  }
  EXPECT_EQ(run.code, row.expected == "linearizable" ? kExitValid : kExitInvalid) << run.out;
  if (row.path.find("/c50-") == std::string::npos && row.format == "porcupine-kv") {
    // Porcupine checks c01 and c10 unpartitioned too.
    EXPECT_EQ(Check({"--no-partition", path}).code, run.code);
  }
}

INSTANTIATE_TEST_SUITE_P(Shared, ExpectedVerdicts, testing::ValuesIn(ReadExpectedRows()),
                         [](const testing::TestParamInfo<ExpectedRow>& param_info) {
                           std::string name = fs::path(param_info.param.path).stem().string();
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(ExpectedVerdicts);

// Without the corpus the suite above has no instances; this says so (and fails under CI).
TEST(ExpectedVerdictsCorpus, IsThere) {
  SPLITBRAIN_REQUIRE(!ReadExpectedRows().empty(),
                     "no shared corpus at " SPLITBRAIN_SHARED_DIR "/histories/expected.tsv");
}

// --- Hand-written histories: checker/testdata/<model>/<what it shows>.<good|bad>.jsonl ---

TEST(HandWrittenHistories, EachGivesTheVerdictItsNameStates) {
  int checked = 0;
  for (const auto& dir : fs::directory_iterator(CHECKER_TESTDATA_DIR)) {
    if (!dir.is_directory()) continue;
    const std::string model = dir.path().filename().string();
    for (const auto& file : fs::directory_iterator(dir.path())) {
      const std::string name = file.path().filename().string();
      const bool good = name.find(".good.") != std::string::npos;
      ASSERT_TRUE(good || name.find(".bad.") != std::string::npos) << name;
      CliRun run = Check({"--model", model, file.path().string()});
      EXPECT_EQ(run.code, good ? kExitValid : kExitInvalid) << name << "\n" << run.out << run.err;
      ++checked;
    }
  }
  EXPECT_GE(checked, 10);
}

// --- Output and errors ---

TEST(CheckCommand, InvalidHistoryPrintsTheCounterexample) {
  CliRun run =
      Check({"--model", "register",
             std::string(CHECKER_TESTDATA_DIR) + "/register/stale_read_after_partition.bad.jsonl"});
  EXPECT_EQ(run.code, kExitInvalid);
  EXPECT_NE(run.out.find(": invalid"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("could not place: op 2  process 2  read() -> 1"), std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("smallest failing window"), std::string::npos) << run.out;
}

TEST(CheckCommand, JsonOutputCarriesTheCounterexampleAsData) {
  CliRun run =
      Check({"--json", "--model", "register",
             std::string(CHECKER_TESTDATA_DIR) + "/register/stale_read_after_partition.bad.jsonl"});
  auto doc = nlohmann::json::parse(run.out);
  EXPECT_EQ(doc["verdict"], "invalid");
  const auto& cx = doc["files"][0]["counterexample"];
  EXPECT_EQ(cx["failed_op"]["op"], "read() -> 1");
  EXPECT_EQ(cx["state_before_failure"], 2);
  EXPECT_FALSE(cx["window"].empty());
}

TEST(CheckCommand, BadFlagsAreRejectedWithTheReason) {
  CliRun run = Check({"--model", "queue", "x.jsonl"});
  EXPECT_EQ(run.code, kExitBadInput);
  EXPECT_NE(run.err.find("--model: unknown model \"queue\""), std::string::npos) << run.err;
  EXPECT_EQ(Check({"--time-limit", "soon", "x"}).code, kExitBadInput);
  EXPECT_EQ(Check({"--initial", "{", "x"}).code, kExitBadInput);
  EXPECT_EQ(Check({"--format", "csv", "x"}).code, kExitBadInput);
  EXPECT_EQ(Check({"--frobnicate", "x"}).code, kExitBadInput);
  EXPECT_EQ(Check({}).code, kExitBadInput);
  EXPECT_EQ(Check({"--memory-limit"}).code, kExitBadInput);
}

const std::string kGood =
    std::string(CHECKER_TESTDATA_DIR) + "/register/concurrent_read_sees_new_value.good.jsonl";
const std::string kBad =
    std::string(CHECKER_TESTDATA_DIR) + "/register/stale_read_after_partition.bad.jsonl";

TEST(CheckCommand, MissingFileIsBadInputAndOtherFilesAreStillChecked) {
  CliRun run = Check({"/nonexistent/h.jsonl", kGood});
  EXPECT_EQ(run.code, kExitBadInput);
  EXPECT_NE(run.err.find("/nonexistent/h.jsonl: cannot open"), std::string::npos) << run.err;
  EXPECT_NE(run.out.find(kGood + ": valid"), std::string::npos) << run.out;
}

// Exit-code precedence with several files (check_command.h): an invalid history is the answer
// even when another file could not be read, and the unreadable file is still named.
TEST(CheckCommand, InvalidWinsOverAnUnreadableFileWhichIsStillNamed) {
  for (const std::vector<std::string>& files :
       {std::vector<std::string>{"/nonexistent/h.jsonl", kBad},
        std::vector<std::string>{kBad, "/nonexistent/h.jsonl", kGood}}) {
    CliRun run = Check(files);
    EXPECT_EQ(run.code, kExitInvalid) << run.err;
    EXPECT_NE(run.out.find(kBad + ": invalid"), std::string::npos) << run.out;
    EXPECT_NE(run.err.find("/nonexistent/h.jsonl: cannot open"), std::string::npos) << run.err;
    EXPECT_NE(run.err.find("could not be checked: /nonexistent/h.jsonl"), std::string::npos)
        << run.err;
  }
  std::vector<std::string> args = {"--json", "/nonexistent/h.jsonl", kBad};
  CliRun json = Check(args);
  EXPECT_EQ(json.code, kExitInvalid) << json.err;
  auto doc = nlohmann::json::parse(json.out);
  EXPECT_EQ(doc["verdict"], "invalid");
  EXPECT_EQ(doc["exit_code"], kExitInvalid);
  EXPECT_EQ(doc["files"][0]["file"], "/nonexistent/h.jsonl");
  EXPECT_EQ(doc["files"][0]["verdict"], "error");
  EXPECT_EQ(doc["files"][1]["verdict"], "invalid");
}

TEST(CheckCommand, InvalidWinsOverAMalformedFileWhichIsNamedWithItsLine) {
  fs::path path = fs::temp_directory_path() / "splitbrain_check_malformed_and_invalid.jsonl";
  {
    std::ofstream f(path);
    f << R"({"index":0,"process":0,"type":"invoke","f":"read","value":null})"
      << "\n"
      << R"({"index":1,"process":0,"type":"done","f":"read","value":1})"
      << "\n";
  }
  CliRun run = Check({path.string(), kBad});
  fs::remove(path);
  EXPECT_EQ(run.code, kExitInvalid) << run.err;
  EXPECT_NE(run.err.find(path.string() + ":2: "), std::string::npos) << run.err;
}

TEST(CheckCommand, ValidFilesDoNotHideAnUnreadableOne) {
  CliRun run = Check({kGood, "/nonexistent/h.jsonl", kGood});
  EXPECT_EQ(run.code, kExitBadInput);
  EXPECT_NE(run.err.find("/nonexistent/h.jsonl"), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find("could not be checked"), std::string::npos) << run.err;
}

TEST(CheckCommand, MalformedHistoryNamesFileAndLine) {
  fs::path path = fs::temp_directory_path() / "splitbrain_check_malformed.jsonl";
  {
    std::ofstream f(path);
    f << R"({"index":0,"process":0,"type":"invoke","f":"read","value":null})"
      << "\n";
    f << R"({"index":1,"process":0,"type":"done","f":"read","value":1})"
      << "\n";
  }
  CliRun run = Check({path.string()});
  fs::remove(path);
  EXPECT_EQ(run.code, kExitBadInput);
  EXPECT_NE(run.err.find(path.string() + ":2: "), std::string::npos) << run.err;
}

}  // namespace
}  // namespace orchestrator
