// Run: runs a program to completion from an argument vector (never a shell), with a deadline,
// extra environment, standard input, and stdout/stderr captured; the one way the project runs
// a command (`ip`, `iptables`, `ldd`, ...). Child (child.h) is for long-running processes.
//
//   ASSIGN_OR_RETURN(RunOutput ran, Run({.argv = {"ip", "-j", "addr"}}));
//   if (!ran.status.ok()) ...;                     // a non-zero exit is a result, not an error
//   ASSIGN_OR_RETURN(std::string out, RunChecked({"ip", "netns", "add", name}));
//
// The exit follows ExitStatus's convention (exit_status.h). All functions are thread-safe.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/process/exit_status.h"
#include "common/status.h"

namespace common::process {

struct RunOptions {
  std::vector<std::string> argv;  // argv[0] a path, or a name looked up on this process's PATH
  std::vector<std::string> env;   // "NAME=VALUE", set on top of this process's environment
  std::string input;              // written to stdin, which is then closed; empty: /dev/null
  std::chrono::milliseconds deadline = std::chrono::seconds(60);  // from start to exit
  bool merge_output = false;  // stderr goes into `out`, interleaved; `err` stays empty
};

struct RunOutput {
  ExitStatus status;
  std::string out;
  std::string err;
};

// Runs the program to its exit. An error only when it could not start (NotFound, IoError,
// InvalidArgument for an empty argv or a bad env entry) or missed its deadline
// (DeadlineExceeded naming the command; the child was SIGKILLed and reaped). A program that
// exits early without reading all of `input` is not an error. The child inherits this
// process's signal mask and ignored signals.
common::Result<RunOutput> Run(const RunOptions& options);

// Run, and anything but exit 0 becomes IoError "ip netns add x: exited 2: <stderr>" (stdout
// when merged). Returns stdout.
common::Result<std::string> RunChecked(const RunOptions& options);
common::Result<std::string> RunChecked(std::vector<std::string> argv);

// The absolute path of an executable `name` on PATH, or nullopt.
std::optional<std::filesystem::path> FindProgram(const std::string& name);

// "nsenter --net=/x iptables -S", for messages.
std::string JoinArgv(const std::vector<std::string>& argv);

}  // namespace common::process
