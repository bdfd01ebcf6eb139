#include "nemesis/command_runner.h"

#include <gtest/gtest.h>

namespace nemesis {
namespace {

TEST(SpawnRunner, CapturesOutputAndExitCode) {
  SpawnRunner runner;
  auto out = runner.Run({"echo", "out"});
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(out->exit_code, 0);
  EXPECT_EQ(out->output, "out\n");
  auto err = runner.Run({"cat", "/nonexistent-file"});  // stderr is captured too
  ASSERT_TRUE(err.ok()) << err.status().message();
  EXPECT_EQ(err->exit_code, 1);
  EXPECT_NE(err->output.find("/nonexistent-file"), std::string::npos) << err->output;
}

TEST(SpawnRunner, InputGoesToTheProgramsStandardInput) {
  SpawnRunner runner;
  auto out = runner.Run({"cat"}, "*filter\n-A SPLITBRAIN -j DROP\nCOMMIT\n");
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(out->output, "*filter\n-A SPLITBRAIN -j DROP\nCOMMIT\n");
  auto none = runner.Run({"cat"});  // no input: /dev/null, so cat ends at once
  ASSERT_TRUE(none.ok()) << none.status().message();
  EXPECT_EQ(none->output, "");
}

TEST(SpawnRunner, AProgramThatIgnoresItsInputDoesNotKillTheCaller) {
  SpawnRunner runner;
  // 1 MiB into a program that exits at once: the write meets a closed pipe (SIGPIPE).
  auto out = runner.Run({"true"}, std::string(1 << 20, 'x'));
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(out->exit_code, 0);
}

TEST(SpawnRunner, AMissingProgramIsAnError) {
  SpawnRunner runner;
  auto ran = runner.Run({"/nonexistent/program"});
  ASSERT_FALSE(ran.ok());
  EXPECT_NE(ran.status().message().find("/nonexistent/program"), std::string::npos);
  EXPECT_FALSE(runner.Run({}).ok());
}

TEST(SpawnRunner, AProgramPastItsDeadlineIsKilled) {
  SpawnRunner runner(std::chrono::milliseconds(100));
  auto ran = runner.Run({"sleep", "30"});
  ASSERT_FALSE(ran.ok());
  EXPECT_EQ(ran.status().code(), common::StatusCode::kDeadlineExceeded);
}

TEST(SpawnRunner, AProgramKilledByASignalReports128PlusTheSignal) {
  SpawnRunner runner;
  auto out = runner.Run({"sh", "-c", "kill -KILL $$"});
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(out->exit_code, 128 + 9);  // common::process::ExitStatus::ShellCode()
}

TEST(SpawnRunner, RunCheckedNamesTheCommandAndItsOutput) {
  SpawnRunner runner;
  auto ran = RunChecked(runner, {"cat", "/nonexistent-file"});
  ASSERT_FALSE(ran.ok());
  EXPECT_EQ(ran.status().message().rfind("cat /nonexistent-file: exited 1: ", 0), 0u)
      << ran.status().message();
  EXPECT_EQ(*RunChecked(runner, {"echo", "hi"}), "hi\n");
}

}  // namespace
}  // namespace nemesis
