#include "refdb/sim/swarm.h"

#include <array>

namespace refdb::sim {
namespace {

constexpr std::array<std::string_view, 5> kBugNames = {
    "none", "half-quorum", "vote-without-log-check", "commit-previous-term", "stale-reads"};

// 0 with probability 1/4 (the fault is off for this seed), else uniform in [lo, hi].
uint32_t MaybeOff(common::Rng& rng, int64_t lo, int64_t hi) {
  return rng.Chance(1, 4) ? 0 : static_cast<uint32_t>(rng.Range(lo, hi));
}

size_t DrawNodes(common::Rng& rng, Bug bug) {
  // Split brain needs two equal halves: with half-quorum, mostly 4 or 6 nodes.
  if (bug == Bug::kHalfQuorum && rng.Chance(4, 5)) return rng.Chance(1, 2) ? 4 : 6;
  return static_cast<size_t>(rng.Range(3, 7));
}

// Figure 8 needs a leader whose log ends in entries of an earlier term that no majority holds,
// replicated one entry per AppendEntries (so the earlier-term entries are acknowledged before
// the leader's own), and a rival holding a later-term entry at the same index that wins once
// that leader is struck. So: small batches, new leaders struck often, frequent partitions.
void PreferFigure8(common::Rng& rng, Swarm& s) {
  s.max_entries_per_append = rng.Chance(3, 4) ? 1 : 2;
  s.strike_leader_percent = static_cast<uint32_t>(rng.Range(30, 80));
  s.partition_per_mille = static_cast<uint32_t>(rng.Range(10, 40));
  s.crash_per_mille = static_cast<uint32_t>(rng.Range(5, 20));
}

}  // namespace

common::Result<Bug> ParseBug(std::string_view name) {
  for (size_t i = 1; i < kBugNames.size(); ++i) {
    if (kBugNames[i] == name) return static_cast<Bug>(i);
  }
  return common::Status::InvalidArgument("--bug " + std::string(name) +
                                         ": expected half-quorum, vote-without-log-check, "
                                         "commit-previous-term or stale-reads");
}

std::string_view BugName(Bug bug) { return kBugNames[static_cast<size_t>(bug)]; }

void EnableBug(Bug bug, raft::Config& config) {
  config.bug_half_quorum = bug == Bug::kHalfQuorum;
  config.bug_vote_without_log_check = bug == Bug::kVoteWithoutLogCheck;
  config.bug_commit_previous_term = bug == Bug::kCommitPreviousTerm;
  config.bug_stale_reads = bug == Bug::kStaleReads;
}

Swarm DrawSwarm(common::Rng& rng, size_t nodes, Bug bug) {
  Swarm s;
  s.nodes = nodes != 0 ? nodes : DrawNodes(rng, bug);
  s.message_faults = {.drop_percent = MaybeOff(rng, 1, 20),
                      .duplicate_percent = MaybeOff(rng, 1, 10),
                      .delay_ticks_max = static_cast<uint32_t>(rng.Range(1, 6))};
  s.partition_per_mille = MaybeOff(rng, 2, 25);
  s.heal_per_mille = static_cast<uint32_t>(rng.Range(5, 30));
  s.crash_per_mille = MaybeOff(rng, 1, 10);
  s.restart_per_mille = static_cast<uint32_t>(rng.Range(10, 50));
  s.crash_in_ready_percent = MaybeOff(rng, 10, 50);
  s.strike_leader_percent = MaybeOff(rng, 5, 40);
  s.transfer_per_mille = MaybeOff(rng, 1, 5);
  s.client_percent = static_cast<uint32_t>(rng.Range(5, 60));
  s.leader_hint_percent = static_cast<uint32_t>(rng.Range(50, 95));
  s.compact_threshold = rng.Chance(1, 3) ? 0 : static_cast<uint64_t>(rng.Range(4, 64));
  constexpr std::array<size_t, 4> kBatches = {1, 2, 8, 64};
  s.max_entries_per_append = kBatches[rng.Uniform(kBatches.size())];
  if (bug == Bug::kCommitPreviousTerm) PreferFigure8(rng, s);
  s.heartbeat_timeout_ticks = static_cast<int>(rng.Range(1, 3));
  s.election_timeout_ticks = static_cast<int>(rng.Range(8, 20));
  s.clients = {.clients = static_cast<size_t>(rng.Range(1, 5)),
               .keys = static_cast<size_t>(rng.Range(1, 3)),
               .timeout_ticks = static_cast<uint64_t>(rng.Range(20, 120))};
  return s;
}

std::string Swarm::Describe() const {
  const auto kv = [](std::string_view key, uint64_t value) {
    return std::string(key) + "=" + std::to_string(value) + " ";
  };
  std::string text =
      kv("nodes", nodes) + kv("drop%", message_faults.drop_percent) +
      kv("dup%", message_faults.duplicate_percent) +
      kv("delay_max", message_faults.delay_ticks_max) + kv("partition", partition_per_mille) +
      kv("heal", heal_per_mille) + kv("crash", crash_per_mille) + kv("restart", restart_per_mille) +
      kv("crash_in_ready%", crash_in_ready_percent) + kv("strike", strike_leader_percent) +
      kv("transfer", transfer_per_mille) + kv("client%", client_percent) +
      kv("compact", compact_threshold) + kv("batch", max_entries_per_append) +
      kv("heartbeat", static_cast<uint64_t>(heartbeat_timeout_ticks)) +
      kv("election", static_cast<uint64_t>(election_timeout_ticks)) +
      kv("clients", clients.clients) + kv("keys", clients.keys) +
      kv("op_timeout", clients.timeout_ticks);
  text.pop_back();
  return text;
}

}  // namespace refdb::sim
