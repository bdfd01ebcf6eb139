// Nemesis: executes faults on a cluster through NodeControl and undoes each one exactly.
//
//   Start(fault)  plans the fault (fault.h) against the current leader, applies it and returns
//                 its id; a fault that fails half-way undoes what it did and returns the error.
//   End(id)       undoes exactly that fault: restarts what it killed, resumes what it paused,
//                 removes the rules it added. A node killed (or paused) by two active faults
//                 comes back when the last of them ends.
//   HealAll()     ends every active fault and then removes every chain of ours; always safe to
//                 call, also on a cluster with nothing active. The destructor calls it.
//
// Each fault is reported to `record(f, value)` with f the fault name, in phases:
//   start     {"phase":"start","id":N,"targets":[...],"cut":[[a,b],...],"loss":p,"offset_s":s,
//              "leader":L,"term":T}: just before it is applied ("cut" for partitions and link,
//              "loss" for loss, "shape" (shape.h's fields, e.g. {"delay_ms":100}) and "links"
//              (the shaped links, [[from,to],...]) for shaping, "offset_s" for clock (this fault's
//              step; a node's clock is off by the sum of its active clock faults), "rate" for
//              clock-rate, "op" for disk-error, "fsync_delay_ms" for disk-slow, leader/term as
//              NodeControl saw them). A fault that cannot be planned (no leader to isolate) still
//              gets a start;
//   applied   (same fields as start, without leader/term) once it is in force on every node:
//              each node's rules batch is in, every kill or pause call returned;
//   verified  {"ok":bool,"probes":[{"kind","node","peer","ok","seen"}],"reason"}: right after,
//              what probes saw: "stopped" (a killed node's process is gone), "paused" (frozen),
//              "blocked" (a TCP connect from a cut link's sender to its receiver fails),
//              "eio" / "enospc" / "slow" (a probe file in the target's data dir saw the
//              disk fault),
//              "open" (one between two nodes no fault cuts succeeds), "rules" (loss or
//              shaping rules are in their chain), "holder" (a shaping holder runs), "delay" (a
//              TCP connect over a delayed link took at least the delay less the jitter). Clock
//              faults have none: the status samples show the offset;
//   healing   just before it is undone (from here it may no longer be in force);
//   end       once undone; {"error": "..."} instead, at once, when it could not be applied.
// The candidate faults (pause-, clock-, partition-candidate) act on the election workload's lease
// candidates through NemesisOptions::candidates (candidate_faults.h), with the same phases; their
// "verified" probes are candidate-paused, candidate-clock and candidate-blocked (the node field
// names the candidate, peer the node).
// A restarted node gets its active network rules again (a container's namespace is new after
// a restart).
//
// Thread-safe: one mutex serialises Start, End and HealAll (a schedule thread and a Ctrl-C
// handler may race). `record` is called under that mutex and must not call back.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "common/mutex.h"
#include "common/rng.h"
#include "common/status.h"
#include "nemesis/candidate_faults.h"
#include "nemesis/command_runner.h"
#include "nemesis/fault.h"
#include "nemesis/net_rules.h"
#include "nemesis/node_control.h"

namespace nemesis {

using RecordFn = std::function<void(const std::string& f, nlohmann::json value)>;

struct NemesisOptions {
  uint64_t seed = 0;  // feeds the Rng that picks random targets and shapes
  RecordFn record;    // may be empty
  // How long Start waits for NodeControl to know a leader when the fault targets the leader
  // and none is known yet (an election under way, status samples that timed out); after it,
  // the fault fails (and is recorded as failed).
  std::chrono::milliseconds leader_wait{0};
  // The lease candidates the candidate faults act on; null: those faults fail to apply.
  CandidateControl* candidates = nullptr;
};

class Nemesis {
 public:
  // `control` and `runner` must outlive the Nemesis.
  Nemesis(NodeControl& control, CommandRunner& runner, NemesisOptions options);
  Nemesis(const Nemesis&) = delete;
  Nemesis& operator=(const Nemesis&) = delete;
  ~Nemesis();  // HealAll; a failure is logged

  common::Result<int> Start(const Fault& fault);
  common::Status End(int id);
  common::Status HealAll();

  // The fault `id` as it was applied: exact nodes, and the exact cut for partitions, so that
  // replaying it does the same thing. Empty when `id` is not active.
  std::optional<Fault> Applied(int id) const;
  std::vector<int> active_ids() const;

  // For NodeControl::Start implementations: re-applies `node`'s active network rules.
  NetRules& net_rules() { return rules_; }

 private:
  struct Active {
    Fault fault;  // the caller's fault
    Plan plan;
    std::vector<Rule> rules;  // network faults: the rules that make it
    int rules_id = 0;         // NetRules set, 0 for kill, pause and clock
    int queue = 0;            // shaping: the NFQUEUE queue of its holders (the fault's id)
    // Membership faults: each target's member id before the fault, and the new one it was
    // added back as (0: not yet).
    std::map<int, uint64_t> old_ids;
    std::map<int, uint64_t> new_ids;
  };
  using AddProbe = ProbeFn;

  // Plans `fault` against the current leader (of the nodes, or the lease's holder for a
  // candidate fault), waiting up to leader_wait_ for one when it targets the leader.
  common::Result<Plan> PlanNow(const Fault& fault, int& leader, uint64_t& term) REQUIRES(mutex_);
  common::Result<std::vector<Rule>> RulesFor(const Plan& plan, int queue) const;
  // Shaping (nemesis_shaping.cc): a holder on every sender of the plan's links, the rules that
  // queue their packets, and the probes that show the fault is in force.
  common::Status ApplyShaping(Active& active) REQUIRES(mutex_);
  common::Status UndoShaping(const Active& active) REQUIRES(mutex_);
  void VerifyShaping(const Active& active, const AddProbe& add) REQUIRES(mutex_);
  common::Status Apply(Active& active) REQUIRES(mutex_);
  // The "verified" event's fields: {"ok", "probes", "reason"}.
  nlohmann::json Verify(const Active& active) REQUIRES(mutex_);
  // Kill, disk-lose-unsynced and pause: the targets' processes are stopped or frozen.
  void VerifyProcesses(const Active& active, const AddProbe& add) REQUIRES(mutex_);
  void VerifyCut(const Active& active, const AddProbe& add) REQUIRES(mutex_);
  common::Status Undo(const Active& active) REQUIRES(mutex_);
  common::Status KillAll(const std::vector<int>& nodes) REQUIRES(mutex_);
  common::Status PauseAll(const std::vector<int>& nodes) REQUIRES(mutex_);
  // nemesis_clock.cc
  common::Status ShiftClocks(const std::vector<int>& nodes, double offset_s) REQUIRES(mutex_);
  common::Status ScaleClocks(const std::vector<int>& nodes, double rate) REQUIRES(mutex_);
  common::Status UndoClocks(const Active& active) REQUIRES(mutex_);
  common::Status Restart(int node) REQUIRES(mutex_);
  // Disk faults (nemesis_disk.cc). LoseUnsynced kills `nodes` and drops their unsynced writes.
  common::Status LoseUnsynced(const std::vector<int>& nodes) REQUIRES(mutex_);
  // Gives each of `nodes` the union of its active disk faults but `skip`, plus `extra`.
  common::Status SetDisks(const std::vector<int>& nodes, const Active* skip, const Plan* extra)
      REQUIRES(mutex_);
  // Clears the fault on its nodes, then restarts those it left stopped (not down for a kill).
  common::Status UndoDisk(const Active& active) REQUIRES(mutex_);
  void VerifyDisk(const Active& active, const AddProbe& add) REQUIRES(mutex_);
  // Membership faults (nemesis_membership.cc).
  common::Status ApplyMembership(Active& active) REQUIRES(mutex_);
  common::Status UndoMembership(const Active& active) REQUIRES(mutex_);
  void VerifyMembership(const Active& active, const AddProbe& add) REQUIRES(mutex_);
  // Removes `node`'s member and wipes it; its old id into `old_id`.
  common::Status RemoveAndWipe(int node, uint64_t& old_id) REQUIRES(mutex_);
  // phase: "start", "applied", "verified", "healing" or "end"; `extra` (an object) is merged
  // into the event's value.
  void Record(const Active& active, int id, std::string_view phase,
              const nlohmann::json& extra = nullptr);

  NodeControl& control_;
  NetRules rules_;
  RecordFn record_;
  std::chrono::milliseconds leader_wait_;
  mutable common::Mutex mutex_;
  CandidateFaults candidates_ GUARDED_BY(mutex_);
  common::Rng rng_ GUARDED_BY(mutex_);
  std::map<int, Active> active_ GUARDED_BY(mutex_);
  std::map<int, int> kills_ GUARDED_BY(mutex_);   // node -> active kill faults covering it
  std::map<int, int> pauses_ GUARDED_BY(mutex_);  // node -> active pause faults covering it
  // node -> the sum of its active clock faults' offsets
  std::map<int, double> clock_offsets_ GUARDED_BY(mutex_);
  // node -> the product of its active clock-rate faults' rates
  std::map<int, double> clock_rates_ GUARDED_BY(mutex_);
  int next_id_ GUARDED_BY(mutex_) = 1;
  // nodes a member-remove or member-add took out of the configuration or down until its end
  std::set<int> out_of_cluster_ GUARDED_BY(mutex_);
};

}  // namespace nemesis
