// splitbrain: the command-line entry point. Looks the verb up in the table of commands and runs
// it; each command returns an exit code of DESIGN.md. No exception is meant to reach here; one
// that does is a failed run (exit 3).
#include <array>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "orchestrator/cli/check_command.h"
#include "orchestrator/cli/cleanup_command.h"
#include "orchestrator/cli/conformance_command.h"
#include "orchestrator/cli/merge_command.h"
#include "orchestrator/cli/report_command.h"
#include "orchestrator/cli/run_command.h"
#include "orchestrator/cli/shrink_command.h"
#include "orchestrator/cli/trends_command.h"
#include "orchestrator/store/exit_code.h"
#include "orchestrator/store/spec.h"

namespace {

struct Command {
  const char* verb;
  const char* summary;
  std::string (*usage)();  // --help; nullptr: the command reads --help itself
  int (*run)(const std::vector<std::string>&, std::ostream&, std::ostream&);
};

constexpr std::array kCommands = {
    Command{"run", "bring up a cluster, drive a workload, record the history and check it",
            orchestrator::RunUsage, orchestrator::RunRunCommand},
    Command{"check", "check histories (JSONL, Jepsen EDN, Porcupine logs) for linearizability",
            orchestrator::CheckUsage, orchestrator::RunCheckCommand},
    Command{"report", "(re)write a run's report.html and its store's index.html",
            orchestrator::ReportUsage, orchestrator::RunReportCommand},
    Command{"merge", "join the stores of several shards into one, with one index and JUnit file",
            orchestrator::MergeUsage, orchestrator::RunMergeCommand},
    Command{"shrink",
            "replay an invalid run with fewer and shorter faults: the smallest that fails",
            orchestrator::ShrinkUsage, orchestrator::RunShrinkCommand},
    Command{"trends", "trends of a store's last nights; flag (and fail on) regressions",
            orchestrator::TrendsUsage, orchestrator::RunTrendsCommand},
    Command{"conformance", "check a database client against the protocol on a fresh cluster",
            orchestrator::ConformanceUsage, orchestrator::RunConformanceCommand},
    Command{"cleanup", "remove what dead runs left behind (containers, networks, namespaces)",
            nullptr, orchestrator::RunCleanupCommand},
};

void PrintUsage(std::ostream& out) {
  out << "splitbrain: chaos testing for leader-elected replicated databases\n\ncommands:\n";
  for (const Command& c : kCommands) {
    out << "  " << c.verb << std::string(13 - std::string(c.verb).size(), ' ') << c.summary << "\n";
  }
  out << "\nrun `splitbrain COMMAND --help` for a command's flags.\n";
}

}  // namespace

int main(int argc, char** argv) {
  try {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
      PrintUsage(args.empty() ? std::cerr : std::cout);
      return args.empty() ? orchestrator::kExitBadInput : orchestrator::kExitValid;
    }
    const std::string verb = args[0];
    args.erase(args.begin());
    const bool help = !args.empty() && (args[0] == "--help" || args[0] == "-h");
    for (const Command& c : kCommands) {
      if (verb != c.verb) continue;
      if (help && c.usage != nullptr) {
        std::cout << c.usage();
        return orchestrator::kExitValid;
      }
      return c.run(args, std::cout, std::cerr);
    }
    std::cerr << "splitbrain: unknown command \"" << verb << "\"\n";
    PrintUsage(std::cerr);
    return orchestrator::kExitBadInput;
  } catch (const std::exception& e) {
    std::cerr << "splitbrain: internal error: " << e.what() << "\n";
    return orchestrator::kExitRunFailed;
  }
}
