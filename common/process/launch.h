// Launch: the one function that starts a process, through Boost.Process (launch.cc is the only
// translation unit that includes it: it is slow to compile). Internal to common/process: Run
// (run.h) and Child (child.h) are the doors the rest of the project uses.
//
// The child gets the descriptors it is given as stdin/stdout/stderr (-1: /dev/null) and no other
// descriptor of ours (every descriptor this library opens is close-on-exec). Launches are
// serialised by one mutex: Boost.Process makes its exec-error pipe close-on-exec only after
// creating it, so a concurrent fork elsewhere could inherit it and stall our launch for that
// other child's lifetime. Thread-safe.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/status.h"

namespace common::process::internal {

struct LaunchSpec {
  std::vector<std::string> argv;  // argv[0] a path, or a name looked up on our PATH
  std::vector<std::string> env;   // "NAME=VALUE", set on top of this process's environment
  int stdin_fd = -1;              // each: -1 for /dev/null
  int stdout_fd = -1;
  int stderr_fd = -1;
  int netns_fd = -1;  // >= 0: the child setns(2)es into this network namespace before exec
  bool new_process_group = false;  // the child leads a process group of its own
  bool reset_signals = false;      // empty signal mask and default dispositions in the child
};

// Starts the process; returns its pid, which the caller must reap. An error names argv[0] and
// the step that failed (lookup, setns, exec, ...); a child that failed before exec is reaped.
common::Result<pid_t> Launch(const LaunchSpec& spec);

}  // namespace common::process::internal
