#include "orchestrator/cli/conformance_command.h"

#include <ostream>

#include "orchestrator/run/conformance.h"
#include "orchestrator/run/interrupts.h"
#include "orchestrator/run/plan.h"
#include "orchestrator/run/session.h"
#include "orchestrator/store/exit_code.h"
#include "orchestrator/store/spec.h"

namespace orchestrator {

std::string ConformanceUsage() {
  return "usage: splitbrain conformance --db NAME|PATH [--backend auto|docker|netns] [--nodes 3]\n"
         "                              [--store DIR]\n"
         "Brings up a cluster of the database (no faults) and checks its client against the\n"
         "client protocol (docs/client-protocol.md): one line per rule, exit 0 when all pass.\n";
}

int RunConformanceCommand(const std::vector<std::string>& args, std::ostream& out,
                          std::ostream& err) {
  std::vector<std::string> run_args = {"--nodes", "3", "--nemesis", "none"};
  run_args.insert(run_args.end(), args.begin(), args.end());
  auto spec = ParseRunSpec(run_args);
  if (!spec.ok()) {
    err << "splitbrain conformance: " << spec.status().message() << "\n" << ConformanceUsage();
    return kExitBadInput;
  }
  spec->seed = 1;
  spec->name = spec->DbLabel() + "-conformance";
  auto plan = PlanRun(std::move(*spec));
  if (!plan.ok()) {
    err << "splitbrain conformance: " << plan.status().message() << "\n";
    return kExitBadInput;
  }
  InterruptWatcher interrupts;
  ClusterSession session(*plan, interrupts);
  common::Status up = session.Open();
  if (up.ok()) up = session.BringUp(out);
  if (!up.ok()) {
    err << "splitbrain conformance: the cluster did not come up (" << session.phase()
        << "): " << up.message() << "\n";
    (void)session.CollectLogs();
    (void)session.Down(out, err);
    return kExitRunFailed;
  }
  const std::vector<ConformanceRule> rules =
      CheckConformance(*plan->db, session.endpoints(), "conformance-" + session.run_id() + "-");
  int failed = 0;
  for (const ConformanceRule& r : rules) {
    out << (r.passed ? "  pass  " : "  FAIL  ") << r.rule << (r.passed ? "" : ": " + r.detail)
        << "\n";
    failed += r.passed ? 0 : 1;
  }
  (void)session.CollectLogs();
  (void)session.Down(out, err);
  out << "conformance: " << rules.size() - failed << " of " << rules.size() << " rules pass"
      << (session.run_dir() ? " (store: " + session.run_dir()->root().string() + ")" : "") << "\n";
  return failed == 0 ? 0 : 1;
}

}  // namespace orchestrator
