// CandidateControl: how the nemesis reaches the election workload's lease candidates, each a
// process of its own (workloads/lease_candidate.h), numbered 1..candidates(). The orchestrator
// implements it (orchestrator/run/candidate_fleet.h); tests use testing::FakeCandidateControl.
// Like NodeControl, implementations must be safe to call from the nemesis thread.
#pragma once

#include "common/status.h"
#include "nemesis/node_control.h"

namespace nemesis {

class CandidateControl {
 public:
  virtual ~CandidateControl() = default;

  virtual int candidates() const = 0;  // 0: none runs (yet)
  virtual int nodes() const = 0;       // the database nodes, 1..nodes()
  // The candidate holding the lease, as the database says now; 0 when none or unknown.
  virtual int LeaseHolder() = 0;

  virtual common::Status PauseCandidate(int candidate) = 0;  // SIGSTOP; returns once frozen
  virtual common::Status ResumeCandidate(int candidate) = 0;
  // What its process is doing now (kPaused: stopped by a signal, state T).
  virtual common::Result<NodeRunState> CandidateRunState(int candidate) = 0;

  // Sets its wall clock `offset_s` seconds away from the real one (0: the real clock).
  virtual common::Status SetCandidateClockOffset(int candidate, double offset_s) = 0;
  // The offset a process with the candidate's clock sees now (seconds): the clock probe.
  virtual common::Result<double> MeasureCandidateClockOffset(int candidate) = 0;

  // Drops all traffic between the candidate and every database node / lets it through again.
  virtual common::Status CutCandidate(int candidate) = 0;
  virtual common::Status HealCandidate(int candidate) = 0;
  // Whether a TCP connect from the candidate's namespace to `node`'s service port gets an
  // answer within a short deadline: the cut probe.
  virtual common::Result<bool> CandidateCanConnect(int candidate, int node) = 0;
};

}  // namespace nemesis
