// Election safety: at most one leader per term (Raft's Election Safety property), checked after
// a run from two independent sources:
// - the status samples in the history (`{"process":"status","f":"status","value":{"node":1,
//   "role":"leader","term":3,...}}`; samples with "error" are nodes that did not answer);
// - each node's `events.jsonl` (refdb/server/event_log.h: one line per role or leader change,
//   `{"time_ns":...,"node":1,"term":3,"role":"leader","leader":1}`).
// A node that reported role leader in term T led T. Two different nodes leading one term, in any
// mix of sources, is invalid; the summary names the term, both nodes and where each was seen.
// A missing events.jsonl contributes nothing (details.missing_logs lists it); an unreadable or
// malformed one, or a malformed status sample, gives verdict unknown naming FILE:LINE.
//
// Details: terms_seen (distinct terms in any sample or log line), terms_with_leader,
// leader_changes (times the leader differs from the previous led term's, in term order),
// leaders ({"3": 1, ...}: each term's leader), status_samples, unanswered_samples,
// log_lines, missing_logs.
#pragma once

#include <string>
#include <vector>

#include "checker/run_check_result.h"

namespace checker {

struct NodeEventLog {
  int node = 0;
  std::string path;  // the node's events.jsonl
};

RunCheckResult CheckElectionSafety(const History& history, const std::vector<NodeEventLog>& logs);

}  // namespace checker
