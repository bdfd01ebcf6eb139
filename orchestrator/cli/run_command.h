// `splitbrain run`: the flags and spec file into a RunSpec (store/spec.h), a seed drawn when
// none was given, the plan (run/plan.h; a spec it cannot honour is exit 254 before anything
// starts), then the run itself (run/execute.h) under a Ctrl-C watcher.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace orchestrator {

// Runs the command on `args` (the words after "run"). `out` gets the progress and summary.
int RunRunCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace orchestrator
