// Election safety, checked after a run from two independent sources in the RunHistory
// (run_history.h):
// - the status samples (`{"process":"status","f":"status","value":{"node":1,"role":"leader",
//   "term":3,...}}`; samples with "error" are nodes that did not answer);
// - each node's own log of role and leader changes, a node-log event per node (node_log.h; refdb
//   keeps one, refdb/server/event_log.h).
//
// Two properties:
// 1. At most one leader per term (Raft's Election Safety, §5.2). A node that reported role leader
//    in term T led T. Two different nodes leading one term, in any mix of sources, is invalid;
//    the summary names the term, both nodes and where each was seen.
// 2. A leader needs votes from a majority (§5.2), from status samples only (a log's time_ns is
//    another clock). A node that grants a vote in term T has currentTerm >= T from then on (terms
//    only grow and are durable, §5.1). So when node L is first seen leading term T in a sample
//    appended at time t, every node that voted for it had term >= T at some time <= t. A sample
//    of node X appended at s read X's state within [s - margin, s] (the status call's deadline is
//    50 ms; margin: `sample_margin_ms`, 100 ms by default), so when s - margin >= t and the
//    sample shows term < T, X cannot have voted for L in T. Such a proof does not count when X
//    may have restarted since L's election began (a "kill" fault targeting X whose restart, between
//    its "healing" and its "end", may lie after L's last sample below T, minus the margin, and
//    before s): a database that loses state on restart (a bug of its own) could regress its term.
//    L plus the nodes not proven below T must be a majority of the n nodes (n: option `nodes`,
//    else the highest node number in samples, fault targets, cuts and node logs); otherwise
//    it is invalid: "node 3 became leader of term 5 (sample at 12.345 s, FILE:LINE) but nodes 1,2
//    were still in term 4 after it (FILE:LINE, FILE:LINE): at most 2 of 4 nodes could have voted
//    for it, not a majority". Only the first sample of each (leader, term) is checked. The check
//    needs the sampled term to be the node's currentTerm: `terms_are_current` false (etcd, whose
//    status reports the term of the last applied entry, which lags) turns it off and says so.
//
// Blind spots make the verdict unknown, unless something is invalid (then invalid):
// - with `logs_expected` (the default), every node of 1..n must have a node log in the history: a
//   missing one is "no node log from node 3: cannot see its elections" (nodes named together); a
//   log with a problem (node_log.h) and no events is "cannot read the node log of node 3
//   (PROBLEM): cannot see its elections"; one with events and a problem (a malformed line after
//   them: they are still checked) gives the problem as it is ("FILE:LINE: not a JSON object").
//   Without `logs_expected` (databases that keep no such log) a node without a log is fine, the
//   problems of logs present are still reported, and a valid summary says "from status samples
//   only" when no log was read;
// - a node of 1..n that answered no status sample and left no usable node log;
// - no node reported being leader at all.
// A malformed status sample, fault or node-log event (RunHistory::status) gives verdict unknown
// naming FILE:LINE. A conflict names where each leader was seen: "FILE:LINE status sample", or
// "node log event 2 at FILE:LINE" (the 2nd event of the node-log event on that line).
//
// Details: terms_seen (distinct terms in any sample or log line), terms_with_leader,
// leader_changes (times the leader differs from the previous led term's, in term order),
// leaders ({"3": 1, ...}: each term's leader), conflicts, status_samples, unanswered_samples,
// log_lines (node events), missing_logs (node numbers), nodes (n), silent_nodes (answered no
// sample, no usable log), majority_checked (bool), leaderships_checked, majority_violations, and
// majority_note (why the majority was not checked) when majority_checked is false.
#pragma once

#include "checker/run_check_result.h"
#include "checker/run_history.h"

namespace checker {

struct ElectionSafetyOptions {
  int nodes = 0;                  // the cluster size; 0: the highest node number seen
  bool terms_are_current = true;  // status terms are currentTerm: check the majority of votes
  int sample_margin_ms = 100;     // a sample read its node's state within this before its time
  bool logs_expected = true;      // every node 1..n has a node log in the history
};

RunCheckResult CheckElectionSafety(const RunHistory& run,
                                   const ElectionSafetyOptions& options = {});

}  // namespace checker
