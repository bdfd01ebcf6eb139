// Linearizable reads through ReadIndex (thesis §6.4).
#include <gtest/gtest.h>

#include "refdb/raft/test_network.h"

namespace refdb::raft {
namespace {

TEST(ReadIndex, LeaderReleasesReadAtCommitIndexAfterHeartbeatRound) {
  Network net({.size = 3});
  net.Campaign(1);
  ASSERT_TRUE(net.Propose(1, "x").ok());
  ASSERT_TRUE(net.Read(1, "r1").ok());
  ASSERT_EQ(net.read_states(1).size(), 1u);
  EXPECT_EQ(net.read_states(1)[0], (ReadState{.index = 2, .context = "r1"}));
  EXPECT_GE(net.CountDelivered([](const Message& m) {
    return m.type == MsgType::kHeartbeatResp && m.read_id == 1;
  }),
            1u);
}

TEST(ReadIndex, ReadWaitsForHeartbeatQuorum) {
  Network net({.size = 3});
  net.Campaign(1);
  ASSERT_TRUE(net.Inject(1, {.type = MsgType::kReadIndex, .from = 1, .context = "r"}).ok());
  EXPECT_TRUE(net.read_states(1).empty());
  EXPECT_EQ(net.node(1).pending_read_count(), 1u);
  net.DeliverAll();
  EXPECT_EQ(net.read_states(1).size(), 1u);
}

TEST(ReadIndex, FollowerReadIsForwardedToLeader) {
  Network net({.size = 3});
  net.Campaign(1);
  ASSERT_TRUE(net.Propose(1, "x").ok());
  ASSERT_TRUE(net.Read(2, "r2").ok());
  ASSERT_EQ(net.read_states(2).size(), 1u);
  EXPECT_EQ(net.read_states(2)[0], (ReadState{.index = 2, .context = "r2"}));
}

TEST(ReadIndex, NodeWithoutLeaderRefusesRead) {
  Network net({.size = 3});
  EXPECT_EQ(net.Read(2, "r").code(), common::StatusCode::kUnavailable);
}

TEST(ReadIndex, NewLeaderWaitsForEntryOfItsTerm) {
  Network net({.size = 3, .configure = [](Config& c) { c.pre_vote = false; }});
  ASSERT_TRUE(net.Inject(1, {.type = MsgType::kHup, .from = 1}).ok());
  net.DeliverIf([](const Message& m) { return m.type == MsgType::kVote; });
  net.DeliverIf([](const Message& m) { return m.type == MsgType::kVoteResp; });
  ASSERT_TRUE(net.node(1).is_leader());
  ASSERT_EQ(net.node(1).commit_index(), 0u);
  ASSERT_TRUE(net.Inject(1, {.type = MsgType::kReadIndex, .from = 1, .context = "r"}).ok());
  EXPECT_EQ(net.node(1).pending_read_count(), 1u);
  net.DeliverAll();
  ASSERT_EQ(net.read_states(1).size(), 1u);
  EXPECT_EQ(net.read_states(1)[0].index, 1u);  // the new leader's empty entry
}

TEST(ReadIndex, DeposedLeaderCannotServeRead) {
  Network net({.size = 3, .configure = [](Config& c) {
                 c.pre_vote = false;
                 c.check_quorum = false;
               }});
  net.Campaign(1);
  net.Isolate(1);
  net.Campaign(2);
  ASSERT_TRUE(net.Propose(2, "y").ok());
  ASSERT_TRUE(net.node(1).is_leader());  // still believes it leads term 1
  ASSERT_TRUE(net.Read(1, "r").ok());
  net.Tick(1, 5);
  EXPECT_TRUE(net.read_states(1).empty());
  net.Recover();
  net.TickAll(5);
  EXPECT_FALSE(net.node(1).is_leader());
  EXPECT_TRUE(net.read_states(1).empty());
}

TEST(ReadIndex, SingleNodeClusterReadsAtOnce) {
  Network net({.size = 1});
  net.Campaign(1);
  ASSERT_TRUE(net.Read(1, "r").ok());
  ASSERT_EQ(net.read_states(1).size(), 1u);
  EXPECT_EQ(net.read_states(1)[0].index, 1u);
}

TEST(ReadIndex, ManyReadsAreReleasedInOrder) {
  Network net({.size = 3});
  net.Campaign(1);
  ASSERT_TRUE(net.Inject(1, {.type = MsgType::kReadIndex, .from = 1, .context = "a"}).ok());
  ASSERT_TRUE(net.Inject(1, {.type = MsgType::kReadIndex, .from = 1, .context = "b"}).ok());
  net.DeliverAll();
  ASSERT_EQ(net.read_states(1).size(), 2u);
  EXPECT_EQ(net.read_states(1)[0].context, "a");
  EXPECT_EQ(net.read_states(1)[1].context, "b");
  EXPECT_EQ(net.node(1).pending_read_count(), 0u);
}

}  // namespace
}  // namespace refdb::raft
