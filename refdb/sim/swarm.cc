#include "refdb/sim/swarm.h"

#include <array>

namespace refdb::sim {
namespace {

constexpr std::array<std::string_view, 8> kBugNames = {
    "none",        "half-quorum",          "vote-without-log-check", "commit-previous-term",
    "stale-reads", "apply-before-durable", "dedup-lost-on-snapshot", "no-fsync"};

// 0 with probability 1/4 (the fault is off for this seed), else uniform in [lo, hi].
uint32_t MaybeOff(common::Rng& rng, int64_t lo, int64_t hi) {
  return rng.Chance(1, 4) ? 0 : static_cast<uint32_t>(rng.Range(lo, hi));
}

size_t DrawNodes(common::Rng& rng, Bug bug) {
  // Split brain needs two equal halves: with half-quorum, mostly 4 or 6 nodes.
  if (bug == Bug::kHalfQuorum && rng.Chance(4, 5)) return rng.Chance(1, 2) ? 4 : 6;
  return static_cast<size_t>(rng.Range(3, 7));
}

// Figure 8 needs (1) a leader A of term T1 that appends client writes while cut off; (2) a leader
// B of term T2 elected without them, whose first entry at the same index never leaves it (B is
// isolated at once: a cut also loses messages in flight, a crash does not); (3) A, its longer
// log winning, elected again in T3, replicating its T1 entries one per AppendEntries so the bug
// counts them committed before its T3 entry reaches a majority; (4) A isolated at once, which
// reconnects B, whose last term T2 beats the others' T1: B wins and overwrites the commit.
// So: one-entry batches, busy clients, new leaders isolated within a tick, frequent heals.
void PreferFigure8(common::Rng& rng, Swarm& s) {
  s.max_entries_per_append = rng.Chance(3, 4) ? 1 : 2;
  s.strike_leader_percent = static_cast<uint32_t>(rng.Range(30, 80));
  s.strike_delay_ticks_max = 1;
  s.strike_isolate_percent = 90;
  s.strike_commit_percent = static_cast<uint32_t>(rng.Range(5, 20));
}

}  // namespace

common::Result<Bug> ParseBug(std::string_view name) {
  for (size_t i = 1; i < kBugNames.size(); ++i) {
    if (kBugNames[i] == name) return static_cast<Bug>(i);
  }
  return common::Status::InvalidArgument("--bug " + std::string(name) +
                                         ": expected half-quorum, vote-without-log-check, "
                                         "commit-previous-term, stale-reads, "
                                         "apply-before-durable, dedup-lost-on-snapshot or "
                                         "no-fsync");
}

std::string_view BugName(Bug bug) { return kBugNames[static_cast<size_t>(bug)]; }

void EnableBug(Bug bug, server::ServerOptions& options) {
  options.bug_half_quorum = bug == Bug::kHalfQuorum;
  options.bug_vote_without_log_check = bug == Bug::kVoteWithoutLogCheck;
  options.bug_commit_previous_term = bug == Bug::kCommitPreviousTerm;
  options.bug_stale_reads = bug == Bug::kStaleReads;
  options.bug_apply_before_durable = bug == Bug::kApplyBeforeDurable;
  options.bug_dedup_lost_on_snapshot = bug == Bug::kDedupLostOnSnapshot;
  options.bug_no_fsync = bug == Bug::kNoFsync;
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
  s.tear_percent = MaybeOff(rng, 10, 50);
  s.strike_leader_percent = MaybeOff(rng, 5, 40);
  s.strike_delay_ticks_max = static_cast<uint32_t>(rng.Range(1, 8));
  s.strike_isolate_percent = static_cast<uint32_t>(rng.Range(20, 80));
  s.strike_commit_percent = MaybeOff(rng, 1, 3);
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
      kv("crash_in_ready%", crash_in_ready_percent) + kv("tear%", tear_percent) +
      kv("strike", strike_leader_percent) + kv("strike_delay", strike_delay_ticks_max) +
      kv("strike_isolate%", strike_isolate_percent) + kv("strike_commit%", strike_commit_percent) +
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
