// The Node's contract with its shell: Open, the Ready/Advance handshake, input validation.
#include "refdb/raft/node.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "refdb/raft/invariants.h"
#include "refdb/raft/memory_log_store.h"

namespace refdb::raft {
namespace {

using ::testing::HasSubstr;

Config ThreeNodes(NodeId id) { return {.id = id, .peers = {1, 2, 3}}; }

struct Single {
  MemoryLogStore store;
  common::Rng rng{1};
  Node node = Node::Open(ThreeNodes(1), store, rng).value();

  // Persists a Ready into the store, as a shell would, and advances.
  Ready Handle() {
    Ready rd = node.TakeReady();
    if (rd.snapshot) store.ApplySnapshot(*rd.snapshot);
    store.Append(rd.entries);
    if (rd.hard_state) store.SetHardState(*rd.hard_state);
    node.Advance(rd);
    CheckInvariants(node);
    return rd;
  }
};

TEST(Node, OpenRejectsInvalidConfig) {
  MemoryLogStore store;
  common::Rng rng(1);
  EXPECT_FALSE(Node::Open({.id = 0}, store, rng).ok());
  EXPECT_FALSE(Node::Open({.id = 1, .election_timeout_ticks = 1}, store, rng).ok());
  EXPECT_FALSE(Node::Open({.id = 1, .peers = {1, 1}}, store, rng).ok());
}

TEST(Node, OpenRejectsCommitPastTheLog) {
  MemoryLogStore store;
  store.SetHardState({.term = 1, .commit = 5});
  common::Rng rng(1);
  common::Result<Node> node = Node::Open(ThreeNodes(1), store, rng);
  ASSERT_FALSE(node.ok());
  EXPECT_THAT(node.status().message(), HasSubstr("commit 5 outside the log"));
}

// Found by a seed of the data_dir fuzz target: the shell persists a Ready's entries (or
// snapshot) before its hard state, so a crash between the two leaves entries of a term the hard
// state never reached. The node opened in the older term with entries of a later one, and could
// campaign in a term that already had a leader.
TEST(Node, OpenAdoptsTheLastLogTermWhenTheHardStateIsBehindIt) {
  MemoryLogStore store;
  store.Append({{.term = 3, .index = 1}});
  store.SetHardState({.term = 2, .vote = 2});
  common::Rng rng(1);
  Node node = Node::Open(ThreeNodes(1), store, rng).value();
  EXPECT_EQ(node.term(), 3u);
  EXPECT_EQ(node.vote(), kNoNode);
  ASSERT_TRUE(node.HasReady());
  const Ready rd = node.TakeReady();
  ASSERT_TRUE(rd.hard_state.has_value());
  EXPECT_EQ(rd.hard_state->term, 3u);
  EXPECT_TRUE(rd.must_sync);
  node.Advance(rd);
  CheckInvariants(node);
}

// Found by the data_dir fuzz target: a log entry of term 2^64 - 1 made the node's next
// campaign wrap its term around to 0.
TEST(Node, OpenRefusesATermNoClusterReaches) {
  common::Rng rng(1);
  MemoryLogStore hard_state_past;
  hard_state_past.SetHardState({.term = kMaxTerm + 1});
  EXPECT_EQ(Node::Open(ThreeNodes(1), hard_state_past, rng).status().code(),
            common::StatusCode::kInvalidArgument);
  MemoryLogStore entry_past;
  entry_past.Append({{.term = UINT64_MAX, .index = 1}});
  EXPECT_EQ(Node::Open(ThreeNodes(1), entry_past, rng).status().code(),
            common::StatusCode::kInvalidArgument);
}

TEST(Node, FreshNodeHasNothingReady) {
  Single s;
  EXPECT_FALSE(s.node.HasReady());
  EXPECT_EQ(s.node.role(), Role::kFollower);
  EXPECT_EQ(s.node.members(), (std::vector<NodeId>{1, 2, 3}));
}

TEST(Node, VoteIsPersistedInTheReadyThatCarriesTheResponse) {
  Single s;
  ASSERT_TRUE(s.node.Step({.type = MsgType::kVote, .from = 2, .to = 1, .term = 1}).ok());
  ASSERT_TRUE(s.node.HasReady());
  const Ready rd = s.Handle();
  ASSERT_TRUE(rd.hard_state.has_value());
  EXPECT_EQ(rd.hard_state->vote, 2u);
  EXPECT_TRUE(rd.must_sync);
  ASSERT_EQ(rd.messages.size(), 1u);
  EXPECT_EQ(rd.messages[0].type, MsgType::kVoteResp);
  EXPECT_FALSE(s.node.HasReady());
  EXPECT_EQ(s.store.hard_state().vote, 2u);
}

TEST(Node, CommitOnlyChangeNeedsNoSync) {
  Single s;
  ASSERT_TRUE(s.node
                  .Step({.type = MsgType::kAppend,
                         .from = 2,
                         .to = 1,
                         .term = 1,
                         .entries = {{.term = 1, .index = 1, .data = "a"}}})
                  .ok());
  const Ready first = s.Handle();
  EXPECT_TRUE(first.must_sync);
  ASSERT_EQ(first.entries.size(), 1u);
  ASSERT_TRUE(
      s.node.Step({.type = MsgType::kHeartbeat, .from = 2, .to = 1, .term = 1, .commit = 1}).ok());
  const Ready second = s.Handle();
  EXPECT_FALSE(second.must_sync);
  ASSERT_EQ(second.committed_entries.size(), 1u);
  EXPECT_EQ(second.committed_entries[0].data, "a");
  EXPECT_EQ(s.node.applied_index(), 1u);
}

TEST(Node, ReopenedNodeKeepsTermVoteAndLog) {
  Single s;
  ASSERT_TRUE(s.node
                  .Step({.type = MsgType::kAppend,
                         .from = 2,
                         .to = 1,
                         .term = 3,
                         .entries = {{.term = 3, .index = 1, .data = "a"}},
                         .commit = 1})
                  .ok());
  s.Handle();
  common::Rng rng(2);
  Node reopened = Node::Open(ThreeNodes(1), s.store, rng).value();
  EXPECT_EQ(reopened.term(), 3u);
  EXPECT_EQ(reopened.last_index(), 1u);
  EXPECT_EQ(reopened.commit_index(), 1u);
  EXPECT_TRUE(reopened.HasReady());  // the committed entry is applied again
}

TEST(Node, MalformedMessagesAreRejected) {
  Single s;
  EXPECT_EQ(s.node.Step({.type = MsgType::kAppend, .from = 2, .to = 1}).code(),
            common::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.node.Step({.type = MsgType::kHup, .from = 2, .to = 1, .term = 4}).code(),
            common::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.node.Step({.type = MsgType::kSnapshot, .from = 2, .to = 1, .term = 1}).code(),
            common::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.node
                .Step({.type = MsgType::kAppend,
                       .from = 2,
                       .to = 1,
                       .term = 1,
                       .entries = {{.term = 1, .index = 5}}})
                .code(),
            common::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      s.node
          .Step(
              {.type = MsgType::kAppend,
               .from = 2,
               .to = 1,
               .term = 1,
               .entries = {{.term = 1, .index = 1, .type = EntryType::kConfChange, .data = "1,x"}}})
          .code(),
      common::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.node.term(), 0u);
}

// Found by the peer_message fuzz target: an AppendEntries of term 2 carrying an entry of term
// 43 left a follower whose last log term was past its current term. A leader sends only
// entries of its term or earlier, terms never decreasing from the previous entry's.
TEST(Node, MessagesWithImpossibleTermsOrIndexesAreRejected) {
  const auto append = [](uint64_t index, uint64_t log_term, std::vector<Entry> entries) {
    return Message{.type = MsgType::kAppend,
                   .from = 2,
                   .to = 1,
                   .term = 2,
                   .log_term = log_term,
                   .index = index,
                   .entries = std::move(entries)};
  };
  const std::vector<Message> malformed = {
      append(0, 0, {{.term = 43, .index = 1}}),
      append(0, 0, {{.term = 2, .index = 1}, {.term = 1, .index = 2}}),
      append(4, 2, {{.term = 1, .index = 5}}),
      append(4, 3, {}),
      append(UINT64_MAX, 2, {{.term = 2, .index = 0}}),
      {.type = MsgType::kHeartbeat, .from = 2, .to = 1, .term = kMaxTerm + 1},
      {.type = MsgType::kSnapshot,
       .from = 2,
       .to = 1,
       .term = 2,
       .snapshot = Snapshot{.index = 5, .term = 3, .members = {1, 2, 3}}}};
  for (const Message& m : malformed) {
    Single s;
    EXPECT_EQ(s.node.Step(m).code(), common::StatusCode::kInvalidArgument) << Describe(m);
    EXPECT_EQ(s.node.term(), 0u) << Describe(m);
  }
}

// Found by the peer_message fuzz target: an AppendEntries "from" the receiving node itself
// made it follow itself without being leader.
TEST(Node, PeerMessagesFromThisNodeOrFromNoNodeAreRejected) {
  for (const NodeId from : {NodeId{1}, kNoNode}) {
    Single s;
    const Message m{.type = MsgType::kAppend, .from = from, .to = 1, .term = 2};
    EXPECT_EQ(s.node.Step(m).code(), common::StatusCode::kInvalidArgument) << Describe(m);
    EXPECT_EQ(s.node.term(), 0u);
    EXPECT_EQ(s.node.leader(), kNoNode);
  }
}

TEST(Node, SingleNodeClusterCommitsAlone) {
  MemoryLogStore store;
  common::Rng rng(1);
  Node node = Node::Open({.id = 1, .peers = {1}}, store, rng).value();
  ASSERT_TRUE(node.Campaign().ok());
  EXPECT_TRUE(node.is_leader());
  ASSERT_TRUE(node.Propose("a").ok());
  const Ready rd = node.TakeReady();
  EXPECT_EQ(rd.entries.size(), 2u);
  ASSERT_EQ(rd.committed_entries.size(), 2u);
  EXPECT_EQ(rd.committed_entries[1].data, "a");
}

TEST(NodeDeathTest, StepBetweenTakeReadyAndAdvanceAborts) {
  Single s;
  ASSERT_TRUE(s.node.Step({.type = MsgType::kVote, .from = 2, .to = 1, .term = 1}).ok());
  Ready rd = s.node.TakeReady();
  EXPECT_DEATH((void)s.node.Step({.type = MsgType::kHup, .from = 1}), "between TakeReady");
}

}  // namespace
}  // namespace refdb::raft
