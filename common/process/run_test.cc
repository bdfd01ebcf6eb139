// Run and RunChecked against real programs (sh, cat, sleep): exits, signals, the deadline,
// stdin, the environment, separate and merged output. No test measures time.
#include "common/process/run.h"

#include <gtest/gtest.h>

#include <csignal>
#include <thread>
#include <vector>

namespace common::process {
namespace {

TEST(Run, ReportsTheExitCodeAndCapturesStdoutAndStderrApart) {
  auto ran = process::Run({.argv = {"sh", "-c", "echo out; echo err >&2; exit 3"}});
  ASSERT_TRUE(ran.ok()) << ran.status().message();
  EXPECT_EQ(ran->status, (ExitStatus{.code = 3}));
  EXPECT_EQ(ran->out, "out\n");
  EXPECT_EQ(ran->err, "err\n");
}

TEST(Run, MergedOutputInterleavesStderrIntoOut) {
  auto ran =
      process::Run({.argv = {"sh", "-c", "echo a; echo b >&2; echo c"}, .merge_output = true});
  ASSERT_TRUE(ran.ok()) << ran.status().message();
  EXPECT_TRUE(ran->status.ok());
  EXPECT_EQ(ran->out, "a\nb\nc\n");
  EXPECT_EQ(ran->err, "");
}

TEST(Run, AProgramKilledByASignalReportsTheSignal) {
  auto ran = process::Run({.argv = {"sh", "-c", "kill -KILL $$"}});
  ASSERT_TRUE(ran.ok()) << ran.status().message();
  EXPECT_EQ(ran->status, (ExitStatus{.signal = SIGKILL}));
  EXPECT_EQ(ran->status.Describe(), "killed by SIGKILL");
}

TEST(Run, InputGoesToStdinAndNoInputIsDevNull) {
  auto ran = process::Run({.argv = {"cat"}, .input = "*filter\nCOMMIT\n"});
  ASSERT_TRUE(ran.ok()) << ran.status().message();
  EXPECT_EQ(ran->out, "*filter\nCOMMIT\n");
  auto none = process::Run({.argv = {"cat"}});  // /dev/null: cat ends at once
  ASSERT_TRUE(none.ok()) << none.status().message();
  EXPECT_EQ(none->out, "");
}

TEST(Run, LargeInputAndOutputDoNotDeadlock) {
  const std::string big(4 << 20, 'x');  // far more than a pipe buffer each way
  auto ran = process::Run({.argv = {"cat"}, .input = big});
  ASSERT_TRUE(ran.ok()) << ran.status().message();
  EXPECT_EQ(ran->out.size(), big.size());
}

TEST(Run, AProgramThatIgnoresItsInputDoesNotKillTheCaller) {
  auto ran = process::Run({.argv = {"true"}, .input = std::string(1 << 20, 'x')});  // meets EPIPE
  ASSERT_TRUE(ran.ok()) << ran.status().message();
  EXPECT_TRUE(ran->status.ok());
}

TEST(Run, EnvironmentEntriesAreAddedToOurs) {
  auto ran = process::Run({.argv = {"sh", "-c", "echo $SB_TEST_VALUE:${PATH:+has-path}"},
                           .env = {"SB_TEST_VALUE=a=b"}});
  ASSERT_TRUE(ran.ok()) << ran.status().message();
  EXPECT_EQ(ran->out, "a=b:has-path\n");
  EXPECT_EQ(process::Run({.argv = {"true"}, .env = {"NOEQUALS"}}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(Run, AProgramPastItsDeadlineIsKilledAndNamed) {
  auto ran = process::Run({.argv = {"sleep", "30"}, .deadline = std::chrono::milliseconds(100)});
  ASSERT_FALSE(ran.ok());
  EXPECT_EQ(ran.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_NE(ran.status().message().find("sleep 30"), std::string::npos) << ran.status().message();
}

TEST(Run, AMissingProgramIsAnError) {
  auto missing = process::Run({.argv = {"/nonexistent/program"}});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("/nonexistent/program"), std::string::npos);
  EXPECT_EQ(process::Run({.argv = {"no-such-program-sb"}}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(process::Run({}).status().code(), StatusCode::kInvalidArgument);
}

TEST(Run, ManyThreadsRunAtOnce) {
  std::vector<std::thread> threads;
  std::vector<std::string> outputs(8);
  for (size_t i = 0; i < outputs.size(); ++i) {
    threads.emplace_back([&outputs, i] {
      for (int round = 0; round < 10; ++round) {
        auto ran = process::Run({.argv = {"echo", std::to_string(i)}});
        outputs[i] += ran.ok() ? ran->out : ran.status().message();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (size_t i = 0; i < outputs.size(); ++i) {
    std::string expected;
    for (int round = 0; round < 10; ++round) expected += std::to_string(i) + "\n";
    EXPECT_EQ(outputs[i], expected);
  }
}

TEST(RunChecked, ReturnsStdoutOrNamesTheCommandItsExitAndStderr) {
  EXPECT_EQ(*RunChecked({"echo", "hi"}), "hi\n");
  auto failed = RunChecked({"cat", "/nonexistent-file"});
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kIoError);
  EXPECT_EQ(failed.status().message().rfind("cat /nonexistent-file: exited 1: cat: ", 0), 0u)
      << failed.status().message();
}

TEST(FindProgram, FindsAnExecutableOnPathAndNothingElse) {
  auto sh = FindProgram("sh");
  ASSERT_TRUE(sh.has_value());
  EXPECT_TRUE(sh->is_absolute()) << *sh;
  EXPECT_FALSE(FindProgram("no-such-program-sb").has_value());
  EXPECT_FALSE(FindProgram("").has_value());
}

TEST(JoinArgv, JoinsWithSpaces) {
  EXPECT_EQ(JoinArgv({"ip", "netns", "add", "x"}), "ip netns add x");
  EXPECT_EQ(JoinArgv({}), "");
}

}  // namespace
}  // namespace common::process
