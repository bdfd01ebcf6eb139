// refdb-sim: runs the deterministic simulator over a range of seeds (see simulator.h).
// Exit codes: 0 every seed passed, 1 a violation (printed with its replay command), 254 bad
// arguments, 3 an unexpected exception.
#include <chrono>
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "refdb/sim/cli.h"
#include "refdb/sim/simulator.h"

namespace {

using refdb::sim::CliOptions;

int RunSeeds(const CliOptions& cli) {
  const auto start = std::chrono::steady_clock::now();
  uint64_t events = 0;
  for (uint64_t i = 0; i < cli.seeds; ++i) {
    const refdb::sim::SimOptions options{.seed = cli.start_seed + i,
                                         .nodes = cli.nodes,
                                         .bug = cli.bug,
                                         .trace = cli.trace,
                                         .safety_ticks = cli.safety_ticks};
    const refdb::sim::SimResult result = refdb::sim::RunSimulation(options);
    events += result.events;
    if (cli.trace) std::cout << result.trace;
    if (result.violation) {
      std::cout << "VIOLATION seed=" << result.seed << " nodes=" << result.nodes << ": "
                << *result.violation << "\nreplay: " << refdb::sim::ReplayCommand(options)
                << std::endl;
      return 1;
    }
  }
  const double elapsed_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "ok seeds=" << cli.seeds << " start_seed=" << cli.start_seed << " events=" << events;
  // With --trace the output must be byte-identical run to run: no wall-clock time in it.
  if (!cli.trace) std::cout << " elapsed_s=" << elapsed_s;
  std::cout << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::vector<std::string> args(argv + 1, argv + argc);
    const common::Result<CliOptions> cli = refdb::sim::ParseCli(args);
    if (!cli.ok()) {
      std::cerr << "refdb-sim: " << cli.status().message() << "\n" << refdb::sim::kUsage;
      return 254;
    }
    return RunSeeds(*cli);
  } catch (const std::exception& e) {
    std::cerr << "refdb-sim: unexpected exception: " << e.what() << std::endl;
    return 3;
  }
}
