// ExecuteRun: one planned run from start to verdict. The lifecycle, in order:
//   ClusterSession::Open (run id, store folder, registration, backend, spec.json) → BringUp
//   (backend up, nodes started, a leader that serves a write) → Driver::Run (history, status
//   poller, workload and faults until the time limit or Ctrl-C; heal; final reads) → node logs
//   collected and folded into the history → teardown → checks → results.json, junit.xml (and
//   --junit), report.html and the store index → exit code.
// Every step's resources are owned by RAII objects (session, registration, poller, threads), so
// an error, an exception or a signal tears down the same way a normal end does; a run that
// fails before its checks still writes results.json (verdict run-failed, with the phase).
#pragma once

#include <iosfwd>

#include "orchestrator/run/interrupts.h"
#include "orchestrator/run/plan.h"

namespace orchestrator {

// The exit code (store/exit_code.h). `out` gets the progress and summary, `err` the problems.
int ExecuteRun(const RunPlan& plan, std::ostream& out, std::ostream& err,
               const InterruptWatcher& interrupts);

}  // namespace orchestrator
