// Checks for databases that promise less than Raft does (a definition's `guarantees`,
// docs/db-definitions.md): no terms, so "at most one primary at a time" instead of one leader
// per term; reads served by any replica (sequential), so reads are left out of the
// linearizability check and held only to having read something that was written.
#pragma once

#include <vector>

#include "checker/history.h"
#include "checker/run_check_result.h"
#include "checker/run_history.h"

namespace checker {

struct OnePrimaryOptions {
  // Two leader samples of one node at most this far apart count as one stretch of leading.
  int64_t max_gap_ns = 1'000'000'000;
};

// One primary at a time: each node's claims to lead are its runs of answered "leader" samples
// (consecutive samples at most max_gap_ns apart make one interval; a lone sample is a point).
// Invalid when claims of two nodes intersect: the summary names both nodes and when (seconds
// from the start), and the total time two led at once. Unknown when some node never answered
// a status sample (it could have been a primary unseen). Details: overlaps ([{a, b, from_s,
// to_s}], the first 20), overlap_s (total), leader_samples.
RunCheckResult CheckOnePrimary(const RunHistory& run, int nodes,
                               const OnePrimaryOptions& options = {});

// Reads that return a value: each must return the initial value (absent) or a value some write
// or compare-and-set wrote (or may have: info), invoked before the read returned. Invalid names
// the first read of a value nobody wrote (or wrote only later). Details: reads, phantom.
RunCheckResult CheckReadsSawWrites(const std::vector<Operation>& operations);

// `operations` without the reads (f == "read"): for the linearizability check of a database
// whose reads are not linearizable.
std::vector<Operation> WithoutReads(const std::vector<Operation>& operations);

}  // namespace checker
