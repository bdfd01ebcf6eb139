#include "refdb/server/testing/child_process.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <iostream>
#include <system_error>
#include <thread>
#include <utility>

extern char** environ;

namespace refdb::testing {

using common::Result;
using common::Status;

namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(2);

// The text of an errno value (std::strerror is not thread-safe).
std::string ErrorText(int error) { return std::system_category().message(error); }

}  // namespace

Result<ChildProcess> ChildProcess::Spawn(const std::string& path,
                                         const std::vector<std::string>& args,
                                         const std::string& log_path) {
  std::vector<std::string> owned = {path};
  owned.insert(owned.end(), args.begin(), args.end());
  std::vector<char*> argv;
  argv.reserve(owned.size() + 1);
  for (std::string& a : owned) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  // The child starts with no blocked signal and default SIGTERM/SIGINT/SIGPIPE handling, whatever
  // its parent blocked (a parent that sigwaits would otherwise make the stop policy's SIGTERM a
  // no-op for children that do not reset their mask).
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t empty, defaults;
  sigemptyset(&empty);
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGTERM);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, path.c_str(), &actions, &attr, argv.data(), environ);
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return Status::IoError(path + ": posix_spawn: " + ErrorText(rc));
  return ChildProcess(pid);
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), wait_status_(other.wait_status_) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    if (pid_ > 0) (void)Stop({});
    pid_ = std::exchange(other.pid_, -1);
    wait_status_ = other.wait_status_;
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  if (pid_ <= 0) return;
  Result<int> r = Stop({});
  if (!r.ok()) std::cerr << "child " << pid_ << ": stop: " << r.status().message() << "\n";
}

bool ChildProcess::is_running() {
  if (pid_ <= 0) return false;
  int status = 0;
  const pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    wait_status_ = status;
    pid_ = -1;
    return false;
  }
  return true;
}

Result<int> ChildProcess::WaitForExit(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (is_running()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status::DeadlineExceeded("child " + std::to_string(pid_) + " still running");
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  return wait_status_;
}

Result<int> ChildProcess::ReapBlocking() {
  int status = 0;
  pid_t r = -1;
  do {
    r = ::waitpid(pid_, &status, 0);
  } while (r < 0 && errno == EINTR);
  if (r != pid_)
    return Status::IoError("waitpid " + std::to_string(pid_) + ": " + ErrorText(errno));
  pid_ = -1;
  wait_status_ = status;
  return status;
}

Result<int> ChildProcess::Stop(StopPolicy policy) {
  if (!is_running()) return wait_status_;
  if (::kill(pid_, SIGTERM) != 0 && errno != ESRCH) {
    return Status::IoError("kill -TERM " + std::to_string(pid_) + ": " + ErrorText(errno));
  }
  Result<int> exited = WaitForExit(policy.term_grace);
  if (exited.ok()) return exited;
  return Kill();
}

Result<int> ChildProcess::Kill() {
  if (!is_running()) return wait_status_;
  if (::kill(pid_, SIGKILL) != 0 && errno != ESRCH) {
    return Status::IoError("kill -KILL " + std::to_string(pid_) + ": " + ErrorText(errno));
  }
  return ReapBlocking();
}

}  // namespace refdb::testing
