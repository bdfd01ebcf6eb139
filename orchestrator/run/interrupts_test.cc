#include "orchestrator/run/interrupts.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <thread>

namespace orchestrator {
namespace {

bool WaitFor(const InterruptWatcher& w, int count) {
  for (int i = 0; i < 200 && w.count() < count; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return w.count() >= count;
}

TEST(InterruptWatcherTest, SignalsBecomeAFlagInsteadOfKillingTheProcess) {
  InterruptWatcher watcher;
  EXPECT_FALSE(watcher.interrupted());
  EXPECT_EQ(watcher.signal_name(), "");
  ASSERT_EQ(kill(getpid(), SIGINT), 0);
  ASSERT_TRUE(WaitFor(watcher, 1));
  EXPECT_TRUE(watcher.interrupted());
  EXPECT_EQ(watcher.signal_name(), "SIGINT");
  ASSERT_EQ(kill(getpid(), SIGTERM), 0);
  ASSERT_TRUE(WaitFor(watcher, 2));
  EXPECT_EQ(watcher.signal_name(), "SIGINT");  // the first one is what ended the run
}

}  // namespace
}  // namespace orchestrator
