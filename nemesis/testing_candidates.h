// A fake of the election workload's lease candidates for the candidate faults' tests.
#pragma once

#include <cmath>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "nemesis/candidate_control.h"

namespace nemesis::testing {

// Lease candidates for the candidate faults: records each call ("pause-candidate 2",
// "clock-candidate 1 5000" with the offset in ms, "cut-candidate 3", ...) and keeps the state a
// real fleet would show (frozen, skewed, cut); `stuck` candidates ignore every fault, `fail`
// makes a call fail.
class FakeCandidateControl : public CandidateControl {
 public:
  FakeCandidateControl(int candidates, int nodes) : k_(candidates), n_(nodes) {}

  int candidates() const override { return k_; }
  int nodes() const override { return n_; }
  int LeaseHolder() override { return holder; }
  common::Status PauseCandidate(int c) override { return Do("pause-candidate", c); }
  common::Status ResumeCandidate(int c) override { return Do("resume-candidate", c); }
  common::Result<NodeRunState> CandidateRunState(int c) override {
    std::lock_guard lock(mutex_);
    return frozen_.contains(c) && !stuck.contains(c) ? NodeRunState::kPaused
                                                     : NodeRunState::kRunning;
  }
  common::Status SetCandidateClockOffset(int c, double offset_s) override {
    RETURN_IF_ERROR(Do("clock-candidate", c));
    std::lock_guard lock(mutex_);
    calls_.back() += " " + std::to_string(std::llround(offset_s * 1000));
    offsets_[c] = offset_s;
    return common::Status::Ok();
  }
  common::Result<double> MeasureCandidateClockOffset(int c) override {
    std::lock_guard lock(mutex_);
    return stuck.contains(c) ? 0.0 : offsets_[c];
  }
  common::Status CutCandidate(int c) override { return Do("cut-candidate", c); }
  common::Status HealCandidate(int c) override { return Do("heal-candidate", c); }
  common::Result<bool> CandidateCanConnect(int c, int /*node*/) override {
    std::lock_guard lock(mutex_);
    return !cut_.contains(c) || stuck.contains(c);
  }

  std::vector<std::string> TakeCalls() {
    std::lock_guard lock(mutex_);
    return std::exchange(calls_, {});
  }

  int holder = 0;
  std::set<std::string> fail;  // "pause-candidate 2" makes PauseCandidate(2) fail
  std::set<int> stuck;         // candidates no fault affects

 private:
  common::Status Do(const std::string& action, int c) {
    std::lock_guard lock(mutex_);
    const std::string call = action + " " + std::to_string(c);
    calls_.push_back(call);
    if (fail.contains(call)) return common::Status::Unavailable(call + ": injected failure");
    if (action == "pause-candidate") frozen_.insert(c);
    if (action == "resume-candidate") frozen_.erase(c);
    if (action == "cut-candidate") cut_.insert(c);
    if (action == "heal-candidate") cut_.erase(c);
    return common::Status::Ok();
  }

  const int k_;
  const int n_;
  std::mutex mutex_;
  std::vector<std::string> calls_;
  std::set<int> frozen_;
  std::set<int> cut_;
  std::map<int, double> offsets_;
};

}  // namespace nemesis::testing
