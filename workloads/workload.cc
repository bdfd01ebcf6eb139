#include "workloads/workload.h"

#include "workloads/election_workload.h"
#include "workloads/register_workload.h"
#include "workloads/set_workload.h"

namespace workloads {

common::Result<std::unique_ptr<Workload>> MakeWorkload(std::string_view name,
                                                       const WorkloadOptions& options) {
  if (options.concurrency < 1) {
    return common::Status::InvalidArgument("workload: concurrency must be at least 1");
  }
  if (options.endpoints.empty()) return common::Status::InvalidArgument("workload: no endpoints");
  if (name == "register") return MakeRegisterWorkload(options);
  if (name == "set") return MakeSetWorkload(options);
  if (name == "election") return MakeElectionWorkload(options);
  return common::Status::InvalidArgument("workload \"" + std::string(name) +
                                         "\" is not one of register, set, election");
}

}  // namespace workloads
