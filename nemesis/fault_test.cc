#include "nemesis/fault.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

namespace nemesis {
namespace {

TEST(Fault, EveryNameParsesBackToItsKind) {
  for (FaultKind kind : {FaultKind::kKill, FaultKind::kPause, FaultKind::kPartitionHalves,
                         FaultKind::kPartitionLeader, FaultKind::kPartitionRandomNode,
                         FaultKind::kPartitionRing, FaultKind::kPartitionBridge, FaultKind::kLink,
                         FaultKind::kLoss, FaultKind::kClock, FaultKind::kDiskLoseUnsynced,
                         FaultKind::kDiskError, FaultKind::kDiskSlow, FaultKind::kDiskFull}) {
    auto parsed = ParseFaultKind(FaultName(kind));
    ASSERT_TRUE(parsed.ok()) << FaultName(kind);
    EXPECT_EQ(*parsed, kind);
  }
}

TEST(Fault, UnknownNamesAreErrorsThatListTheKnownOnes) {
  auto parsed = ParseFaultKind("explode");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("partition-ring"), std::string::npos);
  EXPECT_NE(parsed.status().message().find("clock"), std::string::npos);
  EXPECT_FALSE(ParseTarget("everyone").ok());
}

TEST(Fault, ClockTakesTargetsAndDrawsAnOffsetWhenNoneIsGiven) {
  EXPECT_FALSE(IsNetworkFault(FaultKind::kClock));
  EXPECT_TRUE(TakesTargets(FaultKind::kClock));
  common::Rng rng(5);
  auto exact = PlanFault({.kind = FaultKind::kClock, .nodes = {2}, .offset_s = -42.5}, 3, 0, rng);
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(exact->targets, std::vector<int>{2});
  EXPECT_EQ(exact->offset_s, -42.5);
  bool ahead = false;
  bool behind = false;
  for (int i = 0; i < 50; ++i) {
    auto random = PlanFault({.kind = FaultKind::kClock}, 3, 0, rng);
    ASSERT_TRUE(random.ok());
    EXPECT_EQ(random->targets.size(), 1u);
    EXPECT_GE(std::abs(random->offset_s), 10);
    EXPECT_LE(std::abs(random->offset_s), 300);
    ahead |= random->offset_s > 0;
    behind |= random->offset_s < 0;
  }
  EXPECT_TRUE(ahead && behind);
}

TEST(Fault, TargetsHaveTheirSizes) {
  common::Rng rng(3);
  EXPECT_EQ(ResolveTarget(Target::kOne, 5, 0, rng)->size(), 1u);
  EXPECT_EQ(ResolveTarget(Target::kMinority, 5, 0, rng)->size(), 2u);
  EXPECT_EQ(ResolveTarget(Target::kMajority, 5, 0, rng)->size(), 3u);
  EXPECT_EQ(*ResolveTarget(Target::kAll, 3, 0, rng), (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(*ResolveTarget(Target::kLeader, 5, 4, rng), std::vector<int>{4});
  const size_t random = ResolveTarget(Target::kRandom, 5, 0, rng)->size();
  EXPECT_GE(random, 1u);
  EXPECT_LE(random, 5u);
}

TEST(Fault, FollowerTargetIsNeverTheLeader) {
  common::Rng rng(5);
  std::set<int> seen;
  for (int i = 0; i < 50; ++i) {
    auto nodes = ResolveTarget(Target::kFollower, 3, 2, rng);
    ASSERT_TRUE(nodes.ok()) << nodes.status().message();
    ASSERT_EQ(nodes->size(), 1u);
    seen.insert(nodes->front());
  }
  EXPECT_EQ(seen, (std::set<int>{1, 3}));
  EXPECT_EQ(ParseTarget("follower").value(), Target::kFollower);
  auto plan = PlanFault({.kind = FaultKind::kPause, .target = Target::kFollower}, 3, 0, rng);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), common::StatusCode::kUnavailable);  // the nemesis waits
}

TEST(Fault, LeaderTargetWithoutALeaderIsUnavailable) {
  common::Rng rng(3);
  auto plan = PlanFault({.kind = FaultKind::kKill, .target = Target::kLeader}, 3, 0, rng);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), common::StatusCode::kUnavailable);
  EXPECT_FALSE(PlanFault({.kind = FaultKind::kPartitionLeader}, 3, 0, rng).ok());
}

TEST(Fault, PartitionLeaderPlansTheLeaderCutOff) {
  common::Rng rng(3);
  auto plan = PlanFault({.kind = FaultKind::kPartitionLeader}, 3, 2, rng);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->cut, *IsolateNode(3, 2));
  EXPECT_EQ(plan->targets, (std::vector<int>{1, 2, 3}));
}

TEST(Fault, ExactNodesAndCutsAreUsedAsGiven) {
  common::Rng rng(3);
  auto kill = PlanFault({.kind = FaultKind::kKill, .nodes = {3, 1}}, 3, 0, rng);
  ASSERT_TRUE(kill.ok());
  EXPECT_EQ(kill->targets, (std::vector<int>{1, 3}));
  const Cut cut{{.from = 1, .to = 2}};
  auto halves = PlanFault({.kind = FaultKind::kPartitionHalves, .cut = cut}, 3, 0, rng);
  ASSERT_TRUE(halves.ok());
  EXPECT_EQ(halves->cut, cut);
  auto link = PlanFault({.kind = FaultKind::kLink, .nodes = {2, 3}, .one_way = true}, 3, 0, rng);
  ASSERT_TRUE(link.ok());
  EXPECT_EQ(link->cut, (Cut{{.from = 2, .to = 3}}));
}

TEST(Fault, NodesOutsideTheClusterAreErrors) {
  common::Rng rng(3);
  EXPECT_FALSE(PlanFault({.kind = FaultKind::kKill, .nodes = {4}}, 3, 0, rng).ok());
  EXPECT_FALSE(PlanFault({.kind = FaultKind::kPause, .nodes = {1, 1}}, 3, 0, rng).ok());
  EXPECT_FALSE(
      PlanFault({.kind = FaultKind::kPartitionHalves, .cut = Cut{{.from = 1, .to = 9}}}, 3, 0, rng)
          .ok());
  EXPECT_FALSE(PlanFault({.kind = FaultKind::kLink, .nodes = {1}}, 3, 0, rng).ok());
  EXPECT_FALSE(PlanFault({.kind = FaultKind::kKill, .target = Target::kMinority}, 2, 0, rng).ok());
}

TEST(Fault, DiskFaultsTakeTargetsAndCarryTheirParameters) {
  common::Rng rng(3);
  for (FaultKind kind : {FaultKind::kDiskLoseUnsynced, FaultKind::kDiskError, FaultKind::kDiskSlow,
                         FaultKind::kDiskFull}) {
    EXPECT_TRUE(IsDiskFault(kind));
    EXPECT_FALSE(IsNetworkFault(kind));
    EXPECT_TRUE(TakesTargets(kind));
    EXPECT_TRUE(Applicable(kind, 1));
    auto plan = PlanFault({.kind = kind}, 5, 0, rng);
    ASSERT_TRUE(plan.ok()) << FaultName(kind);
    EXPECT_EQ(plan->targets.size(), 1U) << "default target: one";
  }
  auto error = PlanFault({.kind = FaultKind::kDiskError, .nodes = {2, 4}, .disk_op = DiskOp::kRead},
                         5, 0, rng);
  ASSERT_TRUE(error.ok());
  EXPECT_EQ(error->targets, (std::vector<int>{2, 4}));
  EXPECT_EQ(error->disk_op, DiskOp::kRead);
  auto slow = PlanFault(
      {.kind = FaultKind::kDiskSlow, .fsync_delay = std::chrono::milliseconds(40)}, 3, 0, rng);
  ASSERT_TRUE(slow.ok());
  EXPECT_EQ(slow->fsync_delay, std::chrono::milliseconds(40));
  EXPECT_EQ(*ParseDiskOp("fsync"), DiskOp::kFsync);
  EXPECT_FALSE(ParseDiskOp("sync").ok());
}

}  // namespace
}  // namespace nemesis
