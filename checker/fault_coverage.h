// FaultCoverage: which fault hit which role in which cluster state, read from one run's history
// (status samples and nemesis faults), and summed over many runs. Informational: it never
// changes a verdict. Pure functions; thread-compatible.
//
// For each fault that took effect (a start with targets or a cut, not failed to apply), each node
// it hits lands in cells (fault name, role, state), read from the status samples of the `window`
// before the fault's start. A fault hits its targets, except a cut: it hits the nodes left outside
// every majority (partition-leader: the leader alone, not the followers that lost their link to
// it), or when it leaves none outside (a ring, one link), the targets (the nodes that lost a link).
//
// - role: the target's last answered sample in the window: leader, candidate (also
//   pre-candidate), follower, or lagging (a follower whose applied index is more than
//   `lag_entries` behind the leader's last sample in the window). Unknown when the target has no
//   answered sample in the window (it was down, or the poller missed it): never guessed.
// - state, exclusive, by priority: unknown (no answered sample of any node in the window);
//   electing (no node's last sample says leader, or the terms seen in the window differ: an
//   election took place in it); catching-up (some follower lagging, as above); steady. The
//   snapshot-transfer column exists but stays empty: neither the status samples nor refdb's node
//   log (role changes only) say when a snapshot is sent or installed, and guessing it from jumps
//   of the applied index would be a guess.
// - during-another-fault is a second label, not exclusive: when another fault is in force at the
//   start (started before, not yet healing), the target is counted in (role, base state) AND in
//   (role, during-another-fault). A matrix row's sum is therefore labels, not faults.
//
// Random schedules never overlap faults (a healed gap after each), so during-another-fault is
// only reached by schedule files; candidate faults target lease candidates, not nodes, and are
// left out.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "checker/history.h"
#include "checker/run_history.h"

namespace checker {

enum class CoverageRole : uint8_t { kLeader, kFollower, kCandidate, kLagging, kUnknown };
enum class CoverageState : uint8_t {
  kSteady,
  kElecting,
  kCatchingUp,
  kSnapshotTransfer,
  kDuringAnotherFault,
  kUnknown,
};

inline constexpr std::array<CoverageRole, 5> kCoverageRoles{
    CoverageRole::kLeader, CoverageRole::kFollower, CoverageRole::kCandidate,
    CoverageRole::kLagging, CoverageRole::kUnknown};
inline constexpr std::array<CoverageState, 6> kCoverageStates{CoverageState::kSteady,
                                                              CoverageState::kElecting,
                                                              CoverageState::kCatchingUp,
                                                              CoverageState::kSnapshotTransfer,
                                                              CoverageState::kDuringAnotherFault,
                                                              CoverageState::kUnknown};

std::string_view CoverageRoleName(CoverageRole role);     // "leader", "lagging", ...
std::string_view CoverageStateName(CoverageState state);  // "steady", "catching-up", ...
Result<CoverageRole> ParseCoverageRole(std::string_view name);
Result<CoverageState> ParseCoverageState(std::string_view name);

struct CoverageCell {
  std::string fault;  // the fault's name as the history has it (kill, partition-leader, ...)
  CoverageRole role = CoverageRole::kUnknown;
  CoverageState state = CoverageState::kUnknown;
  bool operator==(const CoverageCell&) const = default;
  bool operator<(const CoverageCell& other) const {
    return std::tie(fault, role, state) < std::tie(other.fault, other.role, other.state);
  }
};

struct FaultCoverage {
  std::map<CoverageCell, int64_t> cells;  // hit cells only; a missing cell is empty
  int64_t faults = 0;                     // faults counted (took effect, on nodes)

  int64_t Count(const CoverageCell& cell) const;
  // The fault names of any hit cell, sorted.
  std::vector<std::string> FaultNames() const;
  // Adds `other`'s counts to this one (summing runs).
  void Add(const FaultCoverage& other);
  // {"faults":N,"cells":[{"fault":"kill","role":"leader","state":"steady","count":2},...]}
  Json ToJson() const;
  // InvalidArgument naming the key for a document not of that shape.
  static Result<FaultCoverage> FromJson(const Json& json);
};

struct FaultCoverageOptions {
  std::chrono::nanoseconds window = std::chrono::seconds(1);
  int64_t lag_entries = 100;  // applied index this far behind the leader's: lagging
};

// The coverage of one run's history. A history whose samples or faults are malformed
// (history.status not ok) still gives what could be read.
FaultCoverage ComputeFaultCoverage(const RunHistory& history,
                                   const FaultCoverageOptions& options = {});

}  // namespace checker
