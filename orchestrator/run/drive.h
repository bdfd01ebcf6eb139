// The drive loop of a run: with the cluster serving, it starts the status poller and the
// workload's clients, runs the fault schedule through the nemesis (acting on the backend via
// NemesisAdapter), shows the progress line until the time limit, the workload's end or Ctrl-C,
// heals every fault, lets the clients go on until the cluster served them again, stops them,
// runs the workload's final reads and waits for the replicas to converge. Everything it sees
// goes into the history: client operations, fault phases and status samples; the executed
// schedule goes to schedule.json. While the history grows, the live linearizability check
// (checker/live_linearizability.h) reads it and checks the keys that went quiet; with
// --stop-on-invalid the run ends (the usual way: heal, recovery, final reads) at the first key
// it finds invalid.
//
// Not thread-safe: one thread calls Run. Inside, the workload, the poller and the nemesis run on
// their own threads; they share the history (thread-safe) and the backend (under the session's
// backend mutex).
#pragma once

#include <atomic>
#include <chrono>
#include <iosfwd>
#include <memory>
#include <optional>

#include "checker/live_linearizability.h"
#include "common/status.h"
#include "orchestrator/run/candidate_fleet.h"
#include "orchestrator/run/interrupts.h"
#include "orchestrator/run/plan.h"
#include "orchestrator/run/session.h"
#include "orchestrator/run/status_poller.h"
#include "orchestrator/store/results.h"
#include "workloads/history_writer.h"
#include "workloads/workload.h"

namespace orchestrator {

class Driver {
 public:
  Driver(const RunPlan& plan, ClusterSession& session, const InterruptWatcher& interrupts,
         std::ostream& out, std::ostream& err)
      : plan_(plan), session_(session), interrupts_(interrupts), out_(out), err_(err) {}

  // Runs the workload against the session's cluster, recording into `history` (left open).
  common::Status Run(workloads::HistoryWriter& history);

  const workloads::WorkloadCounters& counters() const { return counters_; }
  double workload_s() const { return workload_s_; }
  // The workload, once Run has made it (nullptr before).
  const workloads::Workload* workload() const { return workload_.get(); }
  // The live linearizability check Run fed (nullptr before Run, or when the workload declares
  // no linearizability check); its Finish gives the verdict (run_checks.h).
  checker::LiveLinearizability* live() { return live_.get(); }
  // Why the run ended before its time limit (--stop-on-invalid), if it did.
  const std::optional<EarlyStop>& stopped_early() const { return stopped_early_; }

 private:
  class Faults;
  // The election workload's lease candidates (their places, the nemesis's hands on them);
  // nullptr for other workloads.
  common::Result<std::unique_ptr<CandidateFleet>> MakeFleet();
  // The candidate holding the lease, read from the database (the nemesis's thread only).
  int LeaseHolder();
  void Watch(const StatusPoller& poller, const Faults& faults,
             std::chrono::steady_clock::time_point start, const std::atomic<bool>& workload_done);
  // With --stop-on-invalid: true (and stopped_early_ set) once the live check found a key invalid.
  bool StopOnInvalid(std::chrono::steady_clock::time_point start);
  void AwaitServing(const std::atomic<bool>& workload_done);
  void WaitForConvergence();

  const RunPlan& plan_;
  ClusterSession& session_;
  const InterruptWatcher& interrupts_;
  std::ostream& out_;
  std::ostream& err_;
  std::unique_ptr<workloads::Workload> workload_;
  std::unique_ptr<workloads::DbClient> lease_reader_;  // LeaseHolder's
  std::unique_ptr<checker::LiveLinearizability> live_;
  workloads::WorkloadCounters counters_;
  double workload_s_ = 0;
  std::optional<EarlyStop> stopped_early_;
};

}  // namespace orchestrator
