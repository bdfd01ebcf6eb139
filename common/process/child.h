// Child: one long-running child process (a database node, `splitbrain run` under test),
// started from an argument vector (never a shell), stdout and stderr appended to a log file.
// It starts with an empty signal mask and default signal dispositions, whatever this process
// blocks or ignores, stdin from /dev/null, optionally inside a network namespace (setns before
// exec) and as the leader of a process group of its own; then signals go to the whole group,
// so whatever it starts is killed, stopped and resumed with it.
//
// The stop policy is explicit: Stop(grace) sends SIGTERM (and SIGCONT, so a paused child sees
// it), waits up to `grace`, then SIGKILLs and reaps. Kill() is SIGKILL and reap (a crash).
// Move-only RAII: the destructor stops a child that still runs (Stop(kDefaultStopGrace)) and
// logs a failure; assigning over a Child stops the old one first. How it ended is an
// ExitStatus (exit_status.h). Not thread-safe: one owner drives it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/process/exit_status.h"
#include "common/status.h"

namespace common::process {

inline constexpr std::chrono::milliseconds kDefaultStopGrace{3000};

struct SpawnOptions {
  std::vector<std::string> argv;   // argv[0] a path, or a name looked up on this process's PATH
  std::vector<std::string> env;    // "NAME=VALUE", set on top of this process's environment
  std::filesystem::path log_path;  // stdout+stderr, appended; empty: /dev/null
  std::optional<std::filesystem::path> netns_path;  // e.g. /var/run/netns/NAME
  bool new_process_group = false;
  // Borrowed descriptors (the caller keeps and closes them): when >= 0, the child's stdin, and
  // its stdout and stderr (instead of the log).
  int stdin_fd = -1;
  int stdout_fd = -1;
  int stderr_fd = -1;
};

class Child {
 public:
  static common::Result<Child> Spawn(const SpawnOptions& options);

  Child() = default;  // runs nothing
  Child(Child&& other) noexcept;
  Child& operator=(Child&& other) noexcept;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child();

  pid_t pid() const { return pid_; }  // -1 once reaped (or when empty)
  // Reaps the child if it has exited; true while it has not (a stopped child runs).
  bool IsRunning();
  // Sends `sig` (to the group when it leads one). Unavailable when it no longer runs.
  common::Status Signal(int sig);
  // SIGTERM + SIGCONT, up to `grace` for it to exit, then SIGKILL; reaped either way.
  common::Result<ExitStatus> Stop(std::chrono::milliseconds grace);
  // SIGKILL, then reap.
  common::Result<ExitStatus> Kill();
  // Waits up to `timeout` for the child to exit by itself; DeadlineExceeded if it does not.
  common::Result<ExitStatus> WaitForExit(std::chrono::milliseconds timeout);
  // Stop, Kill and WaitForExit on a child that already ended return how it ended; on an empty
  // Child, Unavailable.

 private:
  Child(pid_t pid, bool is_group_leader, std::string name)
      : pid_(pid), is_group_leader_(is_group_leader), name_(std::move(name)) {}
  common::Status Send(int sig);
  common::Result<ExitStatus> Ended() const;
  common::Result<ExitStatus> ReapBlocking();

  pid_t pid_ = -1;
  bool is_group_leader_ = false;
  std::string name_;                 // argv[0], for messages
  std::optional<ExitStatus> ended_;  // set once reaped
};

}  // namespace common::process
