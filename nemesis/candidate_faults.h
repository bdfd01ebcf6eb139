// CandidateFaults: the nemesis's part for the candidate faults (pause-candidate,
// clock-candidate, partition-candidate; fault.h): applies a plan through CandidateControl,
// undoes it exactly (a candidate paused, skewed or cut by two active faults is resumed, reset or
// healed when the last ends; clock offsets add up), and probes that it took effect. Not
// thread-safe: Nemesis calls it under its mutex.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "nemesis/candidate_control.h"
#include "nemesis/fault.h"

namespace nemesis {

// Adds one probe to a "verified" event: kind, the target, a peer (0: none), ok, what it saw.
using ProbeFn =
    std::function<void(std::string_view kind, int node, int peer, bool ok, const std::string&)>;

class CandidateFaults {
 public:
  // `control` may be null (no candidates run): every candidate fault then fails to apply.
  explicit CandidateFaults(CandidateControl* control) : control_(control) {}

  int candidates() const { return control_ ? control_->candidates() : 0; }
  int LeaseHolder() const { return control_ ? control_->LeaseHolder() : 0; }

  common::Status Apply(const Plan& plan);
  common::Status Undo(const Plan& plan);
  // pause: each target's process is in state T; partition: a connect from each target to each
  // node fails; clock: a process with the target's clock sees the offset (within 0.5 s).
  void Verify(const Plan& plan, const ProbeFn& add);

 private:
  common::Status Pause(const std::vector<int>& targets);
  common::Status Shift(const std::vector<int>& targets, double offset_s);
  common::Status Cut(const std::vector<int>& targets);

  CandidateControl* control_;
  std::map<int, int> pauses_;     // candidate -> active pause-candidate faults covering it
  std::map<int, int> cuts_;       // candidate -> active partition-candidate faults
  std::map<int, double> clocks_;  // candidate -> the sum of its active offsets
};

}  // namespace nemesis
