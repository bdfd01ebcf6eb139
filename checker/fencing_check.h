// The fencing check, for the election workload: only a leader writes the protected key
// `fenced`, and each write carries its lease's fencing token as the prefix of the value
// ("<token>:<candidate>:<n>"; a plain write, or the new value of a cas). A tenure event says
// from when a candidate believed it led with which token
// (`{"process":"election","f":"tenure","value":{"candidate":c,"start_ns":S,"end_ns":E,
// "token":T}}`). A write the database accepted (ok; a cas whose compare held) with token t whose
// invocation came after the start of a tenure with a larger token is stale: the database let an
// old leader act after a newer one took over. Invalid names the first such write and the tenure.
//
// Unknown without a lease-config event (not an election history), when a tenure lacks a token,
// or when the client operations do not pair. Writes whose outcome is unknown (info) are counted
// but cannot be called accepted.
#pragma once

#include "checker/run_check_result.h"
#include "checker/run_history.h"

namespace checker {

// The key only leaders write; its producer (workloads/lease_candidate.h) spells it the same.
inline constexpr char kFencedKey[] = "fenced";

RunCheckResult CheckFencing(const RunHistory& run);

}  // namespace checker
