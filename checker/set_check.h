// The set check (Jepsen's set semantics), for the set workload: clients `add` unique integers
// (invoke -> ok | fail | info; an invoke that never completes counts as info), then one
// `final-read` per node reads the whole set from that replica (extra field "node"; ok with a
// list of integers, or fail with an "error"). For each node whose final read succeeded:
// - lost:        adds acknowledged ok but absent from the read (a durability violation);
// - unexpected:  elements read that no add ever attempted;
// - recovered:   indeterminate (info) adds that are present (allowed);
// - failed present: adds that returned fail but are present (fail means "did not happen").
// Every node is expected to be read: nodes 1..n, n being the option `nodes`, or when it is 0 the
// highest "node" of any final read or status sample.
// Verdict: invalid when any node lost, read unexpected or failed-but-present elements (whatever
// else is missing); otherwise unknown when an expected node has no successful final read, naming
// each ("final read of node 3 failed: deadline exceeded; nodes 1,2,4 read 812 elements, none
// lost", "no final read of node 4; ..."), or when no final read succeeded at all ("no final read
// succeeded (1 failed): ..."), or when the history is malformed (FILE:LINE in the summary);
// valid otherwise.
//
// The adds and final reads are the set workload's vocabulary, read from RunHistory::history.
//
// Details: adds {"ok","fail","info"}, attempted, nodes: [{node, read, lost, unexpected,
// recovered, failed_present, and the first elements of each as *_examples}], failed_reads:
// [{node, error}], missing_reads: [node, ...] (the expected nodes without a successful final
// read: failed or never attempted), and the totals lost / unexpected / failed_present over all
// nodes.
#pragma once

#include "checker/run_check_result.h"
#include "checker/run_history.h"

namespace checker {

struct SetCheckOptions {
  int nodes = 0;  // the nodes expected to be read are 1..nodes; 0: the highest node seen
};

RunCheckResult CheckSet(const RunHistory& run, const SetCheckOptions& options = {});

}  // namespace checker
