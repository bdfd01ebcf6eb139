// The recovery checks of a chaos run: failover (how fast the cluster recovers when a fault takes
// away its leader) and convergence (after the last fault healed, every replica reached the same
// state). Both read two kinds of named-process events of a `splitbrain run` history, parsed here
// for them and for split_check.h:
//
// - status samples, every 50 ms per node:
//     {"process":"status","type":"info","f":"status","value":{"node":1,"role":"leader","term":3,
//      "leader":1,"commit":10,"applied":10,"digest":"..."}}
//   or {"value":{"node":1,"error":"deadline exceeded"}} for a node that did not answer;
// - nemesis faults, a start (recorded just before the fault is applied), optionally "applied"
//   (once it is in place: a kill returned, every rule of a cut is installed), and later an end
//   with the same id:
//     {"process":"nemesis","type":"info","f":"kill","value":{"phase":"start","id":4,
//      "targets":[2],"cut":[[2,1],[1,2]],"leader":2,"term":5}}
//     {"process":"nemesis","type":"info","f":"kill","value":{"phase":"applied","id":4}}
//     {"process":"nemesis","type":"info","f":"kill","value":{"phase":"end","id":4}}
//   `f` names the fault (kill, pause, partition-halves, partition-leader, partition-random-node,
//   partition-ring, partition-bridge, link, loss, ...); `cut` lists the directed links a -> b
//   whose packets are dropped (network faults only); `leader` and `term` are the leader and term
//   when the fault started (0: unknown). A fault may never end (the history was cut short).
//   Nemesis events whose value has no "phase" are not faults and are skipped.
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
  Json digest;  // null when absent
  int64_t line = 0;
};

// One fault the nemesis injected, with its end when the history has one.
struct Fault {
  int64_t id = 0;
  std::string name;  // the event's f: kill, pause, partition-halves, ...
  std::vector<int64_t> targets;
  std::vector<std::pair<int64_t, int64_t>> cut;  // directed links a -> b that are dropped
  int64_t leader = 0;                            // at the start; 0 = unknown
  int64_t term = 0;                              // at the start; 0 = unknown
  int64_t start_index = 0;
  int64_t start_ns = 0;
  std::optional<int64_t> applied_index;  // absent: no "applied" event (the start stands for it)
  std::optional<int64_t> end_index;      // absent: never ended
  std::optional<int64_t> end_ns;
  int64_t line = 0;  // of the start event
};

// The status samples of a history, in order. Error "FILE:LINE: ..." for a malformed one.
Result<std::vector<StatusSample>> ReadStatusSamples(const History& history);

// The faults of a history, in start order. Error "FILE:LINE: ..." for a malformed start or end,
// a second start of one id, or an end of an id that never started. A repeated end is ignored
// (heal-all may end what already ended).
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
};

// Failover: for each fault that removed or isolated the leader (RemovesLeader; when the fault
// event gives leader or term 0, the last status sample before the fault that showed a leader
// supplies them), measured from the fault start:
// - new leader: the first status sample at or after the start in which a node is leader of a
//   term greater than the fault's start term. When the old leader is seen leading its old term
//   again after the fault ended and before any new leader, the fault healed before a failover
//   was needed: the event records leader_kept and no new-leader time;
// - first write: the completion of the first ok write (f write, cas or add; a cas answering
//   false wrote nothing) invoked after the fault was in place (its "applied" event, else its
//   start): a write invoked while a cut was still being installed may commit under the old
//   leader and says nothing about the failover;
// - unavailability: from the last ok write completion at or before the start (or the start,
//   when there was none) to that first write.
// Details: events (one per such fault, times in s), and min / median / p99 / max of each
// measure (nearest rank), bound_s. Invalid when a new-leader or first-write time exceeds the
// bound, or never happens while the history continues more than the bound after the start; the
// summary names the fault id, its name, when it started and the times. Valid with "no fault
// removed the leader" when none did.
RunCheckResult CheckFailover(const History& history, const FailoverOptions& options = {});

// Convergence: once the faults are healed, all replicas hold the same state. Uses the status
// samples of the last second of the history that come after the last fault end: each node's
// latest answered sample there must report the same `applied` index and, where present, the
// same `digest`. Invalid names every node with its values. Unknown when no node answers in that
// window, when a fault never ended (the cluster was not healed), or when a sample there has no
// integer `applied` (FILE:LINE). Details: nodes ({"1":{"applied":..,"digest":..},...}),
// not_answering, window_start_s.
RunCheckResult CheckConvergence(const History& history);

}  // namespace checker
