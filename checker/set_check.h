// The set check (Jepsen's set semantics), for the set workload: clients `add` unique integers
// (invoke -> ok | fail | info; an invoke that never completes counts as info), then one
// `final-read` per node reads the whole set from that replica (extra field "node"; ok with a
// list of integers, or fail). For each node whose final read succeeded:
// - lost:        adds acknowledged ok but absent from the read (a durability violation);
// - unexpected:  elements read that no add ever attempted;
// - recovered:   indeterminate (info) adds that are present (allowed);
// - failed present: adds that returned fail but are present (fail means "did not happen").
// Verdict: invalid when any node lost, read unexpected or failed-but-present elements; unknown
// when no final read succeeded (or the history is malformed: FILE:LINE in the summary); valid
// otherwise.
//
// Details: adds {"ok","fail","info"}, attempted, nodes: [{node, read, lost, unexpected,
// recovered, failed_present, and the first elements of each as *_examples}], failed_reads:
// [{node, error}], and the totals lost / unexpected / failed_present over all nodes.
#pragma once

#include "checker/run_check_result.h"

namespace checker {

RunCheckResult CheckSet(const History& history);

}  // namespace checker
