// RegisterWorkload: see register_workload.cc for what it does and what it records.
#pragma once

#include <memory>

#include "workloads/workload.h"

namespace workloads {

std::unique_ptr<Workload> MakeRegisterWorkload(const WorkloadOptions& options);

}  // namespace workloads
