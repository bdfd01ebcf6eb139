#include "common/process/exit_status.h"

#include <sys/wait.h>

#include <cstring>

namespace common::process {

ExitStatus ExitStatus::FromWaitStatus(int wait_status) {
  if (WIFEXITED(wait_status)) return {.code = WEXITSTATUS(wait_status)};
  if (WIFSIGNALED(wait_status)) return {.signal = WTERMSIG(wait_status)};
  return {};
}

std::string ExitStatus::Describe() const {
  if (code) return "exited " + std::to_string(*code);
  if (signal) {
    const char* abbreviation = ::sigabbrev_np(*signal);
    if (abbreviation == nullptr) return "killed by signal " + std::to_string(*signal);
    return std::string("killed by SIG") + abbreviation;
  }
  return "exit status unknown";
}

int ExitStatus::ShellCode() const {
  if (code) return *code;
  if (signal) return 128 + *signal;
  return -1;
}

}  // namespace common::process
