#include "orchestrator/run/auto_nemesis.h"

#include <array>
#include <optional>
#include <string>

namespace orchestrator {
namespace {

using checker::CoverageRole;
using checker::CoverageState;
using nemesis::FaultKind;
using nemesis::Target;

constexpr std::array kAutoKinds = {FaultKind::kKill,
                                   FaultKind::kPause,
                                   FaultKind::kLoss,
                                   FaultKind::kPartitionHalves,
                                   FaultKind::kPartitionLeader,
                                   FaultKind::kPartitionRandomNode,
                                   FaultKind::kLink};

// The states a random schedule can land a fault in (see the header).
constexpr std::array kAimedStates = {CoverageState::kSteady, CoverageState::kElecting,
                                     CoverageState::kCatchingUp};

constexpr int kWeightPerEmptyCell = 3;

struct Aim {
  std::optional<Target> target;
  std::vector<CoverageRole> roles;
};

std::vector<Aim> AimsOf(FaultKind kind) {
  if (nemesis::TakesTargets(kind)) {
    return {{Target::kLeader, {CoverageRole::kLeader}},
            {Target::kFollower, {CoverageRole::kFollower, CoverageRole::kLagging}}};
  }
  if (kind == FaultKind::kPartitionLeader) return {{std::nullopt, {CoverageRole::kLeader}}};
  return {{std::nullopt, {CoverageRole::kLeader, CoverageRole::kFollower, CoverageRole::kLagging}}};
}

int EmptyCells(const checker::FaultCoverage& coverage, FaultKind kind, const Aim& aim) {
  const std::string fault(nemesis::FaultName(kind));
  int empty = 0;
  for (CoverageRole role : aim.roles) {
    for (CoverageState state : kAimedStates) {
      if (coverage.Count({.fault = fault, .role = role, .state = state}) == 0) ++empty;
    }
  }
  return empty;
}

}  // namespace

std::vector<FaultKind> AutoNemesisKinds(int nodes) {
  std::vector<FaultKind> kinds;
  for (FaultKind kind : kAutoKinds) {
    if (nemesis::Applicable(kind, nodes)) kinds.push_back(kind);
  }
  return kinds;
}

std::vector<nemesis::FaultChoice> AutoNemesisChoices(const checker::FaultCoverage& coverage,
                                                     int nodes) {
  std::vector<nemesis::FaultChoice> choices;
  for (FaultKind kind : AutoNemesisKinds(nodes)) {
    for (const Aim& aim : AimsOf(kind)) {
      choices.push_back({.kind = kind,
                         .target = aim.target,
                         .weight = 1 + kWeightPerEmptyCell * EmptyCells(coverage, kind, aim)});
    }
  }
  return choices;
}

}  // namespace orchestrator
