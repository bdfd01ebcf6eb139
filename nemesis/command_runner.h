// CommandRunner: runs a program from an argument vector (never a shell) and returns its exit
// code and output. The nemesis runs `nsenter` and `iptables` through it, so tests inject a
// fake that records argv lists instead of touching the network.
//
// SpawnRunner is the real one: common::process::Run (common/process/run.h) with stdout and
// stderr captured together, and a deadline after which the child is killed. Thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/status.h"

namespace nemesis {

struct CommandOutput {
  int exit_code = 0;   // ExitStatus::ShellCode(): the exit code, or 128 + the killing signal
  std::string output;  // stdout and stderr, interleaved
};

class CommandRunner {
 public:
  virtual ~CommandRunner() = default;
  // An error only when the program could not be run or missed its deadline; a non-zero exit
  // is an ordinary result. `input` is written to the program's standard input, which is then
  // closed (empty: the program reads /dev/null).
  virtual common::Result<CommandOutput> Run(const std::vector<std::string>& argv,
                                            const std::string& input) = 0;
  common::Result<CommandOutput> Run(const std::vector<std::string>& argv) { return Run(argv, ""); }
};

class SpawnRunner : public CommandRunner {
 public:
  explicit SpawnRunner(std::chrono::milliseconds deadline = std::chrono::seconds(10))
      : deadline_(deadline) {}
  using CommandRunner::Run;
  common::Result<CommandOutput> Run(const std::vector<std::string>& argv,
                                    const std::string& input) override;

 private:
  std::chrono::milliseconds deadline_;
};

// Runs argv (with `input` on its standard input) and turns a non-zero exit into an IoError
// naming the command and its output.
common::Result<std::string> RunChecked(CommandRunner& runner, const std::vector<std::string>& argv,
                                       const std::string& input = "");

}  // namespace nemesis
