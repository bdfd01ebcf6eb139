// The recovery checks of a chaos run: failover (how fast the cluster recovers when a fault takes
// away its leader) and convergence (after the last fault healed, every replica reached the same
// state). Both read two kinds of named-process events of a `splitbrain run` history, parsed here
// for them and for split_check.h, fault_check.h, liveness_check.h and connectivity.h:
//
// - status samples, every 50 ms per node:
//     {"process":"status","type":"info","f":"status","value":{"node":1,"role":"leader","term":3,
//      "leader":1,"commit":10,"applied":10,"digest":"...","clock_offset_ms":12}}
//   or {"value":{"node":1,"error":"deadline exceeded"}} for a node that did not answer. A
//   sample's time is when it was appended, after the answer: the node read its state in the
//   100 ms before it;
// - nemesis faults (the contract of issue 13), one event per phase, all with the fault's id:
//     start     recorded just before the fault is applied: targets, cut, leader, term, offset_s;
//     applied   once the fault is in force on every node (each node's rules are in; a kill or
//               pause call returned);
//     verified  right after applied: "ok" (bool), "probes" (kept as JSON), "reason" when not ok.
//               Clock faults get none: they show in the samples' clock_offset_ms;
//     healing   just before the fault starts being undone (from here on it may be gone);
//     end       once undone; with "error" for a fault that failed to apply (then there is no
//               applied, verified or healing).
//   For example:
//     {"process":"nemesis","type":"info","f":"kill","value":{"phase":"start","id":4,
//      "targets":[2],"leader":2,"term":5}}
//     {"process":"nemesis","type":"info","f":"kill","value":{"phase":"applied","id":4}}
//     {"process":"nemesis","type":"info","f":"kill","value":{"phase":"verified","id":4,
//      "ok":true,"probes":[{"kind":"stopped","node":2,"ok":true,"seen":"exited"}]}}
//     {"process":"nemesis","type":"info","f":"kill","value":{"phase":"healing","id":4}}
//     {"process":"nemesis","type":"info","f":"kill","value":{"phase":"end","id":4}}
//   `f` names the fault (kill, pause, partition-halves, partition-leader, partition-random-node,
//   partition-ring, partition-bridge, link, loss, clock, ...); `cut` lists the directed links
//   a -> b whose packets are dropped (network faults only); `leader` and `term` are the leader
//   and term when the fault started (0: unknown). A fault may never end (the history was cut
//   short). Histories from before applied, verified and healing existed still load: the start
//   stands for applied and the end for healing. Nemesis events whose value has no "phase" are not
//   faults and are skipped.
//
// Malformed samples or fault events give verdict unknown naming FILE:LINE, never a crash.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "checker/run_check_result.h"

namespace checker {

// One status sample of one node.
struct StatusSample {
  int64_t index = 0;  // event index
  int64_t time_ns = 0;
  int64_t node = 0;
  bool is_answered = false;  // false: the sample is an error
  std::string role;          // empty when not answered
  int64_t term = 0;
  std::optional<int64_t> applied;
  Json digest;                            // null when absent
  std::optional<double> clock_offset_ms;  // the node's wall clock minus the poller's
  int64_t line = 0;
};

// One fault the nemesis injected, with the phases the history has of it.
struct Fault {
  int64_t id = 0;
  std::string name;  // the event's f: kill, pause, partition-halves, ...
  std::vector<int64_t> targets;
  std::vector<std::pair<int64_t, int64_t>> cut;  // directed links a -> b that are dropped
  int64_t leader = 0;                            // at the start; 0 = unknown
  int64_t term = 0;                              // at the start; 0 = unknown
  double offset_s = 0;                           // clock faults: the offset added to targets
  int64_t start_index = 0;
  int64_t start_ns = 0;
  std::optional<int64_t> applied_index;  // absent: no "applied" event
  std::optional<int64_t> applied_ns;
  std::optional<bool> verified;          // the "verified" event's ok; absent: no such event
  std::string verify_reason;             // its reason (when ok is false)
  Json verify_probes;                    // its probes, null when absent
  std::optional<int64_t> healing_index;  // absent: no "healing" event
  std::optional<int64_t> healing_ns;
  std::optional<int64_t> end_index;  // absent: never ended
  std::optional<int64_t> end_ns;
  std::string error;  // the end's "error": the fault failed to apply
  int64_t line = 0;   // of the start event

  // True for a fault that failed to apply (an end with "error" and no "applied"): it was never
  // in force, and no check counts it.
  bool IsFailed() const { return !error.empty() && !applied_index.has_value(); }
  // When the fault took effect. Kill and pause at their start: the signal goes out at the start
  // of the call, and a Docker kill returns hundreds of ms after the node is down. Every other
  // fault at its "applied" event (a cut is only a cut once every node's rules are in), else at
  // its start (histories from before "applied" existed).
  // When the fault was in force on every node: its applied event (the start for an old history
  // without one). A kill of several nodes is in force once the last is down; the safety checks
  // (split without majority) count from here, never earlier.
  int64_t InForceIndex() const { return applied_index.value_or(start_index); }
  int64_t InForceNs() const { return applied_ns.value_or(start_ns); }
  int64_t EffectIndex() const;
  int64_t EffectNs() const;
  // Until when the fault was surely in force: its "healing" event, else its end; nothing when it
  // never ended.
  std::optional<int64_t> InForceUntilIndex() const;
  std::optional<int64_t> InForceUntilNs() const;
};

// The status samples of a history, in order. Error "FILE:LINE: ..." for a malformed one.
Result<std::vector<StatusSample>> ReadStatusSamples(const History& history);

// The faults of a history, in start order. Error "FILE:LINE: ..." for a malformed phase event
// (a "verified" without a boolean "ok", an "error" that is not a string, ...), a second start of
// one id, an unknown phase, or an applied, verified, healing or end of an id that never started.
// A repeated phase is ignored (heal-all may end what already ended).
Result<std::vector<Fault>> ReadFaults(const History& history);

// The number of nodes: the highest node number in any sample, fault target, cut or leader.
int64_t ClusterSize(const std::vector<StatusSample>& samples, const std::vector<Fault>& faults);

// True for an ok write that changed state: f write, cas or add, but not a cas that answered false.
bool IsAcknowledgedWrite(const Operation& op);

// True when `fault` took `leader` away from a majority of the `nodes` nodes: a kill or pause
// whose targets include it, or a cut after which the leader keeps a two-way link with fewer
// than a majority (itself included; Raft has no forwarding, so one-way links do not count).
bool RemovesLeader(const Fault& fault, int64_t leader, int64_t nodes);

struct FailoverOptions {
  double max_failover_s = 5;  // the bound on time to a new leader and to the first write
  double max_recovery_s = 5;  // the bound on recovery after the heal of a no-majority fault
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
RunCheckResult CheckFailover(const History& history, const FailoverOptions& options = {});

struct ConvergenceOptions {
  int nodes = 0;  // the cluster size; 0: the highest node number in the history (ClusterSize)
};

// Convergence: once the faults are healed, all replicas hold the same state. Uses the status
// samples of the last second of the history that come after the last fault end: each node's
// latest answered sample there must report the same `applied` index and, where present, the
// same `digest`. Invalid names every node with its values when the nodes that answered differ.
// Unknown when a node of the cluster (1..nodes) did not answer in that window ("node 3 did not
// answer a status sample in the last second after heal; nodes 1,2 report applied ..."): it may
// hold anything. Unknown too when no node answers, when a fault never ended (the cluster was not
// healed), or when a sample there has no integer `applied` (FILE:LINE). Details: nodes
// ({"1":{"applied":..,"digest":..},...}), not_answering, window_start_s, cluster_nodes.
RunCheckResult CheckConvergence(const History& history, const ConvergenceOptions& options = {});

}  // namespace checker
