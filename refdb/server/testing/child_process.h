// ChildProcess: one child process, started with an argument vector (posix_spawn, never a
// shell), stdout and stderr appended to a log file. Move-only; the destructor stops a child
// that still runs with the default StopPolicy and logs a failure. The stop policy is
// explicit: SIGTERM, wait up to `term_grace`, then SIGKILL, then reap. The child starts with
// an empty signal mask and default SIGTERM/SIGINT/SIGPIPE dispositions, whatever the parent
// blocked or ignored. Not thread-safe.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "common/status.h"

namespace refdb::testing {

struct StopPolicy {
  std::chrono::milliseconds term_grace{3000};  // after SIGTERM, before SIGKILL
};

class ChildProcess {
 public:
  // Starts `path` with `args` (argv[1..]); output goes to `log_path` (appended).
  static common::Result<ChildProcess> Spawn(const std::string& path,
                                            const std::vector<std::string>& args,
                                            const std::string& log_path);
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  bool is_running();
  // SIGTERM, wait up to the grace period, SIGKILL, reap. Returns the wait status.
  common::Result<int> Stop(StopPolicy policy);
  // SIGKILL and reap at once (a crash).
  common::Result<int> Kill();
  // Waits up to `timeout` for the child to exit by itself; DeadlineExceeded if it does not.
  common::Result<int> WaitForExit(std::chrono::milliseconds timeout);

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  common::Result<int> ReapBlocking();

  pid_t pid_ = -1;  // -1: none or already reaped
  int wait_status_ = 0;
};

}  // namespace refdb::testing
