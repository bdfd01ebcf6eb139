// ChildProcess's stop policy: SIGTERM, wait up to the grace period, SIGKILL, reap. No test here
// measures time; each asserts how the child ended and that nothing is left behind.
#include "refdb/server/testing/child_process.h"

#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#include "refdb/server/testing/temp_dir.h"

namespace refdb::testing {
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

// Reaped: waitpid knows no such child any more, and /proc has no entry (a zombie keeps both).
void ExpectReaped(pid_t pid) {
  EXPECT_EQ(::waitpid(pid, nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
  std::error_code ec;
  EXPECT_FALSE(std::filesystem::exists("/proc/" + std::to_string(pid), ec)) << "zombie " << pid;
}

class ChildProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = TempDir::Create("child-process-test");
    ASSERT_TRUE(dir.ok()) << dir.status().message();
    dir_.emplace(std::move(dir).value());
    log_path_ = dir_->path() + "/child.log";
  }

  std::optional<TempDir> dir_;
  std::string log_path_;
};

TEST_F(ChildProcessTest, StopEscalatesToSigkillWhenTheChildIgnoresSigterm) {
  auto child = ChildProcess::Spawn(SIGTERM_IGNORING_CHILD, {}, log_path_);
  ASSERT_TRUE(child.ok()) << child.status().message();
  ASSERT_TRUE(WaitForOutput(log_path_, "ready"));  // SIGTERM is ignored from here on
  const pid_t pid = child->pid();
  auto status = child->Stop({.term_grace = milliseconds(200)});
  ASSERT_TRUE(status.ok()) << status.status().message();
  ASSERT_TRUE(WIFSIGNALED(*status)) << "wait status " << *status;
  EXPECT_EQ(WTERMSIG(*status), SIGKILL);
  EXPECT_FALSE(child->is_running());
  ExpectReaped(pid);
}

TEST_F(ChildProcessTest, StopEndsAChildThatHonoursSigtermWithoutEscalating) {
  auto child = ChildProcess::Spawn("/bin/sleep", {"600"}, log_path_);
  ASSERT_TRUE(child.ok()) << child.status().message();
  const pid_t pid = child->pid();
  auto status = child->Stop({.term_grace = milliseconds(30000)});
  ASSERT_TRUE(status.ok()) << status.status().message();
  ASSERT_TRUE(WIFSIGNALED(*status)) << "wait status " << *status;
  EXPECT_EQ(WTERMSIG(*status), SIGTERM);
  ExpectReaped(pid);
}

// A parent that blocks SIGTERM (to sigwait for it) must not pass the block on to its children.
TEST_F(ChildProcessTest, ChildDoesNotInheritTheParentsBlockedSigterm) {
  sigset_t term, old;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  ASSERT_EQ(::pthread_sigmask(SIG_BLOCK, &term, &old), 0);
  auto child = ChildProcess::Spawn("/bin/sleep", {"600"}, log_path_);
  ASSERT_EQ(::pthread_sigmask(SIG_SETMASK, &old, nullptr), 0);
  ASSERT_TRUE(child.ok()) << child.status().message();
  auto status = child->Stop({.term_grace = milliseconds(30000)});
  ASSERT_TRUE(status.ok()) << status.status().message();
  ASSERT_TRUE(WIFSIGNALED(*status)) << "wait status " << *status;
  EXPECT_EQ(WTERMSIG(*status), SIGTERM);
}

TEST_F(ChildProcessTest, DestructorStopsAndReapsAChildThatIgnoresSigterm) {
  pid_t pid = -1;
  {
    auto child = ChildProcess::Spawn(SIGTERM_IGNORING_CHILD, {}, log_path_);
    ASSERT_TRUE(child.ok()) << child.status().message();
    ASSERT_TRUE(WaitForOutput(log_path_, "ready"));
    pid = child->pid();
  }
  ExpectReaped(pid);
}

TEST_F(ChildProcessTest, KillReapsAtOnce) {
  auto child = ChildProcess::Spawn("/bin/sleep", {"600"}, log_path_);
  ASSERT_TRUE(child.ok()) << child.status().message();
  const pid_t pid = child->pid();
  auto status = child->Kill();
  ASSERT_TRUE(status.ok()) << status.status().message();
  ASSERT_TRUE(WIFSIGNALED(*status));
  EXPECT_EQ(WTERMSIG(*status), SIGKILL);
  ExpectReaped(pid);
}

}  // namespace
}  // namespace refdb::testing
