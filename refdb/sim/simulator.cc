#include "refdb/sim/simulator.h"

#include "refdb/sim/simulation.h"

namespace refdb::sim {

SimResult RunSimulation(const SimOptions& options) { return Simulation(options).Run(); }

std::string ReplayCommand(const SimOptions& options) {
  std::string command = "refdb-sim --seeds 1 --start-seed " + std::to_string(options.seed);
  if (options.nodes != 0) command += " --nodes " + std::to_string(options.nodes);
  if (options.bug != Bug::kNone) command += " --bug " + std::string(BugName(options.bug));
  if (options.safety_ticks != SimOptions{}.safety_ticks) {
    command += " --ticks " + std::to_string(options.safety_ticks);
  }
  return command;
}

}  // namespace refdb::sim
