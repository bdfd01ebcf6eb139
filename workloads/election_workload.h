// ElectionWorkload: see election_workload.cc for what it does and what it records.
#pragma once

#include <memory>

#include "workloads/workload.h"

namespace workloads {

std::unique_ptr<Workload> MakeElectionWorkload(const WorkloadOptions& options);

}  // namespace workloads
