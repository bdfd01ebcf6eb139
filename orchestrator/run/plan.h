// RunPlan: what a run will do, computed from its spec alone before anything starts: the
// database adapter (constructed, nothing started), the fault schedule (from --schedule, or
// drawn from the seed over --nemesis; for --nemesis auto weighted by the fault coverage of the
// runs in the store, auto_nemesis.h) and whether nodes need a movable clock. Pure: no files but
// the schedule file and the store's results.json files (auto), no processes, no network. Every
// error here is about the user's input (exit 254), and names the flag: a fault the cluster size
// cannot take, a clock fault for a database whose clock libfaketime cannot move, a bug switch the
// database does not have, a candidate fault without the election workload's candidates.
#pragma once

#include <memory>

#include "common/status.h"
#include "nemesis/schedule.h"
#include "orchestrator/store/spec.h"
#include "workloads/db.h"

namespace orchestrator {

struct RunPlan {
  RunSpec spec;  // its seed is set
  std::unique_ptr<workloads::Db> db;
  nemesis::Schedule schedule;
  bool moves_clocks = false;  // the schedule has clock faults: every node runs under libfaketime
  // The schedule has clock-candidate faults: every lease candidate runs under libfaketime.
  bool moves_candidate_clocks = false;
  // The schedule has disk faults: every node's data dir is mounted through the FUSE disk layer
  // (node_disks.h), on either backend (docker binds the mounted host dir into the container).
  bool has_disk_faults = false;
};

// `spec.seed` must be set (the CLI draws one when the user gave none).
common::Result<RunPlan> PlanRun(RunSpec spec);

}  // namespace orchestrator
