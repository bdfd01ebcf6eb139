// The refdb-sim command line (DESIGN.md):
//   refdb-sim --seeds N [--start-seed S] [--nodes N] [--bug NAME] [--ticks T] [--trace]
// Runs seeds S, S+1, ..., S+N-1 and stops at the first violation.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "common/status.h"
#include "refdb/sim/swarm.h"

namespace refdb::sim {

struct CliOptions {
  uint64_t seeds = 1;
  uint64_t start_seed = 1;
  size_t nodes = 0;  // 0: each seed picks
  Bug bug = Bug::kNone;
  uint64_t safety_ticks = 1000;
  bool trace = false;
};

inline constexpr std::string_view kUsage =
    "usage: refdb-sim --seeds N [--start-seed S] [--nodes 3..7] [--bug NAME] [--ticks T] "
    "[--trace]\n"
    "  NAME: half-quorum | vote-without-log-check | commit-previous-term | stale-reads |\n"
    "        apply-before-durable | dedup-lost-on-snapshot | no-fsync\n";

// InvalidArgument naming the flag when an argument is unknown, missing or out of range.
common::Result<CliOptions> ParseCli(std::span<const std::string> args);

}  // namespace refdb::sim
