#include "orchestrator/store/merge.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>

namespace orchestrator {
namespace {

namespace fs = std::filesystem;

std::string Read(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void Write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

class MergeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("merge_test_" + std::to_string(getpid()));
    fs::remove_all(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  // A run folder STORE/<test>/<stamp>/ with a spec naming `id`, results and a node log.
  fs::path AddRun(const std::string& store, const std::string& test, const std::string& stamp,
                  const std::string& id, const std::string& verdict = "valid") {
    const fs::path run = root_ / store / test / stamp;
    Write(run / "spec.json", R"({"run-id": ")" + id + R"(", "db": "refdb"})");
    Write(run / "results.json", R"({"verdict": ")" + verdict + R"("})");
    Write(run / "history.jsonl", "{\"run\": \"" + id + "\"}\n");
    Write(run / "nodes" / "n1" / "node.log", "log of " + id + "\n");
    return run;
  }

  // Run ids of every run in `store`.
  std::multiset<std::string> Ids(const fs::path& store) {
    std::multiset<std::string> ids;
    for (const RunDir& run : ListRuns(store)) {
      auto id = RunIdOf(run);
      EXPECT_TRUE(id.ok()) << id.status().message();
      if (id.ok()) ids.insert(*id);
    }
    return ids;
  }

  fs::path root_;
};

TEST_F(MergeTest, EveryRunOfEveryShardLandsOnceAndLatestIsTheNewest) {
  AddRun("shard1", "kill", "20261207T010000Z", "a1");
  AddRun("shard1", "partition", "20261207T010200Z", "a2");
  AddRun("shard2", "kill", "20261207T010100Z", "b1");
  AddRun("shard2", "pause", "20261207T010300Z", "b2");
  const fs::path into = root_ / "merged";
  int calls = 0;
  auto merged =
      MergeStores(into, {root_ / "shard1", root_ / "shard2"}, [&calls](const MergeProgress& p) {
        ++calls;
        EXPECT_EQ(p.total, 4);
        EXPECT_EQ(p.done, calls);
        EXPECT_FALSE(p.copied.empty());
      });
  ASSERT_TRUE(merged.ok()) << merged.status().message();
  EXPECT_EQ(merged->copied, 4);
  EXPECT_EQ(merged->already_there, 0);
  EXPECT_EQ(merged->runs_in_store, 4);
  EXPECT_EQ(calls, 4);
  EXPECT_EQ(Ids(into), (std::multiset<std::string>{"a1", "a2", "b1", "b2"}));
  // Whole folders, node logs included.
  EXPECT_EQ(Read(into / "kill" / "20261207T010100Z" / "nodes" / "n1" / "node.log"), "log of b1\n");
  EXPECT_EQ(fs::canonical(into / "latest"), fs::canonical(into / "pause" / "20261207T010300Z"));
  // No partial copies are left beside the runs.
  for (const auto& entry : fs::recursive_directory_iterator(into)) {
    EXPECT_EQ(entry.path().filename().string().find(".merging"), std::string::npos) << entry.path();
  }
}

TEST_F(MergeTest, MergingAgainCopiesNothingTwice) {
  AddRun("shard1", "kill", "20261207T010000Z", "a1");
  AddRun("shard2", "kill", "20261207T010100Z", "b1");
  const fs::path into = root_ / "merged";
  ASSERT_TRUE(MergeStores(into, {root_ / "shard1"}).ok());
  auto again = MergeStores(into, {root_ / "shard1", root_ / "shard2"});
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->copied, 1);
  EXPECT_EQ(again->already_there, 1);
  EXPECT_EQ(Ids(into), (std::multiset<std::string>{"a1", "b1"}));
}

TEST_F(MergeTest, TheSameRunInTwoSourcesLandsOnce) {
  AddRun("shard1", "kill", "20261207T010000Z", "a1");
  fs::copy(root_ / "shard1", root_ / "copy", fs::copy_options::recursive);
  auto merged = MergeStores(root_ / "merged", {root_ / "shard1", root_ / "copy"});
  ASSERT_TRUE(merged.ok()) << merged.status().message();
  EXPECT_EQ(merged->copied, 1);
  EXPECT_EQ(merged->already_there, 1);
  EXPECT_EQ(Ids(root_ / "merged"), (std::multiset<std::string>{"a1"}));
}

TEST_F(MergeTest, DifferentRunsThatStartedInTheSameSecondKeepBothFolders) {
  AddRun("shard1", "kill", "20261207T010000Z", "a1");
  AddRun("shard2", "kill", "20261207T010000Z", "b1");
  auto merged = MergeStores(root_ / "merged", {root_ / "shard1", root_ / "shard2"});
  ASSERT_TRUE(merged.ok()) << merged.status().message();
  EXPECT_EQ(Ids(root_ / "merged"), (std::multiset<std::string>{"a1", "b1"}));
  EXPECT_TRUE(fs::is_directory(root_ / "merged" / "kill" / "20261207T010000Z-2"));
}

TEST_F(MergeTest, OneRunIdForTwoDifferentRunsIsRefusedBeforeAnythingIsCopied) {
  AddRun("shard1", "kill", "20261207T010000Z", "b0");
  AddRun("shard1", "kill", "20261207T010100Z", "same");
  AddRun("shard2", "kill", "20261207T010100Z", "same", "invalid");
  auto merged = MergeStores(root_ / "merged", {root_ / "shard1", root_ / "shard2"});
  ASSERT_FALSE(merged.ok());
  EXPECT_EQ(merged.status().code(), common::StatusCode::kInvalidArgument);
  EXPECT_NE(merged.status().message().find("run id same stands for two different runs"),
            std::string::npos)
      << merged.status().message();
  EXPECT_TRUE(ListRuns(root_ / "merged").empty());
}

TEST_F(MergeTest, SourcesThatAreNotStoresOrRunsWithoutIdsAreRefused) {
  fs::create_directories(root_ / "empty");
  auto empty = MergeStores(root_ / "merged", {root_ / "empty"});
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("holds no runs"), std::string::npos);
  auto missing = MergeStores(root_ / "merged", {root_ / "nowhere"});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("no such store"), std::string::npos);
  const fs::path run = AddRun("noid", "kill", "20261207T010000Z", "x");
  Write(run / "spec.json", R"({"db": "refdb"})");
  auto no_id = MergeStores(root_ / "merged", {root_ / "noid"});
  ASSERT_FALSE(no_id.ok());
  EXPECT_NE(no_id.status().message().find("names no run id"), std::string::npos);
  Write(run / "spec.json", "{not json");
  EXPECT_FALSE(MergeStores(root_ / "merged", {root_ / "noid"}).ok());
  AddRun("shard1", "kill", "20261207T010000Z", "a1");
  auto itself = MergeStores(root_ / "shard1", {root_ / "shard1"});
  ASSERT_FALSE(itself.ok());
  EXPECT_NE(itself.status().message().find("the destination itself"), std::string::npos);
}

}  // namespace
}  // namespace orchestrator
