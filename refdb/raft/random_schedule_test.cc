// Seeded random schedules over the test network: message drops, duplicates and reordering,
// partitions, crashes and restarts, compaction, proposals, reads and transfers. Not the
// simulator (refdb/sim owns linearizability and the full checks); a smoke test that no
// schedule trips a CHECK, that correct Raft shows no violation the fixture can see, and that a
// healed cluster elects a leader and commits.
#include <gtest/gtest.h>

#include <set>

#include "refdb/raft/test_network.h"

namespace refdb::raft {
namespace {

constexpr int kSteps = 400;

NodeId Pick(common::Rng& rng, const std::vector<NodeId>& ids) {
  return ids[rng.Uniform(ids.size())];
}

void RandomStep(Network& net, common::Rng& rng, std::set<NodeId>& down, int step) {
  const std::vector<NodeId> ids = net.ids();
  const NodeId n = Pick(rng, ids);
  const NodeId leader = net.Leader();
  const uint64_t roll = rng.Uniform(100);
  if (roll < 55) {
    net.TickAll(1);
  } else if (roll < 68) {
    if (leader != kNoNode) (void)net.Propose(leader, "v" + std::to_string(step));
  } else if (roll < 74) {
    if (!down.count(n)) (void)net.Read(n, "r" + std::to_string(step));
  } else if (roll < 79) {
    net.Cut(n, Pick(rng, ids));
  } else if (roll < 81) {
    net.Isolate(n);
  } else if (roll < 86) {
    net.Recover();
  } else if (roll < 89) {
    if (down.size() < 2 && down.insert(n).second) net.Crash(n);
  } else if (roll < 94) {
    if (down.erase(n) != 0) net.Restart(n);
  } else if (roll < 97) {
    if (!down.count(n)) (void)net.Compact(n);
  } else if (leader != kNoNode) {
    (void)net.node(leader).TransferLeadership(n);
    net.DeliverAll();
  }
}

// Runs a schedule; returns the violations seen.
std::vector<std::string> RunSchedule(uint64_t seed, const std::function<void(Config&)>& configure,
                                     bool expect_live) {
  Network net({.size = 5, .seed = seed, .configure = configure});
  net.AllowViolations();
  common::Rng rng(seed);
  net.SetMessageFaults(static_cast<uint32_t>(rng.Uniform(20)),
                       static_cast<uint32_t>(rng.Uniform(10)), rng.Chance(1, 2));
  std::set<NodeId> down;
  for (int step = 0; step < kSteps; ++step) RandomStep(net, rng, down, step);
  // Heal everything: a leader must emerge and commit.
  net.SetMessageFaults(0, 0, false);
  net.Recover();
  for (NodeId id : down) net.Restart(id);
  net.TickAll(60);
  const NodeId leader = net.Leader();
  if (expect_live) {
    EXPECT_NE(leader, kNoNode) << "seed " << seed;
    if (leader != kNoNode) {
      EXPECT_TRUE(net.Propose(leader, "final").ok()) << "seed " << seed;
      net.TickAll(5);
      for (NodeId id : net.ids()) {
        EXPECT_EQ(net.node(id).commit_index(), net.node(leader).commit_index())
            << "seed " << seed << " node " << id;
      }
    }
  }
  return net.violations();
}

TEST(RandomSchedule, CorrectRaftShowsNoViolationAndRecovers) {
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    const std::vector<std::string> violations = RunSchedule(seed, {}, true);
    EXPECT_TRUE(violations.empty()) << "seed " << seed << ": " << violations.front();
  }
}

TEST(RandomSchedule, CorrectRaftWithoutPreVoteOrCheckQuorumShowsNoViolation) {
  const auto configure = [](Config& c) {
    c.pre_vote = false;
    c.check_quorum = false;
  };
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    const std::vector<std::string> violations = RunSchedule(seed, configure, true);
    EXPECT_TRUE(violations.empty()) << "seed " << seed << ": " << violations.front();
  }
}

TEST(RandomSchedule, BugSwitchesNeverAbortTheCore) {
  const std::vector<std::function<void(Config&)>> bugs = {
      [](Config& c) { c.bug_half_quorum = true; },
      [](Config& c) { c.bug_vote_without_log_check = true; },
      [](Config& c) { c.bug_commit_previous_term = true; },
      [](Config& c) { c.bug_stale_reads = true; },
  };
  for (const auto& bug : bugs) {
    for (uint64_t seed = 1; seed <= 25; ++seed) (void)RunSchedule(seed, bug, false);
  }
}

}  // namespace
}  // namespace refdb::raft
