#include "refdb/sim/sim_network.h"

#include <gtest/gtest.h>

#include <set>

namespace refdb::sim {
namespace {

// The nodes `id` can still reach, itself included.
std::set<NodeId> Reachable(const LinkCuts& cuts, size_t n, NodeId id) {
  std::set<NodeId> seen;
  for (NodeId other = 1; other <= n; ++other) {
    if (other == id || !cuts.IsCut(id, other)) seen.insert(other);
  }
  return seen;
}

TEST(Partition, HalvesSplitAnEvenClusterIntoTwoEqualSides) {
  common::Rng rng(7);
  const LinkCuts cuts = PartitionHalves(6, rng);
  for (NodeId id = 1; id <= 6; ++id) EXPECT_EQ(Reachable(cuts, 6, id).size(), 3u);
}

TEST(Partition, HalvesLeaveAMajorityOnAnOddCluster) {
  common::Rng rng(7);
  const LinkCuts cuts = PartitionHalves(5, rng);
  std::multiset<size_t> sides;
  for (NodeId id = 1; id <= 5; ++id) sides.insert(Reachable(cuts, 5, id).size());
  EXPECT_EQ(sides, (std::multiset<size_t>{2, 2, 3, 3, 3}));
}

TEST(Partition, IsolateCutsOneNodeFromEveryOther) {
  const LinkCuts cuts = PartitionIsolate(4, 2);
  EXPECT_EQ(Reachable(cuts, 4, 2), std::set<NodeId>{2});
  EXPECT_EQ(Reachable(cuts, 4, 1), (std::set<NodeId>{1, 3, 4}));
}

TEST(Partition, MajoritiesRingGivesEveryNodeADifferentMajority) {
  for (size_t n = 4; n <= 7; ++n) {
    common::Rng rng(n);
    const LinkCuts cuts = PartitionMajoritiesRing(n, rng);
    std::set<std::set<NodeId>> views;
    for (NodeId id = 1; id <= n; ++id) {
      const std::set<NodeId> view = Reachable(cuts, n, id);
      EXPECT_GE(view.size(), n / 2 + 1) << "n=" << n << " node " << id;
      views.insert(view);
    }
    EXPECT_EQ(views.size(), n) << "n=" << n;
  }
}

TEST(SimNetwork, DelaysReorderButNeverDeliverEarly) {
  SimNetwork net;
  net.set_faults({.delay_ticks_max = 5});
  common::Rng rng(3);
  for (uint64_t i = 0; i < 50; ++i) {
    net.Send({.type = raft::MsgType::kHeartbeat, .from = 1, .to = 2, .commit = i}, 10, rng);
  }
  EXPECT_TRUE(net.TakeDue(10).empty());
  size_t delivered = 0;
  for (uint64_t tick = 11; tick <= 15; ++tick) delivered += net.TakeDue(tick).size();
  EXPECT_EQ(delivered, 50u);
  EXPECT_EQ(net.in_flight(), 0u);
}

TEST(SimNetwork, CutLinksLoseMessagesInFlight) {
  SimNetwork net;
  common::Rng rng(3);
  net.Send({.type = raft::MsgType::kHeartbeat, .from = 1, .to = 2}, 0, rng);
  net.Send({.type = raft::MsgType::kHeartbeat, .from = 1, .to = 3}, 0, rng);
  LinkCuts cuts;
  cuts.Cut(2, 1);
  net.set_cuts(cuts);
  const std::vector<raft::Message> due = net.TakeDue(1);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].to, 3u);
}

}  // namespace
}  // namespace refdb::sim
