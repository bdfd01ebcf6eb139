// Single-server membership changes (thesis §4.1).
#include "refdb/raft/membership.h"

#include <gtest/gtest.h>

#include "refdb/raft/test_network.h"

namespace refdb::raft {
namespace {

using Members = std::vector<NodeId>;

ConfChange Add(NodeId id) { return {.type = ConfChange::Type::kAddVoter, .node_id = id}; }
ConfChange Remove(NodeId id) { return {.type = ConfChange::Type::kRemoveVoter, .node_id = id}; }

TEST(Membership, EncodingRoundTrips) {
  EXPECT_EQ(EncodeMembers({1, 2, 14}), "1,2,14");
  EXPECT_EQ(*DecodeMembers("1,2,14"), (Members{1, 2, 14}));
}

TEST(Membership, DecodingRejectsMalformedLists) {
  for (const char* bad : {"", "1,", ",1", "2,1", "1,1", "0", "1;2", "x"}) {
    EXPECT_FALSE(DecodeMembers(bad).ok()) << bad;
  }
}

TEST(Membership, ChangeMustAddAbsentOrRemovePresentVoter) {
  EXPECT_EQ(*ApplyConfChange({1, 2}, Add(3)), (Members{1, 2, 3}));
  EXPECT_EQ(*ApplyConfChange({1, 2}, Remove(1)), (Members{2}));
  EXPECT_FALSE(ApplyConfChange({1, 2}, Add(2)).ok());
  EXPECT_FALSE(ApplyConfChange({1, 2}, Remove(3)).ok());
  EXPECT_FALSE(ApplyConfChange({1}, Remove(1)).ok());
}

TEST(Membership, AddedNodeCatchesUpAndCountsInQuorum) {
  Network net({.size = 3});
  net.Campaign(1);
  ASSERT_TRUE(net.Propose(1, "a").ok());
  net.AddNode(4);
  ASSERT_TRUE(net.node(1).ProposeConfChange(Add(4)).ok());
  net.DeliverAll();
  net.TickAll(2);
  for (NodeId id : net.ids()) EXPECT_EQ(net.node(id).members(), (Members{1, 2, 3, 4})) << id;
  EXPECT_EQ(net.state(4), "a");
  net.Crash(2);
  net.Crash(3);
  ASSERT_TRUE(net.Propose(1, "b").ok());
  EXPECT_EQ(net.state(1), "a");  // 2 of 4 is no majority
}

TEST(Membership, RemovedNodeNoLongerCounts) {
  Network net({.size = 3});
  net.Campaign(1);
  ASSERT_TRUE(net.node(1).ProposeConfChange(Remove(3)).ok());
  net.DeliverAll();
  EXPECT_EQ(net.node(1).members(), (Members{1, 2}));
  net.Crash(3);
  ASSERT_TRUE(net.Propose(1, "a").ok());
  EXPECT_EQ(net.state(2), "a");
}

TEST(Membership, SecondChangeWaitsForFirstToCommit) {
  Network net({.size = 3});
  net.Campaign(1);
  net.Isolate(1);
  ASSERT_TRUE(net.node(1).ProposeConfChange(Add(4)).ok());
  EXPECT_EQ(net.node(1).members(), (Members{1, 2, 3, 4}));  // applied on append
  EXPECT_EQ(net.node(1).ProposeConfChange(Add(5)).code(), common::StatusCode::kUnavailable);
}

TEST(Membership, NewLeaderChangesOnlyAfterCommittingInItsTerm) {
  Network net({.size = 3, .configure = [](Config& c) { c.pre_vote = false; }});
  ASSERT_TRUE(net.Inject(1, {.type = MsgType::kHup, .from = 1}).ok());
  net.DeliverIf([](const Message& m) { return m.type == MsgType::kVote; });
  net.DeliverIf([](const Message& m) { return m.type == MsgType::kVoteResp; });
  ASSERT_TRUE(net.node(1).is_leader());
  EXPECT_EQ(net.node(1).ProposeConfChange(Add(4)).code(), common::StatusCode::kUnavailable);
}

TEST(Membership, TruncatedChangeReverts) {
  Network net({.size = 5});
  net.Campaign(1);
  for (NodeId id : {3, 4, 5}) net.Cut(1, id);
  ASSERT_TRUE(net.node(1).ProposeConfChange(Remove(5)).ok());
  net.DeliverAll();
  ASSERT_EQ(net.node(2).members(), (Members{1, 2, 3, 4}));  // uncommitted, but in use
  net.Recover();
  net.Isolate(1);
  net.Cut(2, 3);
  net.Cut(2, 4);
  net.TickAll(40);  // 3, 4, 5 elect a leader, whose log lacks the change
  net.Recover();
  net.Isolate(1);
  net.TickAll(5);
  EXPECT_EQ(net.node(2).members(), (Members{1, 2, 3, 4, 5}));
}

TEST(Membership, LeaderRemovingItselfStepsDownOnceCommitted) {
  Network net({.size = 3});
  net.Campaign(1);
  ASSERT_TRUE(net.node(1).ProposeConfChange(Remove(1)).ok());
  net.DeliverAll();
  EXPECT_FALSE(net.node(1).is_leader());
  EXPECT_EQ(net.node(2).members(), (Members{2, 3}));
  net.Crash(1);
  net.TickAll(40);
  const NodeId leader = net.Leader();
  EXPECT_TRUE(leader == 2 || leader == 3);
}

// The leader stops replicating to a removed node as soon as it appends the change, so the
// node never learns it was removed; it times out and campaigns, and pre-vote plus the leader
// lease keep that from disrupting the cluster.
TEST(Membership, RemovedNodeDoesNotDisruptCluster) {
  Network net({.size = 3});
  net.Campaign(1);
  ASSERT_TRUE(net.node(1).ProposeConfChange(Remove(3)).ok());
  net.DeliverAll();
  net.TickAll(100);
  EXPECT_TRUE(net.node(1).is_leader());
  EXPECT_EQ(net.node(1).term(), 1u);
  EXPECT_EQ(net.node(2).members(), (Members{1, 2}));
}

}  // namespace
}  // namespace refdb::raft
