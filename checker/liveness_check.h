// The liveness check: a cluster that stops serving is broken even when everything it said was
// true. Two rules, from the client operations and nemesis faults of a run's history
// (run_history.h parses the faults):
// - at least one client operation (any f) completed ok; otherwise invalid "no operation was
//   acknowledged";
// - after the final heal (the last end event of a fault that did not fail to apply), the first
//   ok client operation invoked after that end completes within max_recovery_s. Invalid when it
//   did not and the history went on for more than max_recovery_s after the heal ("the cluster did
//   not serve within 5.0 s after the final heal at 58.2 s"); unknown when none completed and the
//   history ended sooner, or when a fault never ended (the cluster was never healed); valid with
//   the time otherwise ("served 0.041 s after the final heal at 58.2 s"). A history without
//   faults only needs the first rule.
//
// Details: ok_ops, final_heal_s (null without faults), served_after_heal_s (null when nothing
// was served after it), bound_s. Malformed input gives unknown naming FILE:LINE.
#pragma once

#include "checker/run_check_result.h"
#include "checker/run_history.h"

namespace checker {

struct LivenessOptions {
  double max_recovery_s = 5;  // the bound on serving again after the final heal
};

RunCheckResult CheckLiveness(const RunHistory& run, const LivenessOptions& options = {});

}  // namespace checker
