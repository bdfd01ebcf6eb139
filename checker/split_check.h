// Split without majority: while no majority of the cluster can reach each other, no leader can
// commit, so no write may be acknowledged (an election and a commit need more than half the
// cluster, Raft §5.2 and §5.3).
//
// When no majority exists is connectivity.h's model over the history's faults (run_history.h
// parses them): n is the highest node number in any status sample, fault target, cut or leader;
// kill and pause targets are down; a cut link counts when either direction is dropped (a one-way
// link carries no RequestVote or AppendEntries round trip); all faults in force at one time
// combine, so an even cluster split in half, a kill of a majority, or a kill plus a partition
// together all count. Each no-majority interval runs from the effect of the fault that completed
// it (its "applied" event; the start of a kill or pause; the start in histories from before
// "applied" existed) to the "healing" event of the fault whose heal restored a majority (its end
// in older histories; the end of the history when none healed).
//
// An ok write (f write, cas or add; a cas answering false wrote nothing) invoked after the
// interval's start and acknowledged before its end is invalid; the summary names the write's
// FILE:LINE, the faults and the groups ("[1,2] | [3,4], neither a majority"). Writes invoked
// before the interval may complete during it: they may have committed before it began. Writes
// acknowledged between a fault's start and its applied event (its rules were still being
// installed) or between its healing and its end (they were being removed) are no violation:
// the fault was not surely in force.
//
// Details: nodes, splits (one per interval: id (the fault that completed it), fault (its name),
// faults (ids of all faults in force during it), start_s, end_s, groups (the live nodes joined by
// two-way links), down, writes_acknowledged), violations (each: line, process, f, key, value,
// ack_s, fault (the interval's id), faults). Malformed fault events, status samples or client
// operations give verdict unknown naming FILE:LINE.
#pragma once

#include "checker/run_check_result.h"
#include "checker/run_history.h"

namespace checker {

RunCheckResult CheckSplitWithoutMajority(const RunHistory& run);

}  // namespace checker
