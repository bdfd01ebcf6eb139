#include "orchestrator/cli/merge_command.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/testing/prerequisite.h"
#include "nemesis/command_runner.h"
#include "orchestrator/store/exit_code.h"

namespace orchestrator {
namespace {

namespace fs = std::filesystem;

const fs::path kSampleRuns = REPORT_TESTDATA_DIR;

struct MergeOutput {
  int code;
  std::string out;
  std::string err;
};

MergeOutput Merge(const std::vector<std::string>& args) {
  std::ostringstream out;
  std::ostringstream err;
  const int code = RunMergeCommand(args, out, err);
  return {code, out.str(), err.str()};
}

std::string ReadText(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

size_t Occurrences(const std::string& text, const std::string& what) {
  size_t count = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++count;
  return count;
}

class MergeCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("merge_command_test_" + std::to_string(getpid()));
    fs::remove_all(root_);
    // Two shards: the report's sample valid run in one, its invalid run in the other.
    Place("valid-run", "shard1", "20261207T010000Z");
    Place("invalid-run", "shard2", "20261207T020000Z");
  }
  void TearDown() override { fs::remove_all(root_); }

  void Place(const std::string& sample, const std::string& shard, const std::string& stamp) {
    const fs::path to = root_ / shard / "refdb-register" / stamp;
    fs::create_directories(to.parent_path());
    fs::copy(kSampleRuns / sample, to, fs::copy_options::recursive);
  }

  fs::path root_;
};

TEST_F(MergeCommandTest, TwoShardsBecomeOneStoreWithOneIndexAndOneJunitFile) {
  const fs::path into = root_ / "merged";
  const MergeOutput run =
      Merge({"--into", into.string(), (root_ / "shard1").string(), (root_ / "shard2").string()});
  ASSERT_EQ(run.code, kExitValid) << run.err;
  EXPECT_NE(run.out.find("[2/2]"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("2 run(s) copied, 0 already there"), std::string::npos) << run.out;
  // The index lists each run once.
  const std::string index = ReadText(into / "index.html");
  EXPECT_EQ(Occurrences(index, "refdb-register/20261207T010000Z/results.json"), 1u);
  EXPECT_EQ(Occurrences(index, "refdb-register/20261207T020000Z/results.json"), 1u);
  // One JUnit file: a testsuite per run, oldest first, the invalid run's failures counted.
  const std::string junit = ReadText(into / "junit.xml");
  EXPECT_EQ(Occurrences(junit, "<testsuite "), 2u) << junit;
  EXPECT_LT(junit.find("2026-12-07T01:00:00Z"), junit.find("2026-12-07T02:00:00Z")) << junit;
  EXPECT_NE(junit.find("4ac7b978"), std::string::npos);  // the valid run's id
  EXPECT_NE(junit.find("a308af09"), std::string::npos);  // the invalid run's id
  EXPECT_NE(junit.find("<failure"), std::string::npos);
  // Merging again adds nothing.
  const MergeOutput again =
      Merge({"--into", into.string(), (root_ / "shard1").string(), (root_ / "shard2").string()});
  ASSERT_EQ(again.code, kExitValid) << again.err;
  EXPECT_NE(again.out.find("0 run(s) copied, 2 already there"), std::string::npos) << again.out;
  EXPECT_EQ(Occurrences(ReadText(into / "junit.xml"), "<testsuite "), 2u);
}

TEST_F(MergeCommandTest, TheMergedJunitFileFollowsTheJunitSchema) {
  nemesis::SpawnRunner runner(std::chrono::seconds(30));
  SPLITBRAIN_REQUIRE(nemesis::RunChecked(runner, {"xmllint", "--version"}).ok(),
                     "no xmllint (ci/setup.sh --tests installs libxml2-utils)");
  const fs::path into = root_ / "merged";
  ASSERT_EQ(
      Merge({"--into", into.string(), (root_ / "shard1").string(), (root_ / "shard2").string()})
          .code,
      kExitValid);
  auto linted = runner.Run({"xmllint", "--noout", "--schema", (kSampleRuns / "junit.xsd").string(),
                            (into / "junit.xml").string()});
  ASSERT_TRUE(linted.ok()) << linted.status().message();
  EXPECT_EQ(linted->exit_code, 0) << linted->output;
}

TEST_F(MergeCommandTest, BadArgumentsAndConflictingRunsAreRefused) {
  EXPECT_EQ(Merge({}).code, kExitBadInput);
  EXPECT_NE(Merge({(root_ / "shard1").string()}).err.find("no --into STORE given"),
            std::string::npos);
  EXPECT_NE(Merge({"--into", (root_ / "m").string()}).err.find("no source store given"),
            std::string::npos);
  EXPECT_NE(Merge({"--into"}).err.find("--into needs a store folder"), std::string::npos);
  EXPECT_NE(Merge({"--into", (root_ / "m").string(), "--fast", (root_ / "shard1").string()})
                .err.find("unknown flag --fast"),
            std::string::npos);
  // The invalid run again in a third shard, under the valid run's id: a conflict.
  Place("invalid-run", "shard3", "20261207T030000Z");
  const fs::path spec = root_ / "shard3" / "refdb-register" / "20261207T030000Z" / "spec.json";
  std::string text = ReadText(spec);
  text.replace(text.find("a308af09"), 8, "4ac7b978");
  std::ofstream(spec) << text;
  const MergeOutput conflict = Merge(
      {"--into", (root_ / "m").string(), (root_ / "shard1").string(), (root_ / "shard3").string()});
  EXPECT_EQ(conflict.code, kExitBadInput);
  EXPECT_NE(conflict.err.find("run id 4ac7b978 stands for two different runs"), std::string::npos)
      << conflict.err;
  EXPECT_FALSE(fs::exists(root_ / "m" / "refdb-register"));
}

}  // namespace
}  // namespace orchestrator
