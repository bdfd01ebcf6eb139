// The failover check of a chaos run: how fast the cluster recovers when a fault takes away its
// leader. It reads the status samples, faults and client operations of a RunHistory
// (run_history.h, where their formats are described).
#pragma once

#include <cstdint>

#include "checker/run_check_result.h"
#include "checker/run_history.h"

namespace checker {

// True when `fault` took `leader` away from a majority of the `nodes` nodes: a kill or pause
// whose targets include it, or a cut after which the leader keeps a two-way link with fewer
// than a majority (itself included; Raft has no forwarding, so one-way links do not count).
bool RemovesLeader(const Fault& fault, int64_t leader, int64_t nodes);

struct FailoverOptions {
  double max_failover_s = 5;  // the bound on time to a new leader and to the first write
  double max_recovery_s = 5;  // the bound on recovery after the heal of a no-majority fault
  // The database reports terms. Without (every sample says term 0), a new leader is a leader
  // sample from another node than the one the fault removed.
  bool has_terms = true;
};

// Failover: for each fault that removed or isolated the leader (RemovesLeader; when the fault
// event gives leader or term 0, the last status sample before the fault that showed a leader
// supplies them). Failed faults (Fault::IsFailed) are skipped. Each such fault is one of two
// kinds (connectivity.h, with every fault in force at the fault's effect):
//
// "leader-lost": a majority remained, so Raft promises a new leader (§5.2) within the bound,
// measured from the fault's effect (Fault::EffectNs: the start of a kill or pause, the applied
// event of a network fault):
// - new leader: the first status sample after the start in which a node is leader of a term
//   greater than the fault's start term (0 when it came before the effect). When the old leader
//   is seen leading its old term again after the fault ended and before any new leader, the
//   fault healed before a failover was needed: the event records leader_kept and no new leader;
// - first write: the completion of the first ok write (f write, cas or add; a cas answering
//   false wrote nothing) invoked after the fault was applied (its "applied" event, else its
//   start): a write invoked while a cut was still being installed may commit under the old
//   leader and says nothing about the failover;
// - unavailability: from the last ok write completion before the start (or the start, when
//   there was none) to that first write.
// Invalid when a new-leader or first-write time exceeds max_failover_s, or never happens while
// the history continues more than the bound after the effect.
//
// "no-majority": no majority existed (a 2|2 split of 4 nodes, a kill of a majority, ...), so no
// leader can be elected until a heal and the failover bound does not apply. Instead, "recovery
// after heal", from the end event of the heal that restored a majority (the no-majority
// interval's restoring fault): to the first status sample after it in which any node is leader,
// and to the completion of the first ok write invoked after it. Invalid when either exceeds
// max_recovery_s, or never happens while the history continues more than that after the heal;
// the summary says "recovery after heal" and names the fault. A fault whose no-majority interval
// never healed gets no recovery figures and no violation.
//
// Details: nodes, faults, faults_failed, faults_leader_unknown, bound_s, recovery_bound_s,
// leader_lost, no_majority (counts), events (one per such fault, times in s: id, fault, kind,
// start_s, effect_s, end_s, leader, term, new_leader_s, new_leader, new_term, leader_kept,
// first_write_s, unavailable_s, heal_s, recovery_leader_s, recovery_write_s; the figures of the
// other kind are null), violations (strings), and distributions {count, min, median, p99, max}
// (nearest rank) new_leader_s, first_write_s, unavailable_s (leader-lost faults) and
// recovery_leader_s, recovery_write_s (no-majority faults). The invalid summary names the fault
// id, its name, when it started and the times; the valid one counts the faults of each kind.
// Valid with "no fault removed the leader" when none did.
RunCheckResult CheckFailover(const RunHistory& run, const FailoverOptions& options = {});

}  // namespace checker
