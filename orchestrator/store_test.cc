#include "orchestrator/store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

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
  auto a = CreateRunDir(root_, "refdb-register", now);
  auto b = CreateRunDir(root_, "refdb-register", now);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_EQ(a->parent_path(), root_ / "refdb-register");
  EXPECT_EQ(a->filename().string().size(), std::string("20261126T000000Z").size());
  EXPECT_EQ(b->filename().string(), a->filename().string() + "-2");
  EXPECT_TRUE(fs::is_directory(*a) && fs::is_directory(*b));
}

TEST_F(StoreTest, LatestPointsAtTheNewestRunRelatively) {
  auto a = CreateRunDir(root_, "t", std::chrono::system_clock::now());
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(UpdateLatest(root_, *a).ok());
  EXPECT_TRUE(fs::is_symlink(root_ / "latest"));
  EXPECT_TRUE(fs::read_symlink(root_ / "latest").is_relative());
  EXPECT_TRUE(fs::equivalent(root_ / "latest", *a));
  auto b = CreateRunDir(root_, "u", std::chrono::system_clock::now());
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE(UpdateLatest(root_, *b).ok());
  EXPECT_TRUE(fs::equivalent(root_ / "latest", *b));
  EXPECT_FALSE(UpdateLatest(root_, "/elsewhere").ok());
}

TEST_F(StoreTest, WriteFileAtomicallyReplacesContent) {
  fs::create_directories(root_);
  ASSERT_TRUE(WriteFileAtomically(root_ / "r.json", "one").ok());
  ASSERT_TRUE(WriteFileAtomically(root_ / "r.json", "two").ok());
  std::ifstream in(root_ / "r.json");
  std::stringstream s;
  s << in.rdbuf();
  EXPECT_EQ(s.str(), "two");
  EXPECT_FALSE(fs::exists(root_ / "r.json.tmp"));
  EXPECT_FALSE(WriteFileAtomically(root_ / "missing" / "r.json", "x").ok());
}

}  // namespace
}  // namespace orchestrator
