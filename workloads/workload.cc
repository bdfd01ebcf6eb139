#include "workloads/workload.h"

#include "workloads/election_workload.h"
#include "workloads/register_workload.h"
#include "workloads/set_workload.h"

namespace workloads {

std::string_view WorkloadKindName(WorkloadKind kind) {
  switch (kind) {
    case WorkloadKind::kRegister:
      return "register";
    case WorkloadKind::kSet:
      return "set";
    case WorkloadKind::kElection:
      return "election";
  }
  return "unknown";
}

common::Result<WorkloadKind> ParseWorkloadKind(std::string_view name) {
  for (WorkloadKind kind : {WorkloadKind::kRegister, WorkloadKind::kSet, WorkloadKind::kElection}) {
    if (WorkloadKindName(kind) == name) return kind;
  }
  return common::Status::InvalidArgument("workload \"" + std::string(name) +
                                         "\" is not one of register, set, election");
}

common::Result<std::unique_ptr<Workload>> MakeWorkload(WorkloadKind kind,
                                                       const WorkloadOptions& options) {
  if (options.concurrency < 1) {
    return common::Status::InvalidArgument("workload: concurrency must be at least 1");
  }
  if (options.endpoints.empty()) return common::Status::InvalidArgument("workload: no endpoints");
  switch (kind) {
    case WorkloadKind::kRegister:
      return MakeRegisterWorkload(options);
    case WorkloadKind::kSet:
      return MakeSetWorkload(options);
    case WorkloadKind::kElection:
      return MakeElectionWorkload(options);
  }
  return common::Status::InvalidArgument("workload: unknown kind");
}

}  // namespace workloads
