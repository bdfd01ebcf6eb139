#include "orchestrator/run/node_clock.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "orchestrator/run/backend/netns/netns_backend.h"
#include "orchestrator/run/nemesis_adapter.h"

namespace orchestrator {
namespace {

TEST(NodeClock, OffsetTextIsSignedSecondsThatLibfaketimeReads) {
  EXPECT_EQ(ClockOffsetText(0), "+0.000");
  EXPECT_EQ(ClockOffsetText(12.5), "+12.500");
  EXPECT_EQ(ClockOffsetText(-90), "-90.000");
}

TEST(NodeClock, EnvironmentPreloadsTheLibraryAndLeavesTheMonotonicClockReal) {
  const std::vector<std::string> env = ClockEnvironment("/lib/libfaketime.so.1", "/ctl");
  EXPECT_EQ(env, (std::vector<std::string>{
                     "LD_PRELOAD=/lib/libfaketime.so.1", "FAKETIME_TIMESTAMP_FILE=/ctl/faketime",
                     "FAKETIME_DONT_FAKE_MONOTONIC=1", "FAKETIME_CACHE_DURATION=1"}));
}

TEST(NodeClock, ScaledEnvironmentPreloadsTheShimInFrontOfLibfaketime) {
  const std::vector<std::string> env =
      ScaledClockEnvironment("/lib/libfaketime.so.1", "/b/libsplitbrain-clock.so", "/ctl");
  EXPECT_EQ(env, (std::vector<std::string>{
                     "LD_PRELOAD=/b/libsplitbrain-clock.so:/lib/libfaketime.so.1",
                     "FAKETIME_TIMESTAMP_FILE=/ctl/faketime", "FAKETIME_DONT_FAKE_MONOTONIC=1",
                     "FAKETIME_CACHE_DURATION=1", "SPLITBRAIN_CLOCK_FILE=/ctl/monotonic"}));
}

// SetRate sets the node's monotonic control block with its wall-clock drift: the block follows
// each rate, and a rate back to 1 keeps what the monotonic clock ran ahead (it never goes back).
TEST(NodeClock, SetRateSetsTheMonotonicControlBlockWhichNeverGoesBack) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("node_clock_rate_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "n1");
  ASSERT_TRUE(CreateMonotonicControl(dir / "n1").ok());
  {
    NodeClocks clocks([&dir](int node) { return dir / ("n" + std::to_string(node)); });
    ASSERT_TRUE(clocks.SetRate(1, 8).ok());
    auto block = clockshim::ControlFile::Create(dir / "n1" / clockshim::kControlFile);
    ASSERT_TRUE(block.ok()) << block.status().message();
    EXPECT_EQ(block->rate(), 8);
    const int64_t start = clockshim::MonotonicNowNs();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const int64_t ahead = block->FakeNowNs() - clockshim::MonotonicNowNs();
    EXPECT_GT(ahead, 500'000'000) << "8x for 100 ms runs ~700 ms ahead";
    ASSERT_TRUE(clocks.SetRate(1, 1).ok());
    EXPECT_EQ(block->rate(), 1);
    EXPECT_GE(block->FakeNowNs() - clockshim::MonotonicNowNs(), ahead - 5'000'000);
    EXPECT_GT(block->FakeNowNs(), start);
    EXPECT_EQ(clocks.SetRate(1, 0).code(), common::StatusCode::kInvalidArgument);
    // A node whose block was not created yet gets one.
    std::filesystem::create_directories(dir / "n2");
    ASSERT_TRUE(clocks.SetRate(2, 0.5).ok());
    auto second = clockshim::ControlFile::Create(dir / "n2" / clockshim::kControlFile);
    ASSERT_TRUE(second.ok());
    EXPECT_EQ(second->rate(), 0.5);
  }
  std::filesystem::remove_all(dir);
}

TEST(NodeClock, WriteReplacesTheOffsetFile) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("node_clock_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  ASSERT_TRUE(WriteClockOffset(dir, 30).ok());
  ASSERT_TRUE(WriteClockOffset(dir, -4.25).ok());
  std::ifstream in(dir / "faketime");
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "-4.250\n");
  EXPECT_FALSE(WriteClockOffset(dir / "missing" / "dir", 1).ok());
  std::filesystem::remove_all(dir);
}

TEST(NodeClock, AdapterRefusesClockFaultsUnlessTheNodesRunUnderLibfaketime) {
  NetnsBackend backend;  // never brought up: SetClockOffset must not need it
  NemesisAdapter adapter(backend, 3, nullptr);
  const common::Status refused = adapter.SetClockOffset(1, 10);
  EXPECT_EQ(refused.code(), common::StatusCode::kUnavailable);
  EXPECT_NE(refused.message().find("libfaketime"), std::string::npos);
  const auto dir =
      std::filesystem::temp_directory_path() / ("node_clock_adapter_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "nodes" / "n2" / "ctl");
  adapter.enable_clock(RunDir(dir));
  EXPECT_TRUE(adapter.SetClockOffset(2, -7).ok());
  EXPECT_TRUE(std::filesystem::exists(dir / "nodes" / "n2" / "ctl" / "faketime"));
  EXPECT_EQ(adapter.SetClockOffset(4, 1).code(), common::StatusCode::kInvalidArgument);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace orchestrator
