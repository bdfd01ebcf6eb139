// Swarm: the knobs of one simulated run, all drawn from the seed (swarm testing, as
// TigerBeetle's VOPR `options_swarm`): each seed explores a different mix and intensity of
// faults instead of every seed averaging over all of them. Also the bug switches by name: the
// Raft core's and the server's, all set through server::ServerOptions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/rng.h"
#include "common/status.h"
#include "refdb/server/server_options.h"
#include "refdb/sim/clients.h"
#include "refdb/sim/sim_network.h"

namespace refdb::sim {

enum class Bug {
  kNone,
  kHalfQuorum,
  kVoteWithoutLogCheck,
  kCommitPreviousTerm,
  kStaleReads,
  kApplyBeforeDurable,
  kDedupLostOnSnapshot,
  kNoFsync,
};

// "half-quorum", "vote-without-log-check", "commit-previous-term", "stale-reads" (the core's),
// "apply-before-durable", "dedup-lost-on-snapshot", "no-fsync" (the server's): ServerOptions'
// names.
common::Result<Bug> ParseBug(std::string_view name);
std::string_view BugName(Bug bug);
void EnableBug(Bug bug, server::ServerOptions& options);

// Per-tick event chances are per mille (out of 1,000).
struct Swarm {
  size_t nodes = 5;
  MessageFaults message_faults;
  uint32_t partition_per_mille = 0;      // chance per tick to change the partition
  uint32_t heal_per_mille = 0;           // chance per tick to heal every cut
  uint32_t crash_per_mille = 0;          // chance per tick to crash a live node
  uint32_t restart_per_mille = 0;        // chance per tick to restart a crashed node
  uint32_t crash_in_ready_percent = 0;   // a crash lands between persist and send
  uint32_t tear_percent = 0;             // a crash tears the last unsynced write
  uint32_t strike_leader_percent = 0;    // chance a new leader is isolated or crashed at once
  uint32_t strike_delay_ticks_max = 4;   // ... at once, or within 1..max ticks
  uint32_t strike_isolate_percent = 50;  // isolated (in-flight messages lost), else crashed
  uint32_t strike_commit_percent = 0;    // chance a leader is isolated as its commit advances
  uint32_t transfer_per_mille = 0;       // chance per tick to ask for a leadership transfer
  uint32_t client_percent = 0;           // chance per tick that an idle client starts an operation
  uint32_t leader_hint_percent = 0;      // chance a client finds the current leader
  uint64_t compact_threshold = 0;        // 0: never compact
  size_t max_entries_per_append = 64;
  int heartbeat_timeout_ticks = 1;
  int election_timeout_ticks = 10;
  ClientOptions clients;

  // One line of key=value pairs, for the trace.
  std::string Describe() const;
};

// Draws a swarm. `nodes` 0 lets the seed pick 3..7 (even sizes preferred for half-quorum).
Swarm DrawSwarm(common::Rng& rng, size_t nodes, Bug bug);

}  // namespace refdb::sim
