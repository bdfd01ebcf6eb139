// splitbrain: the command-line entry point. Dispatches to one command per verb; each command
// returns an exit code of DESIGN.md. No exception is meant to reach here; one that does is a
// failed run (exit 3).
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "orchestrator/check_command.h"
#include "orchestrator/cleanup_command.h"
#include "orchestrator/report/report_command.h"
#include "orchestrator/run_command.h"
#include "orchestrator/run_spec.h"

namespace {

void PrintUsage(std::ostream& out) {
  out << "splitbrain: chaos testing for leader-elected replicated databases\n\n"
         "commands:\n"
         "  run      bring up a cluster, drive a workload, record the history and check it\n"
         "  check    check histories (JSONL, Jepsen EDN, Porcupine logs) for linearizability\n"
         "  report   (re)write a run's report.html and its store's index.html\n"
         "  cleanup  remove what dead runs left behind (containers, networks, namespaces)\n\n"
         "run `splitbrain COMMAND --help` for a command's flags.\n";
}

}  // namespace

int main(int argc, char** argv) {
  try {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
      PrintUsage(args.empty() ? std::cerr : std::cout);
      return args.empty() ? orchestrator::kExitBadInput : 0;
    }
    const std::string command = args[0];
    args.erase(args.begin());
    const bool help = !args.empty() && (args[0] == "--help" || args[0] == "-h");
    if (command == "run") {
      if (help) {
        std::cout << orchestrator::RunUsage();
        return 0;
      }
      return orchestrator::RunRunCommand(args, std::cout, std::cerr);
    }
    if (command == "report") {
      if (help) {
        std::cout << orchestrator::report::ReportUsage();
        return 0;
      }
      return orchestrator::report::RunReportCommand(args, std::cout, std::cerr);
    }
    if (command == "cleanup") return orchestrator::RunCleanupCommand(args, std::cout, std::cerr);
    if (command == "check") {
      if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
        std::cout << orchestrator::CheckUsage();
        return 0;
      }
      return orchestrator::RunCheckCommand(args, std::cout, std::cerr);
    }
    std::cerr << "splitbrain: unknown command \"" << command << "\"\n";
    PrintUsage(std::cerr);
    return orchestrator::kExitBadInput;
  } catch (const std::exception& e) {
    std::cerr << "splitbrain: internal error: " << e.what() << "\n";
    return orchestrator::kExitRunFailed;
  }
}
