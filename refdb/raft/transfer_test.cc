// Leadership transfer (thesis §3.10).
#include <gtest/gtest.h>

#include "refdb/raft/test_network.h"

namespace refdb::raft {
namespace {

TEST(Transfer, UpToDateFollowerBecomesLeader) {
  Network net({.size = 3});
  net.Campaign(1);
  ASSERT_TRUE(net.node(1).TransferLeadership(2).ok());
  net.DeliverAll();
  EXPECT_TRUE(net.node(2).is_leader());
  EXPECT_EQ(net.node(2).term(), 2u);
  EXPECT_EQ(net.node(1).leader(), 2u);
}

TEST(Transfer, LaggingTargetIsCaughtUpFirst) {
  Network net({.size = 3});
  net.Campaign(1);
  net.Isolate(3);
  ASSERT_TRUE(net.Propose(1, "a").ok());
  ASSERT_TRUE(net.Propose(1, "b").ok());
  net.Recover();
  ASSERT_TRUE(net.node(1).TransferLeadership(3).ok());
  net.DeliverAll();
  EXPECT_TRUE(net.node(3).is_leader());
  EXPECT_EQ(net.state(3), "a,b");
}

TEST(Transfer, LeaderRefusesProposalsWhileTransferring) {
  Network net({.size = 3});
  net.Campaign(1);
  net.Isolate(2);
  ASSERT_TRUE(net.node(1).TransferLeadership(2).ok());
  net.DeliverAll();
  EXPECT_EQ(net.node(1).lead_transferee(), 2u);
  EXPECT_EQ(net.Propose(1, "x").code(), common::StatusCode::kUnavailable);
}

TEST(Transfer, UnfinishedTransferIsAbandonedAfterElectionTimeout) {
  Network net({.size = 3});
  net.Campaign(1);
  net.Cut(1, 2);
  ASSERT_TRUE(net.node(1).TransferLeadership(2).ok());
  net.DeliverAll();
  net.Tick(1, 10);
  EXPECT_EQ(net.node(1).lead_transferee(), kNoNode);
  EXPECT_TRUE(net.Propose(1, "x").ok());
}

TEST(Transfer, FollowerForwardsRequestToLeader) {
  Network net({.size = 3});
  net.Campaign(1);
  ASSERT_TRUE(net.node(3).TransferLeadership(3).ok());
  net.DeliverAll();
  EXPECT_TRUE(net.node(3).is_leader());
}

TEST(Transfer, TargetMustBeVoter) {
  Network net({.size = 3});
  net.Campaign(1);
  EXPECT_EQ(net.node(1).TransferLeadership(9).code(), common::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace refdb::raft
