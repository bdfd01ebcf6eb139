// The exit codes of every splitbrain command (DESIGN.md, "Command line"), and the one mapping
// from a verdict to its code. Header-only.
#pragma once

#include "checker/linearizability.h"
#include "common/status.h"

namespace orchestrator {

inline constexpr int kExitValid = 0;
inline constexpr int kExitInvalid = 1;
inline constexpr int kExitUnknown = 2;
inline constexpr int kExitRunFailed = 3;  // the cluster never came up, a backend error, Ctrl-C
inline constexpr int kExitBadInput = 254;

constexpr int ExitCodeOf(checker::Verdict verdict) {
  switch (verdict) {
    case checker::Verdict::kValid:
      return kExitValid;
    case checker::Verdict::kInvalid:
      return kExitInvalid;
    case checker::Verdict::kUnknown:
      return kExitUnknown;
  }
  return kExitRunFailed;
}

// The exit code of a command that writes files (report, merge) when a step failed: a file that
// could not be written is a failed run of the command (3); anything else is its input (254).
inline int ExitCodeOfFailure(const common::Status& status) {
  return status.code() == common::StatusCode::kIoError ? kExitRunFailed : kExitBadInput;
}

}  // namespace orchestrator
