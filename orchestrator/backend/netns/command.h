// Commands and node processes for the netns backend: every program starts from an argument
// vector (never a shell), through Boost.Process. This header is the only door to Boost.Process
// (command.cc is the one translation unit that includes it: it costs 10 s to compile).
// Functions are thread-compatible: no shared state.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace orchestrator::netns {

struct CommandResult {
  int exit_code = 0;  // the exit status, or 128 + signal number when killed by a signal
  std::string out;
  std::string err;
};

// The absolute path of `program` found on PATH, or nullopt.
std::optional<std::filesystem::path> FindProgram(const std::string& program);

// Runs argv (argv[0] a program name looked up on PATH, or a path) to completion, capturing stdout
// and stderr. An error only when it could not be run; a non-zero exit is a result.
common::Result<CommandResult> RunCommand(const std::vector<std::string>& argv);

// RunCommand, and a non-zero exit becomes IoError "`argv...` exited N: <stderr>".
common::Result<std::string> RunChecked(const std::vector<std::string>& argv);

struct SpawnOptions {
  std::filesystem::path netns_path;  // /var/run/netns/NAME: the child joins it before exec
  std::vector<std::string> argv;     // argv[0] the program's host path
  std::vector<std::string> env;      // "NAME=VALUE": set on top of this process's environment
  std::filesystem::path log_path;    // stdout and stderr, appended
};

// Starts argv inside the network namespace at netns_path, in a process group of its own (so a
// signal reaches every process it starts) with an empty signal mask and default dispositions,
// stdin from /dev/null. Returns the pid; the caller reaps it (see NodeProcess).
common::Result<pid_t> SpawnInNetns(const SpawnOptions& options);

}  // namespace orchestrator::netns
