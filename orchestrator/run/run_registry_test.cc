#include "orchestrator/run/run_registry.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

namespace orchestrator {
namespace {

TEST(RunRegistryTest, RunIdsAreEightHexDigitsAndDiffer) {
  std::set<std::string> ids;
  for (int i = 0; i < 100; ++i) {
    std::string id = NewRunId();
    EXPECT_TRUE(IsValidRunId(id)) << id;
    ids.insert(id);
  }
  EXPECT_GT(ids.size(), 95u);
  EXPECT_FALSE(IsValidRunId("1234567"));
  EXPECT_FALSE(IsValidRunId("1234567G"));
  EXPECT_FALSE(IsValidRunId("../../et"));
}

TEST(RunRegistryTest, RegisteredRunIsLiveUntilItsGuardEnds) {
  const std::string id = NewRunId();
  EXPECT_FALSE(IsRunLive(id));
  {
    auto registration = RunRegistration::Create(id, "/tmp/somewhere");
    ASSERT_TRUE(registration.ok()) << registration.status().message();
    EXPECT_TRUE(IsRunLive(id));
    RunRegistration moved = std::move(*registration);
    EXPECT_TRUE(IsRunLive(id));
  }
  EXPECT_FALSE(IsRunLive(id));
}

TEST(RunRegistryTest, ARunWhoseProcessDiedIsDeadAndForgotten) {
  const std::string id = NewRunId();
  std::filesystem::path path;
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto registration = RunRegistration::Create(id, "/tmp/x");
    if (!registration.ok()) _exit(2);
    // Leak the registration as a SIGKILLed run would.
    new RunRegistration(std::move(*registration));
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_FALSE(IsRunLive(id));
  auto forgotten = ForgetDeadRuns();
  EXPECT_NE(std::find(forgotten.begin(), forgotten.end(), id), forgotten.end());
}

TEST(RunRegistryTest, ProcessStartTimeOfThisProcessIsStable) {
  long long a = ProcessStartTime(getpid());
  EXPECT_GE(a, 0);
  EXPECT_EQ(a, ProcessStartTime(getpid()));
  EXPECT_EQ(ProcessStartTime(-5), -1);
}

}  // namespace
}  // namespace orchestrator
