// ExitStatus: how a child process ended, in the one convention every launcher in the project
// uses: `code` is set when it exited (exit(3) gives code 3), `signal` when a signal killed it
// (SIGKILL gives signal 9); neither when nobody knows (another waiter reaped it). A plain value.
#pragma once

#include <optional>
#include <string>

namespace common::process {

struct ExitStatus {
  std::optional<int> code;
  std::optional<int> signal;

  // Decodes a status from waitpid(2).
  static ExitStatus FromWaitStatus(int wait_status);

  bool ok() const { return code == 0; }  // exited 0
  // "exited 3", "killed by SIGKILL", "exit status unknown".
  std::string Describe() const;
  // The number a shell's $? shows: the code, or 128 + the signal (-1 when unknown). For
  // interfaces that carry one int; prefer the fields.
  int ShellCode() const;

  friend bool operator==(const ExitStatus&, const ExitStatus&) = default;
};

}  // namespace common::process
