// LineProcess: a child that talks in lines: requests written to its stdin, answers read from
// its stdout, each read bounded by a deadline; stderr appended to a log file. Used for clients
// of defined databases (docs/client-protocol.md). Move-only RAII: the destructor stops the
// child (SIGTERM, then SIGKILL after 2 s). Not thread-safe: one owner drives it.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/process/child.h"
#include "common/status.h"
#include "common/unique_fd.h"

namespace common::process {

class LineProcess {
 public:
  using Clock = std::chrono::steady_clock;

  // argv, env as Child's; stderr appended to `stderr_log` (empty: /dev/null).
  static common::Result<LineProcess> Spawn(const std::vector<std::string>& argv,
                                           const std::vector<std::string>& env,
                                           const std::filesystem::path& stderr_log);
  // The same, started inside the network namespace at `netns_path` (setns before exec).
  static common::Result<LineProcess> Spawn(const std::vector<std::string>& argv,
                                           const std::vector<std::string>& env,
                                           const std::filesystem::path& stderr_log,
                                           const std::optional<std::filesystem::path>& netns_path);

  LineProcess() = default;
  LineProcess(LineProcess&&) noexcept = default;
  LineProcess& operator=(LineProcess&&) noexcept;
  LineProcess(const LineProcess&) = delete;
  LineProcess& operator=(const LineProcess&) = delete;
  ~LineProcess();

  bool started() const { return child_.pid() > 0; }
  // The child's pid (it leads its own process group); -1 once reaped.
  pid_t pid() const { return child_.pid(); }
  // Writes `line` and a newline. Unavailable when the child closed its stdin or exited,
  // DeadlineExceeded when it does not read by `until`.
  common::Status WriteLine(std::string_view line, Clock::time_point until);
  // The next line (without its newline). DeadlineExceeded when none came by `until`,
  // Unavailable when the child closed its stdout (exited). Lines over 16 MiB: InvalidArgument.
  common::Result<std::string> ReadLine(Clock::time_point until);
  // SIGKILL and reap (a client that missed its deadline). OK when nothing runs.
  common::Status Kill();
  // SIGTERM, up to `grace`, then SIGKILL.
  common::Status Stop(std::chrono::milliseconds grace);

 private:
  Child child_;
  common::UniqueFd to_child_;
  common::UniqueFd from_child_;
  std::string buffered_;  // read but not yet returned
};

}  // namespace common::process
