// libsplitbrain-clock.so for real: clock_probe waits under it in every way the shim converts,
// with the control block at 2x and 0.5x, and reports how long the wait took on its own monotonic
// clock and on the wall clock (which the shim leaves alone). Without the shim, or on a block at
// rate 1, both agree; at rate r the wall clock sees the wait take 1/r as long. A rate set while
// a process waits takes effect within the shim's 100 ms slices. The control file's own rules
// (continuity, refusing a rate <= 0) are tested without a process.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#include "common/process/child.h"
#include "common/process/run.h"
#include "common/testing/prerequisite.h"
#include "common/testing/temp_dir.h"
#include "orchestrator/run/clockshim/control_file.h"

namespace orchestrator::clockshim {
namespace {

namespace fs = std::filesystem;

struct Measured {
  double monotonic_ms = -1;
  double wall_ms = -1;
};

class ClockShimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = common::testing::TempDir::Create("clock-shim-test");
    ASSERT_TRUE(dir.ok()) << dir.status().message();
    dir_.emplace(std::move(*dir));
    control_path_ = fs::path(dir_->path()) / kControlFile;
    auto control = ControlFile::Create(control_path_);
    ASSERT_TRUE(control.ok()) << control.status().message();
    control_.emplace(std::move(*control));
  }

  std::vector<std::string> Env(bool preload = true) const {
    if (!preload) return {};
    return {std::string("LD_PRELOAD=") + CLOCK_SHIM_LIB,
            std::string(kControlEnv) + "=" + control_path_.string()};
  }

  Measured Probe(const std::string& wait, int ms, bool preload = true) {
    auto ran = common::process::Run(
        {.argv = {CLOCK_PROBE_BIN, wait, std::to_string(ms)}, .env = Env(preload)});
    EXPECT_TRUE(ran.ok()) << ran.status().message();
    if (!ran.ok()) return {};
    EXPECT_TRUE(ran->status.ok()) << ran->status.Describe() << ": " << ran->err;
    Measured m;
    std::istringstream(ran->out) >> m.monotonic_ms >> m.wall_ms;
    return m;
  }

  std::optional<common::testing::TempDir> dir_;
  fs::path control_path_;
  std::optional<ControlFile> control_;
};

// Every conversion, at a clock twice as fast and at half speed: a wait of 400 ms of the
// process's own clock takes 400 / rate ms of wall time (within 40 ms: scheduling, the shim's
// rounding, the probe's own start).
TEST_F(ClockShimTest, EveryWaitTakesItsTimeOnTheProcesssOwnClock) {
  for (const double rate : {2.0, 0.5}) {
    ASSERT_TRUE(control_->SetRate(rate).ok());
    for (const char* wait :
         {"cv", "cond", "sleep", "nanosleep", "usleep", "clock-nanosleep", "poll", "epoll"}) {
      const Measured m = Probe(wait, 400);
      EXPECT_NEAR(m.monotonic_ms, 400, 40) << wait << " at rate " << rate;
      EXPECT_NEAR(m.wall_ms, 400 / rate, 40) << wait << " at rate " << rate;
    }
  }
}

// No busy-waiting trick: the monotonic clock itself runs at the rate while the wall clock is
// read in a loop.
TEST_F(ClockShimTest, TheMonotonicClockRunsAtTheRate) {
  for (const double rate : {4.0, 0.25}) {
    ASSERT_TRUE(control_->SetRate(rate).ok());
    const Measured m = Probe("steady", 300);
    EXPECT_NEAR(m.wall_ms, 300, 20);
    EXPECT_NEAR(m.monotonic_ms, 300 * rate, 300 * rate * 0.1 + 10) << "rate " << rate;
  }
}

// The control: at rate 1, and without the shim, the two clocks agree.
TEST_F(ClockShimTest, AtRateOneAndWithoutTheShimBothClocksAgree) {
  ASSERT_TRUE(control_->SetRate(1).ok());
  for (const bool preload : {true, false}) {
    for (const char* wait : {"cv", "cond", "sleep", "poll", "steady"}) {
      const Measured m = Probe(wait, 300, preload);
      EXPECT_NEAR(m.monotonic_ms, m.wall_ms, 20) << wait << (preload ? " with" : " without");
      EXPECT_NEAR(m.wall_ms, 300, 40) << wait;
    }
  }
}

// A rate set while a process waits 2 s of its own clock: at 1x for the first 500 ms of wall
// time, then 4x, so the rest (1.5 s of its clock) takes 375 ms: about 875 ms in all, not 2 s.
TEST_F(ClockShimTest, ARateSetDuringAWaitTakesEffectWithinASlice) {
  ASSERT_TRUE(control_->SetRate(1).ok());
  auto child = common::process::Child::Spawn({.argv = {CLOCK_PROBE_BIN, "cv", "2000"},
                                              .env = Env(),
                                              .log_path = fs::path(dir_->path()) / "probe.out"});
  ASSERT_TRUE(child.ok()) << child.status().message();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ASSERT_TRUE(control_->SetRate(4).ok());
  auto exited = child->WaitForExit(std::chrono::seconds(10));
  ASSERT_TRUE(exited.ok()) << exited.status().message();
  std::ifstream out(fs::path(dir_->path()) / "probe.out");
  Measured m;
  out >> m.monotonic_ms >> m.wall_ms;
  EXPECT_NEAR(m.monotonic_ms, 2000, 60);
  EXPECT_NEAR(m.wall_ms, 875, 150);
}

// abseil's (so gRPC's) waits hand the kernel an absolute wall-clock deadline read from the
// process's own wall clock. Under libfaketime alone, a clock 2 s behind makes a 300 ms wait return
// at once and one 1 s ahead makes it last 1.3 s; with the shim in front, both take 300 ms.
TEST_F(ClockShimTest, FutexWaitsOnTheWallClockFollowTheProcesssWallClock) {
  const char* libfaketime = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";
  SPLITBRAIN_REQUIRE(fs::exists(libfaketime), "no libfaketime (apt-get install libfaketime)");
  ASSERT_TRUE(control_->SetRate(1).ok());
  const fs::path offset = fs::path(dir_->path()) / "faketime";
  for (const auto& [text, unshimmed_ms] : {std::pair{"-2.000", 0.0}, std::pair{"+1.000", 1300.0}}) {
    std::ofstream(offset) << text << "\n";
    const std::vector<std::string> faketime = {"FAKETIME_TIMESTAMP_FILE=" + offset.string(),
                                               "FAKETIME_DONT_FAKE_MONOTONIC=1"};
    std::vector<std::string> alone = faketime;
    alone.push_back(std::string("LD_PRELOAD=") + libfaketime);
    std::vector<std::string> shimmed = faketime;
    shimmed.push_back(std::string("LD_PRELOAD=") + CLOCK_SHIM_LIB + ":" + libfaketime);
    shimmed.push_back(std::string(kControlEnv) + "=" + control_path_.string());
    for (const bool with_shim : {false, true}) {
      auto ran = common::process::Run(
          {.argv = {CLOCK_PROBE_BIN, "futex", "300"}, .env = with_shim ? shimmed : alone});
      ASSERT_TRUE(ran.ok()) << ran.status().message();
      ASSERT_TRUE(ran->status.ok()) << ran->err;
      Measured m;
      std::istringstream(ran->out) >> m.monotonic_ms >> m.wall_ms;
      EXPECT_NEAR(m.monotonic_ms, with_shim ? 300 : unshimmed_ms, 60)
          << "offset " << text << (with_shim ? " with" : " without") << " the shim";
    }
  }
}

TEST(ClockControlFile, NeverJumpsAndRefusesARateThatIsNotPositive) {
  auto dir = common::testing::TempDir::Create("clock-control-test");
  ASSERT_TRUE(dir.ok());
  auto control = ControlFile::Create(fs::path(dir->path()) / kControlFile);
  ASSERT_TRUE(control.ok()) << control.status().message();
  const int64_t real_start = MonotonicNowNs();
  EXPECT_NEAR(static_cast<double>(control->FakeNowNs() - real_start), 0, 1e7);
  ASSERT_TRUE(control->SetRate(10).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const int64_t before = control->FakeNowNs();
  EXPECT_GT(before - real_start, 800'000'000);  // ~1 s of its clock in 100 ms
  ASSERT_TRUE(control->SetRate(1).ok());
  const int64_t after = control->FakeNowNs();
  EXPECT_GE(after, before);              // no step back when slowing down
  EXPECT_LT(after - before, 5'000'000);  // and no step forward either
  EXPECT_EQ(control->rate(), 1);
  EXPECT_EQ(control->SetRate(0).code(), common::StatusCode::kInvalidArgument);
  EXPECT_EQ(control->SetRate(-2).code(), common::StatusCode::kInvalidArgument);
  EXPECT_EQ(control->rate(), 1);
  // Reopening keeps the clock where it is.
  auto reopened = ControlFile::Create(fs::path(dir->path()) / kControlFile);
  ASSERT_TRUE(reopened.ok());
  EXPECT_GE(reopened->FakeNowNs(), after);
}

}  // namespace
}  // namespace orchestrator::clockshim
