#include "common/process/exit_status.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <csignal>

namespace common::process {
namespace {

TEST(ExitStatus, DecodesAnExitAndASignal) {
  const ExitStatus exited = ExitStatus::FromWaitStatus(3 << 8);  // as waitpid reports exit(3)
  EXPECT_EQ(exited, (ExitStatus{.code = 3}));
  EXPECT_FALSE(exited.ok());
  EXPECT_EQ(exited.Describe(), "exited 3");
  EXPECT_EQ(exited.ShellCode(), 3);
  const ExitStatus killed = ExitStatus::FromWaitStatus(SIGKILL);  // as waitpid reports SIGKILL
  EXPECT_EQ(killed, (ExitStatus{.signal = SIGKILL}));
  EXPECT_EQ(killed.Describe(), "killed by SIGKILL");
  EXPECT_EQ(killed.ShellCode(), 128 + SIGKILL);
  EXPECT_TRUE(ExitStatus{.code = 0}.ok());
  EXPECT_EQ(ExitStatus{}.Describe(), "exit status unknown");
}

}  // namespace
}  // namespace common::process
