#include "orchestrator/cli/run_command.h"

#include <exception>
#include <ostream>
#include <random>

#include "orchestrator/run/execute.h"
#include "orchestrator/run/interrupts.h"
#include "orchestrator/run/plan.h"
#include "orchestrator/store/exit_code.h"
#include "orchestrator/store/spec.h"

namespace orchestrator {

int RunRunCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  auto spec = ParseRunSpec(args);
  if (!spec.ok()) {
    err << "splitbrain run: " << spec.status().message() << "\n" << RunUsage();
    return kExitBadInput;
  }
  if (!spec->seed.has_value()) spec->seed = std::random_device{}();
  auto plan = PlanRun(std::move(*spec));
  if (!plan.ok()) {
    err << "splitbrain run: " << plan.status().message() << "\n";
    return kExitBadInput;
  }
  InterruptWatcher interrupts;
  try {
    return ExecuteRun(*plan, out, err, interrupts);
  } catch (const std::exception& e) {
    err << "splitbrain run: internal error: " << e.what() << "\n";
    return kExitRunFailed;
  }
}

}  // namespace orchestrator
