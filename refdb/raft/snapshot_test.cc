// Log compaction and InstallSnapshot.
#include <gtest/gtest.h>

#include "refdb/raft/test_network.h"

namespace refdb::raft {
namespace {

// A 3-node cluster led by 1 in which 3 missed "a".."e" and 1 compacted them away.
void LagBehindCompaction(Network& net) {
  net.Campaign(1);
  net.Crash(3);
  for (const char* v : {"a", "b", "c", "d", "e"}) ASSERT_TRUE(net.Propose(1, v).ok());
  ASSERT_TRUE(net.Compact(1).ok());
  ASSERT_EQ(net.store(1).FirstIndex(), 7u);
}

TEST(Snapshot, CompactionKeepsTheStateAndDropsEntries) {
  Network net({.size = 3});
  net.Campaign(1);
  ASSERT_TRUE(net.Propose(1, "a").ok());
  ASSERT_TRUE(net.Compact(1).ok());
  EXPECT_EQ(net.store(1).snapshot().index, 2u);
  EXPECT_EQ(net.store(1).snapshot().data, "a");
  EXPECT_EQ(net.store(1).snapshot().members, (std::vector<NodeId>{1, 2, 3}));
  ASSERT_TRUE(net.Propose(1, "b").ok());
  EXPECT_EQ(net.state(2), "a,b");
}

TEST(Snapshot, LaggingFollowerCatchesUpBySnapshot) {
  Network net({.size = 3});
  LagBehindCompaction(net);
  net.Restart(3);
  net.TickAll(3);
  EXPECT_EQ(net.store(3).snapshot().index, 6u);
  EXPECT_EQ(net.state(3), "a,b,c,d,e");
  ASSERT_TRUE(net.Propose(1, "f").ok());
  EXPECT_EQ(net.state(3), "a,b,c,d,e,f");
  EXPECT_EQ(net.node(1).progress().at(3).state, ProgressState::kReplicate);
}

TEST(Snapshot, LostSnapshotIsSentAgain) {
  Network net({.size = 3});
  LagBehindCompaction(net);
  net.Restart(3);
  ASSERT_TRUE(net.Inject(1, {.type = MsgType::kBeat, .from = 1}).ok());
  for (int i = 0; i < 10; ++i) {
    net.DropIf([](const Message& m) { return m.type == MsgType::kSnapshot; });
    net.DeliverIf([](const Message&) { return true; });
  }
  ASSERT_EQ(net.node(1).progress().at(3).state, ProgressState::kSnapshot);
  net.TickAll(3);
  EXPECT_EQ(net.state(3), "a,b,c,d,e");
}

TEST(Snapshot, FollowerThatHasTheEntriesOnlyCommits) {
  Network net({.size = 3});
  net.Campaign(1);
  ASSERT_TRUE(net.Propose(1, "a").ok());
  Snapshot snapshot = {.index = 2, .term = 1, .members = {1, 2, 3}, .data = "a"};
  ASSERT_TRUE(
      net.Inject(2,
                 {.type = MsgType::kSnapshot, .from = 1, .to = 2, .term = 1, .snapshot = snapshot})
          .ok());
  EXPECT_EQ(net.store(2).snapshot().index, 0u);  // nothing restored: the log already has it
  EXPECT_EQ(net.node(2).commit_index(), 2u);
}

// Found by the peer_message fuzz target: a follower installed a snapshot whose voters were out
// of order, and its members were no longer sorted (quorum code relies on it).
TEST(Snapshot, SnapshotWithMalformedMembersIsRejected) {
  Network net({.size = 3});
  net.Campaign(1);
  const std::vector<std::vector<NodeId>> malformed = {{3, 1, 2}, {1, 1, 2}, {0, 1, 2}, {}};
  for (const std::vector<NodeId>& members : malformed) {
    const Snapshot snapshot = {.index = 9, .term = 1, .members = members, .data = "x"};
    const common::Status status = net.Inject(
        2, {.type = MsgType::kSnapshot, .from = 1, .to = 2, .term = 1, .snapshot = snapshot});
    EXPECT_EQ(status.code(), common::StatusCode::kInvalidArgument) << status.message();
    EXPECT_EQ(net.store(2).snapshot().index, 0u);
    EXPECT_EQ(net.node(2).members(), (std::vector<NodeId>{1, 2, 3}));
  }
}

TEST(Snapshot, RestartedNodeRecoversFromSnapshotAndLog) {
  Network net({.size = 3});
  net.Campaign(1);
  ASSERT_TRUE(net.Propose(1, "a").ok());
  ASSERT_TRUE(net.Compact(2).ok());
  ASSERT_TRUE(net.Propose(1, "b").ok());
  net.Crash(2);
  net.Restart(2);
  EXPECT_EQ(net.node(2).applied_index(), 3u);
  EXPECT_EQ(net.state(2), "a,b");
}

TEST(Snapshot, SnapshotCarriesMembershipToNewNode) {
  Network net({.size = 3});
  LagBehindCompaction(net);
  net.Restart(3);
  net.TickAll(3);
  EXPECT_EQ(net.node(3).members(), (std::vector<NodeId>{1, 2, 3}));
  EXPECT_EQ(net.node(3).MembersAt(6), (std::vector<NodeId>{1, 2, 3}));
}

}  // namespace
}  // namespace refdb::raft
