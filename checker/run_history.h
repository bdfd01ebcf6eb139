// RunHistory: a `splitbrain run` history parsed once, for every run check and the report. The
// history's named-process events are typed here and nowhere else:
//
// - status samples, every 50 ms per node:
//     {"process":"status","type":"info","f":"status","value":{"node":1,"role":"leader","term":3,
//      "leader":1,"commit":10,"applied":10,"digest":"...","clock_offset_ms":12}}
//   or {"value":{"node":1,"error":"deadline exceeded"}} for a node that did not answer. A
//   sample's time is when it was appended, after the answer: the node read its state in the
//   100 ms before it;
// - nemesis faults (nemesis/README.md), one event per phase, all with the fault's id:
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
// - node logs: one "node-log" event per node whose database keeps its own log of role changes,
//   appended by the orchestrator when it collects the logs (node_log.h).
//
// ReadRunHistory never fails: a malformed sample, fault or node-log event sets `status`
// ("FILE:LINE: ..."), and each check that reads those parts says unknown with that message,
// never crashes (the set, lease and stats checks, which read client and election events only,
// go on). Client operations are paired once too; when they do not pair, `operations_status`
// says why. Immutable once read; thread-compatible.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "checker/history.h"
#include "checker/node_log.h"

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
  double rate = 1;                               // clock-rate faults: the targets' clock rate
  // Shaping faults (delay, reorder, duplicate, bandwidth, bursty loss): the shaped links (they
  // still carry packets, late or not all of them) and the shape's fields, e.g.
  // {"delay_ms":100,"jitter_ms":10}; empty and null for every other fault.
  std::vector<std::pair<int64_t, int64_t>> shaped_links;
  Json shape;
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
  // A fault that kills its targets' processes and restarts them at its end: kill, and
  // disk-lose-unsynced (a machine crash).
  bool KillsNodes() const { return name == "kill" || name == "disk-lose-unsynced"; }
  // Its targets' processes stop serving while it is in force: the kills, and pause.
  bool StopsNodes() const { return KillsNodes() || name == "pause"; }
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

// One node's leadership of one term as the status samples show it: the samples in which `node`
// reported role leader in `term` (other samples may come between them).
struct LeaderTenure {
  int64_t node = 0;
  int64_t term = 0;
  size_t first_sample = 0;  // positions in RunHistory::samples
  size_t last_sample = 0;
  int64_t sample_count = 0;
};

// A node log and where the history holds it.
struct RecordedNodeLog {
  NodeLog log;
  int64_t index = 0;  // of its event
  int64_t line = 0;
};

struct RunHistory {
  History history;  // the events as read (client and election events are read from here)
  Status status;    // ok, or the first malformed status sample, fault or node-log event
  std::vector<StatusSample> samples;         // in history order
  std::vector<Fault> faults;                 // in start order
  std::vector<LeaderTenure> leader_tenures;  // in order of their first sample
  std::vector<RecordedNodeLog> node_logs;    // in history order, one per node at most
  std::vector<Operation> operations;         // PairOperations; empty when they do not pair
  Status operations_status;                  // why they do not pair
  int64_t origin_ns = 0;  // the first event's time: the origin of every "s" figure
  int64_t end_ns = 0;     // the latest time of any event
  // The number of nodes: the highest node number in any sample, fault target, cut or leader.
  int64_t nodes = 0;

  // "SOURCE:LINE" of a line of the history's file ("history" when it has no source).
  std::string LineWhere(int64_t line) const;
  // "SOURCE:LINE", or "SOURCE event INDEX" for an event without a source line (EventWhere).
  std::string Where(int64_t line, int64_t index) const;
};

// Types `history` once. Errors go to RunHistory::status (see above): for a malformed sample, a
// malformed fault phase event (a "verified" without a boolean "ok", an "error" that is not a
// string, ...), a second start of one id, an unknown phase, an applied, verified, healing or end
// of an id that never started, a malformed node-log event, or a second node log of one node. A
// repeated fault phase is ignored (heal-all may end what already ended).
RunHistory ReadRunHistory(History history);

// True for an ok write that changed state: f write, cas or add, but not a cas that answered false.
bool IsAcknowledgedWrite(const Operation& op);

}  // namespace checker
