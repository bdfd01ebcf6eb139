#include "nemesis/candidate_faults.h"

#include <cmath>
#include <future>
#include <vector>

namespace nemesis {

using common::Status;

namespace {

constexpr double kClockProbeToleranceS = 0.5;

std::string Name(int candidate) { return "candidate " + std::to_string(candidate); }

}  // namespace

Status CandidateFaults::Apply(const Plan& plan) {
  if (control_ == nullptr || control_->candidates() == 0) {
    return Status::Unavailable("no lease candidates run (the election workload starts them)");
  }
  switch (plan.kind) {
    case FaultKind::kPauseCandidate:
      return Pause(plan.targets);
    case FaultKind::kClockCandidate:
      return Shift(plan.targets, plan.offset_s);
    case FaultKind::kPartitionCandidate:
      return Cut(plan.targets);
    default:
      return Status::Internal(std::string(FaultName(plan.kind)) + " is not a candidate fault");
  }
}

Status CandidateFaults::Pause(const std::vector<int>& targets) {
  for (size_t i = 0; i < targets.size(); ++i) {
    if (pauses_[targets[i]]++ > 0) continue;
    Status paused = control_->PauseCandidate(targets[i]);
    if (paused.ok()) continue;
    for (size_t j = 0; j <= i; ++j) {  // undo this fault's part, the failed one included
      if (--pauses_[targets[j]] == 0 && j < i) {
        KeepFirst(paused, control_->ResumeCandidate(targets[j]));
      }
    }
    return paused.WithContext("pause " + Name(targets[i]));
  }
  return Status::Ok();
}

Status CandidateFaults::Shift(const std::vector<int>& targets, double offset_s) {
  for (size_t i = 0; i < targets.size(); ++i) {
    const double before = clocks_[targets[i]];
    Status set = control_->SetCandidateClockOffset(targets[i], before + offset_s);
    if (set.ok()) {
      clocks_[targets[i]] = before + offset_s;
      continue;
    }
    for (size_t j = 0; j < i; ++j) {
      clocks_[targets[j]] -= offset_s;
      KeepFirst(set, control_->SetCandidateClockOffset(targets[j], clocks_[targets[j]]));
    }
    return set.WithContext("set the clock of " + Name(targets[i]));
  }
  return Status::Ok();
}

Status CandidateFaults::Cut(const std::vector<int>& targets) {
  for (size_t i = 0; i < targets.size(); ++i) {
    if (cuts_[targets[i]]++ > 0) continue;
    Status cut = control_->CutCandidate(targets[i]);
    if (cut.ok()) continue;
    for (size_t j = 0; j <= i; ++j) {
      if (--cuts_[targets[j]] == 0 && j < i) KeepFirst(cut, control_->HealCandidate(targets[j]));
    }
    return cut.WithContext("cut " + Name(targets[i]));
  }
  return Status::Ok();
}

Status CandidateFaults::Undo(const Plan& plan) {
  if (control_ == nullptr) return Status::Ok();
  Status first;
  for (int c : plan.targets) {
    switch (plan.kind) {
      case FaultKind::kPauseCandidate:
        if (--pauses_[c] == 0) {
          KeepFirst(first, control_->ResumeCandidate(c).WithContext("resume " + Name(c)));
        }
        break;
      case FaultKind::kClockCandidate: {
        double& offset = clocks_[c];
        offset -= plan.offset_s;
        if (std::abs(offset) < 1e-9) offset = 0;
        KeepFirst(first, control_->SetCandidateClockOffset(c, offset).WithContext(
                             "reset the clock of " + Name(c)));
        break;
      }
      case FaultKind::kPartitionCandidate:
        if (--cuts_[c] == 0) {
          KeepFirst(first, control_->HealCandidate(c).WithContext("heal " + Name(c)));
        }
        break;
      default:
        break;
    }
  }
  return first;
}

void CandidateFaults::Verify(const Plan& plan, const ProbeFn& add) {
  if (control_ == nullptr) return;
  for (int c : plan.targets) {
    if (plan.kind == FaultKind::kPauseCandidate) {
      auto state = control_->CandidateRunState(c);
      const bool ok = state.ok() && *state == NodeRunState::kPaused;
      add("candidate-paused", c, 0, ok,
          !state.ok()                        ? state.status().message()
          : *state == NodeRunState::kRunning ? "still running"
                                             : "not running");
    } else if (plan.kind == FaultKind::kClockCandidate) {
      auto seen = control_->MeasureCandidateClockOffset(c);
      const double want = clocks_[c];
      const bool ok = seen.ok() && std::abs(*seen - want) <= kClockProbeToleranceS;
      add("candidate-clock", c, 0, ok,
          seen.ok() ? "offset " + std::to_string(*seen) + " s, want " + std::to_string(want)
                    : seen.status().message());
    }
  }
  if (plan.kind != FaultKind::kPartitionCandidate) return;
  // Every connect through a cut waits out its deadline: all at once.
  struct Probe {
    int candidate;
    int node;
    std::future<common::Result<bool>> reached;
  };
  std::vector<Probe> probes;
  for (int c : plan.targets) {
    for (int node = 1; node <= control_->nodes(); ++node) {
      probes.push_back({c, node, std::async(std::launch::async, [this, c, node] {
                          return control_->CandidateCanConnect(c, node);
                        })});
    }
  }
  for (Probe& probe : probes) {
    const common::Result<bool> reached = probe.reached.get();
    add("candidate-blocked", probe.candidate, probe.node, reached.ok() && !*reached,
        reached.ok() ? "connected through the cut" : reached.status().message());
  }
}

}  // namespace nemesis
