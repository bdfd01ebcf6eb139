// The convergence check of a chaos run: after the last fault healed, every replica reached the
// same state. It reads the status samples and faults of a RunHistory (run_history.h).
#pragma once

#include "checker/run_check_result.h"
#include "checker/run_history.h"

namespace checker {

struct ConvergenceOptions {
  int nodes = 0;  // the cluster size; 0: the highest node number in the history (RunHistory::nodes)
};

// Convergence: once the faults are healed, all replicas hold the same state. Uses the status
// samples of the last second of the history that come after the last fault end: each node's
// latest answered sample there must report the same `applied` index and, where present, the
// same `digest`. Invalid names every node with its values when the nodes that answered differ.
// Unknown when a node of the cluster (1..nodes) did not answer in that window ("node 3 did not
// answer a status sample in the last second after heal; nodes 1,2 report applied ..."): it may
// hold anything. Unknown too when no node answers, when a fault never ended (the cluster was not
// healed), or when a sample there has no integer `applied` (FILE:LINE). Details: nodes
// ({"1":{"applied":..,"digest":..},...}), not_answering, window_start_s, cluster_nodes.
RunCheckResult CheckConvergence(const RunHistory& run, const ConvergenceOptions& options = {});

}  // namespace checker
