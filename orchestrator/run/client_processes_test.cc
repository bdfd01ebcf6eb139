#include "orchestrator/run/client_processes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

#include "common/process/child.h"

namespace orchestrator {
namespace {

bool Listed(pid_t pid, const std::string& run_id) {
  const std::vector<RunProcess> all = RunProcesses();
  return std::any_of(all.begin(), all.end(),
                     [&](const RunProcess& p) { return p.pid == pid && p.run_id == run_id; });
}

// A client that outlived its run (the orchestrator was SIGKILLed) is found by the run id in its
// environment and removed; another run's client is left alone.
TEST(ClientProcesses, CleanupFindsAndKillsOnlyTheChosenRunsClients) {
  auto mine = common::process::Child::Spawn(
      {.argv = {"sleep", "30"}, .env = {std::string(workloads::kRunIdVariable) + "=0badc0de"}});
  auto other = common::process::Child::Spawn(
      {.argv = {"sleep", "30"}, .env = {std::string(workloads::kRunIdVariable) + "=0ddba11a"}});
  ASSERT_TRUE(mine.ok() && other.ok());
  EXPECT_TRUE(Listed(mine->pid(), "0badc0de"));
  EXPECT_TRUE(Listed(other->pid(), "0ddba11a"));
  auto removed = CleanupClients([](const std::string& id) { return id == "0badc0de"; });
  ASSERT_TRUE(removed.ok());
  ASSERT_EQ(removed->size(), 1u);
  EXPECT_NE((*removed)[0].find("(sleep of run 0badc0de)"), std::string::npos);
  auto ended = mine->WaitForExit(std::chrono::seconds(5));
  ASSERT_TRUE(ended.ok());
  EXPECT_EQ(ended->signal, 9);
  EXPECT_TRUE(other->IsRunning());
}

}  // namespace
}  // namespace orchestrator
