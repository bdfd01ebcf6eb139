// Split without majority: while a cluster of an even number of nodes is split exactly in half,
// neither half holds a majority, so no leader can commit and no write may be acknowledged
// (an election and a commit need more than half the cluster, Raft §5.2 and §5.3).
//
// A fault splits the cluster in half when its `cut` (failover_check.h: the directed links that
// are dropped) leaves exactly two groups of n/2 nodes, where two nodes are in one group when a
// chain of two-way links joins them (a one-way link carries no RequestVote or AppendEntries
// round trip). n is the highest node number in any status sample, fault target, cut or leader,
// and must be even. During such a split, from its start event to its end event (or the end of
// the history when it never ended), an ok write (f write, cas or add; a cas answering false wrote
// nothing) invoked after the start and acknowledged before the end is invalid; the summary names
// the write's FILE:LINE and the fault. Writes invoked before the split may complete during it:
// they may have committed before it began.
//
// Details: nodes, splits (each: id, fault, start_s, end_s, halves, writes_acknowledged),
// violations (each: line, process, f, key, value, ack_s, fault id). Malformed fault events,
// status samples or client operations give verdict unknown naming FILE:LINE.
#pragma once

#include "checker/run_check_result.h"

namespace checker {

RunCheckResult CheckSplitWithoutMajority(const History& history);

}  // namespace checker
