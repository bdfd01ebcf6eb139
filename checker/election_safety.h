// Election safety, checked after a run from two independent sources:
// - the status samples in the history (`{"process":"status","f":"status","value":{"node":1,
//   "role":"leader","term":3,...}}`; samples with "error" are nodes that did not answer);
// - each node's `events.jsonl` (refdb/server/event_log.h: one line per role or leader change,
//   `{"time_ns":...,"node":1,"term":3,"role":"leader","leader":1}`).
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
//    else the highest node number in samples, fault targets, cuts and the logs given); otherwise
//    it is invalid: "node 3 became leader of term 5 (sample at 12.345 s, FILE:LINE) but nodes 1,2
//    were still in term 4 after it (FILE:LINE, FILE:LINE): at most 2 of 4 nodes could have voted
//    for it, not a majority". Only the first sample of each (leader, term) is checked. The check
//    needs the sampled term to be the node's currentTerm: `terms_are_current` false (etcd, whose
//    status reports the term of the last applied entry, which lags) turns it off and says so.
//
// Blind spots make the verdict unknown, unless something is invalid (then invalid):
// - with `logs_expected` (the default), each log given must be readable: a missing one is "no
//   events.jsonl from node 3 (PATH): cannot see its elections", an unreadable one names the
//   error, a malformed line names FILE:LINE (the lines before it are still checked). Without
//   `logs_expected` (databases that keep no such log) the caller passes no logs, a missing one
//   is only listed in details.missing_logs, and a valid summary says "from status samples only";
// - a node of 1..n that answered no status sample and left no readable log;
// - no node reported being leader at all.
// A malformed status sample or nemesis kill event gives verdict unknown naming FILE:LINE.
//
// Details: terms_seen (distinct terms in any sample or log line), terms_with_leader,
// leader_changes (times the leader differs from the previous led term's, in term order),
// leaders ({"3": 1, ...}: each term's leader), conflicts, status_samples, unanswered_samples,
// log_lines, missing_logs (paths), nodes (n), silent_nodes (answered no sample, no readable log),
// majority_checked (bool), leaderships_checked, majority_violations, and majority_note (why the
// majority was not checked) when majority_checked is false.
#pragma once

#include <string>
#include <vector>

#include "checker/run_check_result.h"

namespace checker {

struct NodeEventLog {
  int node = 0;
  std::string path;  // the node's events.jsonl
};

struct ElectionSafetyOptions {
  int nodes = 0;                  // the cluster size; 0: the highest node number seen
  bool terms_are_current = true;  // status terms are currentTerm: check the majority of votes
  int sample_margin_ms = 100;     // a sample read its node's state within this before its time
  bool logs_expected = true;      // every log given must exist and be readable
};

RunCheckResult CheckElectionSafety(const History& history, const std::vector<NodeEventLog>& logs,
                                   const ElectionSafetyOptions& options = {});

}  // namespace checker
