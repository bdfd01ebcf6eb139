// `splitbrain run`: one chaos test from start to verdict. The lifecycle, in order:
//   spec → run id, store folder, registration → backend up (network, image) → nodes created and
//   started → wait for a leader that serves a write → history, status poller, workload (and,
//   with the nemesis, faults) until the time limit or Ctrl-C → final reads → logs and each
//   node's events.jsonl collected → teardown → checks → results.json → exit code.
// Every step's resources are owned by RAII objects (backend, registration, poller, threads),
// so an error, an exception or a signal tears down the same way a normal end does.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace orchestrator {

// Runs the command on `args` (the words after "run"). `out` gets the progress and summary.
int RunRunCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace orchestrator
