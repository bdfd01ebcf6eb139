// Pre-vote (thesis §9.6) and check-quorum with its leader lease (thesis §6.2, §4.2.3), on top
// of the paper's elections. Both are on by default.
#include <gtest/gtest.h>

#include "refdb/raft/test_network.h"

namespace refdb::raft {
namespace {

Network::Options Defaults(size_t size) { return {.size = size, .seed = 3}; }

Network::Options Without(bool pre_vote, bool check_quorum, size_t size = 3) {
  return {.size = size, .seed = 3, .configure = [=](Config& c) {
            c.pre_vote = pre_vote;
            c.check_quorum = check_quorum;
          }};
}

TEST(PreVote, ElectsLeaderInFirstTerm) {
  Network net(Defaults(3));
  net.Campaign(1);
  EXPECT_TRUE(net.node(1).is_leader());
  EXPECT_EQ(net.node(1).term(), 1u);
}

TEST(PreVote, PartitionedNodeDoesNotRaiseItsTerm) {
  Network net(Defaults(3));
  net.Campaign(1);
  net.Isolate(3);
  net.TickAll(100);
  EXPECT_EQ(net.node(3).term(), 1u);
  EXPECT_EQ(net.node(3).role(), Role::kPreCandidate);
}

TEST(PreVote, RejoiningPartitionedNodeDoesNotDisruptLeader) {
  Network net(Defaults(3));
  net.Campaign(1);
  net.Isolate(3);
  net.TickAll(100);
  net.Recover();
  net.TickAll(30);
  EXPECT_TRUE(net.node(1).is_leader());
  EXPECT_EQ(net.node(1).term(), 1u);
  EXPECT_EQ(net.node(3).leader(), 1u);
}

TEST(PreVote, WithoutItRejoiningNodeForcesNewTerm) {
  Network net(Without(/*pre_vote=*/false, /*check_quorum=*/true));
  net.Campaign(1);
  net.Isolate(3);
  net.TickAll(100);
  ASSERT_GT(net.node(3).term(), 1u);
  net.Recover();
  net.TickAll(30);
  EXPECT_GT(net.node(1).term(), 1u);  // the old leader was deposed by a useless election
}

TEST(PreVote, PreCandidateWinsRealElectionWhenMajorityAgrees) {
  Network net(Defaults(5));
  net.Campaign(1);
  net.Crash(1);
  net.TickAll(40);
  const NodeId leader = net.Leader();
  ASSERT_NE(leader, kNoNode);
  EXPECT_NE(leader, 1u);
  EXPECT_EQ(net.node(leader).term(), 2u);  // pre-vote spent no terms on failed attempts
}

TEST(CheckQuorum, IsolatedLeaderStepsDownWithinTwoElectionTimeouts) {
  Network net(Defaults(3));
  net.Campaign(1);
  net.Isolate(1);
  // The first check may still count answers from before the cut; the second cannot.
  net.Tick(1, 2 * 10);
  EXPECT_EQ(net.node(1).role(), Role::kFollower);
  EXPECT_EQ(net.node(1).leader(), kNoNode);
}

TEST(CheckQuorum, LeaderWithLiveMajorityKeepsLeading) {
  Network net(Defaults(5));
  net.Campaign(1);
  net.Crash(4);
  net.Crash(5);
  net.TickAll(50);
  EXPECT_TRUE(net.node(1).is_leader());
  EXPECT_EQ(net.node(1).term(), 1u);
}

TEST(CheckQuorum, MinorityLeaderStepsDownAndMajorityElectsAnother) {
  Network net(Defaults(5));
  net.Campaign(1);
  net.Cut(1, 3);
  net.Cut(1, 4);
  net.Cut(1, 5);
  net.Cut(2, 3);
  net.Cut(2, 4);
  net.Cut(2, 5);
  net.TickAll(40);
  EXPECT_FALSE(net.node(1).is_leader());
  const NodeId leader = net.Leader();
  ASSERT_NE(leader, kNoNode);
  EXPECT_GE(leader, 3u);
}

TEST(CheckQuorum, FollowerInLeaseIgnoresVoteRequests) {
  Network net(Defaults(3));
  net.Campaign(1);
  ASSERT_TRUE(
      net.Inject(2,
                 {.type = MsgType::kVote, .from = 3, .to = 2, .term = 5, .log_term = 1, .index = 1})
          .ok());
  EXPECT_EQ(net.node(2).term(), 1u);
  EXPECT_EQ(net.node(2).vote(), 1u);  // its vote in term 1 stands
  EXPECT_TRUE(net.queue().empty());   // not even a rejection
}

TEST(CheckQuorum, FollowerOutOfLeaseGrantsVote) {
  Network net(Defaults(3));
  net.Campaign(1);
  net.Isolate(2);
  net.Tick(2, 10);  // 2 hears nothing for an election timeout (and starts pre-voting)
  ASSERT_TRUE(
      net.Inject(2,
                 {.type = MsgType::kVote, .from = 3, .to = 2, .term = 5, .log_term = 1, .index = 1})
          .ok());
  EXPECT_EQ(net.node(2).term(), 5u);
  EXPECT_EQ(net.node(2).vote(), 3u);
}

TEST(CheckQuorum, StaleLeaderLearnsNewTermFromHeartbeatAnswer) {
  Network net(Defaults(3));
  net.Campaign(1);
  net.Isolate(1);
  for (int i = 0; i < 30 && net.Leader() == 1; ++i) {
    net.Tick(2);  // 1 does not tick: it keeps believing it leads
    net.Tick(3);
  }
  ASSERT_GE(net.node(2).term() + net.node(3).term(), 4u);
  net.Recover();
  ASSERT_TRUE(net.node(1).is_leader());
  net.Tick(1);  // its heartbeat is answered with term 2
  EXPECT_FALSE(net.node(1).is_leader());
  EXPECT_EQ(net.node(1).term(), 2u);
}

}  // namespace
}  // namespace refdb::raft
