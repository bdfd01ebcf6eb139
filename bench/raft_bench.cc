// raft_bench: how fast the deterministic simulator (refdb/sim) explores schedules.
//
//   raft_bench [--seeds N]
//
// Each case runs N seeds (default 300) of one scenario and prints simulated events per second
// and seeds per minute (wall clock). Cases: the headline 5-node, 2,000-tick safety phase with the
// seed's swarm of faults, then the default scenario (3..7 nodes, 1,000 ticks). Events are message
// deliveries, node ticks, client operations and faults. The last line sums up the headline case:
// events_per_s seeds_per_min seeds violations.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "refdb/sim/simulator.h"

namespace {

struct CaseResult {
  double events_per_s = 0;
  double seeds_per_min = 0;
  uint64_t violations = 0;
};

CaseResult RunCase(const char* name, uint64_t seeds, size_t nodes, uint64_t ticks) {
  const auto start = std::chrono::steady_clock::now();
  uint64_t events = 0;
  uint64_t violations = 0;
  for (uint64_t seed = 1; seed <= seeds; ++seed) {
    const refdb::sim::SimResult result =
        refdb::sim::RunSimulation({.seed = seed, .nodes = nodes, .safety_ticks = ticks});
    events += result.events;
    violations += result.violation ? 1 : 0;
  }
  const double elapsed_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CaseResult r{.events_per_s = static_cast<double>(events) / elapsed_s,
               .seeds_per_min = static_cast<double>(seeds) * 60.0 / elapsed_s,
               .violations = violations};
  std::printf(
      "%-28s seeds=%llu events=%llu elapsed_s=%.2f events_per_s=%.0f seeds_per_min=%.0f "
      "violations=%llu\n",
      name, static_cast<unsigned long long>(seeds), static_cast<unsigned long long>(events),
      elapsed_s, r.events_per_s, r.seeds_per_min, static_cast<unsigned long long>(violations));
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t seeds = 300;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--seeds") == 0 && i + 1 < argc) {
      seeds = std::strtoull(argv[++i], nullptr, 10);
    } else {
      std::fprintf(stderr, "usage: raft_bench [--seeds N]\n");
      return 254;
    }
  }
  if (seeds == 0) {
    std::fprintf(stderr, "raft_bench: --seeds must be positive\n");
    return 254;
  }
  const CaseResult headline = RunCase("5-nodes-2000-ticks-faults", seeds, 5, 2000);
  RunCase("swarm-3to7-nodes-1000-ticks", seeds, 0, 1000);
  std::printf("events_per_s=%.0f seeds_per_min=%.0f seeds=%llu violations=%llu\n",
              headline.events_per_s, headline.seeds_per_min, static_cast<unsigned long long>(seeds),
              static_cast<unsigned long long>(headline.violations));
  return headline.violations == 0 ? 0 : 1;
}
