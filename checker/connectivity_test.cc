#include "checker/connectivity.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace checker {
namespace {

using Links = std::vector<std::pair<int64_t, int64_t>>;

// Both directions of every link between `a` and `b`.
Links Between(const std::vector<int64_t>& a, const std::vector<int64_t>& b) {
  Links cut;
  for (int64_t x : a) {
    for (int64_t y : b) {
      cut.emplace_back(x, y);
      cut.emplace_back(y, x);
    }
  }
  return cut;
}

Connectivity Sample(int64_t nodes, std::set<int64_t> down, const Links& cut) {
  return {.nodes = nodes, .down = std::move(down), .cut = {cut.begin(), cut.end()}};
}

// Every link of `nodes` nodes cut except those between ring neighbours 1-2-...-n-1.
Links Ring(int64_t nodes) {
  Links cut;
  for (int64_t a = 1; a <= nodes; ++a) {
    for (int64_t b = 1; b <= nodes; ++b) {
      const int64_t distance = (a - b + nodes) % nodes;
      if (a != b && distance != 1 && distance != nodes - 1) cut.emplace_back(a, b);
    }
  }
  return cut;
}

TEST(Connectivity, HalvesOfAnEvenClusterHaveNoMajority) {
  EXPECT_FALSE(HasMajority(Sample(4, {}, Between({1, 2}, {3, 4}))));
  EXPECT_FALSE(HasMajority(Sample(6, {}, Between({1, 2, 3}, {4, 5, 6}))));
  EXPECT_EQ(DescribeGroups(Sample(4, {}, Between({1, 2}, {3, 4}))),
            "[1,2] | [3,4], neither a majority");
}

TEST(Connectivity, HalvesOfAnOddClusterLeaveTheLargerSideAMajority) {
  EXPECT_TRUE(HasMajority(Sample(3, {}, Between({1}, {2, 3}))));
  EXPECT_TRUE(HasMajority(Sample(5, {}, Between({1, 2}, {3, 4, 5}))));
  // Three ways, 1 | 2,3 | 4,5: no side has 3 of 5.
  Links three_ways = Between({1}, {2, 3, 4, 5});
  const Links rest = Between({2, 3}, {4, 5});
  three_ways.insert(three_ways.end(), rest.begin(), rest.end());
  EXPECT_FALSE(HasMajority(Sample(5, {}, three_ways)));
  EXPECT_EQ(DescribeGroups(Sample(5, {}, three_ways)), "[1] | [2,3] | [4,5], none a majority");
}

TEST(Connectivity, IsolatedLeaderLeavesTheOthersAMajority) {
  for (int64_t nodes : {3, 4, 5, 6}) {
    std::vector<int64_t> others;
    for (int64_t node = 2; node <= nodes; ++node) others.push_back(node);
    EXPECT_TRUE(HasMajority(Sample(nodes, {}, Between({1}, others)))) << nodes << " nodes";
    EXPECT_TRUE(RoundTripPeers(Sample(nodes, {}, Between({1}, others)), 1) ==
                std::vector<int64_t>{1});
  }
}

TEST(Connectivity, KillOfAMajorityLeavesNone) {
  EXPECT_FALSE(HasMajority(Sample(3, {1, 2}, {})));
  EXPECT_TRUE(HasMajority(Sample(3, {1}, {})));
  EXPECT_FALSE(HasMajority(Sample(4, {1, 2}, {})));
  EXPECT_FALSE(HasMajority(Sample(5, {1, 2, 3}, {})));
  EXPECT_TRUE(HasMajority(Sample(5, {1, 2}, {})));
  EXPECT_FALSE(HasMajority(Sample(6, {4, 5, 6}, {})));
  EXPECT_EQ(DescribeGroups(Sample(3, {1, 2}, {})), "[3] with [1,2] down, not a majority");
  EXPECT_EQ(DescribeGroups(Sample(3, {1, 2, 3}, {})), "[1,2,3] down, no majority");
  EXPECT_TRUE(RoundTripPeers(Sample(3, {1, 2}, {}), 1).empty());
}

TEST(Connectivity, RingOfFourHasAMajorityAndRingOfSixNone) {
  // Each node sees itself and its two neighbours: 3 of 4, but 3 of 6 is no majority even though
  // every node is joined to every other by a chain (Raft does not forward).
  EXPECT_TRUE(HasMajority(Sample(4, {}, Ring(4))));
  EXPECT_TRUE(HasMajority(Sample(5, {}, Ring(5))));
  EXPECT_FALSE(HasMajority(Sample(6, {}, Ring(6))));
  EXPECT_EQ(DescribeGroups(Sample(6, {}, Ring(6))),
            "[1,2,3,4,5,6], no node with direct round trips to a majority");
}

TEST(Connectivity, OneWayCutBreaksTheRoundTrip) {
  // 3 nodes, 1 -> 2 and 3 -> 1 dropped: node 1 has no round trip; 2 and 3 still have one.
  const Connectivity state = Sample(3, {}, {{1, 2}, {3, 1}});
  EXPECT_EQ(RoundTripPeers(state, 1), std::vector<int64_t>{1});
  EXPECT_EQ(RoundTripPeers(state, 2), (std::vector<int64_t>{2, 3}));
  EXPECT_TRUE(HasMajority(state));
  EXPECT_FALSE(HasMajority(Sample(3, {}, {{1, 2}, {3, 1}, {2, 3}})));
}

TEST(Connectivity, KillAndPartitionTogether) {
  // 5 nodes: 1,2,3 | 4,5 keeps a majority, but not with node 3 down.
  const Links halves = Between({1, 2, 3}, {4, 5});
  EXPECT_TRUE(HasMajority(Sample(5, {}, halves)));
  EXPECT_FALSE(HasMajority(Sample(5, {3}, halves)));
  EXPECT_TRUE(HasMajority(Sample(5, {4, 5}, halves)));
  // 4 nodes: leader 1 isolated and node 2 killed: 3 and 4 are 2 of 4.
  EXPECT_FALSE(HasMajority(Sample(4, {2}, Between({1}, {2, 3, 4}))));
  // 6 nodes: 4 of 6 on one side, one of them paused: 3 of 6.
  EXPECT_FALSE(HasMajority(Sample(6, {4}, Between({1, 2}, {3, 4, 5, 6}))));
  EXPECT_EQ(DescribeGroups(Sample(6, {4}, Between({1, 2}, {3, 4, 5, 6}))),
            "[1,2] | [3,5,6] with [4] down, neither a majority");
}

// A fault in force from event `from` (its applied event) to `until` (its healing), ending at
// `until` + 1.
Fault FaultAt(int64_t id, std::string name, std::vector<int64_t> targets, Links cut, int64_t from,
              std::optional<int64_t> until) {
  Fault fault{.id = id,
              .name = std::move(name),
              .targets = std::move(targets),
              .cut = std::move(cut),
              .start_index = from - 1,
              .start_ns = (from - 1) * 1000,
              .applied_index = from,
              .applied_ns = from * 1000};
  if (until.has_value()) {
    fault.healing_index = until;
    fault.healing_ns = *until * 1000;
    fault.end_index = *until + 1;
    fault.end_ns = (*until + 1) * 1000;
  }
  return fault;
}

TEST(NoMajorityIntervals, HalvesRunFromAppliedToHealing) {
  const std::vector<Fault> faults = {
      FaultAt(1, "partition-halves", {}, Between({1, 2}, {3, 4}), 10, 20),
      FaultAt(2, "partition-leader", {}, Between({1}, {2, 3, 4}), 30, 40)};
  const auto intervals = NoMajorityIntervals(faults, 4);
  ASSERT_EQ(intervals.size(), 1u);
  EXPECT_EQ(intervals[0].start_index, 10);
  EXPECT_EQ(intervals[0].start_ns, 10'000);
  EXPECT_EQ(intervals[0].end_index, 20);
  EXPECT_EQ(intervals[0].restored_by, 1);
  EXPECT_EQ(intervals[0].heal_end_index, 21);
  EXPECT_EQ(intervals[0].faults, std::vector<int64_t>{1});
  EXPECT_EQ(IntervalAt(intervals, 10), &intervals[0]);
  EXPECT_EQ(IntervalAt(intervals, 19), &intervals[0]);
  EXPECT_EQ(IntervalAt(intervals, 9), nullptr);
  EXPECT_EQ(IntervalAt(intervals, 20), nullptr);
  // On 5 nodes the same cut leaves node 5 with everyone.
  EXPECT_TRUE(NoMajorityIntervals(faults, 5).empty());
}

TEST(NoMajorityIntervals, AKillLeavesNoMajorityOnceItIsApplied) {
  // A kill of 2 of 3 nodes kills them one by one: no majority only once both are down, at its
  // applied event (10), not its start (9): a write acknowledged in between may have committed.
  const std::vector<Fault> faults = {FaultAt(1, "kill", {1, 2}, {}, 10, 20)};
  const auto intervals = NoMajorityIntervals(faults, 3);
  ASSERT_EQ(intervals.size(), 1u);
  EXPECT_EQ(intervals[0].start_index, 10);
  EXPECT_EQ(intervals[0].at_start.down, (std::set<int64_t>{1, 2}));
}

TEST(NoMajorityIntervals, ConcurrentFaultsCombineUntilTheHealThatRestoresAMajority) {
  // 5 nodes: kill 1 (10..50), then kill 2 (20..30): 3 live of 5, a majority; then a cut of 3
  // from 4,5 (25..60): no majority from 25 until kill 2 heals at 30.
  const std::vector<Fault> faults = {FaultAt(1, "kill", {1}, {}, 11, 50),
                                     FaultAt(2, "kill", {2}, {}, 21, 30),
                                     FaultAt(3, "link", {}, Between({3}, {4, 5}), 25, 60)};
  const auto intervals = NoMajorityIntervals(faults, 5);
  ASSERT_EQ(intervals.size(), 1u);
  EXPECT_EQ(intervals[0].start_index, 25);
  EXPECT_EQ(intervals[0].start_fault, 3);
  EXPECT_EQ(intervals[0].end_index, 30);
  EXPECT_EQ(intervals[0].restored_by, 2);
  EXPECT_EQ(intervals[0].faults, (std::vector<int64_t>{1, 2, 3}));
}

TEST(NoMajorityIntervals, IntervalLastsWhileAHealLeavesNoMajority) {
  // 5 nodes, four killed one by one; the first heal leaves 2 live: still none until the second.
  const std::vector<Fault> faults = {
      FaultAt(1, "kill", {1}, {}, 11, 40), FaultAt(2, "kill", {2}, {}, 13, 50),
      FaultAt(3, "pause", {3}, {}, 15, 60), FaultAt(4, "kill", {4}, {}, 17, 70)};
  const auto intervals = NoMajorityIntervals(faults, 5);
  ASSERT_EQ(intervals.size(), 1u);
  EXPECT_EQ(intervals[0].start_index, 15);  // the pause of a third node, once applied
  EXPECT_EQ(intervals[0].end_index, 50);
  EXPECT_EQ(intervals[0].restored_by, 2);
  EXPECT_EQ(intervals[0].faults, (std::vector<int64_t>{1, 2, 3, 4}));
}

TEST(NoMajorityIntervals, FailedFaultsAndFaultsThatNeverHealedCount) {
  std::vector<Fault> faults = {FaultAt(1, "partition-halves", {}, Between({1, 2}, {3, 4}), 10, 20)};
  faults[0].applied_index.reset();
  faults[0].error = "iptables-restore: exit status 2";
  EXPECT_TRUE(NoMajorityIntervals(faults, 4).empty());  // failed: never in force
  faults = {FaultAt(1, "partition-halves", {}, Between({1, 2}, {3, 4}), 10, std::nullopt)};
  const auto intervals = NoMajorityIntervals(faults, 4);
  ASSERT_EQ(intervals.size(), 1u);
  EXPECT_FALSE(intervals[0].end_index.has_value());
  EXPECT_FALSE(intervals[0].heal_end_index.has_value());
  EXPECT_EQ(IntervalAt(intervals, 1'000'000), &intervals[0]);
}

TEST(NoMajorityIntervals, LossAndClockFaultsChangeNothing) {
  const std::vector<Fault> faults = {FaultAt(1, "loss", {1, 2}, {}, 10, 20),
                                     FaultAt(2, "clock", {1, 2}, {}, 10, 20)};
  EXPECT_TRUE(NoMajorityIntervals(faults, 3).empty());
}

}  // namespace
}  // namespace checker
