// The fault check: did the faults a run planned actually happen? A chaos run whose faults did
// nothing proves nothing, so it must not come out valid (once, with an `iptables` that always
// fails, every fault failed to apply and every check still said valid).
//
// For each fault of the history (run_history.h parses the phases: start, applied, verified,
// healing, end), one status:
// - "failed":      its end carries an "error" (it could not be applied, or not even planned), or
//                  its "verified" event says ok:false (a probe saw it not in force); the reason
//                  is the error, the verified reason, or the first failed probe;
// - "verified":    its "verified" event says ok:true; a clock fault (which gets no verified
//                  event) when every target has an answered status sample after the applied
//                  event (100 ms margin: a sample's state was read up to 100 ms before its time)
//                  and before the fault's healing whose clock_offset_ms is within 1000 ms of the
//                  node's expected offset: the sum of offset_s * 1000 of all clock faults in
//                  force on that node at the sample;
// - "unverified":  applied but never verified: a clock fault too short for a sample to show it,
//                  a verified event missing, or a history from before faults were verified (no
//                  applied, verified or healing event at all: the start stands for applied);
// - "not-applied": neither applied nor failed: it never got in force (the history was cut).
//
// Verdict: valid when every fault is verified ("6 faults planned, all applied and verified"), or
// when there are none ("no faults planned"). Unknown otherwise: "2 of 6 faults did not take
// effect: fault 3 (partition-halves at 12.0 s): failed: iptables-restore: ...; ...", and when no
// fault was applied at all, "6 faults planned, none applied: ...". Never invalid: a fault that did
// not happen says nothing about the database. Malformed events give unknown naming FILE:LINE.
//
// Details: planned, applied, verified, failed, unverified, not_applied (counts), faults (one per
// fault, in start order: id, fault, start_s, targets, status, reason).
#pragma once

#include "checker/run_check_result.h"
#include "checker/run_history.h"

namespace checker {

RunCheckResult CheckFaults(const RunHistory& run);

}  // namespace checker
