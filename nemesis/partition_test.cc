#include "nemesis/partition.h"

#include <gtest/gtest.h>

#include <set>

namespace nemesis {
namespace {

// Whether every cut link is cut in both directions.
bool IsSymmetric(const Cut& cut) {
  for (const Link& link : cut) {
    if (!cut.contains({.from = link.to, .to = link.from})) return false;
  }
  return true;
}

// The groups of nodes that see each other, when the cut splits the cluster into cliques.
std::set<std::vector<int>> Groups(const Cut& cut, int n) {
  std::set<std::vector<int>> groups;
  for (int node = 1; node <= n; ++node) groups.insert(Sees(cut, n, node));
  return groups;
}

TEST(Partition, HalvesOfAnEvenClusterAreExactHalves) {
  for (uint64_t seed = 0; seed < 20; ++seed) {
    common::Rng rng(seed);
    auto cut = Halves(6, rng);
    ASSERT_TRUE(cut.ok());
    EXPECT_TRUE(IsSymmetric(*cut));
    const auto groups = Groups(*cut, 6);
    ASSERT_EQ(groups.size(), 2u);
    for (const auto& group : groups) EXPECT_EQ(group.size(), 3u);
  }
}

TEST(Partition, HalvesOfAnOddClusterLeaveOneMajority) {
  common::Rng rng(7);
  auto cut = Halves(5, rng);
  ASSERT_TRUE(cut.ok());
  const auto groups = Groups(*cut, 5);
  ASSERT_EQ(groups.size(), 2u);
  std::multiset<size_t> sizes;
  for (const auto& group : groups) sizes.insert(group.size());
  EXPECT_EQ(sizes, (std::multiset<size_t>{2, 3}));
}

TEST(Partition, HalvesDependOnlyOnTheSeed) {
  common::Rng a(42);
  common::Rng b(42);
  EXPECT_EQ(*Halves(5, a), *Halves(5, b));
  std::set<Cut> seen;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    common::Rng rng(seed);
    seen.insert(*Halves(5, rng));
  }
  EXPECT_GT(seen.size(), 1u);  // the minority is not always the same
}

TEST(Partition, IsolateNodeCutsThatNodeFromEveryOtherAndNothingElse) {
  auto cut = IsolateNode(5, 3);
  ASSERT_TRUE(cut.ok());
  EXPECT_EQ(cut->size(), 8u);
  EXPECT_EQ(Sees(*cut, 5, 3), std::vector<int>{3});
  EXPECT_EQ(Sees(*cut, 5, 1), (std::vector<int>{1, 2, 4, 5}));
  EXPECT_FALSE(CanReach(*cut, 3, 1));
  EXPECT_FALSE(CanReach(*cut, 1, 3));
  EXPECT_TRUE(CanReach(*cut, 1, 2));
}

TEST(Partition, RingGivesEveryNodeADifferentMajority) {
  for (int n = 4; n <= 9; ++n) {
    auto cut = Ring(n);
    ASSERT_TRUE(cut.ok()) << n;
    EXPECT_TRUE(IsSymmetric(*cut));
    std::set<std::vector<int>> majorities;
    for (int node = 1; node <= n; ++node) {
      const std::vector<int> seen = Sees(*cut, n, node);
      EXPECT_GT(seen.size(), static_cast<size_t>(n / 2)) << "n=" << n << " node " << node;
      EXPECT_LT(seen.size(), static_cast<size_t>(n)) << "n=" << n << " node " << node;
      majorities.insert(seen);
    }
    EXPECT_EQ(majorities.size(), static_cast<size_t>(n)) << n;
  }
}

TEST(Partition, RingOfFiveSeesItselfAndItsTwoNeighbours) {
  auto cut = Ring(5);
  ASSERT_TRUE(cut.ok());
  EXPECT_EQ(Sees(*cut, 5, 1), (std::vector<int>{1, 2, 5}));
  EXPECT_EQ(Sees(*cut, 5, 3), (std::vector<int>{2, 3, 4}));
}

TEST(Partition, RingNeedsFourNodes) {
  auto cut = Ring(3);
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.status().code(), common::StatusCode::kInvalidArgument);
  EXPECT_NE(cut.status().message().find("partition-ring"), std::string::npos);
}

TEST(Partition, BridgeSeesBothHalvesWhichDoNotSeeEachOther) {
  for (int n = 3; n <= 7; ++n) {
    common::Rng rng(static_cast<uint64_t>(n));
    auto cut = Bridge(n, rng);
    ASSERT_TRUE(cut.ok());
    EXPECT_TRUE(IsSymmetric(*cut));
    int bridges = 0;
    for (int node = 1; node <= n; ++node) {
      const size_t seen = Sees(*cut, n, node).size();
      if (seen == static_cast<size_t>(n)) {
        ++bridges;
      } else {
        EXPECT_LE(seen, static_cast<size_t>(n / 2 + 1)) << "n=" << n << " node " << node;
      }
    }
    EXPECT_EQ(bridges, 1) << n;
    // Without the bridge, the others form exactly two groups.
    std::set<std::vector<int>> groups;
    for (int node = 1; node <= n; ++node) {
      std::vector<int> seen = Sees(*cut, n, node);
      if (seen.size() == static_cast<size_t>(n)) continue;
      groups.insert(seen);
    }
    EXPECT_EQ(groups.size(), 2u) << n;
  }
}

TEST(Partition, PullLinkOneWayCutsOneDirectionOnly) {
  auto one_way = PullLink(1, 2, /*one_way=*/true);
  ASSERT_TRUE(one_way.ok());
  EXPECT_FALSE(CanReach(*one_way, 1, 2));
  EXPECT_TRUE(CanReach(*one_way, 2, 1));
  auto both = PullLink(1, 2, /*one_way=*/false);
  ASSERT_TRUE(both.ok());
  EXPECT_FALSE(CanReach(*both, 2, 1));
  EXPECT_TRUE(CanReach(*both, 1, 3));
}

TEST(Partition, BadSizesAndNodesAreErrors) {
  common::Rng rng(1);
  EXPECT_FALSE(Halves(1, rng).ok());
  EXPECT_FALSE(Bridge(2, rng).ok());
  EXPECT_FALSE(IsolateNode(3, 4).ok());
  EXPECT_FALSE(IsolateNode(3, 0).ok());
  EXPECT_FALSE(PullLink(2, 2, false).ok());
  EXPECT_FALSE(PullLink(0, 1, false).ok());
}

}  // namespace
}  // namespace nemesis
