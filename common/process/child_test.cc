// Child's stop policy (SIGTERM, wait up to the grace period, SIGKILL, reap), its signal setup
// and its process group. No test measures time; each asserts how the child ended and that
// nothing is left behind.
#include "common/process/child.h"

#include <gtest/gtest.h>
#include <pthread.h>
#include <sys/wait.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#include "common/testing/temp_dir.h"

namespace common::process {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kReadyDeadline{10000};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Polls the child's log until it contains `marker`, up to a deadline.
bool WaitForOutput(const std::string& log_path, const std::string& marker) {
  const auto deadline = std::chrono::steady_clock::now() + kReadyDeadline;
  while (std::chrono::steady_clock::now() < deadline) {
    if (ReadFile(log_path).find(marker) != std::string::npos) return true;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return false;
}

// Alive: /proc has it and it is not a zombie (which init may be slow to reap, or never).
bool IsAlive(pid_t pid) {
  const std::string stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  const size_t close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z' &&
         stat[close + 2] != 'X';
}

// Reaped: waitpid knows no such child any more, and /proc has no entry (a zombie keeps both).
void ExpectReaped(pid_t pid) {
  EXPECT_EQ(::waitpid(pid, nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
  std::error_code ec;
  EXPECT_FALSE(std::filesystem::exists("/proc/" + std::to_string(pid), ec)) << "zombie " << pid;
}

class ChildTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = common::testing::TempDir::Create("child-test");
    ASSERT_TRUE(dir.ok()) << dir.status().message();
    dir_.emplace(std::move(dir).value());
    log_path_ = dir_->path() + "/child.log";
  }

  Child Spawn(std::vector<std::string> argv, bool new_process_group = false) {
    auto child = Child::Spawn(
        {.argv = std::move(argv), .log_path = log_path_, .new_process_group = new_process_group});
    EXPECT_TRUE(child.ok()) << child.status().message();
    return child.ok() ? std::move(child).value() : Child();
  }

  std::optional<common::testing::TempDir> dir_;
  std::string log_path_;
};

TEST_F(ChildTest, StopEscalatesToSigkillWhenTheChildIgnoresSigterm) {
  Child child = Spawn({SIGTERM_IGNORING_CHILD});
  ASSERT_TRUE(WaitForOutput(log_path_, "ready"));  // SIGTERM is ignored from here on
  const pid_t pid = child.pid();
  auto status = child.Stop(milliseconds(200));
  ASSERT_TRUE(status.ok()) << status.status().message();
  EXPECT_EQ(*status, (ExitStatus{.signal = SIGKILL}));
  EXPECT_FALSE(child.IsRunning());
  ExpectReaped(pid);
}

TEST_F(ChildTest, StopEndsAChildThatHonoursSigtermWithoutEscalating) {
  Child child = Spawn({"/bin/sleep", "600"});
  const pid_t pid = child.pid();
  auto status = child.Stop(milliseconds(30000));
  ASSERT_TRUE(status.ok()) << status.status().message();
  EXPECT_EQ(*status, (ExitStatus{.signal = SIGTERM}));
  ExpectReaped(pid);
  EXPECT_EQ(*child.Stop(milliseconds(10)),
            (ExitStatus{.signal = SIGTERM}));  // ended: how it ended, again
}

// A parent that blocks SIGTERM (to sigwait for it) or ignores it must not pass that on.
TEST_F(ChildTest, ChildDoesNotInheritTheParentsBlockedOrIgnoredSigterm) {
  sigset_t term, old;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  ASSERT_EQ(::pthread_sigmask(SIG_BLOCK, &term, &old), 0);
  Child blocked = Spawn({"sleep", "600"});
  ASSERT_EQ(::pthread_sigmask(SIG_SETMASK, &old, nullptr), 0);
  auto status = blocked.Stop(milliseconds(30000));
  ASSERT_TRUE(status.ok()) << status.status().message();
  EXPECT_EQ(*status, (ExitStatus{.signal = SIGTERM}));

  struct sigaction ignore = {}, previous = {};
  ignore.sa_handler = SIG_IGN;
  ASSERT_EQ(::sigaction(SIGTERM, &ignore, &previous), 0);
  Child ignored = Spawn({"sleep", "600"});
  ASSERT_EQ(::sigaction(SIGTERM, &previous, nullptr), 0);
  status = ignored.Stop(milliseconds(30000));
  ASSERT_TRUE(status.ok()) << status.status().message();
  EXPECT_EQ(*status, (ExitStatus{.signal = SIGTERM}));
}

TEST_F(ChildTest, DestructorStopsAndReapsAChildThatIgnoresSigterm) {
  pid_t pid = -1;
  {
    Child child = Spawn({SIGTERM_IGNORING_CHILD});
    ASSERT_TRUE(WaitForOutput(log_path_, "ready"));
    pid = child.pid();
  }
  ExpectReaped(pid);
}

// Regression: the environment was built with Boost.Process's, whose lookup read past the end of
// entries shorter than the name being set (ASan: heap-buffer-overflow in environment::find).
// A long new name is added, an existing name replaced (once), the rest kept.
TEST_F(ChildTest, EnvironmentEntriesAreAddedOrReplacedByExactName) {
  ::setenv("SB_T", "short", 1);
  auto child = Child::Spawn({.argv = {"env"},
                             .env = {"SPLITBRAIN_A_RATHER_LONG_VARIABLE_NAME=1", "SB_T=replaced",
                                     "SB_T_LONGER=kept-apart"},
                             .log_path = log_path_});
  ASSERT_TRUE(child.ok()) << child.status().message();
  auto ended = child->WaitForExit(std::chrono::seconds(10));
  ASSERT_TRUE(ended.ok());
  EXPECT_TRUE(ended->ok());
  const std::string out = ReadFile(log_path_);
  EXPECT_NE(out.find("SPLITBRAIN_A_RATHER_LONG_VARIABLE_NAME=1\n"), std::string::npos) << out;
  EXPECT_NE(out.find("SB_T=replaced\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("SB_T=short"), std::string::npos) << out;
  EXPECT_NE(out.find("SB_T_LONGER=kept-apart\n"), std::string::npos) << out;
  EXPECT_NE(out.find("PATH="), std::string::npos) << out;  // the rest is inherited
  ::unsetenv("SB_T");
}

TEST_F(ChildTest, KillReapsAtOnce) {
  Child child = Spawn({"sleep", "600"});
  const pid_t pid = child.pid();
  EXPECT_TRUE(child.IsRunning());
  auto status = child.Kill();
  ASSERT_TRUE(status.ok()) << status.status().message();
  EXPECT_EQ(*status, (ExitStatus{.signal = SIGKILL}));
  EXPECT_EQ(child.pid(), -1);
  EXPECT_FALSE(child.Signal(SIGTERM).ok());  // nothing runs any more
  ExpectReaped(pid);
}

TEST_F(ChildTest, WaitForExitReportsTheExitCodeOrThatItStillRuns) {
  Child quick = Spawn({"sh", "-c", "echo to-log; echo also >&2; exit 7"});
  auto status = quick.WaitForExit(milliseconds(30000));
  ASSERT_TRUE(status.ok()) << status.status().message();
  EXPECT_EQ(*status, (ExitStatus{.code = 7}));
  EXPECT_EQ(ReadFile(log_path_), "to-log\nalso\n");  // stdout and stderr, appended
  Child slow = Spawn({"sleep", "600"});
  EXPECT_EQ(slow.WaitForExit(milliseconds(20)).status().code(), StatusCode::kDeadlineExceeded);
}

TEST_F(ChildTest, EnvironmentEntriesReachTheChild) {
  auto child = Child::Spawn({.argv = {"sh", "-c", "echo $SB_CHILD_VALUE"},
                             .env = {"SB_CHILD_VALUE=42"},
                             .log_path = log_path_});
  ASSERT_TRUE(child.ok()) << child.status().message();
  ASSERT_TRUE(child->WaitForExit(milliseconds(30000)).ok());
  EXPECT_EQ(ReadFile(log_path_), "42\n");
}

// Signals to a group leader reach what it started: a grandchild dies with it.
TEST_F(ChildTest, AGroupLeaderIsStoppedWithEverythingItStarted) {
  Child child = Spawn({"sh", "-c", "sleep 600 & echo $!; wait"}, /*new_process_group=*/true);
  ASSERT_TRUE(WaitForOutput(log_path_, "\n"));
  const pid_t grandchild = std::stoi(ReadFile(log_path_));
  EXPECT_EQ(::getpgid(grandchild), child.pid());
  ASSERT_TRUE(child.Kill().ok());
  const auto deadline = std::chrono::steady_clock::now() + kReadyDeadline;
  while (IsAlive(grandchild) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(5));
  }
  EXPECT_FALSE(IsAlive(grandchild));
}

TEST_F(ChildTest, AProgramThatCannotStartIsAnError) {
  EXPECT_FALSE(Child::Spawn({.argv = {"/nonexistent/program"}}).ok());
  EXPECT_FALSE(Child::Spawn({}).ok());
  EXPECT_FALSE(Child::Spawn({.argv = {"sleep", "1"}, .netns_path = "/nonexistent/netns"}).ok());
  EXPECT_EQ(Child().Kill().status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace common::process
