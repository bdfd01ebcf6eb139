// The lease check, for the election workload: K candidates compete for one lease; the history
// holds one `{"process":"election","type":"info","f":"lease-config","value":{"lease_ms":1000,
// "renew_deadline_ms":600,"retry_ms":100,"candidates":K}}` event and, per tenure, one
// `{"process":"election","f":"tenure","value":{"candidate":c,"start_ns":S,"end_ns":E}}` (times on
// the history's clock).
// - Safety: no two different candidates' tenures overlap. Invalid names both candidates, their
//   tenures (s from the window start) and the overlap in ms. With `"fencing": true` in the
//   lease-config, overlaps are reported but valid: a frozen leader may wake believing it leads,
//   and fencing makes the database refuse its writes (checker/fencing_check.h proves it).
// - Safety margin: the smallest gap (ms) between one candidate's tenure end and another
//   candidate's later tenure start (a handover), next to the configured margin
//   lease_ms - renew_deadline_ms the workload's design promises.
// - Availability: over the window from the lease-config event to the last client or election
//   event, the fraction of time some candidate held the lease, and the longest interval with no
//   holder (start and end in s from the window start).
// Unknown without a lease-config event, or with a malformed one or tenure (FILE:LINE). Lease
// events are the history's own vocabulary (a named process "election"), read from
// RunHistory::history; the run's samples and faults play no part.
#pragma once

#include "checker/run_check_result.h"
#include "checker/run_history.h"

namespace checker {

// The named process whose events are the lease's: its producer (workloads/election_workload.cc)
// and this check share the one spelling.
inline constexpr char kLeaseProcess[] = "election";

RunCheckResult CheckLease(const RunHistory& run);

}  // namespace checker
