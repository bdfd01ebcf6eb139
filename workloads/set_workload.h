// SetWorkload: see set_workload.cc for what it does and what it records.
#pragma once

#include <memory>

#include "workloads/workload.h"

namespace workloads {

std::unique_ptr<Workload> MakeSetWorkload(const WorkloadOptions& options);

}  // namespace workloads
