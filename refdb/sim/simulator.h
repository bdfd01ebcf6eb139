// The deterministic whole-cluster simulator: one seed, one run, one verdict.
//
// One seed feeds one common::Rng, which draws the swarm (cluster size and fault rates, see
// swarm.h) and then every event. Time is ticks. Each tick: deliver the messages due, tick every
// live node, expire and start client operations, inject faults (partitions, heals, crashes,
// crashes between persist and send, restarts, leadership transfers). After every step of any
// node, the SafetyChecker runs (and CheckInvariants on that node).
//
// Phases: a safety phase of `safety_ticks` with faults; then a liveness phase that heals the
// network, stops message faults and restarts every crashed node: within `liveness_ticks` a
// leader must be elected and every acknowledged write applied on every live node. Finally the
// client history is checked for linearizability (checker/, model "kv").
//
// Deterministic: the same options give the same result and the same trace, byte for byte.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "refdb/sim/swarm.h"

namespace refdb::sim {

struct SimOptions {
  uint64_t seed = 1;
  size_t nodes = 0;  // 0: the seed picks 3..7
  Bug bug = Bug::kNone;
  bool trace = false;  // record every event in SimResult::trace
  uint64_t safety_ticks = 1000;
  uint64_t liveness_ticks = 400;
};

struct SimResult {
  uint64_t seed = 0;
  size_t nodes = 0;
  std::optional<std::string> violation;  // what was violated, and at which tick
  std::string trace;                     // empty unless SimOptions::trace
  uint64_t events = 0;                   // deliveries, node ticks, client operations, faults
  uint64_t ticks = 0;
  size_t operations = 0;        // client operations invoked
  size_t leaders = 0;           // terms that had a leader
  std::string linearizability;  // "valid", "invalid", "unknown: <reason>"
};

SimResult RunSimulation(const SimOptions& options);

// The one command that replays `options`' seed: "refdb-sim --seeds 1 --start-seed S ...".
std::string ReplayCommand(const SimOptions& options);

}  // namespace refdb::sim
