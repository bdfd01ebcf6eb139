#include "orchestrator/store/run_dir.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "orchestrator/store/atomic_file.h"

namespace orchestrator {
namespace {

namespace fs = std::filesystem;

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("store_test_" + std::to_string(getpid()));
    fs::remove_all(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_;
};

TEST_F(StoreTest, RunDirsAreTimestampedAndNeverReused) {
  const auto now = std::chrono::system_clock::from_time_t(1795800000);  // 2026-11-26T...
  auto a = RunDir::Create(root_, "refdb-register", now);
  auto b = RunDir::Create(root_, "refdb-register", now);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->root(), b->root());
  EXPECT_EQ(a->root().parent_path(), root_ / "refdb-register");
  EXPECT_EQ(a->test(), "refdb-register");
  EXPECT_EQ(a->stamp().size(), std::string("20261126T000000Z").size());
  EXPECT_EQ(b->stamp(), a->stamp() + "-2");
  EXPECT_TRUE(fs::is_directory(a->root()) && fs::is_directory(b->root()));
}

TEST_F(StoreTest, RunDirNamesEveryFileOfTheLayout) {
  const RunDir run(root_ / "t" / "20261126T000000Z");
  EXPECT_EQ(run.results(), run.root() / "results.json");
  EXPECT_EQ(run.history(), run.root() / "history.jsonl");
  EXPECT_EQ(run.node_log(3), run.root() / "nodes" / "n3" / "node.log");
  EXPECT_EQ(run.node_events(3), run.root() / "nodes" / "n3" / "events.jsonl");
  EXPECT_EQ(run.node_data(2), run.root() / "nodes" / "n2" / "data");
  EXPECT_EQ(run.node_ctl(2), run.root() / "nodes" / "n2" / "ctl");
  EXPECT_FALSE(RunDir::Open(root_ / "nowhere").ok());
}

TEST_F(StoreTest, ExistingFilesListsWhatIsThereNodesInOrder) {
  const RunDir run(root_ / "t" / "s");
  fs::create_directories(run.node(2));
  fs::create_directories(run.node(1));
  for (const fs::path& p :
       {run.results(), run.history(), run.node_log(2), run.node_log(1), run.node_events(1)}) {
    std::ofstream(p) << "x";
  }
  const std::vector<fs::path> want = {"results.json", "history.jsonl", "nodes/n1/node.log",
                                      "nodes/n1/events.jsonl", "nodes/n2/node.log"};
  EXPECT_EQ(run.ExistingFiles(), want);
}

TEST_F(StoreTest, ListRunsFindsRunFoldersButNotLatest) {
  auto a = RunDir::Create(root_, "t", std::chrono::system_clock::now());
  ASSERT_TRUE(a.ok());
  std::ofstream(a->spec()) << "{}";
  fs::create_directories(root_ / "t" / "not-a-run");
  ASSERT_TRUE(UpdateLatest(root_, *a).ok());
  const auto runs = ListRuns(root_);
  ASSERT_EQ(runs.size(), 1U);
  EXPECT_EQ(runs[0].root(), a->root());
  auto store = StoreOf(root_ / "latest");
  ASSERT_TRUE(store.ok()) << store.status().message();
  EXPECT_TRUE(fs::equivalent(*store, root_));
  EXPECT_FALSE(StoreOf(root_ / "t").ok());
}

TEST_F(StoreTest, LatestPointsAtTheNewestRunRelatively) {
  auto a = RunDir::Create(root_, "t", std::chrono::system_clock::now());
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(UpdateLatest(root_, *a).ok());
  EXPECT_TRUE(fs::is_symlink(root_ / "latest"));
  EXPECT_TRUE(fs::read_symlink(root_ / "latest").is_relative());
  EXPECT_TRUE(fs::equivalent(root_ / "latest", a->root()));
  auto b = RunDir::Create(root_, "u", std::chrono::system_clock::now());
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE(UpdateLatest(root_, *b).ok());
  EXPECT_TRUE(fs::equivalent(root_ / "latest", b->root()));
  EXPECT_FALSE(UpdateLatest(root_, RunDir("/elsewhere")).ok());
}

TEST_F(StoreTest, WriteFileAtomicallyReplacesContent) {
  fs::create_directories(root_);
  ASSERT_TRUE(WriteFileAtomically(root_ / "r.json", "one").ok());
  ASSERT_TRUE(WriteFileAtomically(root_ / "r.json", "two").ok());
  std::ifstream in(root_ / "r.json");
  std::stringstream s;
  s << in.rdbuf();
  EXPECT_EQ(s.str(), "two");
  EXPECT_FALSE(fs::exists(root_ / ".r.json.tmp"));
  EXPECT_FALSE(WriteFileAtomically(root_ / "missing" / "r.json", "x").ok());
}

}  // namespace
}  // namespace orchestrator
