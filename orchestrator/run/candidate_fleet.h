// CandidateFleet: the places of the election workload's lease candidates in one run, and the
// nemesis's hands on them. It is the workload's workloads::CandidateHost (where each candidate
// program runs: its own network namespace from the backend when it has one (netns), the run id
// in its environment for `splitbrain cleanup`, libfaketime reading candidates/c<j>/ctl when
// the run moves candidate clocks; logs in candidates/c<j>/) and the nemesis's
// nemesis::CandidateControl (SIGSTOP / SIGCONT of a candidate's process group, its clock offset
// file, iptables DROP rules in its namespace against every node, and the probes of each).
//
// The workload owns the processes (it starts, stops and kills them); the fleet only hears
// their pids, and never signals a pid after Ended. The namespaces belong to the backend (Down
// removes them). Rules the fleet added are removed by HealCandidate and, at the latest, with
// the namespace. Thread-safe: one mutex guards the pids and cuts; backend calls are made under
// the run's backend mutex.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/mutex.h"
#include "nemesis/candidate_control.h"
#include "orchestrator/run/backend/backend.h"
#include "orchestrator/store/run_dir.h"
#include "workloads/candidate_host.h"

namespace orchestrator {

struct CandidateFleetOptions {
  Backend* backend = nullptr;  // Up; outlives the fleet
  common::Mutex* backend_mutex = nullptr;
  int candidates = 0;
  int nodes = 0;
  std::string run_id;
  RunDir run_dir = RunDir({});
  // libfaketime, when the run moves candidate clocks; empty: clock-candidate is refused.
  std::filesystem::path libfaketime;
  // libsplitbrain-clock.so, preloaded in front of libfaketime (with libfaketime only): it keeps
  // gRPC's futex deadlines on the real clock while a candidate's wall clock is stepped, which
  // libfaketime alone turns into busy loops (behind) or late timers (ahead); node_clock.h.
  std::filesystem::path clock_shim;
  int probe_port = 0;  // the database's client port on every node
  // The candidate holding the lease now, as the database says (0: none or unknown).
  std::function<int()> lease_holder;
};

class CandidateFleet final : public workloads::CandidateHost, public nemesis::CandidateControl {
 public:
  // Makes each candidate's folder, its clock file and (where the backend has them) namespace.
  static common::Result<std::unique_ptr<CandidateFleet>> Create(CandidateFleetOptions options);

  // workloads::CandidateHost
  common::Result<workloads::CandidatePlace> Place(int candidate) override;
  void Started(int candidate, pid_t pid) override;
  void Ended(int candidate) override;

  // nemesis::CandidateControl
  int candidates() const override { return options_.candidates; }
  int nodes() const override { return options_.nodes; }
  int LeaseHolder() override { return options_.lease_holder ? options_.lease_holder() : 0; }
  common::Status PauseCandidate(int candidate) override;
  common::Status ResumeCandidate(int candidate) override;
  common::Result<nemesis::NodeRunState> CandidateRunState(int candidate) override;
  common::Status SetCandidateClockOffset(int candidate, double offset_s) override;
  common::Result<double> MeasureCandidateClockOffset(int candidate) override;
  common::Status CutCandidate(int candidate) override;
  common::Status HealCandidate(int candidate) override;
  common::Result<bool> CandidateCanConnect(int candidate, int node) override;

 private:
  explicit CandidateFleet(CandidateFleetOptions options) : options_(std::move(options)) {}
  common::Status Prepare(int candidate);
  common::Status Check(int candidate) const;
  std::vector<std::string> ClockEnv(int candidate) const;
  common::Status Signal(int candidate, int sig);
  // iptables `action` (-I or -D) of the DROP rules between the candidate and every node.
  common::Status Rules(int candidate, const std::string& action);
  std::string NodeIp(int node) const;

  const CandidateFleetOptions options_;
  std::map<int, std::string> netns_;  // candidate -> its namespace path (absent: the host's)
  mutable common::Mutex mutex_;
  std::map<int, pid_t> pids_ GUARDED_BY(mutex_);
};

}  // namespace orchestrator
