// AutoNemesis: what `--nemesis auto` draws from. The runs already in the store have recorded
// which fault hit which role in which cluster state (checker/fault_coverage.h); auto turns the
// empty cells into weights, so the next run's random schedule aims at them. Pure: the same
// coverage and cluster size give the same choices, and the schedule stays a function of the seed
// (nemesis::RandomSchedule), so a run with the same seed over the same store draws the same
// faults. Thread-compatible.
//
// The kinds: the faults on node processes and the network that need nothing but the backend
// (no FUSE disk layer, libfaketime or packet holder): kill, pause, loss, partition-halves,
// partition-leader, partition-random-node, link. Each choice aims at roles:
//   kill, pause, loss with target leader     -> leader
//   kill, pause, loss with target follower   -> follower, lagging
//   partition-leader                         -> leader
//   partition-halves, -random-node, link     -> leader, follower, lagging (where they land)
// A choice's weight is 1 + 3 x its empty cells: the cells (kind, aimed role, state) with state
// steady, electing or catching-up that no run reached. The candidate role, the unknown columns,
// during-another-fault (random schedules never overlap faults) and snapshot-transfer (never
// observed) are left out: no choice can aim at them. A kind no run has used has every cell empty.
#pragma once

#include <vector>

#include "checker/fault_coverage.h"
#include "nemesis/schedule.h"

namespace orchestrator {

// The auto kinds that can run on `nodes` nodes.
std::vector<nemesis::FaultKind> AutoNemesisKinds(int nodes);

// One weighted choice per (auto kind that can run on `nodes`, aim), in a fixed order.
std::vector<nemesis::FaultChoice> AutoNemesisChoices(const checker::FaultCoverage& coverage,
                                                     int nodes);

}  // namespace orchestrator
