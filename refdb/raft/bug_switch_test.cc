// Each bug switch reintroduces a classic Raft bug; each test shows the damage it does, and that
// the same story is safe with the switch off. (bug_commit_previous_term's Figure 8 story is in
// raft_paper_test.cc beside the correct version.)
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "refdb/raft/test_network.h"

namespace refdb::raft {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

Network::Options With(size_t size, const std::function<void(Config&)>& bug) {
  return {.size = size, .seed = 5, .configure = [bug](Config& c) {
            c.pre_vote = false;
            c.check_quorum = false;
            bug(c);
          }};
}

// Four nodes split 2|2; each side's candidate campaigns in term 1.
void SplitInHalvesAndCampaign(Network& net) {
  for (NodeId a : {1, 2}) {
    for (NodeId b : {3, 4}) net.Cut(a, b);
  }
  net.Campaign(1);
  net.Campaign(3);
}

TEST(BugHalfQuorum, EvenClusterSplitInHalvesElectsTwoLeadersInOneTerm) {
  Network net(With(4, [](Config& c) { c.bug_half_quorum = true; }));
  net.AllowViolations();
  SplitInHalvesAndCampaign(net);
  EXPECT_TRUE(net.node(1).is_leader());
  EXPECT_TRUE(net.node(3).is_leader());
  EXPECT_THAT(net.violations(), Contains(HasSubstr("two leaders in term 1")));
}

TEST(BugHalfQuorum, BothHalvesCommitConflictingEntries) {
  Network net(With(4, [](Config& c) { c.bug_half_quorum = true; }));
  net.AllowViolations();
  SplitInHalvesAndCampaign(net);
  ASSERT_TRUE(net.Propose(1, "left").ok());
  ASSERT_TRUE(net.Propose(3, "right").ok());
  EXPECT_EQ(net.state(2), "left");
  EXPECT_EQ(net.state(4), "right");
  EXPECT_THAT(net.violations(), Contains(HasSubstr("index 2 applied as")));
}

TEST(BugHalfQuorum, OffNeitherHalfElectsALeader) {
  Network net(With(4, [](Config&) {}));
  SplitInHalvesAndCampaign(net);
  EXPECT_EQ(net.Leader(), kNoNode);
}

// 3 misses a committed write, then 1 (which has it) is cut off and 3 campaigns.
void StaleNodeCampaigns(Network& net) {
  net.Campaign(1);
  net.Isolate(3);
  ASSERT_TRUE(net.Propose(1, "x").ok());
  ASSERT_EQ(net.node(2).commit_index(), 2u);
  net.Recover();
  net.Isolate(1);
  net.Campaign(3);
}

TEST(BugVoteWithoutLogCheck, NodeWithStaleLogWinsAndLosesACommittedEntry) {
  Network net(With(3, [](Config& c) { c.bug_vote_without_log_check = true; }));
  net.AllowViolations();
  StaleNodeCampaigns(net);
  EXPECT_TRUE(net.node(3).is_leader());
  // 3 commits its own entry at index 2, where 1 and 2 applied "x".
  EXPECT_THAT(net.violations(), Contains(HasSubstr("index 2 applied as 2/1 x and as 2/2 empty")));
}

TEST(BugVoteWithoutLogCheck, OffNodeWithStaleLogLoses) {
  Network net(With(3, [](Config&) {}));
  StaleNodeCampaigns(net);
  EXPECT_FALSE(net.node(3).is_leader());
}

// 1 leads and is cut off; 2 becomes leader and writes "new"; then 1 is asked to read.
void ReadFromDeposedLeader(Network& net) {
  net.Campaign(1);
  ASSERT_TRUE(net.Propose(1, "old").ok());
  net.Isolate(1);
  net.Campaign(2);
  ASSERT_TRUE(net.Propose(2, "new").ok());
  ASSERT_TRUE(net.Read(1, "r").ok());
}

TEST(BugStaleReads, PartitionedOldLeaderAnswersReadWithOldState) {
  Network net(With(3, [](Config& c) { c.bug_stale_reads = true; }));
  ReadFromDeposedLeader(net);
  ASSERT_EQ(net.read_states(1).size(), 1u);
  EXPECT_EQ(net.read_states(1)[0].index, 2u);  // the read misses "new" at index 4
  EXPECT_EQ(net.state(1), "old");
  EXPECT_EQ(net.node(2).commit_index(), 4u);
}

TEST(BugStaleReads, FollowerAnswersFromLocalState) {
  Network net(With(3, [](Config& c) { c.bug_stale_reads = true; }));
  net.Campaign(1);
  ASSERT_TRUE(net.Read(2, "r").ok());
  EXPECT_EQ(net.CountDelivered([](const Message& m) { return m.type == MsgType::kReadIndex; }), 0u);
  EXPECT_EQ(net.read_states(2).size(), 1u);
}

TEST(BugStaleReads, OffPartitionedOldLeaderAnswersNothing) {
  Network net(With(3, [](Config&) {}));
  ReadFromDeposedLeader(net);
  EXPECT_TRUE(net.read_states(1).empty());
}

}  // namespace
}  // namespace refdb::raft
