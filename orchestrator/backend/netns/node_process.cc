#include "orchestrator/backend/netns/node_process.h"

#include <sys/wait.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <iostream>
#include <string>
#include <system_error>
#include <thread>
#include <utility>

namespace orchestrator::netns {

using common::Status;

namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(5);

}  // namespace

NodeProcess::NodeProcess(NodeProcess&& other) noexcept : pid_(std::exchange(other.pid_, -1)) {}

NodeProcess& NodeProcess::operator=(NodeProcess&& other) noexcept {
  if (this != &other) {
    if (Status s = Kill(); !s.ok()) std::cerr << "netns: " << s.message() << "\n";
    pid_ = std::exchange(other.pid_, -1);
  }
  return *this;
}

NodeProcess::~NodeProcess() {
  if (Status s = Kill(); !s.ok()) std::cerr << "netns: " << s.message() << "\n";
}

bool NodeProcess::is_running() {
  if (pid_ <= 0) return false;
  int status = 0;
  const pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_ || (r < 0 && errno == ECHILD)) {
    pid_ = -1;
    return false;
  }
  return true;
}

Status NodeProcess::Signal(int sig) {
  if (!is_running()) return Status::Unavailable("no process runs");
  return SendToGroup(sig);
}

// Never reaps, so pid_ cannot be reused by another process while this runs.
Status NodeProcess::SendToGroup(int sig) {
  // The group first (the node and anything it started); the pid alone if the group is gone.
  if (::kill(-pid_, sig) != 0 && ::kill(pid_, sig) != 0 && errno != ESRCH) {
    return Status::IoError("kill -" + std::to_string(sig) + " " + std::to_string(pid_) + ": " +
                           std::error_code(errno, std::generic_category()).message());
  }
  return Status::Ok();
}

Status NodeProcess::Reap() {
  int status = 0;
  pid_t r = -1;
  do {
    r = ::waitpid(pid_, &status, 0);
  } while (r < 0 && errno == EINTR);
  if (r != pid_ && errno != ECHILD) {
    return Status::IoError("waitpid " + std::to_string(pid_) + ": " +
                           std::error_code(errno, std::generic_category()).message());
  }
  pid_ = -1;
  return Status::Ok();
}

Status NodeProcess::Kill() {
  if (!is_running()) return Status::Ok();
  RETURN_IF_ERROR(SendToGroup(SIGKILL));
  return Reap();
}

Status NodeProcess::Stop(std::chrono::milliseconds grace) {
  if (!is_running()) return Status::Ok();
  RETURN_IF_ERROR(SendToGroup(SIGTERM));
  RETURN_IF_ERROR(SendToGroup(SIGCONT));
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (is_running()) {
    if (std::chrono::steady_clock::now() >= deadline) return Kill();
    std::this_thread::sleep_for(kPollInterval);
  }
  return Status::Ok();
}

}  // namespace orchestrator::netns
