#include "refdb/raft/quorum.h"

#include <gtest/gtest.h>

namespace refdb::raft {
namespace {

TEST(Quorum, MajorityIsMoreThanHalf) {
  EXPECT_EQ(QuorumSize(1, false), 1u);
  EXPECT_EQ(QuorumSize(3, false), 2u);
  EXPECT_EQ(QuorumSize(4, false), 3u);
  EXPECT_EQ(QuorumSize(5, false), 3u);
}

TEST(Quorum, HalfQuorumBugAcceptsExactlyHalfOnEvenClusters) {
  EXPECT_EQ(QuorumSize(4, true), 2u);
  EXPECT_EQ(QuorumSize(6, true), 3u);
  EXPECT_EQ(QuorumSize(3, true), 2u);  // odd clusters are unaffected
}

TEST(Quorum, TallyWinsLosesOrWaits) {
  const std::vector<NodeId> voters = {1, 2, 3};
  EXPECT_EQ(TallyVotes(voters, {{1, true}}, 2), VoteResult::kPending);
  EXPECT_EQ(TallyVotes(voters, {{1, true}, {3, true}}, 2), VoteResult::kWon);
  EXPECT_EQ(TallyVotes(voters, {{1, true}, {2, false}, {3, false}}, 2), VoteResult::kLost);
}

TEST(Quorum, VotesOfNonVotersDoNotCount) {
  EXPECT_EQ(TallyVotes({1, 2, 3}, {{1, true}, {9, true}}, 2), VoteResult::kPending);
}

TEST(Quorum, QuorumIndexIsReachedByAQuorum) {
  EXPECT_EQ(QuorumIndex({5, 3, 9}, 2), 5u);
  EXPECT_EQ(QuorumIndex({5, 3, 9, 1}, 3), 3u);
  EXPECT_EQ(QuorumIndex({5, 3, 9, 1}, 2), 5u);
}

}  // namespace
}  // namespace refdb::raft
