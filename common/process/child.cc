#include "common/process/child.h"

#include <fcntl.h>
#include <sys/wait.h>

#include <cerrno>
#include <csignal>
#include <iostream>
#include <system_error>
#include <thread>
#include <utility>

#include "common/errno_text.h"
#include "common/process/launch.h"
#include "common/unique_fd.h"

namespace common::process {
namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(2);

Result<UniqueFd> Open(const std::filesystem::path& path, int flags) {
  UniqueFd fd(::open(path.c_str(), flags | O_CLOEXEC, 0644));
  if (fd.get() < 0) return Status::IoError(path.string() + ": open: " + ErrnoText(errno));
  return fd;
}

}  // namespace

Result<Child> Child::Spawn(const SpawnOptions& options) {
  if (options.argv.empty()) return Status::InvalidArgument("spawn: empty argument vector");
  UniqueFd netns;
  UniqueFd log;
  if (options.netns_path) {
    ASSIGN_OR_RETURN(netns, Open(*options.netns_path, O_RDONLY));
  }
  if (!options.log_path.empty()) {
    ASSIGN_OR_RETURN(log, Open(options.log_path, O_WRONLY | O_CREAT | O_APPEND));
  }
  ASSIGN_OR_RETURN(const pid_t pid,
                   internal::Launch({
                       .argv = options.argv,
                       .env = options.env,
                       .stdin_fd = options.stdin_fd,
                       .stdout_fd = options.stdout_fd >= 0 ? options.stdout_fd : log.get(),
                       .stderr_fd = options.stderr_fd >= 0 ? options.stderr_fd : log.get(),
                       .netns_fd = netns.get(),
                       .new_process_group = options.new_process_group,
                       .reset_signals = true,
                   }));
  return Child(pid, options.new_process_group, options.argv[0]);
}

Child::Child(Child&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      is_group_leader_(other.is_group_leader_),
      name_(std::move(other.name_)),
      ended_(std::exchange(other.ended_, std::nullopt)) {}

Child& Child::operator=(Child&& other) noexcept {
  if (this != &other) {
    if (Result<ExitStatus> r = Stop(kDefaultStopGrace); !r.ok() && pid_ > 0) {
      std::cerr << name_ << " (pid " << pid_ << "): stop: " << r.status().message() << "\n";
    }
    pid_ = std::exchange(other.pid_, -1);
    is_group_leader_ = other.is_group_leader_;
    name_ = std::move(other.name_);
    ended_ = std::exchange(other.ended_, std::nullopt);
  }
  return *this;
}

Child::~Child() {
  if (pid_ <= 0) return;
  const pid_t pid = pid_;
  if (Result<ExitStatus> r = Stop(kDefaultStopGrace); !r.ok()) {
    std::cerr << name_ << " (pid " << pid << "): stop: " << r.status().message() << "\n";
  }
}

bool Child::IsRunning() {
  if (pid_ <= 0) return false;
  int wait_status = 0;
  const pid_t reaped = ::waitpid(pid_, &wait_status, WNOHANG);
  if (reaped == pid_) {
    ended_ = ExitStatus::FromWaitStatus(wait_status);
  } else if (reaped < 0 && errno == ECHILD) {
    ended_ = ExitStatus{};  // reaped elsewhere: how it ended is unknown
  } else {
    return true;
  }
  pid_ = -1;
  return false;
}

Status Child::Signal(int sig) {
  if (!IsRunning()) return Status::Unavailable(name_ + ": not running");
  return Send(sig);
}

// Never reaps, so the pid cannot be reused by another process while this runs.
Status Child::Send(int sig) {
  // The group first (the child and anything it started); the pid alone if the group is gone.
  if (is_group_leader_ && ::kill(-pid_, sig) == 0) return Status::Ok();
  if (::kill(pid_, sig) != 0 && errno != ESRCH) {
    return Status::IoError(name_ + ": kill -" + std::to_string(sig) + " " + std::to_string(pid_) +
                           ": " + ErrnoText(errno));
  }
  return Status::Ok();
}

Result<ExitStatus> Child::Ended() const {
  if (!ended_) return Status::Unavailable("no child process was started");
  return *ended_;
}

Result<ExitStatus> Child::ReapBlocking() {
  int wait_status = 0;
  pid_t reaped = -1;
  do {
    reaped = ::waitpid(pid_, &wait_status, 0);
  } while (reaped < 0 && errno == EINTR);
  if (reaped == pid_) {
    ended_ = ExitStatus::FromWaitStatus(wait_status);
  } else if (errno == ECHILD) {
    ended_ = ExitStatus{};
  } else {
    return Status::IoError(name_ + ": waitpid " + std::to_string(pid_) + ": " + ErrnoText(errno));
  }
  pid_ = -1;
  return *ended_;
}

Result<ExitStatus> Child::WaitForExit(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (IsRunning()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status::DeadlineExceeded(name_ + " (pid " + std::to_string(pid_) +
                                      "): still running after " + std::to_string(timeout.count()) +
                                      " ms");
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  return Ended();
}

Result<ExitStatus> Child::Stop(std::chrono::milliseconds grace) {
  if (!IsRunning()) return Ended();
  RETURN_IF_ERROR(Send(SIGTERM));
  RETURN_IF_ERROR(Send(SIGCONT));
  Result<ExitStatus> exited = WaitForExit(grace);
  if (exited.ok()) return exited;
  return Kill();
}

Result<ExitStatus> Child::Kill() {
  if (!IsRunning()) return Ended();
  RETURN_IF_ERROR(Send(SIGKILL));
  return ReapBlocking();
}

}  // namespace common::process
