// Tests per section of the Raft paper (Ongaro and Ousterhout, USENIX ATC 2014). Pre-vote and
// check-quorum are off here: these are the paper's rules alone.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "refdb/raft/test_network.h"

namespace refdb::raft {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

Network::Options Paper(size_t size, const std::function<void(Config&)>& extra = {}) {
  return {.size = size, .seed = 7, .configure = [extra](Config& c) {
            c.pre_vote = false;
            c.check_quorum = false;
            if (extra) extra(c);
          }};
}

bool Is(const Message& m, MsgType type) { return m.type == type; }

// §5.2 Leader election ------------------------------------------------------------------------

TEST(PaperSection52Election, ElectionTimeoutIsRandomInOneToTwoTimeouts) {
  std::set<int> seen;
  for (uint64_t seed = 1; seed <= 30; ++seed) {
    Network net({.size = 1, .seed = seed});
    const int timeout = net.node(1).randomized_election_timeout();
    EXPECT_GE(timeout, 10);
    EXPECT_LT(timeout, 20);
    seen.insert(timeout);
  }
  EXPECT_GT(seen.size(), 3u);
}

TEST(PaperSection52Election, SameSeedGivesSameTimeouts) {
  Network a({.size = 3, .seed = 42});
  Network b({.size = 3, .seed = 42});
  for (NodeId id : a.ids()) {
    EXPECT_EQ(a.node(id).randomized_election_timeout(), b.node(id).randomized_election_timeout());
  }
}

TEST(PaperSection52Election, FollowerBecomesCandidateAfterElectionTimeout) {
  Network net(Paper(3));
  net.Isolate(1);
  net.Tick(1, 2 * 10);
  EXPECT_EQ(net.node(1).role(), Role::kCandidate);
  EXPECT_GE(net.node(1).term(), 1u);
  EXPECT_EQ(net.node(1).vote(), 1u);
}

TEST(PaperSection52Election, CandidateWithVotesFromMajorityBecomesLeader) {
  Network net(Paper(3));
  net.Campaign(1);
  EXPECT_EQ(net.node(1).role(), Role::kLeader);
  EXPECT_EQ(net.node(1).term(), 1u);
  EXPECT_EQ(net.node(2).leader(), 1u);
  EXPECT_EQ(net.node(3).leader(), 1u);
}

TEST(PaperSection52Election, SomeNodeBecomesLeaderByTicksAlone) {
  Network net(Paper(5));
  net.TickAll(40);
  EXPECT_NE(net.Leader(), kNoNode);
}

TEST(PaperSection52Election, NodeGrantsAtMostOneVotePerTerm) {
  Network net(Paper(3));
  ASSERT_TRUE(net.Inject(1, {.type = MsgType::kVote, .from = 2, .to = 1, .term = 1}).ok());
  ASSERT_TRUE(net.Inject(1, {.type = MsgType::kVote, .from = 3, .to = 1, .term = 1}).ok());
  EXPECT_EQ(net.node(1).vote(), 2u);
  ASSERT_EQ(net.queue().size(), 2u);
  EXPECT_FALSE(net.queue()[0].reject);
  EXPECT_TRUE(net.queue()[1].reject);
}

TEST(PaperSection52Election, CandidateThatHearsFromLeaderOfItsTermBecomesFollower) {
  Network net(Paper(3));
  net.Cut(1, 3);
  net.Campaign(1);
  net.Campaign(3);  // 2 already voted for 1 in term 1: 3 stays a candidate
  ASSERT_EQ(net.node(3).role(), Role::kCandidate);
  ASSERT_EQ(net.node(3).term(), 1u);
  net.Recover();
  net.Tick(1);  // the leader's heartbeat reaches 3
  EXPECT_EQ(net.node(3).role(), Role::kFollower);
  EXPECT_EQ(net.node(3).leader(), 1u);
}

TEST(PaperSection52Election, SplitVoteEndsWithOneLeaderAfterNewElections) {
  Network net(Paper(4));
  net.Cut(1, 3);
  net.Cut(1, 4);
  net.Cut(3, 2);
  ASSERT_TRUE(net.node(1).Campaign().ok());
  ASSERT_TRUE(net.node(3).Campaign().ok());
  net.DeliverAll();
  EXPECT_EQ(net.Leader(), kNoNode);  // 2 votes each: no majority of 4
  net.Recover();
  net.TickAll(60);
  EXPECT_NE(net.Leader(), kNoNode);
}

TEST(PaperSection52Election, LeaderStepsDownOnMessageWithHigherTerm) {
  Network net(Paper(3));
  net.Campaign(1);
  net.Isolate(1);
  net.Campaign(2);
  ASSERT_EQ(net.node(2).term(), 2u);
  net.Recover();
  net.Tick(2);
  EXPECT_EQ(net.node(1).role(), Role::kFollower);
  EXPECT_EQ(net.node(1).term(), 2u);
  EXPECT_EQ(net.node(1).leader(), 2u);
}

// §5.3 Log replication ------------------------------------------------------------------------

TEST(PaperSection53Replication, LeaderReplicatesAndCommitsProposal) {
  Network net(Paper(3));
  net.Campaign(1);
  ASSERT_TRUE(net.Propose(1, "x").ok());
  for (NodeId id : net.ids()) {
    EXPECT_EQ(net.state(id), "x") << "node " << id;
    EXPECT_EQ(net.store(id).LastIndex(), 2u);
    EXPECT_EQ(net.node(id).commit_index(), 2u);
  }
}

TEST(PaperSection53Replication, FollowerRejectsProposal) {
  Network net(Paper(3));
  net.Campaign(1);
  const common::Status status = net.Propose(2, "x");
  EXPECT_EQ(status.code(), common::StatusCode::kUnavailable);
  EXPECT_THAT(status.message(), HasSubstr("leader is 1"));
}

TEST(PaperSection53Replication, LeaderCommitsWithMajorityWhileMinorityIsDown) {
  Network net(Paper(5));
  net.Campaign(1);
  net.Crash(4);
  net.Crash(5);
  ASSERT_TRUE(net.Propose(1, "x").ok());
  EXPECT_EQ(net.node(1).commit_index(), 2u);
  EXPECT_EQ(net.state(2), "x");
}

TEST(PaperSection53Replication, LeaderWithoutMajorityDoesNotCommit) {
  Network net(Paper(5));
  net.Campaign(1);
  net.Crash(3);
  net.Crash(4);
  net.Crash(5);
  ASSERT_TRUE(net.Propose(1, "x").ok());
  EXPECT_EQ(net.node(1).commit_index(), 1u);
  EXPECT_EQ(net.state(1), "");
}

TEST(PaperSection53Replication, FollowerRejectsAppendWhosePreviousEntryDoesNotMatch) {
  Network net(Paper(3));
  net.SetLog(2, {1, 1}, 2);
  ASSERT_TRUE(net.Inject(2, {.type = MsgType::kAppend,
                             .from = 1,
                             .to = 2,
                             .term = 2,
                             .log_term = 2,
                             .index = 2,
                             .entries = {{.term = 2, .index = 3}}})
                  .ok());
  ASSERT_EQ(net.queue().size(), 1u);
  const Message& resp = net.queue().front();
  EXPECT_TRUE(resp.reject);
  EXPECT_EQ(resp.conflict_term, 1u);
  EXPECT_EQ(resp.conflict_index, 1u);
  EXPECT_EQ(net.node(2).last_index(), 2u);
}

TEST(PaperSection53Replication, LeaderOverwritesConflictingFollowerEntries) {
  // Figure 7 (f)-like: the follower holds entries of terms the leader never saw.
  Network net(Paper(3));
  net.SetLog(1, {1, 1, 4, 4, 5, 5}, 5);
  net.SetLog(2, {1, 1, 4, 4, 5, 5}, 5);
  net.SetLog(3, {1, 1, 2, 2, 2, 3, 3, 3, 3, 3}, 3);
  net.Campaign(1);
  ASSERT_TRUE(net.node(1).is_leader());
  ASSERT_TRUE(net.Propose(1, "x").ok());
  const std::vector<Entry> leader = net.store(1).Entries(1, 9);
  EXPECT_EQ(net.store(3).Entries(1, net.store(3).LastIndex() + 1), leader);
  EXPECT_EQ(net.node(3).commit_index(), 8u);
}

TEST(PaperSection53Replication, ConflictHintSkipsAWholeTermPerRoundTrip) {
  Network net(Paper(3));
  std::vector<uint64_t> stale(1, 1);
  stale.insert(stale.end(), 50, 2);  // 50 entries of term 2 the leader does not have
  net.SetLog(1, {1, 3}, 3);
  net.SetLog(2, {1, 3}, 3);
  net.SetLog(3, stale, 3);
  net.Campaign(1);
  ASSERT_TRUE(net.node(1).is_leader());
  const size_t rejections = net.CountDelivered(
      [](const Message& m) { return Is(m, MsgType::kAppendResp) && m.reject && m.from == 3; });
  EXPECT_LE(rejections, 2u);
  EXPECT_EQ(net.store(3).LastIndex(), 3u);
  EXPECT_EQ(net.store(3).Term(3), 4u);
}

TEST(PaperSection53Replication, DuplicatedOldAppendDoesNotTruncateLaterEntries) {
  Network net(Paper(3));
  net.Campaign(1);
  ASSERT_TRUE(net.Propose(1, "a").ok());
  ASSERT_TRUE(net.Propose(1, "b").ok());
  ASSERT_EQ(net.node(2).last_index(), 3u);
  // A delayed copy of the append that carried only "a".
  ASSERT_TRUE(net.Step(2, {.type = MsgType::kAppend,
                           .from = 1,
                           .to = 2,
                           .term = 1,
                           .log_term = 1,
                           .index = 1,
                           .entries = {{.term = 1, .index = 2, .data = "a"}}})
                  .ok());
  EXPECT_EQ(net.node(2).last_index(), 3u);
}

// §5.4.1 Election restriction -----------------------------------------------------------------

TEST(PaperSection541VoteRestriction, VoterRejectsCandidateWithLessUpToDateLog) {
  Network net(Paper(3));
  net.SetLog(2, {1, 2}, 2);
  net.Isolate(2);
  ASSERT_TRUE(
      net.Step(2,
               {.type = MsgType::kVote, .from = 1, .to = 2, .term = 3, .log_term = 1, .index = 5})
          .ok());
  EXPECT_EQ(net.node(2).vote(), kNoNode);
  EXPECT_EQ(net.node(2).term(), 3u);  // the term still advances
}

TEST(PaperSection541VoteRestriction, VoterGrantsCandidateWithLongerLogOfSameLastTerm) {
  Network net(Paper(3));
  net.SetLog(2, {1, 2}, 2);
  net.Isolate(2);
  ASSERT_TRUE(
      net.Step(2,
               {.type = MsgType::kVote, .from = 1, .to = 2, .term = 3, .log_term = 2, .index = 3})
          .ok());
  EXPECT_EQ(net.node(2).vote(), 1u);
}

TEST(PaperSection541VoteRestriction, NodeMissingCommittedEntriesCannotBecomeLeader) {
  Network net(Paper(3));
  net.Campaign(1);
  net.Isolate(3);
  ASSERT_TRUE(net.Propose(1, "x").ok());
  ASSERT_EQ(net.node(1).commit_index(), 2u);
  net.Recover();
  net.Isolate(1);
  net.Campaign(3);
  EXPECT_FALSE(net.node(3).is_leader());
  net.Campaign(2);
  EXPECT_TRUE(net.node(2).is_leader());
}

// §5.4.2 Committing entries from previous terms -------------------------------------------------

// Figure 8: S1 led term 2 and wrote index 2; S5 led term 3 and wrote its own index 2 nowhere
// else. S1 leads again in term 4 and replicates its term-2 entry to S2 and S3, a majority,
// then crashes before its term-4 entry (index 3) reaches anyone. S5 can then win (its last
// term 3 beats their 2) and overwrite index 2 everywhere: index 2 must not have committed.
void Figure8(Network& net) {
  net.SetLog(1, {1, 2}, 3);
  net.SetLog(2, {1}, 3);
  net.SetLog(3, {1}, 3);
  net.SetLog(4, {1}, 3);
  net.SetLog(5, {1, 3}, 3);
  net.Cut(1, 4);
  net.Cut(1, 5);
  ASSERT_TRUE(net.Inject(1, {.type = MsgType::kHup, .from = 1}).ok());
  for (int i = 0; i < 4 && !net.node(1).is_leader(); ++i) {
    net.DeliverIf(
        [](const Message& m) { return m.type == MsgType::kVote || m.type == MsgType::kVoteResp; });
  }
  ASSERT_TRUE(net.node(1).is_leader());
  ASSERT_EQ(net.node(1).term(), 4u);
}

// Delivers S1's traffic with S2 and S3 until both acknowledged index 2, holding back index 3.
void ReplicateIndex2Only(Network& net) {
  const auto acked = [&net] {
    return net.node(1).progress().at(2).match >= 2 && net.node(1).progress().at(3).match >= 2;
  };
  for (int i = 0; i < 10 && !acked(); ++i) {
    // Before a follower holds index 2 it rejects index 3, which is harmless.
    net.DeliverIf([&net](const Message& m) {
      return !(m.from == 1 && !m.entries.empty() && m.entries.front().index >= 3 &&
               net.node(m.to).last_index() >= 2);
    });
  }
  ASSERT_TRUE(acked());
}

Network::Options Figure8Options(bool bug) {
  return Paper(5, [bug](Config& c) {
    c.max_entries_per_append = 1;
    c.bug_commit_previous_term = bug;
  });
}

TEST(PaperSection542Commitment, LeaderDoesNotCommitEarlierTermEntryByCountingReplicas) {
  Network net(Figure8Options(false));
  Figure8(net);
  ReplicateIndex2Only(net);
  EXPECT_EQ(net.node(1).commit_index(), 0u);  // index 2 is on S1, S2, S3 but of term 2
}

TEST(PaperSection542Commitment, Figure8OverwriteLosesNothingCommitted) {
  Network net(Figure8Options(false));
  Figure8(net);
  ReplicateIndex2Only(net);
  net.Crash(1);
  net.queue().clear();
  net.Recover();
  net.Campaign(5);  // term 4: S2 and S3 already voted for S1
  net.Campaign(5);  // term 5: S2, S3, S4 vote, as S5's last term 3 beats their 2
  ASSERT_TRUE(net.node(5).is_leader());
  EXPECT_EQ(net.store(3).Term(2), 3u);  // overwritten, which is safe: it never committed
  EXPECT_EQ(net.node(3).commit_index(), 3u);
}

TEST(PaperSection542Commitment, EarlierTermEntryCommitsBeneathCurrentTermEntry) {
  Network net(Figure8Options(false));
  Figure8(net);
  net.Recover();
  net.Crash(5);
  net.DeliverAll();
  EXPECT_EQ(net.node(1).commit_index(), 3u);
  EXPECT_EQ(net.state(1), "i1t1,i2t2");
  // S5 can no longer win: a majority holds an entry of term 4.
  net.Restart(5);
  net.Isolate(1);
  net.Campaign(5);
  EXPECT_FALSE(net.node(5).is_leader());
}

TEST(PaperSection542Commitment, CommitPreviousTermBugLosesACommittedEntryInFigure8) {
  Network net(Figure8Options(/*bug=*/true));
  net.AllowViolations();
  Figure8(net);
  ReplicateIndex2Only(net);
  ASSERT_EQ(net.node(1).commit_index(), 2u);  // counted replicas of a term-2 entry
  ASSERT_EQ(net.state(1), "i1t1,i2t2");       // and applied it
  net.Crash(1);
  net.queue().clear();
  net.Recover();
  net.Campaign(5);
  net.Campaign(5);
  ASSERT_TRUE(net.node(5).is_leader());
  EXPECT_EQ(net.state(5), "i1t1,i2t3");
  EXPECT_THAT(net.violations(), Contains(HasSubstr("index 2 applied as")));
}

}  // namespace
}  // namespace refdb::raft
